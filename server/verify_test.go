package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpointer"
	"github.com/auditlog/auditlog/server"
)

const verifyQuery = `query($from: Time, $to: Time) { verify(from: $from, to: $to) {
	ok windows intact tampered pending events truncated
	notIntact { component seq status events committed problems { kind count eventIds leaves } }
} }`

type verification struct {
	Verify struct {
		Ok                                 bool
		Windows, Intact, Tampered, Pending int
		Events                             int
		NotIntact                          []struct {
			Component string
			Seq       *int
			Status    string
			Events    int
			Problems  []struct {
				Kind     string
				Count    int
				EventIds []string
				Leaves   []int
			}
		}
	}
}

// TestVerifyQuery: events ingested through the API and checkpointed verify
// intact; an event written into a checkpointed window behind the API is
// reported, with its id; each verification is in the service's own trail
// with its outcome; a range that ends before it starts names the field.
func TestVerifyQuery(t *testing.T) {
	e := newEnv(t, server.Config{})
	emitter, admin := e.key("acme", audit.RoleEmitter), e.key("acme", audit.RoleAdmin)
	var in []any
	for i, id := range []string{"v-1", "v-2", "v-3"} {
		in = append(in, fullEvent(id, time.Now().Add(-time.Duration(i)*time.Hour)))
	}
	var res struct{ IngestEvents []ingestResult }
	e.query(emitter, ingestMany, map[string]any{"es": in}, &res)
	e.refresh()

	// The checkpointer as a replica would run it once the window closed.
	later := func() time.Time { return time.Now().Add(checkpointer.DefaultMargin + 2*checkpointer.DefaultInterval) }
	cp := checkpointer.New(e.st, e.signing, checkpointer.Options{Clock: later})
	if n, err := cp.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("checkpoints: %d, %v; want 1", n, err)
	}
	var got verification
	e.query(admin, verifyQuery, nil, &got)
	if v := got.Verify; !v.Ok || v.Windows != 1 || v.Intact != 1 || v.Events != 3 || len(v.NotIntact) != 0 {
		t.Fatalf("verify after checkpointing: %+v, want 1 intact window of 3 events", v)
	}

	// Written straight into the store, dated inside the checkpointed window.
	var stored audit.Event
	if err := e.st.ScanIngested(context.Background(), "acme", "KMS", checkpointer.Epoch(), later(), func(ev audit.Event) error {
		stored = ev
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	forged := stored
	forged.ID, forged.Description = "forged-1", "An event nobody sent"
	if _, err := e.st.WriteEvents(context.Background(), []audit.Event{forged}); err != nil {
		t.Fatal(err)
	}
	e.refresh()
	e.query(admin, verifyQuery, nil, &got)
	v := got.Verify
	// The first verification's own record (AUDITLOG) is pending.
	if v.Ok || v.Tampered != 1 || v.Pending != 1 || len(v.NotIntact) != 2 || v.NotIntact[1].Component != "AUDITLOG" {
		t.Fatalf("verify after an insertion: %+v, want one tampered window and the pending trail", v)
	}
	w := v.NotIntact[0]
	if w.Component != "KMS" || w.Seq == nil || *w.Seq != 1 || w.Status != "TAMPERED" || len(w.Problems) != 1 ||
		w.Problems[0].Kind != "EVENTS_INSERTED" || len(w.Problems[0].EventIds) != 1 || w.Problems[0].EventIds[0] != "forged-1" {
		t.Errorf("tampered window %+v, want KMS #1 with forged-1 inserted", w)
	}

	e.wantError(admin, verifyQuery, map[string]any{"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "BAD_USER_INPUT", "to")

	// Both verifications are recorded: the intact one SUCCESS, the other FAILED.
	e.refresh()
	var trail struct {
		Events struct {
			Edges []struct {
				Node struct {
					EventType   string
					Status      string
					Description string
				}
			}
		}
	}
	e.query(admin, `{ events(filter: {components: ["AUDITLOG"], eventTypes: ["LOG_VERIFIED"]}, order: OLDEST_FIRST) { edges { node { eventType status description } } } }`, nil, &trail)
	var statuses []string
	for _, edge := range trail.Events.Edges {
		statuses = append(statuses, edge.Node.Status)
	}
	if len(statuses) != 2 || statuses[0] != "SUCCESS" || statuses[1] != "FAILED" {
		t.Errorf("LOG_VERIFIED records %v, want [SUCCESS FAILED]; %+v", statuses, trail.Events.Edges)
	}
}
