package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/auditlog/auditlog/store/storetest"
)

// BenchmarkConformanceSearch is the Explore benchmark every backend runs on
// the same seeded data (see storetest.BenchmarkSearch).
func BenchmarkConformanceSearch(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	storetest.BenchmarkSearch(b, s)
}
