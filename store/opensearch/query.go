package opensearch

import (
	"strconv"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// This file is where an audit.Filter becomes an OpenSearch query.

// facetFields maps each facet to the field it counts and filters.
var facetFields = map[audit.Facet]string{
	audit.FacetEventType: "eventType",
	audit.FacetStatus:    "status",
	audit.FacetPriority:  "priority",
	audit.FacetSubmodule: "submodule",
}

// facetCountLimit bounds the values counted per facet.
const facetCountLimit = 1000

// eventQuery is a listing translated for OpenSearch.
type eventQuery struct {
	// filters hold the tenant, cutoffs and every filter that is not a facet.
	filters []obj
	// facets hold the selection of each facet, if any.
	facets map[audit.Facet]obj
}

func translate(q audit.Query) eventQuery {
	f := q.Filter
	eq := eventQuery{facets: map[audit.Facet]obj{}}
	add := func(c obj) { eq.filters = append(eq.filters, c) }

	// Required, not defence in depth: the tenant's index pattern also
	// matches tenants whose names extend it ("acme-x" under "acme-*").
	add(term("tenant", q.Tenant))
	eq.filters = append(eq.filters, cutoffFilters(q.Cutoffs)...)
	if len(f.Components) > 0 {
		add(terms("componentId", f.Components))
	}
	if len(f.IDs) > 0 {
		add(obj{"ids": obj{"values": f.IDs}})
	}
	if f.From != nil || f.To != nil {
		r := obj{}
		if f.From != nil {
			r["gte"] = formatBound(*f.From)
		}
		if f.To != nil {
			r["lt"] = formatBound(*f.To)
		}
		add(obj{"range": obj{"occurredAt": r}})
	}
	if f.ActionUser != "" {
		add(userMatch("actionUser", f.ActionUser))
	}
	if f.TargetUser != "" {
		add(userMatch("targetUser", f.TargetUser))
	}
	if f.Flagged != nil {
		flagged := obj{"exists": obj{"field": "flag.at"}}
		if *f.Flagged {
			add(flagged)
		} else {
			add(obj{"bool": obj{"must_not": []obj{flagged}}})
		}
	}
	if tq := audit.ParseText(f.Text); !tq.Empty() {
		add(textQuery(tq))
	}

	if len(f.EventTypes) > 0 {
		eq.facets[audit.FacetEventType] = terms("eventType", f.EventTypes)
	}
	if len(f.Statuses) > 0 {
		eq.facets[audit.FacetStatus] = terms("status", f.Statuses)
	}
	if len(f.Priorities) > 0 {
		eq.facets[audit.FacetPriority] = terms("priority", f.Priorities)
	}
	if len(f.Submodules) > 0 {
		eq.facets[audit.FacetSubmodule] = terms("submodule", f.Submodules)
	}
	return eq
}

// query is every filter, facet selections included.
func (eq eventQuery) query() obj {
	return boolFilter(append(eq.filters, eq.facetSelections("")...))
}

// facetSelections returns the selections of every facet but except.
func (eq eventQuery) facetSelections(except audit.Facet) []obj {
	var out []obj
	for _, facet := range audit.AllFacets {
		if sel, ok := eq.facets[facet]; ok && facet != except {
			out = append(out, sel)
		}
	}
	return out
}

// searchBody is a listing request: facet selections go to post_filter so
// that each facet's aggregation can count without its own selection.
func (eq eventQuery) searchBody(q audit.Query) obj {
	body := obj{
		"query":            boolFilter(eq.filters),
		"track_total_hits": !q.SkipTotal,
	}
	if sel := eq.facetSelections(""); len(sel) > 0 {
		body["post_filter"] = boolFilter(sel)
	}
	aggs := obj{}
	for _, facet := range q.Facets {
		field, ok := facetFields[facet]
		if !ok {
			continue
		}
		aggs["facet_"+string(facet)] = obj{
			"filter": boolFilter(eq.facetSelections(facet)),
			"aggs": obj{"values": obj{"terms": obj{
				"field": field,
				"size":  facetCountLimit,
				"order": []obj{{"_count": "desc"}, {"_key": "asc"}},
			}}},
		}
	}
	if q.Histogram > 0 {
		dh := obj{
			"field":          "occurredAt",
			"fixed_interval": histogramInterval(q.Histogram),
			"min_doc_count":  1,
		}
		if z := q.HistogramZone; z != nil && z.String() != "UTC" {
			// Buckets on the zone's clock, as audit.BucketStart defines.
			dh["time_zone"] = z.String()
		}
		aggs["histogram"] = obj{
			"filter": boolFilter(eq.facetSelections("")),
			"aggs":   obj{"buckets": obj{"date_histogram": dh}},
		}
	}
	if len(aggs) > 0 {
		body["aggs"] = aggs
	}
	return body
}

// histogramInterval renders a bucket width; OpenSearch has no finer unit
// than the millisecond.
func histogramInterval(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	ms := int64(d / time.Millisecond)
	if ms < 1 {
		ms = 1
	}
	return strconv.FormatInt(ms, 10) + "ms"
}

// sortClause orders by occurrence, then id, in the order's direction.
func sortClause(o audit.Order) []obj {
	dir := "desc"
	if o == audit.OldestFirst {
		dir = "asc"
	}
	return []obj{{"occurredAt": obj{"order": dir}}, {"id": obj{"order": dir}}}
}

// searchAfter is the sort position of a listing key.
func searchAfter(k audit.SortKey) []any {
	return []any{k.OccurredAt.UnixMilli(), k.ID}
}

// cutoffFilters hide each component's events that occurred before its
// cutoff: for each, the event is of another component or recent enough.
func cutoffFilters(cutoffs map[string]time.Time) []obj {
	var out []obj
	for component, cutoff := range cutoffs {
		out = append(out, obj{"bool": obj{
			"should": []obj{
				{"bool": obj{"must_not": []obj{term("componentId", component)}}},
				{"range": obj{"occurredAt": obj{"gte": formatBound(cutoff)}}},
			},
			"minimum_should_match": 1,
		}})
	}
	return out
}

// userMatch matches a user by id exactly, or by email or name ignoring case.
func userMatch(field, v string) obj {
	return obj{"bool": obj{
		"should": []obj{
			term(field+".id", v),
			term(field+".email.lower", v),
			term(field+".name.lower", v),
		},
		"minimum_should_match": 1,
	}}
}

// textFields are searched by full-text queries.
var textFields = []string{"words.description", "words.eventTypeName"}

// textQuery renders a parsed full-text query with phrase and prefix queries
// only: nothing the analyst typed is ever parsed by OpenSearch, so no input
// can make the query fail.
func textQuery(tq audit.TextQuery) obj {
	b := obj{}
	var must, mustNot []obj
	for _, t := range tq.Must {
		must = append(must, textTerm(t))
	}
	for _, t := range tq.MustNot {
		mustNot = append(mustNot, textTerm(t))
	}
	if len(must) > 0 {
		b["filter"] = must
	}
	if len(mustNot) > 0 {
		b["must_not"] = mustNot
	}
	return obj{"bool": b}
}

// textTerm matches one word or phrase in either text field. Events written
// before audit.Words folded accents hold their words as written: a term
// whose words folding changed matches those as written too.
func textTerm(t audit.TextTerm) obj {
	var should []obj
	for _, words := range [][]string{t.Words, t.Accented} {
		if len(words) == 0 {
			continue
		}
		phrase := strings.Join(words, " ")
		for _, field := range textFields {
			switch {
			case t.Prefix && len(words) == 1:
				should = append(should, obj{"prefix": obj{field: obj{"value": words[0]}}})
			case t.Prefix:
				should = append(should, obj{"match_phrase_prefix": obj{field: obj{"query": phrase, "max_expansions": 1000}}})
			default:
				should = append(should, obj{"match_phrase": obj{field: obj{"query": phrase}}})
			}
		}
	}
	return obj{"bool": obj{"should": should, "minimum_should_match": 1}}
}

func term(field string, v any) obj { return obj{"term": obj{field: v}} }

func terms[T ~string](field string, values []T) obj {
	vs := make([]string, len(values))
	for i, v := range values {
		vs[i] = string(v)
	}
	return obj{"terms": obj{field: vs}}
}

func boolFilter(filters []obj) obj {
	if len(filters) == 0 {
		return obj{"match_all": obj{}}
	}
	return obj{"bool": obj{"filter": filters}}
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// formatBound renders a bound of occurrence times (a From, To or cutoff)
// rounded up to the millisecond, the resolution occurredAt is indexed at:
// an indexed time is before the bound exactly when it is before the bound
// rounded up, and OpenSearch would truncate it instead.
func formatBound(t time.Time) string {
	if r := t.Truncate(time.Millisecond); !r.Equal(t) {
		t = r.Add(time.Millisecond)
	}
	return formatTime(t)
}
