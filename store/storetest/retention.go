package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

func testRetention(t *testing.T, newStore Factory) {
	t.Run("Cutoffs", func(t *testing.T) { testCutoffs(t, newStore) })
	t.Run("Sweeper", func(t *testing.T) { testSweeper(t, newStore) })
}

// testCutoffs: Query.Cutoffs hides the events of a component that occurred
// before its cutoff from every read, as if they were already deleted; an
// event exactly at the cutoff has not expired; other components are not
// affected.
func testCutoffs(t *testing.T, newStore Factory) {
	s := newStore(t)
	fx := newFixture(3, 600)
	fx.load(t, s)
	m := fx.main

	// CMS expires in the middle of its events, at an instant shared by
	// several of them; KMS has expired entirely; SET not at all;
	// ONBOARDING has no cutoff.
	var cmsAt time.Time
	for _, at := range sortedHot(fx)[len(fx.hot)/2:] {
		n := len(m.matching(audit.Filter{Components: []string{"CMS"}, From: &at, To: refTo(at.Add(time.Millisecond))}, nil, audit.OldestFirst))
		if n >= 2 {
			cmsAt = at
			break
		}
	}
	if cmsAt.IsZero() {
		t.Fatal("fixture problem: no instant shared by several CMS events")
	}
	cutoffs := map[string]time.Time{
		"CMS": cmsAt,
		"KMS": fxEnd.Add(time.Hour),
		"SET": fxEnd.Add(-100 * 24 * time.Hour),
	}
	hidden := func(component string) []audit.Event {
		var out []audit.Event
		for _, e := range m.events {
			if e.ComponentID == component && !visible(&e, cutoffs) {
				out = append(out, e)
			}
		}
		return out
	}
	if n, all := len(hidden("CMS")), len(m.matching(audit.Filter{Components: []string{"CMS"}}, nil, audit.OldestFirst)); n == 0 || n == all {
		t.Fatalf("fixture problem: the CMS cutoff hides %d of %d events", n, all)
	}

	t.Run("Search", func(t *testing.T) {
		for _, f := range []audit.Filter{
			{},
			{Components: []string{"CMS"}},
			{Components: []string{"KMS"}},
			{Components: []string{"SET", "ONBOARDING"}},
			{Statuses: []audit.Status{audit.StatusFailed}, Text: "user"},
			{IDs: idsOf(hidden("CMS")[:3])},
		} {
			for _, order := range []audit.Order{audit.NewestFirst, audit.OldestFirst} {
				q := audit.Query{Tenant: m.tenant, Filter: f, Order: order, Limit: 30, Cutoffs: cutoffs, Facets: audit.AllFacets, Histogram: 24 * time.Hour}
				checkPage(t, m, q, searchPage(t, s, q))
			}
		}
	})
	t.Run("Walk", func(t *testing.T) {
		q := audit.Query{Tenant: m.tenant, Order: audit.NewestFirst, Limit: 7, Cutoffs: cutoffs}
		if msg := diffSequences(m.matching(audit.Filter{}, cutoffs, q.Order), walkPages(t, s, m, q)); msg != "" {
			t.Errorf("walk with cutoffs: %s", msg)
		}
	})
	t.Run("Scan", func(t *testing.T) {
		for _, order := range []audit.Order{audit.NewestFirst, audit.OldestFirst} {
			q := audit.Query{Tenant: m.tenant, Order: order, Limit: 50, Cutoffs: cutoffs}
			checkEvents(t, m, "ScanEvents("+describeQuery(q)+")", m.matching(audit.Filter{}, cutoffs, order), scanAll(t, s, q))
		}
	})
	t.Run("GetEvent", func(t *testing.T) {
		for _, e := range append(hidden("CMS")[:3], hidden("KMS")[:3]...) {
			if got, err := s.GetEvent(ctx(t), m.tenant, e.ID, cutoffs); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetEvent(%q) of an expired %s event (%s, cutoff %s) = %s, %v; want ErrNotFound",
					e.ID, e.ComponentID, e.OccurredAt, cutoffs[e.ComponentID], eventJSON(got), err)
			}
			// Hidden, not deleted: without cutoffs it is there.
			if _, err := s.GetEvent(ctx(t), m.tenant, e.ID, nil); err != nil {
				t.Errorf("GetEvent(%q) without cutoffs: %v", e.ID, err)
			}
		}
		// Kept: CMS events exactly at the cutoff and after it, and events of
		// components whose cutoff lies before them or that have none.
		var kept []audit.Event
		counts := map[string]int{}
		for _, e := range m.events {
			atCutoff := e.ComponentID == "CMS" && e.OccurredAt.Equal(cmsAt)
			if atCutoff || (e.ComponentID != "KMS" && visible(&e, cutoffs) && counts[e.ComponentID] < 5) {
				kept = append(kept, e)
				counts[e.ComponentID]++
			}
		}
		if counts["CMS"] < 2 || counts["SET"] == 0 || counts["ONBOARDING"] == 0 {
			t.Fatalf("fixture problem: kept events per component %v", counts)
		}
		for _, e := range kept {
			got, err := s.GetEvent(ctx(t), m.tenant, e.ID, cutoffs)
			if err != nil {
				t.Errorf("GetEvent(%q) of a %s event at %s (cutoff %v): %v", e.ID, e.ComponentID, e.OccurredAt, cutoffs[e.ComponentID], err)
			} else if eventJSON(got) != eventJSON(e) {
				t.Errorf("GetEvent(%q) = %s, want %s", e.ID, eventJSON(got), eventJSON(e))
			}
		}
	})
}

func idsOf(events []audit.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// testSweeper: a backend that deletes expired events itself deletes, in
// batches of at most limit, exactly the events of that tenant and component
// that occurred before the cutoff, and nothing else.
func testSweeper(t *testing.T, newStore Factory) {
	s := newStore(t)
	sw, ok := s.(store.Sweeper)
	if !ok {
		t.Skip("backend does not delete expired events itself (no store.Sweeper)")
	}
	cutoff := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	var events []audit.Event
	mk := func(tenant, component string, n int, at func(i int) time.Time) []audit.Event {
		var out []audit.Event
		for i := range n {
			e := audit.Event{
				ID:          fmt.Sprintf("%s-%s-%s-%03d", tenant, component, at(i).Format("20060102T150405.000"), i),
				Tenant:      tenant,
				ComponentID: component,
				EventType:   "user.login",
				Priority:    audit.PriorityLow,
				Status:      audit.StatusSuccess,
				ActionUser:  fxUsers[i%len(fxUsers)],
				OccurredAt:  at(i),
				IngestedAt:  at(i),
			}
			out = append(out, e)
		}
		events = append(events, out...)
		return out
	}
	before := func(i int) time.Time { return cutoff.Add(-time.Duration(i+1) * 37 * time.Minute) }
	atCutoff := func(int) time.Time { return cutoff }
	after := func(i int) time.Time { return cutoff.Add(time.Duration(i+1) * 7 * time.Millisecond) }
	expired := mk(fxTenant, "CMS", 25, before)
	var keep []audit.Event
	keep = append(keep, mk(fxTenant, "CMS", 3, atCutoff)...)
	keep = append(keep, mk(fxTenant, "CMS", 10, after)...)
	keep = append(keep, mk(fxTenant, "KMS", 10, before)...)     // another component
	keep = append(keep, mk(canaryTenant, "CMS", 10, before)...) // another tenant
	writeAll(t, s, events, 100)
	refresh(t, s)

	for _, limit := range []int{0, -1} {
		if n, err := sw.DeleteExpired(ctx(t), fxTenant, "CMS", cutoff, limit); err != nil || n != 0 {
			t.Errorf("DeleteExpired(limit %d) = %d, %v; want 0, nil (a limit of zero or less deletes nothing)", limit, n, err)
		}
	}
	const limit = 7
	deleted := 0
	for calls := 0; ; calls++ {
		if calls > len(expired) {
			t.Fatalf("DeleteExpired still deleting after %d calls (%d deleted, %d expired)", calls, deleted, len(expired))
		}
		n, err := sw.DeleteExpired(ctx(t), fxTenant, "CMS", cutoff, limit)
		if err != nil {
			t.Fatalf("DeleteExpired: %v", err)
		}
		if n < 0 || n > limit {
			t.Fatalf("DeleteExpired(limit %d) deleted %d events", limit, n)
		}
		if n == 0 {
			break
		}
		deleted += n
	}
	if deleted != len(expired) {
		t.Errorf("DeleteExpired deleted %d events in all, want %d", deleted, len(expired))
	}
	if n, err := sw.DeleteExpired(ctx(t), fxTenant, "OFFBOARDING", cutoff, limit); err != nil || n != 0 {
		t.Errorf("DeleteExpired of a component without events = %d, %v; want 0, nil", n, err)
	}
	refresh(t, s)
	for _, e := range expired {
		if _, err := s.GetEvent(ctx(t), e.Tenant, e.ID, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired event %s/%s at %s: GetEvent = %v, want ErrNotFound", e.Tenant, e.ID, e.OccurredAt, err)
		}
	}
	for _, e := range keep {
		if _, err := s.GetEvent(ctx(t), e.Tenant, e.ID, nil); err != nil {
			t.Errorf("event %s/%s/%s at %s should have been kept: GetEvent: %v", e.Tenant, e.ComponentID, e.ID, e.OccurredAt, err)
		}
	}
	m := &model{tenant: fxTenant}
	for _, e := range keep {
		if e.Tenant == fxTenant {
			m.events = append(m.events, e)
		}
	}
	q := audit.Query{Tenant: fxTenant, Order: audit.OldestFirst, Limit: 100, Facets: []audit.Facet{audit.FacetEventType}}
	p := searchPage(t, s, q)
	checkEvents(t, m, "after DeleteExpired: "+describeQuery(q), m.page(q).Events, p.Events)
	if want := int64(len(m.events)); p.Total != want {
		t.Errorf("after DeleteExpired: Total = %d, want %d", p.Total, want)
	}
	if !slices.Equal(p.Facets[audit.FacetEventType], m.page(q).Facets[audit.FacetEventType]) {
		t.Errorf("after DeleteExpired: eventType facet = %v, want %v", p.Facets[audit.FacetEventType], m.page(q).Facets[audit.FacetEventType])
	}
}
