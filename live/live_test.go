package live_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/live"
	"github.com/auditlog/auditlog/store/sqlite"
)

func event(id string, ingested time.Time) audit.Event {
	return audit.Event{
		ID: id, Tenant: "acme", ComponentID: "KMS", EventType: "x", Priority: audit.PriorityLow,
		Status: audit.StatusSuccess, ActionUser: audit.User{Type: audit.UserSystem},
		OccurredAt: ingested, IngestedAt: ingested,
	}
}

// TestLateEventsAreDeliveredOnce: an event that shows in the store after
// later ones were delivered (a slow writer, a refresh) still comes, and
// re-reading the overlap delivers nothing twice.
func TestLateEventsAreDeliveredOnce(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	noCutoffs := func(context.Context, string) (map[string]time.Time, error) { return nil, nil }
	tail := live.New(st, noCutoffs, live.Config{PollInterval: 20 * time.Millisecond, Overlap: 2 * time.Second}, nil, nil)
	sub, err := tail.Subscribe(ctx, "key", audit.Query{Tenant: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	next := func() string {
		t.Helper()
		select {
		case e := <-sub.Events():
			return e.ID
		case <-time.After(10 * time.Second):
			t.Fatal("no event in 10 s")
			return ""
		}
	}
	now := time.Now()
	if _, err := st.WriteEvents(ctx, []audit.Event{event("b", now.Add(time.Second))}); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != "b" {
		t.Fatalf("got %s, want b", got)
	}
	// a was ingested before b, but shows only now.
	if _, err := st.WriteEvents(ctx, []audit.Event{event("a", now.Add(500*time.Millisecond))}); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != "a" {
		t.Fatalf("got %s, want the late a", got)
	}
	if _, err := st.WriteEvents(ctx, []audit.Event{event("c", now.Add(1500*time.Millisecond))}); err != nil {
		t.Fatal(err)
	}
	// Polls re-read a and b many times meanwhile: neither comes again.
	if got := next(); got != "c" {
		t.Fatalf("got %s, want c", got)
	}
	// Events ingested before the subscription are not its.
	if _, err := st.WriteEvents(ctx, []audit.Event{event("old", now.Add(-time.Minute))}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.WriteEvents(ctx, []audit.Event{event("d", now.Add(2*time.Second))}); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != "d" {
		t.Fatalf("got %s, want d (the event ingested before subscribing is not delivered)", got)
	}
}

// TestBounds: per key and per server; a slot frees when its subscription ends.
func TestBounds(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	noCutoffs := func(context.Context, string) (map[string]time.Time, error) { return nil, nil }
	tail := live.New(st, noCutoffs, live.Config{MaxPerKey: 1, MaxTotal: 2}, nil, nil)
	ctx, cancel := context.WithCancel(t.Context())
	first, err := tail.Subscribe(ctx, "k1", audit.Query{Tenant: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tail.Subscribe(t.Context(), "k1", audit.Query{Tenant: "acme"}); !errors.Is(err, live.ErrTooMany) {
		t.Errorf("second of k1: %v, want ErrTooMany", err)
	}
	if _, err := tail.Subscribe(t.Context(), "k2", audit.Query{Tenant: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tail.Subscribe(t.Context(), "k3", audit.Query{Tenant: "acme"}); !errors.Is(err, live.ErrTooMany) {
		t.Errorf("third of the server: %v, want ErrTooMany", err)
	}
	cancel()
	for range first.Events() {
	}
	if err := first.Err(); err != nil {
		t.Errorf("ended by its context: %v", err)
	}
	if _, err := tail.Subscribe(t.Context(), "k1", audit.Query{Tenant: "acme"}); err != nil {
		t.Errorf("after the first ended: %v", err)
	}
}
