package opensearch

import (
	"context"
	"fmt"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// defaultTailPage is the page of EventsIngestedAfter when the query names none.
const defaultTailPage = 1000

// EventsIngestedAfter returns the tenant's matching events ingested after
// the position, in ingest order (see store.TailStore).
func (s *Store) EventsIngestedAfter(ctx context.Context, q audit.Query, after store.IngestKey) ([]audit.Event, error) {
	if !audit.ValidTenant(q.Tenant) {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultTailPage
	}
	body := obj{
		"size":  limit,
		"query": translate(q).query(),
		// Events stored without an ingest time (before it was kept) come
		// first, as on SQLite, where NULL sorts first.
		"sort": []obj{
			{"ingestedAt": obj{"order": "asc", "missing": "_first"}},
			{"id": obj{"order": "asc"}},
		},
		"track_total_hits": false,
	}
	if !after.IngestedAt.IsZero() {
		body["search_after"] = []any{after.IngestedAt.UnixMilli(), after.ID}
	}
	resp, err := s.search(ctx, s.tenantEvents(q.Tenant), body)
	if err != nil {
		return nil, fmt.Errorf("opensearch: events ingested after %v/%s: %w", after.IngestedAt, after.ID, err)
	}
	out := make([]audit.Event, 0, len(resp.Hits.Hits))
	for _, h := range resp.Hits.Hits {
		e, err := h.event()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
