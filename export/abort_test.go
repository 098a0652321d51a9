package export_test

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/store/sqlite"
)

// TestFailureMidStreamIsVisibleToTheClient breaks the store under a running
// export (a corrupt row, read on a later page than the first) and checks
// that the download neither ends cleanly nor verifies complete.
func TestFailureMidStreamIsVisibleToTheClient(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.db")
	st, err := sqlite.Open(ctx(t), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
	const n, bad = 3000, 2000
	var events []audit.Event
	for i := range n {
		e := event(tenant, fmt.Sprintf("ev-%05d", i), "KMS", t0.Add(time.Duration(i)*time.Second))
		e.Details = map[string]any{"n": float64(i)}
		events = append(events, e)
	}
	writeEvents(t, st, events)
	// Corrupt one stored row behind the store's back, as a bad disk would.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Exec(`UPDATE events SET details = '{not json' WHERE tenant = ? AND id = ?`, tenant, fmt.Sprintf("ev-%05d", bad))
	if err != nil {
		t.Fatalf("corrupt a row: %v", err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		t.Fatalf("corrupted %d rows, want 1", k)
	}
	db.Close()

	x := newExporter(t, st, export.Options{PageSize: 100})
	resp, err := http.Get(x.link(t, p, export.Request{Filter: &audit.Filter{}, Order: audit.OldestFirst}).URL)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	rows, complete, err := export.Verify(resp.Body)
	t.Logf("client read %d rows, complete %v, err %v", rows, complete, err)
	if complete || err == nil {
		t.Fatalf("Verify of the aborted download = %d rows, complete %v, err %v; want incomplete with a transfer error", rows, complete, err)
	}
	if rows > bad {
		t.Fatalf("read %d rows, but row %d is unreadable", rows, bad+1)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err == nil {
		t.Errorf("the transfer ended cleanly after an abort")
	}
	if e := waitExported(t, x); e.Complete || e.Rows > bad {
		t.Fatalf("OnExported got %d rows, complete %v", e.Rows, e.Complete)
	}
}
