package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// searchPage runs q against s and fails the test on error.
func searchPage(t *testing.T, s store.Store, q audit.Query) audit.Page {
	t.Helper()
	p, err := s.SearchEvents(ctx(t), q)
	if err != nil {
		t.Fatalf("SearchEvents(%s): %v", describeQuery(q), err)
	}
	return p
}

// checkPage compares a backend's page with the model's answer to q, field
// by field, and checks that nothing of the canary tenant leaked into it.
func checkPage(t *testing.T, m *model, q audit.Query, got audit.Page) {
	t.Helper()
	want := m.page(q)
	checkNoCanary(t, q, got)
	checkEvents(t, m, describeQuery(q), want.Events, got.Events)
	if got.Total != want.Total {
		t.Errorf("%s: Total = %d, want %d", describeQuery(q), got.Total, want.Total)
	}
	if got.HasMore != want.HasMore {
		t.Errorf("%s: HasMore = %v, want %v (page of %d, %d events returned)", describeQuery(q), got.HasMore, want.HasMore, q.Limit, len(got.Events))
	}
	checkFacets(t, q, want.Facets, got.Facets)
	checkHistogram(t, q, want.Histogram, got.Histogram)
}

// checkEvents compares two sequences of events: same ids in the same order,
// and each returned event exactly as stored.
func checkEvents(t *testing.T, m *model, what string, want, got []audit.Event) {
	t.Helper()
	if msg := diffSequences(want, got); msg != "" {
		t.Errorf("%s: events differ from the reference model: %s", what, msg)
		return
	}
	for i := range got {
		if got[i].Tenant != m.tenant {
			t.Errorf("%s: event %q has tenant %q, want %q", what, got[i].ID, got[i].Tenant, m.tenant)
			continue
		}
		if w, g := eventJSON(want[i]), eventJSON(got[i]); w != g {
			t.Errorf("%s: event %q differs from what was stored:\n got  %s\n want %s", what, got[i].ID, g, w)
		}
	}
}

// diffSequences describes how got differs from want by id and order, or
// returns "" when they list the same events in the same order.
func diffSequences(want, got []audit.Event) string {
	same := len(want) == len(got)
	for i := 0; same && i < len(want); i++ {
		same = want[i].ID == got[i].ID
	}
	if same {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "got %d events, want %d", len(got), len(want))
	wantIDs, gotIDs := map[string]int{}, map[string]int{}
	for _, e := range want {
		wantIDs[e.ID]++
	}
	for _, e := range got {
		gotIDs[e.ID]++
	}
	list := func(label string, events []audit.Event, keep func(audit.Event) bool) {
		var lines []string
		n := 0
		for _, e := range events {
			if keep(e) {
				n++
				if len(lines) < 5 {
					lines = append(lines, describeEvent(e))
				}
			}
		}
		if n > 0 {
			fmt.Fprintf(&b, "\n %d %s, e.g.:\n   %s", n, label, strings.Join(lines, "\n   "))
		}
	}
	list("missing", want, func(e audit.Event) bool { return gotIDs[e.ID] == 0 })
	list("unexpected", got, func(e audit.Event) bool { return wantIDs[e.ID] == 0 })
	list("repeated", got, func(e audit.Event) bool {
		gotIDs[e.ID]--
		return gotIDs[e.ID] == 1 // report each repeated id once
	})
	for i := 0; i < min(len(want), len(got)); i++ {
		if want[i].ID != got[i].ID {
			fmt.Fprintf(&b, "\n first difference at position %d:\n   got  %s\n   want %s", i, describeEvent(got[i]), describeEvent(want[i]))
			break
		}
	}
	return b.String()
}

func describeEvent(e audit.Event) string {
	flag := ""
	if e.Flag != nil {
		flag = " flagged"
	}
	return fmt.Sprintf("%s@%s %s/%s/%q %s %s%s desc=%q name=%q", e.ID, e.OccurredAt.UTC().Format(time.RFC3339Nano),
		e.ComponentID, e.EventType, e.Submodule, e.Status, e.Priority, flag, e.Description, e.EventTypeName)
}

func describeQuery(q audit.Query) string {
	var parts []string
	f, _ := json.Marshal(q.Filter)
	if string(f) != "{}" {
		parts = append(parts, "filter "+string(f))
	}
	parts = append(parts, string(q.Order), fmt.Sprintf("limit %d", q.Limit))
	if q.After != nil {
		parts = append(parts, fmt.Sprintf("after %s/%s", q.After.OccurredAt.UTC().Format(time.RFC3339Nano), q.After.ID))
	}
	if len(q.Facets) > 0 {
		parts = append(parts, fmt.Sprintf("facets %v", q.Facets))
	}
	if q.Histogram > 0 {
		parts = append(parts, "histogram "+q.Histogram.String())
	}
	if len(q.Cutoffs) > 0 {
		parts = append(parts, fmt.Sprintf("cutoffs %v", q.Cutoffs))
	}
	return strings.Join(parts, ", ")
}

// eventJSON renders an event for comparison: instants in UTC, so that a
// backend returning another location of the same instant is not wrong.
func eventJSON(e audit.Event) string {
	e.OccurredAt = e.OccurredAt.UTC()
	e.IngestedAt = e.IngestedAt.UTC()
	if e.Flag != nil {
		f := *e.Flag
		f.At = f.At.UTC()
		e.Flag = &f
	}
	b, err := json.Marshal(e)
	if err != nil {
		return "unencodable event: " + err.Error()
	}
	return string(b)
}

func checkFacets(t *testing.T, q audit.Query, want, got map[audit.Facet][]audit.Count) {
	t.Helper()
	if len(q.Facets) == 0 {
		if len(got) > 0 {
			t.Errorf("%s: facets %v returned although none were requested", describeQuery(q), got)
		}
		return
	}
	for f := range got {
		if !slices.Contains(q.Facets, f) {
			t.Errorf("%s: facet %q returned although not requested", describeQuery(q), f)
		}
	}
	for _, f := range q.Facets {
		if !slices.Equal(want[f], got[f]) {
			t.Errorf("%s: facet %q:\n got  %v\n want %v", describeQuery(q), f, got[f], want[f])
		}
	}
}

func checkHistogram(t *testing.T, q audit.Query, want, got []audit.Bucket) {
	t.Helper()
	equal := len(want) == len(got)
	for i := 0; equal && i < len(want); i++ {
		equal = want[i].Start.Equal(got[i].Start) && want[i].Count == got[i].Count
	}
	if equal {
		return
	}
	if q.Histogram == 0 {
		t.Errorf("%s: histogram of %d buckets returned although none was requested", describeQuery(q), len(got))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: histogram has %d buckets, want %d", describeQuery(q), len(got), len(want))
	for i := 0; i < max(len(want), len(got)); i++ {
		var g, w string
		if i < len(got) {
			g = fmt.Sprintf("%s:%d", got[i].Start.UTC().Format(time.RFC3339), got[i].Count)
		}
		if i < len(want) {
			w = fmt.Sprintf("%s:%d", want[i].Start.UTC().Format(time.RFC3339), want[i].Count)
		}
		if g != w {
			fmt.Fprintf(&b, "\n first difference at bucket %d: got %s, want %s", i, g, w)
			break
		}
	}
	t.Error(b.String())
}

// checkNoCanary fails when anything of the canary tenant appears in a page.
func checkNoCanary(t *testing.T, q audit.Query, p audit.Page) {
	t.Helper()
	for _, e := range p.Events {
		if e.Tenant != fxTenant || strings.Contains(strings.ToLower(eventJSON(e)), canaryMark) {
			t.Errorf("%s: another tenant's event leaked: %s", describeQuery(q), eventJSON(e))
		}
	}
	for f, counts := range p.Facets {
		for _, c := range counts {
			if strings.Contains(strings.ToLower(c.Value), canaryMark) || c.Value == canaryComponent {
				t.Errorf("%s: another tenant's value %q leaked into facet %q", describeQuery(q), c.Value, f)
			}
		}
	}
}

// walkPages pages through q with page size q.Limit, After the last event of each
// page, checking every page against the model, and returns every event seen.
func walkPages(t *testing.T, s store.Store, m *model, q audit.Query) []audit.Event {
	t.Helper()
	var all []audit.Event
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatalf("%s: walk did not end after %d pages", describeQuery(q), pages)
		}
		got := searchPage(t, s, q)
		before := len(all)
		checkPage(t, m, q, got)
		all = append(all, got.Events...)
		if t.Failed() {
			t.Fatalf("walk stopped at page %d (after %d events)", pages+1, before)
		}
		if !got.HasMore || len(got.Events) == 0 {
			return all
		}
		k := got.Events[len(got.Events)-1].Key()
		q.After = &k
	}
}

// collectAll pages through q as a client would, however many events the
// backend returns per page, and returns every event seen.
func collectAll(t *testing.T, s store.Store, q audit.Query) []audit.Event {
	t.Helper()
	var all []audit.Event
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatalf("%s: listing did not end after %d pages", describeQuery(q), pages)
		}
		got := searchPage(t, s, q)
		all = append(all, got.Events...)
		if !got.HasMore || len(got.Events) == 0 {
			return all
		}
		k := got.Events[len(got.Events)-1].Key()
		q.After = &k
	}
}

// scanAll runs ScanEvents and returns every event it delivered.
func scanAll(t *testing.T, s store.Store, q audit.Query) []audit.Event {
	t.Helper()
	var all []audit.Event
	err := s.ScanEvents(ctx(t), q, func(e audit.Event) error {
		all = append(all, e)
		return nil
	})
	if err != nil {
		t.Fatalf("ScanEvents(%s): %v", describeQuery(q), err)
	}
	return all
}
