package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// exploreQuery is the Explore view's request: a page of rows, the total,
// the four facets and the histogram.
const exploreQuery = `query Explore($filter: EventFilter!, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id componentId submodule eventType eventTypeName priority status occurredAt
      actionUser { type name email } targetUser { name accountStatus } flag { by { name } at }
    } }
    facets {
      eventType { value count } status { value count } priority { value count } submodule { value count }
      histogram { start end count }
    }
  }
}`

// pageQuery is the same listing without facets: paging through results.
const pageQuery = `query Page($filter: EventFilter!, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id componentId submodule eventType eventTypeName priority status occurredAt
      actionUser { type name email } targetUser { name accountStatus } flag { by { name } at }
    } }
  }
}`

type facetCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

type explorePage struct {
	Events struct {
		TotalCount int64 `json:"totalCount"`
		PageInfo   struct {
			HasNextPage bool    `json:"hasNextPage"`
			EndCursor   *string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Node struct {
				ID string `json:"id"`
			} `json:"node"`
		} `json:"edges"`
		Facets *struct {
			EventType []facetCount `json:"eventType"`
			Status    []facetCount `json:"status"`
			Priority  []facetCount `json:"priority"`
			Submodule []facetCount `json:"submodule"`
			Histogram []struct {
				Start time.Time `json:"start"`
				Count int64     `json:"count"`
			} `json:"histogram"`
		} `json:"facets"`
	} `json:"events"`
}

// exploreVariant is one Explore filter; requests rotate through them.
type exploreVariant struct {
	name       string
	components []string
	statuses   []string // a facet selection: post_filter in OpenSearch
	word       string   // a one-word full-text query
}

var exploreVariants = []exploreVariant{
	{name: "all events"},
	{name: "component KMS", components: []string{"KMS"}},
	{name: "status FAILED", statuses: []string{"FAILED"}},
	{name: `text "article"`, word: "article"},
}

// filter is the variant as a GraphQL EventFilter over the data's span.
func (v exploreVariant) filter() map[string]any {
	f := map[string]any{
		"from": dataEnd.Add(-dataSpan).Format(time.RFC3339),
		"to":   dataEnd.Format(time.RFC3339),
	}
	if v.components != nil {
		f["components"] = v.components
	}
	if v.statuses != nil {
		f["statuses"] = v.statuses
	}
	if v.word != "" {
		f["text"] = v.word
	}
	return f
}

// histogramWidth is the bucket auditlog picks for the data's span: the
// narrowest of its ladder giving at most 100 buckets (a day for 90 days).
const histogramWidth = 24 * time.Hour

// rawBody is the _search body auditlog's OpenSearch store sends for the
// variant (store/opensearch/query.go: translate, searchBody, sortClause),
// written out here so that B sends it without auditlog's code;
// checkEquivalent verifies both answer the same.
func (v exploreVariant) rawBody(rows int, facets bool) obj {
	filters := []obj{
		{"term": obj{"tenant": benchTenant}},
	}
	if v.components != nil {
		filters = append(filters, obj{"terms": obj{"componentId": v.components}})
	}
	filters = append(filters, obj{"range": obj{"occurredAt": obj{
		"gte": dataEnd.Add(-dataSpan).Format(time.RFC3339Nano),
		"lt":  dataEnd.Format(time.RFC3339Nano),
	}}})
	if v.word != "" {
		var should []obj
		for _, field := range []string{"words.description", "words.eventTypeName"} {
			should = append(should, obj{"match_phrase": obj{field: obj{"query": v.word}}})
		}
		filters = append(filters, obj{"bool": obj{"filter": []obj{{"bool": obj{"should": should, "minimum_should_match": 1}}}}})
	}
	selections := map[string]obj{}
	if v.statuses != nil {
		selections["status"] = obj{"terms": obj{"status": v.statuses}}
	}
	except := func(facet string) obj {
		var out []obj
		for _, f := range []string{"eventType", "status", "priority", "submodule"} {
			if sel, ok := selections[f]; ok && f != facet {
				out = append(out, sel)
			}
		}
		return boolFilter(out)
	}
	body := obj{
		"query":            boolFilter(filters),
		"track_total_hits": true,
		"size":             rows + 1,
		"sort":             []obj{{"occurredAt": obj{"order": "desc"}}, {"id": obj{"order": "desc"}}},
		"_source":          obj{"excludes": []string{"words"}},
	}
	if len(selections) > 0 {
		body["post_filter"] = except("")
	}
	if facets {
		aggs := obj{}
		for _, f := range []string{"eventType", "status", "priority", "submodule"} {
			aggs["facet_"+f] = obj{
				"filter": except(f),
				"aggs": obj{"values": obj{"terms": obj{
					"field": f, "size": 1000, "order": []obj{{"_count": "desc"}, {"_key": "asc"}},
				}}},
			}
		}
		aggs["histogram"] = obj{
			"filter": except(""),
			"aggs": obj{"buckets": obj{"date_histogram": obj{
				"field": "occurredAt", "fixed_interval": strconv.Itoa(int(histogramWidth/time.Second)) + "s", "min_doc_count": 1,
			}}},
		}
		body["aggs"] = aggs
	}
	return body
}

func boolFilter(filters []obj) obj {
	if len(filters) == 0 {
		return obj{"match_all": obj{}}
	}
	return obj{"bool": obj{"filter": filters}}
}

type rawPage struct {
	Hits struct {
		Total struct {
			Value int64 `json:"value"`
		} `json:"total"`
		Hits []struct {
			ID string `json:"_id"`
		} `json:"hits"`
	} `json:"hits"`
	Aggregations map[string]json.RawMessage `json:"aggregations"`
}

// rawSearch sends a pre-encoded _search body over auditlog's event indices,
// as auditlog's store does.
func (r *osRun) rawSearch(ctx context.Context, body []byte, out *rawPage) error {
	path := "/" + url.PathEscape(r.eventsPattern) + "/_search?allow_no_indices=true&ignore_unavailable=true"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.eng.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.eng.client.Do(req)
	if err != nil {
		return fmt.Errorf("_search: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("_search: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("_search: decode: %w", err)
	}
	return nil
}

// checkEquivalent runs a variant both ways once and fails unless both
// found the same total, rows and facet counts: B must do A's work.
func (r *osRun) checkEquivalent(ctx context.Context, v exploreVariant, rawBody []byte) error {
	var a explorePage
	if err := r.viewer.query(ctx, exploreQuery, map[string]any{"filter": v.filter(), "first": r.cfg.pageSize}, &a); err != nil {
		return err
	}
	var b rawPage
	if err := r.rawSearch(ctx, rawBody, &b); err != nil {
		return err
	}
	mismatch := func(what string, x, y any) error {
		return fmt.Errorf("search page %s: auditlog and the raw body disagree on %s: %v vs %v", v.name, what, x, y)
	}
	if a.Events.TotalCount != b.Hits.Total.Value {
		return mismatch("the total", a.Events.TotalCount, b.Hits.Total.Value)
	}
	var aIDs, bIDs []string
	for _, e := range a.Events.Edges {
		aIDs = append(aIDs, e.Node.ID)
	}
	for _, h := range b.Hits.Hits[:min(len(b.Hits.Hits), r.cfg.pageSize)] {
		bIDs = append(bIDs, h.ID)
	}
	if !slices.Equal(aIDs, bIDs) {
		return mismatch("the rows", aIDs, bIDs)
	}
	facets := map[string][]facetCount{
		"eventType": a.Events.Facets.EventType, "status": a.Events.Facets.Status,
		"priority": a.Events.Facets.Priority, "submodule": a.Events.Facets.Submodule,
	}
	for name, counts := range facets {
		var agg struct {
			Values struct {
				Buckets []struct {
					Key      string `json:"key"`
					DocCount int64  `json:"doc_count"`
				} `json:"buckets"`
			} `json:"values"`
		}
		if err := json.Unmarshal(b.Aggregations["facet_"+name], &agg); err != nil {
			return fmt.Errorf("decode facet %s: %w", name, err)
		}
		want, got := map[string]int64{}, map[string]int64{}
		for _, c := range counts {
			got[c.Value] = c.Count
		}
		for _, bk := range agg.Values.Buckets {
			want[bk.Key] = bk.DocCount
		}
		if !maps.Equal(got, want) {
			return mismatch("facet "+name, got, want)
		}
	}
	var hist struct {
		Buckets struct {
			Buckets []json.RawMessage `json:"buckets"`
		} `json:"buckets"`
	}
	if err := json.Unmarshal(b.Aggregations["histogram"], &hist); err != nil {
		return fmt.Errorf("decode histogram: %w", err)
	}
	if len(hist.Buckets.Buckets) != len(a.Events.Facets.Histogram) {
		return mismatch("the histogram buckets", len(a.Events.Facets.Histogram), len(hist.Buckets.Buckets))
	}
	return nil
}

func showLatency(s sample) string {
	return fmt.Sprintf("p50 %.1f ms p99 %.1f ms", s.metrics["p50"], s.metrics["p99"])
}

// latencyRun sends requests one after another and records their latencies
// (ms) as p50 and p99.
func latencyRun(ctx context.Context, probe cpuProbe, requests int, send func(ctx context.Context, k int) error) (sample, error) {
	lat := make([]time.Duration, 0, requests)
	s, _, err := probe.measure(ctx, float64(requests), func() error {
		for k := range requests {
			start := time.Now()
			if err := send(ctx, k); err != nil {
				return err
			}
			lat = append(lat, time.Since(start))
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	s.metrics["p50"] = ms(percentile(lat, 50))
	s.metrics["p99"] = ms(percentile(lat, 99))
	return s, nil
}

// latencyRows are the p50 and p99 rows of a latency pair (lower is better).
func latencyRows(pair string, as, bs []sample, goals map[string]float64, aLabel, bLabel string) []row {
	var rows []row
	for _, p := range []string{"p50", "p99"} {
		goal, ok := goals[p]
		if !ok {
			continue
		}
		sa, sb := summarize(metricOf(as, p)), summarize(metricOf(bs, p))
		rows = append(rows, row{
			Pair: pair, Metric: p + " ms", A: sa, B: sb, ALabel: aLabel, BLabel: bLabel,
			Ratio: figure(sa.Median / sb.Median), Goal: goal,
			CPUUnit: "ms", AppCPUA: cpuPer1k(as, true), EngCPUA: cpuPer1k(as, false),
			AppCPUB: cpuPer1k(bs, true), EngCPUB: cpuPer1k(bs, false), Engine: "OpenSearch",
		})
	}
	return rows
}

// searchPage compares the Explore query through auditlog with its _search
// body sent directly, rotating through exploreVariants.
func (r *osRun) searchPage(ctx context.Context) error {
	aBodies := make([][]byte, len(exploreVariants))
	bBodies := make([][]byte, len(exploreVariants))
	for i, v := range exploreVariants {
		var err error
		if aBodies[i], err = gqlBody(exploreQuery, map[string]any{"filter": v.filter(), "first": r.cfg.pageSize}); err != nil {
			return err
		}
		if bBodies[i], err = json.Marshal(v.rawBody(r.cfg.pageSize, true)); err != nil {
			return err
		}
		if err := r.checkEquivalent(ctx, v, bBodies[i]); err != nil {
			return err
		}
	}
	probe := r.probe()
	a := func(ctx context.Context, _ int) (sample, error) {
		return latencyRun(ctx, probe, r.cfg.searchRequests, func(ctx context.Context, k int) error {
			var p explorePage
			if err := r.viewer.graphql(ctx, aBodies[k%len(aBodies)], &p); err != nil {
				return err
			}
			if len(p.Events.Edges) == 0 {
				return fmt.Errorf("search page %s: no rows", exploreVariants[k%len(aBodies)].name)
			}
			return nil
		})
	}
	b := func(ctx context.Context, _ int) (sample, error) {
		return latencyRun(ctx, probe, r.cfg.searchRequests, func(ctx context.Context, k int) error {
			var p rawPage
			if err := r.rawSearch(ctx, bBodies[k%len(bBodies)], &p); err != nil {
				return err
			}
			if len(p.Hits.Hits) == 0 {
				return fmt.Errorf("raw search %s: no hits", exploreVariants[k%len(bBodies)].name)
			}
			return nil
		})
	}
	as, bs, err := r.alternate(ctx, pairSearch, nil, a, b, showLatency)
	if err != nil {
		return err
	}
	rows := latencyRows(pairSearch, as, bs, map[string]float64{"p50": 1.3, "p99": 1.5},
		fmt.Sprintf("Explore, %d rows + facets", r.cfg.pageSize), "same _search body")
	rows[0].Note = fmt.Sprintf("over %d events; requests rotate through %d filters (all, a component, a status, a word), 90 days, facets and a daily histogram", r.dataset, len(exploreVariants))
	r.rep.Rows = append(r.rep.Rows, rows...)
	return nil
}

// deepPage compares page --deep-page, reached by cursor, with page 1 of
// the same listing.
func (r *osRun) deepPage(ctx context.Context) error {
	v := exploreVariants[0]
	need := int64(r.cfg.deepPage) * int64(r.cfg.pageSize)
	// Walk to the page in big steps: a cursor is bound to the filter and
	// order, not to the page size.
	var after *string
	for skipped := int64(0); skipped < need-int64(r.cfg.pageSize); {
		first := min(500, need-int64(r.cfg.pageSize)-skipped)
		vars := map[string]any{"filter": v.filter(), "first": first}
		if after != nil {
			vars["after"] = *after
		}
		var p explorePage
		if err := r.viewer.query(ctx, pageQuery, vars, &p); err != nil {
			return err
		}
		if !p.Events.PageInfo.HasNextPage || p.Events.PageInfo.EndCursor == nil {
			return fmt.Errorf("deep page: only %d events, page %d needs %d; raise --search-events or lower --deep-page",
				p.Events.TotalCount, r.cfg.deepPage, need)
		}
		after = p.Events.PageInfo.EndCursor
		skipped += int64(len(p.Events.Edges))
	}
	deepVars := map[string]any{"filter": v.filter(), "first": r.cfg.pageSize}
	if after != nil {
		deepVars["after"] = *after
	}
	deep, err := gqlBody(pageQuery, deepVars)
	if err != nil {
		return err
	}
	first, err := gqlBody(pageQuery, map[string]any{"filter": v.filter(), "first": r.cfg.pageSize})
	if err != nil {
		return err
	}
	probe := r.probe()
	send := func(body []byte) func(ctx context.Context, k int) error {
		return func(ctx context.Context, _ int) error {
			var p explorePage
			if err := r.viewer.graphql(ctx, body, &p); err != nil {
				return err
			}
			if len(p.Events.Edges) != r.cfg.pageSize {
				return fmt.Errorf("deep page: %d rows, want %d", len(p.Events.Edges), r.cfg.pageSize)
			}
			return nil
		}
	}
	a := func(ctx context.Context, _ int) (sample, error) {
		return latencyRun(ctx, probe, r.cfg.searchRequests, send(deep))
	}
	b := func(ctx context.Context, _ int) (sample, error) {
		return latencyRun(ctx, probe, r.cfg.searchRequests, send(first))
	}
	as, bs, err := r.alternate(ctx, pairDeep, nil, a, b, showLatency)
	if err != nil {
		return err
	}
	rows := latencyRows(pairDeep, as, bs, map[string]float64{"p50": 1.5},
		fmt.Sprintf("page %d via cursor", r.cfg.deepPage), "page 1")
	rows[0].Note = fmt.Sprintf("both through auditlog, %d rows, no facets; B is auditlog's page 1, not the raw engine", r.cfg.pageSize)
	r.rep.Rows = append(r.rep.Rows, rows...)
	return nil
}
