package server_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
)

// sample is one event of the Explore fixture, as the test knows it.
type sample struct {
	id, component, eventType, status, priority, submodule, actor string
	at                                                           time.Time
}

// exploreFixture ingests 90 events over ~10 hours across components,
// statuses, priorities and submodules, and returns them.
func exploreFixture(t *testing.T, e *env, emitter string) []sample {
	t.Helper()
	kmsTypes := []string{"ARTICLE_CREATED", "ARTICLE_PUBLISHED", "ARTICLE_ARCHIVED"}
	subs := []string{"Article lifecycle", "Connectors and sync", ""}
	var out []sample
	var inputs []any
	for i := range 90 {
		s := sample{
			id:        fmt.Sprintf("x-%02d", i),
			component: []string{"KMS", "KMS", "CMS"}[i%3],
			status:    []string{"SUCCESS", "FAILED", "IN_PROGRESS"}[(i/3)%3],
			priority:  []string{"LOW", "MEDIUM", "HIGH", "CRITICAL"}[i%4],
			actor:     []string{"Priya", "Tom"}[i%2],
			at:        base.Add(time.Duration(i) * 7 * time.Minute),
		}
		if s.component == "KMS" {
			s.eventType, s.submodule = kmsTypes[(i/2)%3], subs[(i/5)%3]
		} else {
			s.eventType, s.submodule = "CREATE_USER_GROUP", "User Groups"
		}
		in := map[string]any{
			"id": s.id, "componentId": s.component, "eventType": s.eventType, "status": s.status,
			"priority": s.priority, "occurredAt": s.at.Format(time.RFC3339),
			"description": fmt.Sprintf("%s did %s number %d", s.actor, s.eventType, i),
			"actionUser":  map[string]any{"type": "DASHBOARD", "name": s.actor, "email": s.actor + "@acme.example"},
		}
		if s.submodule != "" {
			in["submodule"] = s.submodule
		}
		inputs = append(inputs, in)
		out = append(out, s)
	}
	var res struct{ IngestEvents []ingestResult }
	e.query(emitter, ingestMany, map[string]any{"es": inputs}, &res)
	for i, r := range res.IngestEvents {
		if !r.Captured || r.Error != nil {
			t.Fatalf("fixture event %d not captured: %+v", i, r)
		}
	}
	return out
}

const exploreQuery = `
query Explore($filter: EventFilter!, $after: String) {
  events(filter: $filter, first: 7, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id eventType eventTypeName submodule priority status occurredAt
        actionUser { name email } targetUser { name } flag { by { name } }
      }
    }
    facets {
      eventType { value count }
      status { value count }
      priority { value count }
      submodule { value count }
      histogram { start end count }
    }
  }
}`

type facetCount struct {
	Value string
	Count int
}

type explorePage struct {
	Events struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Cursor string
			Node   struct {
				ID, EventType, EventTypeName, Priority, Status, OccurredAt string
				Submodule                                                  *string
				ActionUser                                                 struct{ Name, Email string }
				TargetUser                                                 *struct{ Name string }
				Flag                                                       *struct{}
			}
		}
		Facets struct {
			EventType, Status, Priority, Submodule []facetCount
			Histogram                              []struct {
				Start, End string
				Count      int
			}
		}
	}
}

// TestExploreQuery sends what the Explore view sends (filters, table
// columns, facets, then the next pages by cursor) and checks every answer
// against the ingested events.
func TestExploreQuery(t *testing.T) {
	e := newEnv(t, server.Config{})
	all := exploreFixture(t, e, e.key("acme", audit.RoleEmitter))
	viewer := e.key("acme", audit.RoleViewer)

	from, to := base.Add(30*time.Minute), base.Add(8*time.Hour)
	filter := map[string]any{
		"components": []string{"KMS"},
		"statuses":   []string{"SUCCESS", "FAILED"},
		"from":       from.Format(time.RFC3339),
		"to":         to.Format(time.RFC3339),
	}
	// matches applies the filter, ignoring one facet's own selection.
	matches := func(s sample, ignore string) bool {
		return s.component == "KMS" && (ignore == "status" || s.status == "SUCCESS" || s.status == "FAILED") &&
			!s.at.Before(from) && s.at.Before(to)
	}
	var want []sample
	for _, s := range all {
		if matches(s, "") {
			want = append(want, s)
		}
	}
	slices.SortFunc(want, func(a, b sample) int { // newest first, ties by id
		return cmp.Or(b.at.Compare(a.at), cmp.Compare(b.id, a.id))
	})
	if len(want) < 15 {
		t.Fatalf("fixture too small: %d matches", len(want))
	}

	var got []string
	var after any
	for page := 0; ; page++ {
		var p explorePage
		e.query(viewer, exploreQuery, map[string]any{"filter": filter, "after": after}, &p)
		ev := p.Events
		if ev.TotalCount != len(want) {
			t.Fatalf("page %d: totalCount %d, want %d", page, ev.TotalCount, len(want))
		}
		for _, edge := range ev.Edges {
			n := edge.Node
			s := all[slices.IndexFunc(all, func(s sample) bool { return s.id == n.ID })]
			if n.EventType != s.eventType || n.Status != s.status || n.Priority != s.priority ||
				n.OccurredAt != s.at.Format(time.RFC3339) || n.ActionUser.Name != s.actor ||
				n.ActionUser.Email != s.actor+"@acme.example" || n.TargetUser != nil || n.Flag != nil ||
				n.EventTypeName == "" || (s.submodule == "") != (n.Submodule == nil) {
				t.Errorf("row %s = %+v, ingested %+v", n.ID, n, s)
			}
			got = append(got, n.ID)
		}
		if page == 0 {
			checkFacets(t, ev.Facets, all, matches, from, to)
		}
		if !ev.PageInfo.HasNextPage {
			break
		}
		if ev.PageInfo.EndCursor == nil || *ev.PageInfo.EndCursor != ev.Edges[len(ev.Edges)-1].Cursor {
			t.Fatalf("page %d: endCursor %v is not the last edge's cursor", page, ev.PageInfo.EndCursor)
		}
		after = *ev.PageInfo.EndCursor
		if page > 20 {
			t.Fatal("paging does not end")
		}
	}
	wantIDs := make([]string, len(want))
	for i, s := range want {
		wantIDs[i] = s.id
	}
	if !slices.Equal(got, wantIDs) {
		t.Errorf("paged ids:\n%v\nwant:\n%v", got, wantIDs)
	}

	// Full text over descriptions.
	var text struct{ Events struct{ TotalCount int } }
	e.query(viewer, `query($f: EventFilter!) { events(filter: $f) { totalCount } }`,
		map[string]any{"f": map[string]any{"text": "tom -ARTICLE_ARCHIVED"}}, &text)
	wantText := 0
	for _, s := range all {
		if s.actor == "Tom" && s.eventType != "ARTICLE_ARCHIVED" {
			wantText++
		}
	}
	if text.Events.TotalCount != wantText {
		t.Errorf("text query: totalCount %d, want %d", text.Events.TotalCount, wantText)
	}
}

func checkFacets(t *testing.T, f struct {
	EventType, Status, Priority, Submodule []facetCount
	Histogram                              []struct {
		Start, End string
		Count      int
	}
}, all []sample, matches func(sample, string) bool, from, to time.Time) {
	t.Helper()
	count := func(facet string, value func(sample) string) []facetCount {
		m := map[string]int{}
		for _, s := range all {
			if matches(s, facet) && value(s) != "" {
				m[value(s)]++
			}
		}
		var out []facetCount
		for v, n := range m {
			out = append(out, facetCount{v, n})
		}
		slices.SortFunc(out, func(a, b facetCount) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Value, b.Value)) })
		return out
	}
	for _, c := range []struct {
		name string
		got  []facetCount
		want []facetCount
	}{
		{"eventType", f.EventType, count("eventType", func(s sample) string { return s.eventType })},
		{"status", f.Status, count("status", func(s sample) string { return s.status })},
		{"priority", f.Priority, count("priority", func(s sample) string { return s.priority })},
		{"submodule", f.Submodule, count("submodule", func(s sample) string { return s.submodule })},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("facet %s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(f.Status) != 3 {
		t.Errorf("status facet %v should count all three statuses, ignoring its own filter", f.Status)
	}

	// 7.5 hours fit in 100 buckets of 5 minutes at the narrowest.
	const width = 5 * time.Minute
	buckets := map[int64]int{}
	for _, s := range all {
		if matches(s, "") {
			u := s.at.Unix()
			buckets[u-u%int64(width.Seconds())]++
		}
	}
	if len(f.Histogram) != len(buckets) {
		t.Fatalf("histogram has %d buckets, want %d: %+v", len(f.Histogram), len(buckets), f.Histogram)
	}
	prev := time.Time{}
	for _, b := range f.Histogram {
		start, err1 := time.Parse(time.RFC3339, b.Start)
		end, err2 := time.Parse(time.RFC3339, b.End)
		if err1 != nil || err2 != nil || end.Sub(start) != width || !start.After(prev) {
			t.Errorf("bucket %+v: want %v wide, in order", b, width)
		}
		if b.Count != buckets[start.Unix()] {
			t.Errorf("bucket %s counts %d, want %d", b.Start, b.Count, buckets[start.Unix()])
		}
		prev = start
	}
}

func TestHistogramInterval(t *testing.T) {
	e := newEnv(t, server.Config{})
	all := exploreFixture(t, e, e.key("acme", audit.RoleEmitter))
	viewer := e.key("acme", audit.RoleViewer)
	var got struct {
		Events struct {
			Facets struct {
				Histogram []struct {
					Start string
					Count int
				}
			}
		}
	}
	e.query(viewer, `{ events(filter: {}) { facets { histogram(interval: HOUR) { start count } } } }`, nil, &got)
	want := map[string]int{}
	for _, s := range all {
		want[s.at.Truncate(time.Hour).Format(time.RFC3339)]++
	}
	if len(got.Events.Facets.Histogram) != len(want) {
		t.Fatalf("hourly histogram %+v, want %v", got.Events.Facets.Histogram, want)
	}
	for _, b := range got.Events.Facets.Histogram {
		if want[b.Start] != b.Count {
			t.Errorf("bucket %s: %d, want %d", b.Start, b.Count, want[b.Start])
		}
	}
	// Two histograms of one listing must agree on the interval.
	e.wantError(viewer, `{ events(filter: {}) { facets { a: histogram(interval: HOUR) { count } b: histogram(interval: DAY) { count } } } }`,
		nil, "BAD_USER_INPUT", "facets.histogram.interval")
	// A one-minute histogram over 25 years is refused.
	e.wantError(viewer, `{ events(filter: {from: "2000-01-01T00:00:00Z", to: "2025-01-01T00:00:00Z"}) { facets { histogram(interval: MINUTE) { count } } } }`,
		nil, "BAD_USER_INPUT", "facets.histogram.interval")
}

func TestCursorIsBoundToItsListing(t *testing.T) {
	e := newEnv(t, server.Config{})
	exploreFixture(t, e, e.key("acme", audit.RoleEmitter))
	exploreFixture(t, e, e.key("globex", audit.RoleEmitter))
	acme, globex := e.key("acme", audit.RoleViewer), e.key("globex", audit.RoleViewer)
	q := `query($f: EventFilter!, $after: String, $order: EventOrder) {
	  events(filter: $f, first: 5, after: $after, order: $order) { pageInfo { endCursor } edges { node { id } } } }`
	var p struct {
		Events struct {
			PageInfo struct{ EndCursor string }
		}
	}
	kms := map[string]any{"components": []string{"KMS"}}
	e.query(acme, q, map[string]any{"f": kms}, &p)
	cur := p.Events.PageInfo.EndCursor

	e.query(acme, q, map[string]any{"f": kms, "after": cur}, &p) // same listing: fine
	e.wantError(globex, q, map[string]any{"f": kms, "after": cur}, "BAD_USER_INPUT", "after")
	e.wantError(acme, q, map[string]any{"f": map[string]any{"components": []string{"CMS"}}, "after": cur}, "BAD_USER_INPUT", "after")
	e.wantError(acme, q, map[string]any{"f": kms, "after": cur, "order": "OLDEST_FIRST"}, "BAD_USER_INPUT", "after")
	e.wantError(acme, q, map[string]any{"f": kms, "after": cur[:len(cur)-2] + "xx"}, "BAD_USER_INPUT", "after")
}

func TestPageSizeBounds(t *testing.T) {
	e := newEnv(t, server.Config{})
	viewer := e.key("acme", audit.RoleViewer)
	for _, first := range []int{0, -1, 501} {
		e.wantError(viewer, `query($n: Int) { events(filter: {}, first: $n) { totalCount } }`, map[string]any{"n": first}, "BAD_USER_INPUT", "first")
	}
	e.wantError(viewer, `{ events(filter: {from: "2024-05-02T00:00:00Z", to: "2024-05-01T00:00:00Z"}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.to")
}
