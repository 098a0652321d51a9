package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

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

func TestTamperEvidence(t *testing.T) {
	storetest.RunTamper(t, func(t *testing.T) (store.Store, storetest.Raw) {
		s := openTemp(t)
		return s, rawSQL{s}
	})
}

// rawSQL changes the file with SQL, behind the store's API.
type rawSQL struct{ s *Store }

func (r rawSQL) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	res, err := r.s.w.ExecContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s %v: no row changed", query, args)
	}
}

func (r rawSQL) SetActorName(t *testing.T, tenant, id, name string) {
	r.exec(t, `UPDATE events SET action_user_name = ? WHERE tenant = ? AND id = ?`, name, tenant, id)
}

func (r rawSQL) DeleteEvent(t *testing.T, tenant, id string) {
	r.exec(t, `DELETE FROM events WHERE tenant = ? AND id = ?`, tenant, id)
}

func (r rawSQL) DeleteCheckpoint(t *testing.T, tenant, component string, seq int64) {
	r.exec(t, `DELETE FROM checkpoints WHERE tenant = ? AND component_id = ? AND seq = ?`, tenant, component, seq)
}

func (r rawSQL) SetCheckpointCount(t *testing.T, tenant, component string, seq, count int64) {
	r.exec(t, `UPDATE checkpoints SET count = ? WHERE tenant = ? AND component_id = ? AND seq = ?`, count, tenant, component, seq)
}

func (r rawSQL) Expire(t *testing.T, tenant, component string, cutoff time.Time) {
	if _, err := r.s.DeleteExpired(context.Background(), tenant, component, cutoff, 1000); err != nil {
		t.Fatal(err)
	}
}
