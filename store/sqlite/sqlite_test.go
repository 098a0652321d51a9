package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/storetest"
)

// openTemp opens a store on a fresh file of the test's temporary directory.
func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}
