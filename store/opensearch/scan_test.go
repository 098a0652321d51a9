package opensearch_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// exportWriteGrace is how long an export may wait for its client to take
// one page (export/handler.go) while the scan behind it holds its point in
// time open without reading.
const exportWriteGrace = 2 * time.Minute

// TestScanSnapshotOutlivesExportGrace: the point in time of a scan is kept
// alive well beyond the export's write grace, so a slow client that is
// still within the grace never finds the snapshot gone.
func TestScanSnapshotOutlivesExportGrace(t *testing.T) {
	t.Parallel()
	s, base, _ := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	if res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "e1", at), event("acme", "CMS", "e2", at)}); err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	// pits lists the node's points in time: id → keep-alive.
	pits := func() map[string]time.Duration {
		code, body := rest(t, http.MethodGet, base+"/_search/point_in_time/_all", nil)
		if code != http.StatusOK {
			t.Fatalf("list points in time: HTTP %d %v", code, body)
		}
		out := map[string]time.Duration{}
		list, _ := body["pits"].([]any)
		for _, p := range list {
			p := p.(map[string]any)
			out[p["pit_id"].(string)] = time.Duration(p["keep_alive"].(float64)) * time.Millisecond
		}
		return out
	}
	before := pits()
	checked := 0
	err := s.ScanEvents(ctx, audit.Query{Tenant: "acme", Limit: 1}, func(audit.Event) error {
		if checked > 0 {
			return nil
		}
		for id, keepAlive := range pits() {
			if _, old := before[id]; old {
				continue
			}
			checked++
			if keepAlive < 2*exportWriteGrace {
				t.Errorf("scan's point in time is kept alive %v, want at least %v (twice the export's write grace)", keepAlive, 2*exportWriteGrace)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	if checked == 0 {
		t.Fatal("no point in time of the scan found on the node")
	}
}
