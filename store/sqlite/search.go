package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// where accumulates the conditions of a WHERE clause and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "1"
	}
	return strings.Join(w.conds, " AND ")
}

// in constrains col to vals; no values means no constraint. Long lists (an
// export of a selection) go as one JSON argument so no statement can exceed
// SQLite's host parameter limit.
func (w *where) in(col string, vals []string) {
	switch {
	case len(vals) == 0:
	case len(vals) <= 64:
		w.add(col+" IN ("+placeholders(len(vals))+")", anyArgs(vals)...)
	default:
		b, _ := json.Marshal(vals) // []string always encodes
		w.add(col+" IN (SELECT value FROM json_each(?))", string(b))
	}
}

// cutoffs hides events of component C that occurred before cutoffs[C].
func (w *where) cutoffs(cutoffs map[string]time.Time) {
	components := make([]string, 0, len(cutoffs))
	for c := range cutoffs {
		components = append(components, c)
	}
	slices.Sort(components) // stable SQL text for the statement cache
	for _, c := range components {
		w.add("NOT (e.component_id = ? AND e.occurred_at < ?)", c, boundMillis(cutoffs[c]))
	}
}

// user matches a user's id exactly, or their email or name ignoring case.
func (w *where) user(tenant, prefix, value string) {
	if value == "" {
		return
	}
	lc := strings.ToLower(value)
	// A union of index lookups: an OR of the three columns would make the
	// planner scan the whole tenant.
	w.add(fmt.Sprintf(`e.seq IN (
		SELECT seq FROM events WHERE tenant = ? AND %[1]s_id = ?
		UNION ALL SELECT seq FROM events WHERE tenant = ? AND %[1]s_email_lc = ?
		UNION ALL SELECT seq FROM events WHERE tenant = ? AND %[1]s_name_lc = ?)`, prefix),
		tenant, value, tenant, lc, tenant, lc)
}

// text applies an analyst's full-text query through the FTS index.
func (w *where) text(text string) {
	tq := audit.ParseText(text)
	if len(tq.Must) > 0 {
		w.add("e.seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)", ftsExpr(tq.Must, " AND "))
	}
	if len(tq.MustNot) > 0 {
		w.add("e.seq NOT IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)", ftsExpr(tq.MustNot, " OR "))
	}
}

// filterWhere builds the conditions of q's tenant, filter and cutoffs,
// leaving out the selections of the skipped facets, so that a facet can
// count the values its own selection would hide.
func filterWhere(q audit.Query, skip ...audit.Facet) *where {
	f := q.Filter
	w := &where{}
	w.add("e.tenant = ?", q.Tenant)
	w.in("e.component_id", f.Components)
	if !slices.Contains(skip, audit.FacetEventType) {
		w.in("e.event_type", f.EventTypes)
	}
	if !slices.Contains(skip, audit.FacetSubmodule) {
		w.in("e.submodule", f.Submodules)
	}
	if !slices.Contains(skip, audit.FacetStatus) {
		w.in("e.status", toStrings(f.Statuses))
	}
	if !slices.Contains(skip, audit.FacetPriority) {
		w.in("e.priority", toStrings(f.Priorities))
	}
	if f.From != nil {
		w.add("e.occurred_at >= ?", boundMillis(*f.From))
	}
	if f.To != nil {
		w.add("e.occurred_at < ?", boundMillis(*f.To))
	}
	w.user(q.Tenant, "action_user", f.ActionUser)
	w.user(q.Tenant, "target_user", f.TargetUser)
	// Flags and ids, like text and users, select a set of rowids: a walk of
	// any index can test them without reading the table, and the few rows
	// they pick can be read by rowid (see selective).
	if f.Flagged != nil {
		op := "IN"
		if !*f.Flagged {
			op = "NOT IN"
		}
		w.add("e.seq "+op+" (SELECT seq FROM events INDEXED BY events_flagged WHERE tenant = ? AND flag_at IS NOT NULL)", q.Tenant)
	}
	if len(f.IDs) > 0 {
		ids := &where{}
		ids.add("tenant = ?", q.Tenant)
		ids.in("id", f.IDs)
		w.add("e.seq IN (SELECT seq FROM events WHERE "+ids.sql()+")", ids.args...)
	}
	w.text(f.Text)
	w.cutoffs(q.Cutoffs)
	return w
}

// selective reports whether f has a filter that picks few rows by their
// rowids (text, users, ids, flagged): aggregates then read just those rows,
// by rowid, rather than walk a whole covering index.
func selective(f audit.Filter) bool {
	return len(audit.ParseText(f.Text).Must) > 0 || f.ActionUser != "" || f.TargetUser != "" ||
		len(f.IDs) > 0 || (f.Flagged != nil && *f.Flagged)
}

func toStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// pageSQL returns the query of one page of q's listing after the key, and
// its arguments.
func pageSQL(q audit.Query, after *audit.SortKey, limit int) (string, []any) {
	w := filterWhere(q)
	cmp, dir := "<", "DESC"
	if q.Order == audit.OldestFirst {
		cmp, dir = ">", "ASC"
	}
	if after != nil {
		w.add("(e.occurred_at, e.id) "+cmp+" (?, ?)", millis(after.OccurredAt), after.ID)
	}
	query := "SELECT " + eventColumns + " FROM events e WHERE " + w.sql() +
		" ORDER BY e.occurred_at " + dir + ", e.id " + dir + " LIMIT ?"
	return query, append(w.args, limit)
}

// queryer is what a read needs: a pool or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readEvents(ctx context.Context, db queryer, query string, args []any) ([]audit.Event, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SearchEvents returns one page of the listing, its exact total, and the
// requested facets and histogram, all read from one snapshot.
func (s *Store) SearchEvents(ctx context.Context, q audit.Query) (audit.Page, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return audit.Page{}, fmt.Errorf("search events: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only

	limit := max(q.Limit, 0)
	query, args := pageSQL(q, q.After, limit+1)
	events, err := readEvents(ctx, tx, query, args)
	if err != nil {
		return audit.Page{}, fmt.Errorf("search events: %w", err)
	}
	var p audit.Page
	if len(events) > limit {
		p.HasMore = true
		events = events[:limit]
	}
	p.Events = events

	// The facet pass and the histogram each yield the total as well; count
	// separately only when neither runs.
	p.Total = -1 // not known yet
	if len(q.Facets) > 0 {
		if p.Facets, p.Total, err = facets(ctx, tx, q); err != nil {
			return audit.Page{}, err
		}
	}
	if q.Histogram > 0 {
		if p.Histogram, err = histogram(ctx, tx, q, p.Total); err != nil {
			return audit.Page{}, err
		}
		if p.Total < 0 {
			p.Total = 0
			for _, b := range p.Histogram {
				p.Total += b.Count
			}
		}
	}
	if p.Total < 0 && q.SkipTotal {
		p.Total = 0
	}
	if p.Total < 0 {
		w := filterWhere(q)
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM events e WHERE "+w.sql(), w.args...).Scan(&p.Total); err != nil {
			return audit.Page{}, fmt.Errorf("count events: %w", err)
		}
	}
	return p, nil
}

// defaultScanPage is the page size of ScanEvents when q.Limit is 0.
const defaultScanPage = 1000

// ScanEvents calls fn for every event matching q in q.Order, reading one
// page at a time inside one read transaction: the scan sees a consistent
// snapshot (WAL) and holds at most one page in memory.
func (s *Store) ScanEvents(ctx context.Context, q audit.Query, fn func(audit.Event) error) error {
	limit := q.Limit
	if limit <= 0 {
		limit = defaultScanPage
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("scan events: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only

	after := q.After
	for {
		query, args := pageSQL(q, after, limit)
		events, err := readEvents(ctx, tx, query, args)
		if err != nil {
			return fmt.Errorf("scan events: %w", err)
		}
		for _, e := range events {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(events) < limit {
			return nil
		}
		last := events[len(events)-1].Key()
		after = &last
	}
}

// CountIngested counts the component's events ingested since since, from
// the index events_ingested (tenant, component, ingest time) alone.
func (s *Store) CountIngested(ctx context.Context, tenant, componentID string, since time.Time) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM events
		WHERE tenant = ? AND component_id = ? AND ingested_at >= ?`, tenant, componentID, millis(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count events of %s: %w", componentID, err)
	}
	return n, nil
}
