package opensearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// defaultScanPage is the page size of a scan when the query names none.
const defaultScanPage = 1000

// pitKeepAlive is how long a scan's point in time outlives its last page.
// An export may wait up to two minutes for its client to take a page before
// it reads the next, so the snapshot must live well beyond that.
const pitKeepAlive = "5m"

// SearchEvents returns one page of the tenant's events with an exact total
// and the requested facets and histogram.
func (s *Store) SearchEvents(ctx context.Context, q audit.Query) (audit.Page, error) {
	if !audit.ValidTenant(q.Tenant) {
		return audit.Page{}, nil
	}
	limit := max(q.Limit, 0)
	eq := translate(q)
	body := eq.searchBody(q)
	// One more than asked tells whether another page follows.
	body["size"] = limit + 1
	body["sort"] = sortClause(q.Order)
	if q.After != nil {
		body["search_after"] = searchAfter(*q.After)
	}
	resp, err := s.search(ctx, s.tenantEvents(q.Tenant), body)
	if err != nil {
		return audit.Page{}, fmt.Errorf("opensearch: search events: %w", err)
	}
	page := audit.Page{Total: resp.Hits.Total.Value}
	hits := resp.Hits.Hits
	if len(hits) > limit {
		page.HasMore = true
		hits = hits[:limit]
	}
	for _, h := range hits {
		e, err := h.event()
		if err != nil {
			return audit.Page{}, err
		}
		page.Events = append(page.Events, e)
	}
	if err := decodeAggs(resp.Aggregations, q, &page); err != nil {
		return audit.Page{}, err
	}
	return page, nil
}

func decodeAggs(raw json.RawMessage, q audit.Query, page *audit.Page) error {
	if len(raw) == 0 {
		return nil
	}
	type termsAgg struct {
		Values struct {
			Buckets []struct {
				Key      string `json:"key"`
				DocCount int64  `json:"doc_count"`
			} `json:"buckets"`
		} `json:"values"`
	}
	var aggs map[string]json.RawMessage
	if err := json.Unmarshal(raw, &aggs); err != nil {
		return fmt.Errorf("opensearch: decode aggregations: %w", err)
	}
	for _, facet := range q.Facets {
		data, ok := aggs["facet_"+string(facet)]
		if !ok {
			continue
		}
		var agg termsAgg
		if err := json.Unmarshal(data, &agg); err != nil {
			return fmt.Errorf("opensearch: decode facet %s: %w", facet, err)
		}
		counts := make([]audit.Count, 0, len(agg.Values.Buckets))
		for _, b := range agg.Values.Buckets {
			counts = append(counts, audit.Count{Value: b.Key, Count: b.DocCount})
		}
		if page.Facets == nil {
			page.Facets = map[audit.Facet][]audit.Count{}
		}
		page.Facets[facet] = counts
	}
	if data, ok := aggs["histogram"]; ok {
		var agg struct {
			Buckets struct {
				Buckets []struct {
					Key      int64 `json:"key"`
					DocCount int64 `json:"doc_count"`
				} `json:"buckets"`
			} `json:"buckets"`
		}
		if err := json.Unmarshal(data, &agg); err != nil {
			return fmt.Errorf("opensearch: decode histogram: %w", err)
		}
		for _, b := range agg.Buckets.Buckets {
			page.Histogram = append(page.Histogram, audit.Bucket{Start: time.UnixMilli(b.Key).UTC(), Count: b.DocCount})
		}
	}
	return nil
}

// ScanEvents reads every matching event of the tenant from a point in time,
// page by page with search_after, so memory stays flat and the snapshot is
// consistent. The point in time is closed however the scan ends.
func (s *Store) ScanEvents(ctx context.Context, q audit.Query, fn func(audit.Event) error) error {
	if !audit.ValidTenant(q.Tenant) {
		return nil
	}
	pit, err := s.openPIT(ctx, s.tenantEvents(q.Tenant))
	if err != nil || pit == "" {
		return err
	}
	defer func() {
		// Close even when ctx is cancelled: the PIT holds segments open.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		// Every event was read by then: a failed close is not a failed
		// scan (an export would be cut short for nothing). The point in
		// time expires by itself after its keep-alive.
		if cerr := s.closePIT(cctx, pit); cerr != nil {
			s.log.Warn("opensearch: close point in time after a scan", "err", cerr, "keepAlive", pitKeepAlive)
		}
	}()
	pageSize := q.Limit
	if pageSize <= 0 {
		pageSize = defaultScanPage
	}
	query := translate(q).query()
	after := q.After
	var afterValues []any
	if after != nil {
		afterValues = searchAfter(*after)
	}
	for {
		body := obj{
			"size":             pageSize,
			"query":            query,
			"sort":             sortClause(q.Order),
			"pit":              obj{"id": pit, "keep_alive": pitKeepAlive},
			"track_total_hits": false,
		}
		if afterValues != nil {
			body["search_after"] = afterValues
		}
		resp, err := s.search(ctx, "", body)
		if err != nil {
			return fmt.Errorf("opensearch: scan events: %w", err)
		}
		if resp.PitID != "" {
			pit = resp.PitID
		}
		for _, h := range resp.Hits.Hits {
			e, err := h.event()
			if err != nil {
				return err
			}
			if err := fn(e); err != nil {
				return err
			}
			afterValues = searchAfter(e.Key())
		}
		if len(resp.Hits.Hits) < pageSize {
			return nil
		}
	}
}

// openPIT opens a point in time over the indices of pattern, or returns ""
// when the pattern matches no index.
func (s *Store) openPIT(ctx context.Context, pattern string) (string, error) {
	var resp struct {
		searchShards
		PitID string `json:"pit_id"`
	}
	// allow_partial_pit_creation=false: a snapshot lacking a shard would
	// export less than the filter matches (see doSearch).
	q := url.Values{"keep_alive": {pitKeepAlive}, "allow_partial_pit_creation": {"false"}, "expand_wildcards": {"open"}}
	err := s.awaitingShards(ctx, pattern, func() error {
		resp.Shards, resp.PitID = shardsInfo{}, ""
		if err := s.do(ctx, http.MethodPost, "/"+seg(pattern)+"/_search/point_in_time", q, nil, &resp); err != nil {
			return err
		}
		if err := resp.shards().err(); err != nil {
			_ = s.closePIT(context.WithoutCancel(ctx), resp.PitID)
			return err
		}
		return nil
	})
	if resp.Shards.err() != nil {
		return "", fmt.Errorf("opensearch: open point in time: %w", err)
	}
	if err != nil {
		// OpenSearch fails a point in time over no index with an obscure
		// error rather than an empty one; an empty pattern is no error.
		if some, rerr := s.anyIndex(ctx, pattern); rerr == nil && !some {
			return "", nil
		}
		return "", fmt.Errorf("opensearch: open point in time: %w", err)
	}
	return resp.PitID, nil
}

// anyIndex reports whether pattern matches at least one index.
func (s *Store) anyIndex(ctx context.Context, pattern string) (bool, error) {
	var resp struct {
		Indices []json.RawMessage `json:"indices"`
	}
	if err := s.do(ctx, http.MethodGet, "/_resolve/index/"+seg(pattern), nil, nil, &resp); err != nil {
		return false, fmt.Errorf("opensearch: resolve %s: %w", pattern, err)
	}
	return len(resp.Indices) > 0, nil
}

func (s *Store) closePIT(ctx context.Context, pit string) error {
	err := s.do(ctx, http.MethodDelete, "/_search/point_in_time", nil, obj{"pit_id": []string{pit}}, nil)
	if err != nil && !errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("opensearch: close point in time: %w", err)
	}
	return nil
}

// CountIngested counts the component's events ingested since since, in
// every index of the tenant's series (rolled over ones too).
func (s *Store) CountIngested(ctx context.Context, tenant, componentID string, since time.Time) (int64, error) {
	if !audit.ValidTenant(tenant) {
		return 0, nil
	}
	filter := []obj{
		{"term": obj{"tenant": tenant}},
		{"term": obj{"componentId": componentID}},
	}
	if !since.IsZero() {
		filter = append(filter, obj{"range": obj{"ingestedAt": obj{"gte": since.UnixMilli(), "format": "epoch_millis"}}})
	}
	var resp struct {
		Count int64 `json:"count"`
	}
	q := url.Values{"allow_no_indices": {"true"}, "ignore_unavailable": {"true"}}
	body := obj{"query": obj{"bool": obj{"filter": filter}}}
	if err := s.do(ctx, http.MethodPost, "/"+seg(s.tenantEvents(tenant))+"/_count", q, body, &resp); err != nil {
		return 0, fmt.Errorf("opensearch: count events of %s: %w", componentID, err)
	}
	return resp.Count, nil
}
