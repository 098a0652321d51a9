package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/eventgen"
)

// TestFacetsAndHistogramMatchPlainCounts checks the one-pass facets and
// the range-counted histogram against the plainest SQL: one COUNT per
// facet with every filter but its own selection, one per histogram bucket,
// and one for the total, over filters that take each access path (covering
// index walk, text, users, flags, cutoffs) and bucket widths on either
// side of maxRangeBuckets.
func TestFacetsAndHistogramMatchPlainCounts(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	cat, err := catalog.Load()
	if err != nil {
		t.Fatalf("load catalog: %v", err)
	}
	now := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	gen := eventgen.New(cat, 7, eventgen.Options{Now: now, Tenant: "acme"})
	events := make([]audit.Event, 3000)
	for i := range events {
		events[i] = gen.Next()
		if i%10 == 0 {
			events[i].Submodule = "" // the submodule facet leaves these out
		}
	}
	if _, err := s.WriteEvents(ctx, events); err != nil {
		t.Fatalf("WriteEvents: %v", err)
	}
	var flagged []string
	for _, e := range events[:300] {
		flagged = append(flagged, e.ID)
	}
	if _, err := s.FlagEvents(ctx, "acme", flagged, audit.Flag{By: audit.User{ID: "rev"}, At: now}); err != nil {
		t.Fatalf("FlagEvents: %v", err)
	}

	sample := events[len(events)/2]
	// Bounds at events' own instants: From takes its event, To leaves it.
	times := make([]time.Time, len(events))
	for i, e := range events {
		times[i] = e.OccurredAt
	}
	slices.SortFunc(times, time.Time.Compare)
	from, to := times[len(times)/4], times[len(times)*9/10]
	cutoff := now.AddDate(0, 0, -20)
	yes, no := true, false
	filters := []struct {
		name    string
		filter  audit.Filter
		cutoffs map[string]time.Time
	}{
		{name: "None"},
		{name: "Component", filter: audit.Filter{Components: []string{sample.ComponentID}}},
		{name: "ComponentsSpan", filter: audit.Filter{Components: []string{"KMS", "SET"}, From: &from, To: &to}},
		{name: "Selections", filter: audit.Filter{
			Statuses:   []audit.Status{audit.StatusFailed, audit.StatusInProgress},
			Priorities: []audit.Priority{audit.PriorityHigh, audit.PriorityCritical},
			EventTypes: []string{sample.EventType, events[1].EventType, events[2].EventType},
			Submodules: []string{sample.Submodule, events[3].Submodule, ""},
		}},
		{name: "SelectionAndSpan", filter: audit.Filter{Statuses: []audit.Status{audit.StatusSuccess}, From: &from}},
		{name: "Text", filter: audit.Filter{Text: strings.Fields(sample.Description)[0]}},
		{name: "TextExclusion", filter: audit.Filter{Text: "-" + strings.Fields(sample.Description)[0], To: &to}},
		{name: "ActionUser", filter: audit.Filter{ActionUser: strings.ToUpper(sample.ActionUser.Email), Priorities: []audit.Priority{sample.Priority}}},
		{name: "Flagged", filter: audit.Filter{Flagged: &yes, Statuses: []audit.Status{audit.StatusSuccess}}},
		{name: "Unflagged", filter: audit.Filter{Flagged: &no, Components: []string{"KMS", "CMS"}}},
		{name: "IDs", filter: audit.Filter{IDs: flagged[100:250], Statuses: []audit.Status{audit.StatusSuccess}}},
		{name: "Cutoffs", cutoffs: map[string]time.Time{"KMS": cutoff, sample.ComponentID: cutoff.AddDate(0, 0, -9)}},
		{name: "NoMatch", filter: audit.Filter{Components: []string{"NOSUCH"}}},
	}
	facetSets := [][]audit.Facet{
		audit.AllFacets,
		{audit.FacetStatus},
		{audit.FacetSubmodule, audit.FacetEventType},
		{audit.FacetPriority, audit.FacetPriority},
		nil,
	}
	// Day and week widths count by ranges; a minute over 90 days is past
	// maxRangeBuckets, so it groups; an hour does either, by the total.
	widths := []time.Duration{0, 24 * time.Hour, 7 * 24 * time.Hour, time.Hour, time.Minute, 1}

	for _, f := range filters {
		for _, facets := range facetSets {
			for _, width := range widths {
				q := audit.Query{Tenant: "acme", Filter: f.filter, Cutoffs: f.cutoffs, Limit: 3, Facets: facets, Histogram: width}
				name := fmt.Sprintf("%s/%v/%v", f.name, facets, width)
				got, err := s.SearchEvents(ctx, q)
				if err != nil {
					t.Fatalf("%s: SearchEvents: %v", name, err)
				}
				want := plainCounts(t, s, q)
				if got.Total != want.Total {
					t.Errorf("%s: total %d, want %d", name, got.Total, want.Total)
				}
				for _, facet := range facets {
					if g, w := fmt.Sprint(got.Facets[facet]), fmt.Sprint(want.Facets[facet]); g != w {
						t.Errorf("%s: facet %s\n got %s\nwant %s", name, facet, g, w)
					}
				}
				if len(got.Facets) != len(want.Facets) {
					t.Errorf("%s: %d facets, want %d", name, len(got.Facets), len(want.Facets))
				}
				if g, w := fmt.Sprint(got.Histogram), fmt.Sprint(want.Histogram); g != w {
					t.Errorf("%s: histogram\n got %s\nwant %s", name, g, w)
				}
			}
		}
	}
}

// plainCounts computes q's total, facets and histogram one COUNT query at
// a time.
func plainCounts(t *testing.T, s *Store, q audit.Query) audit.Page {
	t.Helper()
	ctx := context.Background()
	var p audit.Page
	w := filterWhere(q)
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM events e WHERE "+w.sql(), w.args...).Scan(&p.Total); err != nil {
		t.Fatalf("count: %v", err)
	}
	for _, f := range q.Facets {
		i := slices.IndexFunc(facetOrder, func(o facetColumn) bool { return o.facet == f })
		col := facetOrder[i].column
		w := filterWhere(q, f)
		if f == audit.FacetSubmodule {
			w.add("e.submodule != ''")
		}
		rows, err := s.r.QueryContext(ctx, "SELECT "+col+", count(*) AS n FROM events e WHERE "+w.sql()+
			" GROUP BY "+col+" ORDER BY n DESC, "+col+" ASC", w.args...)
		if err != nil {
			t.Fatalf("count facet %s: %v", f, err)
		}
		counts := []audit.Count{}
		for rows.Next() {
			var c audit.Count
			if err := rows.Scan(&c.Value, &c.Count); err != nil {
				t.Fatalf("count facet %s: %v", f, err)
			}
			counts = append(counts, c)
		}
		rows.Close()
		if p.Facets == nil {
			p.Facets = map[audit.Facet][]audit.Count{}
		}
		p.Facets[f] = counts
	}
	if q.Histogram > 0 {
		width := max(q.Histogram.Milliseconds(), 1)
		rows, err := s.r.QueryContext(ctx, "SELECT e.occurred_at - (((e.occurred_at % ?) + ?) % ?) AS b, count(*) FROM events e WHERE "+
			w.sql()+" GROUP BY b ORDER BY b", append([]any{width, width, width}, w.args...)...)
		if err != nil {
			t.Fatalf("count histogram: %v", err)
		}
		p.Histogram = []audit.Bucket{}
		for rows.Next() {
			var start, n int64
			if err := rows.Scan(&start, &n); err != nil {
				t.Fatalf("count histogram: %v", err)
			}
			p.Histogram = append(p.Histogram, audit.Bucket{Start: fromMillis(start), Count: n})
		}
		rows.Close()
	}
	return p
}
