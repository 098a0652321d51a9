package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
)

// TestAliasedFacetsCostStoreCalls: each facet and the histogram of an
// events listing are store calls, so 250 aliased one-event listings asking
// for them are over the complexity limit and refused before any store
// call; the Explore query of a dashboard (50 rows, every facet, the
// histogram) runs, also at a tenth of the limit, and so does a page of 500
// rows with its facets.
func TestAliasedFacetsCostStoreCalls(t *testing.T) {
	e, cs := countingEnv(t, server.Config{})
	viewer := e.key("acme", audit.RoleViewer)
	aliasedListings := func(n int, selection string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d: events(filter: {}, first: 1) { ...L }", i)
		}
		b.WriteString(" } fragment L on EventConnection { " + selection + " }")
		return b.String()
	}
	for name, selection := range map[string]string{
		"every facet and the histogram": `facets { eventType { value count } status { value count } priority { value count } submodule { value count } histogram { start count } }`,
		"one facet":                     `facets { status { value count } }`,
		"the histogram":                 `facets { histogram { start count } }`,
	} {
		t.Run(name, func(t *testing.T) {
			_, resp := e.do(viewer, aliasedListings(250, selection), nil)
			if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" ||
				resp.Errors[0].Extensions["reason"] != "COMPLEXITY_LIMIT_EXCEEDED" || !noData(resp.Data) {
				t.Errorf("errors %+v, data %.200s; want one BAD_USER_INPUT, COMPLEXITY_LIMIT_EXCEEDED", resp.Errors, resp.Data)
			}
			if n := cs.calls.Load(); n != 0 {
				t.Errorf("%d store calls for a refused operation", n)
			}
		})
	}

	explore := func(rows int) string {
		return strings.Replace(exploreQuery, "first: 7", fmt.Sprintf("first: %d", rows), 1)
	}
	var page explorePage
	e.query(viewer, explore(50), map[string]any{"filter": map[string]any{}}, &page)
	e.query(viewer, explore(500), map[string]any{"filter": map[string]any{}}, &page)
	tight := newEnv(t, server.Config{ComplexityLimit: server.DefaultComplexityLimit / 10})
	tight.query(tight.key("acme", audit.RoleViewer), explore(50), map[string]any{"filter": map[string]any{}}, &page)
}
