package graph_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// failingWrites is a store whose next writes of events fail, as a store
// that wrote the events but lost its answer would look to the indexer.
type failingWrites struct {
	store.Store
	failures atomic.Int32
}

func (s *failingWrites) WriteEvents(ctx context.Context, events []audit.Event) ([]store.WriteResult, error) {
	if s.failures.Add(-1) >= 0 {
		// Written, but the answer is lost: the caller sees a failure.
		if _, err := s.Store.WriteEvents(ctx, events); err != nil {
			return nil, err
		}
		return nil, errors.New("connection reset while reading the answer")
	}
	return s.Store.WriteEvents(ctx, events)
}

// TestFailedIngestEventGivesTheID: an event sent without an id that fails
// (here, written but unacknowledged) reports the id it was given, in the
// error's extensions, so the retry with that id records it once; an
// invalid event still names its field and gets its id too.
func TestFailedIngestEventGivesTheID(t *testing.T) {
	var fw *failingWrites
	e := newEnv(t, envOptions{wrap: func(st store.Store) store.Store { fw = &failingWrites{Store: st}; return fw }})
	emitter := e.key("acme", audit.RoleEmitter, audit.User{Type: audit.UserSystem, ID: "svc-km"})
	ev := event("", audit.User{ID: "u-1", Name: "Priya"})
	delete(ev, "id")
	const ingest = `mutation($event: EventInput!) { ingestEvent(event: $event) { id captured duplicate } }`

	fw.failures.Store(1)
	failed := e.wantError(emitter, ingest, map[string]any{"event": ev}, "INTERNAL", "")
	id, _ := failed.Extensions["id"].(string)
	if id == "" {
		t.Fatalf("failed ingestEvent: extensions %v, want the assigned id", failed.Extensions)
	}
	ev["id"] = id
	var retried struct {
		IngestEvent struct {
			ID                  string
			Captured, Duplicate bool
		}
	}
	e.query(emitter, ingest, map[string]any{"event": ev}, &retried)
	if r := retried.IngestEvent; r.ID != id || !r.Captured || !r.Duplicate {
		t.Errorf("retry with the id: %+v, want %s captured as a duplicate of the first attempt", r, id)
	}
	e.refresh()
	page, err := e.st.SearchEvents(context.Background(), audit.Query{Tenant: "acme", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 1 || page.Events[0].ID != id {
		t.Errorf("stored %d events %+v, want only %s", page.Total, page.Events, id)
	}

	bad := event("", audit.User{ID: "u-1", Email: "not an email"})
	delete(bad, "id")
	invalid := e.wantError(emitter, ingest, map[string]any{"event": bad}, "BAD_USER_INPUT", "event.actionUser.email")
	if id, _ := invalid.Extensions["id"].(string); id == "" {
		t.Errorf("invalid event: extensions %v, want its id too", invalid.Extensions)
	}
}
