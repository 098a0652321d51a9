package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// testTail checks EventsIngestedAfter: a tenant's events in ingest order,
// after a position, filtered, with retention applied and other tenants
// (including one whose name extends this one's) never returned.
func testTail(t *testing.T, newStore Factory) {
	s := newStore(t)
	at := baseTime
	ev := func(tenant, id, component string, ingested time.Duration, status audit.Status) audit.Event {
		e := minimalEvent(tenant, id, component, at.Add(-time.Hour))
		e.IngestedAt = at.Add(ingested)
		e.Status = status
		return e
	}
	// Written out of ingest order, with ties on the ingest time.
	events := []audit.Event{
		ev("acme", "e5", "KMS", 3*time.Second, audit.StatusSuccess),
		ev("acme", "e1", "CMS", 0, audit.StatusFailed),
		ev("acme", "e3", "KMS", time.Second, audit.StatusSuccess),
		ev("acme", "e2", "CMS", time.Second, audit.StatusSuccess),
		ev("acme", "e4", "SET", 2*time.Second, audit.StatusFailed),
		ev("acme", "e6", "CMS", 4*time.Second, audit.StatusSuccess),
		ev("acme-x", "x1", "KMS", 2*time.Second, audit.StatusSuccess),
		ev("globex", "g1", "KMS", 2*time.Second, audit.StatusSuccess),
	}
	old := ev("acme", "e0-old", "KMS", 5*time.Second, audit.StatusSuccess)
	old.OccurredAt = at.AddDate(-1, 0, 0)
	events = append(events, old)
	writeEvents(t, s, events...)
	refresh(t, s)

	read := func(t *testing.T, q audit.Query, after store.IngestKey) []audit.Event {
		t.Helper()
		got, err := s.EventsIngestedAfter(ctx(t), q, after)
		if err != nil {
			t.Fatalf("EventsIngestedAfter(%+v, %+v): %v", q.Filter, after, err)
		}
		return got
	}
	// walk reads every page of limit events, each after the last one read.
	walk := func(t *testing.T, q audit.Query, limit int) []string {
		t.Helper()
		q.Limit = limit
		var ids []string
		var after store.IngestKey
		for range 20 {
			page := read(t, q, after)
			if len(page) > limit {
				t.Fatalf("page of %d events, limit %d", len(page), limit)
			}
			for _, e := range page {
				ids = append(ids, e.ID)
			}
			if len(page) < limit {
				return ids
			}
			last := page[len(page)-1]
			after = store.IngestKey{IngestedAt: last.IngestedAt, ID: last.ID}
		}
		t.Fatalf("no end after 20 pages: %v", ids)
		return nil
	}

	t.Run("IngestOrder", func(t *testing.T) {
		want := []string{"e1", "e2", "e3", "e4", "e5", "e6", "e0-old"}
		for _, limit := range []int{1, 2, 3, 100} {
			if got := walk(t, audit.Query{Tenant: "acme"}, limit); !slices.Equal(got, want) {
				t.Errorf("limit %d: got %v, want %v", limit, got, want)
			}
		}
		// The events come back whole, as stored.
		got := read(t, audit.Query{Tenant: "acme", Limit: 1}, store.IngestKey{})
		sameJSON(t, "first event", stored(t, events[1]), got[0])
	})
	t.Run("AfterIsStrict", func(t *testing.T) {
		// After (e2's time, "e2"): e3 has the same time and a greater id.
		got := eventIDs(read(t, audit.Query{Tenant: "acme"}, store.IngestKey{IngestedAt: at.Add(time.Second), ID: "e2"}))
		if want := []string{"e3", "e4", "e5", "e6", "e0-old"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		// Sub-millisecond digits of the position do not skip an event
		// stored at that millisecond with a greater id.
		got = eventIDs(read(t, audit.Query{Tenant: "acme"}, store.IngestKey{IngestedAt: at.Add(3*time.Second + 300*time.Microsecond), ID: "e4"}))
		if want := []string{"e5", "e6", "e0-old"}; !slices.Equal(got, want) {
			t.Errorf("after e5's time with a sub-millisecond part: got %v, want %v", got, want)
		}
		if got := read(t, audit.Query{Tenant: "acme"}, store.IngestKey{IngestedAt: at.Add(time.Minute)}); len(got) != 0 {
			t.Errorf("after every event: got %v", eventIDs(got))
		}
	})
	t.Run("Filter", func(t *testing.T) {
		q := audit.Query{Tenant: "acme", Filter: audit.Filter{Components: []string{"CMS", "SET"}, Statuses: []audit.Status{audit.StatusSuccess}}}
		if got, want := walk(t, q, 1), []string{"e2", "e6"}; !slices.Equal(got, want) {
			t.Errorf("CMS or SET, SUCCESS: got %v, want %v", got, want)
		}
	})
	t.Run("Cutoffs", func(t *testing.T) {
		q := audit.Query{Tenant: "acme", Cutoffs: map[string]time.Time{"KMS": at.AddDate(0, -1, 0)}}
		if got, want := walk(t, q, 100), []string{"e1", "e2", "e3", "e4", "e5", "e6"}; !slices.Equal(got, want) {
			t.Errorf("expired KMS event hidden: got %v, want %v", got, want)
		}
	})
	t.Run("OtherTenants", func(t *testing.T) {
		for tenant, want := range map[string][]string{"acme-x": {"x1"}, "globex": {"g1"}, "initech": nil} {
			if got := walk(t, audit.Query{Tenant: tenant}, 100); !slices.Equal(got, want) {
				t.Errorf("tenant %s: got %v, want %v", tenant, got, want)
			}
		}
		if got := walk(t, audit.Query{Tenant: strings.Repeat("A", 3)}, 100); len(got) != 0 {
			t.Errorf("unknown tenant: got %v", got)
		}
	})
}
