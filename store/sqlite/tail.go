package sqlite

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
	limit := q.Limit
	if limit <= 0 {
		limit = defaultTailPage
	}
	w := filterWhere(q)
	if !after.IngestedAt.IsZero() {
		w.add("(e.ingested_at, e.id) > (?, ?)", millis(after.IngestedAt), after.ID)
	}
	// The index walks the tenant in ingest order and stops at the limit;
	// without it SQLite would sort every match.
	query := "SELECT " + eventColumns + " FROM events e INDEXED BY events_ingest_order WHERE " + w.sql() +
		" ORDER BY e.ingested_at, e.id LIMIT ?"
	events, err := readEvents(ctx, s.r, query, append(w.args, limit))
	if err != nil {
		return nil, fmt.Errorf("events ingested after %v/%s: %w", after.IngestedAt, after.ID, err)
	}
	return events, nil
}
