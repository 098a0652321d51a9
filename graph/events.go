package graph

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // IANA zones on any machine, the same everywhere

	"github.com/99designs/gqlgen/graphql"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph/model"
)

// listEvents resolves Query.events.
func (r *Resolver) listEvents(ctx context.Context, filter model.EventFilter, first *int, after *string, order *audit.Order) (*model.EventConnection, error) {
	p, err := auth.Require(ctx, auth.Read)
	if err != nil {
		return nil, err
	}
	f := filterFromInput(filter)
	if err := app.CheckFilter("filter", f); err != nil {
		return nil, err
	}
	n := DefaultPageSize
	if first != nil {
		n = *first
	}
	if n < 1 || n > MaxPageSize {
		return nil, invalid("first", "must be between 1 and %d, got %d", MaxPageSize, n)
	}
	o := audit.NewestFirst
	if order != nil {
		o = *order
	}
	listing, err := listingHash(p.Tenant, f, o)
	if err != nil {
		return nil, err
	}
	q := audit.Query{Tenant: p.Tenant, Filter: f, Order: o, Limit: n}
	if after != nil && *after != "" {
		if q.After, err = r.decodeCursor(*after, listing); err != nil {
			return nil, err
		}
	}
	sel, err := selectedFacets(ctx)
	if err != nil {
		return nil, err
	}
	q.Facets = sel.facets
	if sel.histogram {
		if q.HistogramZone, err = histogramZone(sel.timeZone); err != nil {
			return nil, err
		}
		if q.Histogram, err = r.histogramWidth(ctx, q, sel.interval); err != nil {
			return nil, err
		}
	}
	page, err := r.store.SearchEvents(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search events: %w", err)
	}
	eventTypeLabel := func(code string) string { return code }
	if len(page.Facets[audit.FacetEventType]) > 0 {
		names, err := r.capture.ActivityNames(ctx, p.Tenant)
		if err != nil {
			return nil, fmt.Errorf("activity names: %w", err)
		}
		eventTypeLabel = func(code string) string { return cmp.Or(names[code], code) }
	}

	conn := &model.EventConnection{
		Edges:      make([]model.EventEdge, len(page.Events)),
		PageInfo:   &model.PageInfo{HasNextPage: page.HasMore},
		TotalCount: int(page.Total),
		Facets: &model.EventFacets{
			EventType: counts(page.Facets[audit.FacetEventType], eventTypeLabel),
			Status:    counts(page.Facets[audit.FacetStatus], statusLabel),
			Priority:  counts(page.Facets[audit.FacetPriority], priorityLabel),
			Submodule: counts(page.Facets[audit.FacetSubmodule], func(v string) string { return v }),
			Histogram: make([]model.HistogramBucket, len(page.Histogram)),
		},
	}
	for i, ev := range page.Events {
		c, err := r.encodeCursor(ev.Key(), listing)
		if err != nil {
			return nil, err
		}
		node := eventModel(ev)
		conn.Edges[i] = model.EventEdge{Cursor: c, Node: &node}
	}
	if len(conn.Edges) > 0 {
		conn.PageInfo.EndCursor = &conn.Edges[len(conn.Edges)-1].Cursor
	}
	for i, b := range page.Histogram {
		end := b.Start.Add(q.Histogram)
		if q.HistogramZone != nil {
			end = audit.BucketEnd(b.Start, q.Histogram, q.HistogramZone)
		}
		conn.Facets.Histogram[i] = model.HistogramBucket{Start: b.Start, End: end, Count: int(b.Count)}
	}
	return conn, nil
}

func counts(cs []audit.Count, label func(string) string) []model.FacetCount {
	out := make([]model.FacetCount, len(cs))
	for i, c := range cs {
		out[i] = model.FacetCount{Value: c.Value, Label: label(c.Value), Count: int(c.Count)}
	}
	return out
}

// priorityLabel and statusLabel name values as the product page does.
func priorityLabel(v string) string {
	switch audit.Priority(v) {
	case audit.PriorityCritical:
		return "Critical"
	case audit.PriorityHigh:
		return "High"
	case audit.PriorityMedium:
		return "Medium"
	case audit.PriorityLow:
		return "Low"
	}
	return v
}

func statusLabel(v string) string {
	switch audit.Status(v) {
	case audit.StatusSuccess:
		return "Success"
	case audit.StatusFailed:
		return "Failed"
	case audit.StatusInProgress:
		return "In progress"
	}
	return v
}

// maxTimeZone bounds a time zone name (the longest IANA names have about 30
// characters).
const maxTimeZone = 64

// histogramZone loads the IANA time zone a histogram asked for; nil for
// none or UTC.
func histogramZone(name *string) (*time.Location, error) {
	if name == nil || *name == "UTC" {
		return nil, nil
	}
	// "" and "Local" are names to time.LoadLocation, not IANA zones: Local
	// would be the server's own zone.
	if *name == "" || *name == "Local" || len(*name) > maxTimeZone {
		return nil, invalid("facets.histogram.timeZone", "must be an IANA time zone such as Europe/Paris, got %q", *name)
	}
	loc, err := time.LoadLocation(*name)
	if err != nil {
		return nil, invalid("facets.histogram.timeZone", "must be an IANA time zone such as Europe/Paris, got %q", *name)
	}
	return loc, nil
}

// facetSelection is what the query asks of EventConnection.facets; only
// that is computed.
type facetSelection struct {
	facets    []audit.Facet
	histogram bool
	interval  *model.HistogramInterval
	timeZone  *string
}

var facetFields = map[string]audit.Facet{
	"eventType": audit.FacetEventType,
	"status":    audit.FacetStatus,
	"priority":  audit.FacetPriority,
	"submodule": audit.FacetSubmodule,
}

// selectedFacets reads the facets selected under the current
// EventConnection field, including through fragments and aliases.
func selectedFacets(ctx context.Context) (facetSelection, error) {
	var sel facetSelection
	opCtx := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name != "facets" {
			continue
		}
		for _, sub := range graphql.CollectFields(opCtx, f.Selections, nil) {
			if facet, ok := facetFields[sub.Name]; ok {
				if !slices.Contains(sel.facets, facet) {
					sel.facets = append(sel.facets, facet)
				}
				continue
			}
			if sub.Name != "histogram" {
				continue
			}
			var iv *model.HistogramInterval
			if s, ok := sub.ArgumentMap(opCtx.Variables)["interval"].(string); ok {
				v := model.HistogramInterval(s)
				iv = &v
			}
			var tz *string
			if s, ok := sub.ArgumentMap(opCtx.Variables)["timeZone"].(string); ok {
				tz = &s
			}
			if sel.histogram && !sameInterval(sel.interval, iv) {
				return sel, invalid("facets.histogram.interval", "every histogram of one listing must use the same interval; list twice for two intervals")
			}
			if sel.histogram && !sameZone(sel.timeZone, tz) {
				return sel, invalid("facets.histogram.timeZone", "every histogram of one listing must use the same time zone; list twice for two zones")
			}
			sel.histogram, sel.interval, sel.timeZone = true, iv, tz
		}
	}
	return sel, nil
}

// sameZone compares time zones, absent being UTC.
func sameZone(a, b *string) bool { return cmp.Or(str(a), "UTC") == cmp.Or(str(b), "UTC") }

func sameInterval(a, b *model.HistogramInterval) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// histogramWidth returns the bucket width of a histogram over q: the one
// asked for, or the narrowest of the ladder that covers the filter's time
// range in about 100 buckets. An open end of the range is taken from the
// oldest or newest matching event.
func (r *Resolver) histogramWidth(ctx context.Context, q audit.Query, asked *model.HistogramInterval) (time.Duration, error) {
	from, ok, err := r.rangeEnd(ctx, q, q.Filter.From, audit.OldestFirst)
	if err != nil || !ok {
		return time.Minute, err // nothing matches: no buckets at all
	}
	to, ok, err := r.rangeEnd(ctx, q, q.Filter.To, audit.NewestFirst)
	if err != nil || !ok {
		return time.Minute, err
	}
	span := max(to.Sub(from), 0)
	if asked == nil {
		return autoWidth(span), nil
	}
	width, ok := intervalWidth(*asked)
	if !ok {
		return 0, invalid("facets.histogram.interval", "unknown interval %q", *asked)
	}
	if n := span / width; n > maxBuckets {
		return 0, invalid("facets.histogram.interval", "makes %d buckets over this time range, at most %d are allowed; choose a wider interval or narrow the range", n, maxBuckets)
	}
	return width, nil
}

// rangeEnd returns bound if set, else the occurrence time of the first
// event matching q in order; false when none matches.
func (r *Resolver) rangeEnd(ctx context.Context, q audit.Query, bound *time.Time, order audit.Order) (time.Time, bool, error) {
	if bound != nil {
		return *bound, true, nil
	}
	page, err := r.store.SearchEvents(ctx, audit.Query{Tenant: q.Tenant, Filter: q.Filter, Order: order, Limit: 1,
		SkipTotal: true})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("find the time range for the histogram: %w", err)
	}
	if len(page.Events) == 0 {
		return time.Time{}, false, nil
	}
	return page.Events[0].OccurredAt, true, nil
}
