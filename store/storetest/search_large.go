package storetest

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// testBeyondTenThousand: totals, facets, deep pages and scans stay exact
// past 10,000 matching events, where engines stop counting or paging by
// default (OpenSearch: track_total_hits, index.max_result_window). It has
// its own store.
func testBeyondTenThousand(t *testing.T, newStore Factory) {
	s := newStore(t)
	const n = 10_050
	r := rand.New(rand.NewPCG(10, 10))
	fx := &fixture{main: &model{tenant: fxTenant}}
	start := fxEnd.Add(-90 * 24 * time.Hour)
	step := 90 * 24 * time.Hour / (n / 3)
	seen := map[string]bool{}
	for i := range n {
		id := randomID(r)
		for seen[id] {
			id = randomID(r)
		}
		seen[id] = true
		// Three events per instant, spread over the 90 days.
		at := start.Add(time.Duration(i/3) * step).Truncate(time.Millisecond)
		fx.main.events = append(fx.main.events, fx.event(r, id, at))
	}
	writeAll(t, s, fx.main.events, 1000)
	refresh(t, s)
	m := fx.main

	for _, f := range []audit.Filter{{}, {Text: "-zzz"}} {
		q := audit.Query{Tenant: m.tenant, Filter: f, Order: audit.NewestFirst, Limit: 10, Facets: audit.AllFacets, Histogram: 7 * 24 * time.Hour}
		checkPage(t, m, q, searchPage(t, s, q))
	}
	all := m.matching(audit.Filter{}, nil, audit.OldestFirst)
	for _, i := range []int{9_990, 10_020} {
		k := all[i].Key()
		q := audit.Query{Tenant: m.tenant, Order: audit.OldestFirst, Limit: 20, After: &k}
		checkPage(t, m, q, searchPage(t, s, q))
	}
	q := audit.Query{Tenant: m.tenant, Order: audit.OldestFirst, Limit: 1000}
	if msg := diffSequences(all, scanAll(t, s, q)); msg != "" {
		t.Errorf("ScanEvents(%s): %s", describeQuery(q), msg)
	}
}
