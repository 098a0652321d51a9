package storetest

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// model is the reference implementation of audit.Query over one tenant's
// events: a plain in-memory matcher written from the contract in
// audit/filter.go and store/store.go. Backends must give its answers.
type model struct {
	tenant string
	events []audit.Event
}

func (m *model) setFlag(id string, f audit.Flag) {
	for i := range m.events {
		if m.events[i].ID == id && m.events[i].Flag == nil {
			f := f
			m.events[i].Flag = &f
		}
	}
}

func (m *model) byID(id string) (audit.Event, bool) {
	for _, e := range m.events {
		if e.ID == id {
			return e, true
		}
	}
	return audit.Event{}, false
}

// matching returns the events matching f and cutoffs, in order.
func (m *model) matching(f audit.Filter, cutoffs map[string]time.Time, order audit.Order) []audit.Event {
	tq := audit.ParseText(f.Text)
	var out []audit.Event
	for _, e := range m.events {
		if visible(&e, cutoffs) && matchFilter(&e, &f, tq) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b audit.Event) int { return compareKeys(a.Key(), b.Key(), order) })
	return out
}

// page answers q as a backend must.
func (m *model) page(q audit.Query) audit.Page {
	all := m.matching(q.Filter, q.Cutoffs, q.Order)
	p := audit.Page{Total: int64(len(all))}
	rest := all
	if q.After != nil {
		rest = nil
		for _, e := range all {
			if compareKeys(e.Key(), *q.After, q.Order) > 0 {
				rest = append(rest, e)
			}
		}
	}
	p.Events = rest[:min(q.Limit, len(rest))]
	p.HasMore = len(rest) > q.Limit
	if len(q.Facets) > 0 {
		p.Facets = map[audit.Facet][]audit.Count{}
		for _, f := range q.Facets {
			p.Facets[f] = m.facet(q, f)
		}
	}
	if q.Histogram > 0 {
		p.Histogram = histogram(all, q.Histogram, q.HistogramZone)
	}
	return p
}

// facet counts the values of f over the events matching q with f's own
// selection removed.
func (m *model) facet(q audit.Query, f audit.Facet) []audit.Count {
	filter := q.Filter
	value := func(e *audit.Event) string { return "" }
	switch f {
	case audit.FacetEventType:
		filter.EventTypes = nil
		value = func(e *audit.Event) string { return e.EventType }
	case audit.FacetStatus:
		filter.Statuses = nil
		value = func(e *audit.Event) string { return string(e.Status) }
	case audit.FacetPriority:
		filter.Priorities = nil
		value = func(e *audit.Event) string { return string(e.Priority) }
	case audit.FacetSubmodule:
		filter.Submodules = nil
		value = func(e *audit.Event) string { return e.Submodule }
	}
	counts := map[string]int64{}
	for _, e := range m.matching(filter, q.Cutoffs, audit.OldestFirst) {
		if v := value(&e); v != "" {
			counts[v]++
		}
	}
	out := make([]audit.Count, 0, len(counts))
	for v, n := range counts {
		out = append(out, audit.Count{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b audit.Count) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	return out
}

// histogram counts events per bucket of width aligned to the Unix epoch,
// oldest first, empty buckets omitted; with a zone, on its clock
// (audit.BucketStart, whose own case is testHistogramZone).
func histogram(events []audit.Event, width time.Duration, zone *time.Location) []audit.Bucket {
	w := width.Milliseconds()
	counts := map[int64]int64{}
	for _, e := range events {
		ms := e.OccurredAt.UnixMilli()
		start := ms - ((ms%w)+w)%w // floor, also before 1970
		if zone != nil {
			start = audit.BucketStart(e.OccurredAt, width, zone).UnixMilli()
		}
		counts[start]++
	}
	out := make([]audit.Bucket, 0, len(counts))
	for start, n := range counts {
		out = append(out, audit.Bucket{Start: time.UnixMilli(start).UTC(), Count: n})
	}
	slices.SortFunc(out, func(a, b audit.Bucket) int { return a.Start.Compare(b.Start) })
	return out
}

// visible reports whether e is not hidden by the cutoff of its component:
// an event strictly older than the cutoff has expired.
func visible(e *audit.Event, cutoffs map[string]time.Time) bool {
	c, ok := cutoffs[e.ComponentID]
	return !ok || !e.OccurredAt.Before(c)
}

// compareKeys orders two positions in a listing of the given order: ties on
// OccurredAt are broken by ID, compared bytewise, in the same direction.
func compareKeys(a, b audit.SortKey, order audit.Order) int {
	c := cmp.Or(a.OccurredAt.Compare(b.OccurredAt), strings.Compare(a.ID, b.ID))
	if order == audit.NewestFirst {
		return -c
	}
	return c
}

func matchFilter(e *audit.Event, f *audit.Filter, tq audit.TextQuery) bool {
	switch {
	case len(f.Components) > 0 && !slices.Contains(f.Components, e.ComponentID),
		len(f.EventTypes) > 0 && !slices.Contains(f.EventTypes, e.EventType),
		len(f.Submodules) > 0 && !slices.Contains(f.Submodules, e.Submodule),
		len(f.Statuses) > 0 && !slices.Contains(f.Statuses, e.Status),
		len(f.Priorities) > 0 && !slices.Contains(f.Priorities, e.Priority),
		f.From != nil && e.OccurredAt.Before(*f.From),
		f.To != nil && !e.OccurredAt.Before(*f.To),
		f.ActionUser != "" && !userMatches(&e.ActionUser, f.ActionUser),
		f.TargetUser != "" && (e.TargetUser == nil || !userMatches(e.TargetUser, f.TargetUser)),
		f.Flagged != nil && *f.Flagged != (e.Flag != nil),
		len(f.IDs) > 0 && !slices.Contains(f.IDs, e.ID):
		return false
	}
	return textMatches(tq, e)
}

// userMatches: a user filter matches the id exactly, or the email or name
// case-insensitively.
func userMatches(u *audit.User, s string) bool {
	return (u.ID != "" && u.ID == s) ||
		(u.Email != "" && strings.EqualFold(u.Email, s)) ||
		(u.Name != "" && strings.EqualFold(u.Name, s))
}

// textMatches: every Must term and no MustNot term occurs in the
// description or in the event type name (a phrase within one of them).
func textMatches(q audit.TextQuery, e *audit.Event) bool {
	fields := [][]string{audit.Words(e.Description), audit.Words(e.EventTypeName)}
	occurs := func(t audit.TextTerm) bool {
		for _, words := range fields {
			if termIn(words, t) {
				return true
			}
		}
		return false
	}
	for _, t := range q.Must {
		if !occurs(t) {
			return false
		}
	}
	for _, t := range q.MustNot {
		if occurs(t) {
			return false
		}
	}
	return true
}

// termIn reports whether t's words occur consecutively in words, the last
// one as a prefix when t.Prefix.
func termIn(words []string, t audit.TextTerm) bool {
	n := len(t.Words)
	for i := 0; i+n <= len(words); i++ {
		ok := true
		for j, w := range t.Words {
			if j == n-1 && t.Prefix {
				ok = strings.HasPrefix(words[i+j], w)
			} else {
				ok = words[i+j] == w
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
