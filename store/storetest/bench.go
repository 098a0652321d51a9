package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/eventgen"
	"github.com/auditlog/auditlog/store"
)

// BenchEvents is how many demo events BenchmarkSearch seeds.
const BenchEvents = 100_000

// BenchmarkSearch measures the Explore view's queries on a store seeded
// with BenchEvents realistic events (eventgen, fixed seed, 90 days), so
// that every backend is measured on the same data:
//
//	func BenchmarkSearch(b *testing.B) { storetest.BenchmarkSearch(b, newStore(b)) }
func BenchmarkSearch(b *testing.B, s store.Store) {
	ctx := context.Background()
	cat, err := catalog.Load()
	if err != nil {
		b.Fatalf("load catalog: %v", err)
	}
	now := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	gen := eventgen.New(cat, 1, eventgen.Options{Now: now, Tenant: "bench"})
	batch := make([]audit.Event, 0, 2000)
	var sample, targeted audit.Event
	for i := range BenchEvents {
		ev := gen.Next()
		ev.IngestedAt = ev.OccurredAt
		if i == BenchEvents/2 {
			sample = ev
		}
		if targeted.TargetUser == nil && ev.TargetUser != nil && ev.TargetUser.AccountStatus != "" {
			targeted = ev
		}
		batch = append(batch, ev)
		if len(batch) == cap(batch) || i == BenchEvents-1 {
			if _, err := s.WriteEvents(ctx, batch); err != nil {
				b.Fatalf("seed: %v", err)
			}
			batch = batch[:0]
		}
	}
	if r, ok := s.(store.Refresher); ok {
		if err := r.Refresh(ctx); err != nil {
			b.Fatalf("refresh: %v", err)
		}
	}
	month := now.AddDate(0, -1, 0)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatalf("load zone: %v", err)
	}
	deep := &audit.SortKey{OccurredAt: now.AddDate(0, 0, -45), ID: sample.ID}
	cases := []struct {
		name string
		q    audit.Query
	}{
		{"Page", audit.Query{}},
		{"PageFacetsHistogram", audit.Query{Facets: audit.AllFacets, Histogram: 24 * time.Hour}},
		{"ComponentMonthFacets", audit.Query{Facets: audit.AllFacets, Histogram: 24 * time.Hour,
			Filter: audit.Filter{Components: []string{"KMS"}, From: &month, To: &now}}},
		{"MultiSelectFacets", audit.Query{Facets: audit.AllFacets, Filter: audit.Filter{
			Components: []string{"KMS", "SET"},
			Priorities: []audit.Priority{audit.PriorityHigh, audit.PriorityCritical},
			Statuses:   []audit.Status{audit.StatusFailed}}}},
		{"ActionUserFacets", audit.Query{Facets: audit.AllFacets, Filter: audit.Filter{ActionUser: sample.ActionUser.Email}}},
		{"TextFacets", audit.Query{Facets: audit.AllFacets, Filter: audit.Filter{Text: `publish* -"vpn"`}}},
		{"DeepPage", audit.Query{After: deep}},
		{"PageFacetsHistogramParis", audit.Query{Facets: audit.AllFacets, Histogram: 24 * time.Hour, HistogramZone: paris}},
		{"ActionUserHistogramParis", audit.Query{Histogram: time.Hour, HistogramZone: paris,
			Filter: audit.Filter{ActionUser: sample.ActionUser.Email}}},
	}
	for _, c := range cases {
		c.q.Tenant, c.q.Limit = "bench", 50
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				p, err := s.SearchEvents(ctx, c.q)
				if err != nil {
					b.Fatalf("search: %v", err)
				}
				if len(p.Events) == 0 {
					b.Fatalf("search matched nothing; the benchmark would measure an empty answer")
				}
			}
		})
	}
	// The typeahead of the user filters: a two-letter prefix matches many
	// users, whose events are all counted.
	for _, prefix := range []string{sample.ActionUser.Name[:2], sample.ActionUser.Email} {
		b.Run("SuggestUsers/"+prefix, func(b *testing.B) {
			for b.Loop() {
				got, err := s.SuggestUsers(ctx, audit.UserQuery{Tenant: "bench", Role: audit.ActionUserRole, Prefix: prefix, Limit: 10})
				if err != nil {
					b.Fatalf("suggest: %v", err)
				}
				if len(got) == 0 {
					b.Fatalf("no suggestion for %q; the benchmark would measure an empty answer", prefix)
				}
			}
		})
	}
	b.Run("LatestAccountStatus", func(b *testing.B) {
		if targeted.TargetUser == nil {
			b.Fatal("no seeded event records a target user's status")
		}
		for b.Loop() {
			st, err := s.LatestAccountStatus(ctx, "bench", *targeted.TargetUser, nil)
			if err != nil {
				b.Fatalf("latest account status: %v", err)
			}
			if st == "" {
				b.Fatal("no status found; the benchmark would measure an empty answer")
			}
		}
	})
}
