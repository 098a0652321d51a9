package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// benchEvents is the size of the benchmark data set of the main tenant.
const benchEvents = 100_000

var benchWords = strings.Fields(`user group created updated deleted article published archived
	connector sync manual policy sla department category schema ticket form email
	password role login candidate onboarding task trigger approved rejected escalated`)

// benchStore fills a store with benchEvents events of tenant "acme" over a
// year, and a tenth as many of another tenant.
func benchStore(b *testing.B) *Store {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	components := []string{"CMS", "KMS", "SET", "ONBOARDING", "OFFBOARDING"}
	batch := make([]audit.Event, 0, 1000)
	flush := func() {
		if _, err := s.WriteEvents(ctx, batch); err != nil {
			b.Fatalf("WriteEvents: %v", err)
		}
		batch = batch[:0]
	}
	for i := range benchEvents + benchEvents/10 {
		tenant := "acme"
		if i >= benchEvents {
			tenant = "globex"
		}
		words := make([]string, 4+r.IntN(8))
		for j := range words {
			words[j] = benchWords[r.IntN(len(benchWords))]
		}
		user := r.IntN(200)
		e := audit.Event{
			ID: fmt.Sprintf("e%07d", i), Tenant: tenant,
			ComponentID: components[r.IntN(len(components))],
			Submodule:   fmt.Sprintf("Sub %d", r.IntN(8)),
			EventType:   fmt.Sprintf("type.%d", r.IntN(40)),
			Description: strings.Join(words, " "),
			Priority:    audit.Priorities[r.IntN(4)], Status: audit.Statuses[r.IntN(3)],
			ActionUser: audit.User{Type: audit.UserDashboard, ID: fmt.Sprintf("u%d", user),
				Name: fmt.Sprintf("User %d", user), Email: fmt.Sprintf("user%d@acme.test", user)},
			OccurredAt: start.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour)))),
		}
		batch = append(batch, e)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	return s
}

func BenchmarkSearchEvents(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	from := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(30 * 24 * time.Hour)
	for _, c := range []struct {
		name string
		q    audit.Query
	}{
		{"FirstPage", audit.Query{Limit: 50}},
		{"FirstPageFacetsHistogram", audit.Query{Limit: 50, Facets: audit.AllFacets, Histogram: 24 * time.Hour}},
		{"Component", audit.Query{Limit: 50, Filter: audit.Filter{Components: []string{"KMS"}}}},
		{"ComponentsMonthFacets", audit.Query{Limit: 50, Facets: audit.AllFacets, Filter: audit.Filter{Components: []string{"KMS", "CMS"}, From: &from, To: &to}}},
		{"ActionUserEmail", audit.Query{Limit: 50, Filter: audit.Filter{ActionUser: "USER7@acme.test"}}},
		{"Text", audit.Query{Limit: 50, Filter: audit.Filter{Text: "escalated password"}}},
		{"TextRareAndExclusion", audit.Query{Limit: 50, Filter: audit.Filter{Text: `"sla policy" -archived`}}},
		{"DeepPage", audit.Query{Limit: 50, After: &audit.SortKey{OccurredAt: from, ID: "e0000000"}}},
	} {
		c.q.Tenant = "acme"
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.SearchEvents(ctx, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteEvents(b *testing.B) {
	// withoutIngestIndex drops the index tamper-evidence checkpoints read
	// events by (ingest time per series), to show what it costs a write:
	// go test ./store/sqlite -run - -bench WriteEvents -count 5
	for _, dropIngestIndex := range []bool{false, true} {
		name := map[bool]string{false: "withIngestIndex", true: "withoutIngestIndex"}[dropIngestIndex]
		b.Run(name, func(b *testing.B) { benchmarkWriteEvents(b, dropIngestIndex) })
	}
}

func benchmarkWriteEvents(b *testing.B, dropIngestIndex bool) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if dropIngestIndex {
		if _, err := s.w.ExecContext(ctx, "DROP INDEX events_ingested"); err != nil {
			b.Fatal(err)
		}
	}
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for b.Loop() {
		batch := make([]audit.Event, 100)
		for i := range batch {
			n++
			batch[i] = audit.Event{
				ID: fmt.Sprintf("e%09d", n), Tenant: "acme", ComponentID: "CMS", EventType: "user_group.create",
				Description: "User group Support created by Ana", Priority: audit.PriorityMedium, Status: audit.StatusSuccess,
				ActionUser: audit.User{Type: audit.UserDashboard, ID: "u1", Email: "ana@acme.test"},
				OccurredAt: at.Add(time.Duration(n) * time.Millisecond), IngestedAt: at.Add(time.Duration(n) * time.Millisecond),
			}
		}
		if _, err := s.WriteEvents(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/event")
}
