package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/auditlog/auditlog/audit"
)

// facetCountLimit bounds the values listed per facet, the most frequent
// first, as on OpenSearch.
const facetCountLimit = 1000

// facetColumn is a facet and the column it counts.
type facetColumn struct {
	facet  audit.Facet
	column string
}

// facetOrder lists the facets in the column order of the events_facets
// index: grouping by a prefix of it reads groups in index order, unsorted.
var facetOrder = []facetColumn{
	{audit.FacetEventType, "e.event_type"},
	{audit.FacetStatus, "e.status"},
	{audit.FacetPriority, "e.priority"},
	{audit.FacetSubmodule, "e.submodule"},
}

// selection returns the values f's filter selects for facet, nil for none.
func selection(f audit.Filter, facet audit.Facet) []string {
	switch facet {
	case audit.FacetEventType:
		return f.EventTypes
	case audit.FacetStatus:
		return toStrings(f.Statuses)
	case audit.FacetPriority:
		return toStrings(f.Priorities)
	case audit.FacetSubmodule:
		return f.Submodules
	}
	return nil
}

// facets counts every facet of q.Facets, and q's total, in one grouped
// pass. The pass applies every filter but the selections of the requested
// facets and groups rows by the facet columns; a facet's counts then sum
// the groups that every other requested facet's selection accepts
// (multi-select), and the total sums the groups that all of them accept.
func facets(ctx context.Context, db queryer, q audit.Query) (map[audit.Facet][]audit.Count, int64, error) {
	requested := make([]bool, len(facetOrder))
	prefix := 0 // group by facetOrder[:prefix]
	for _, f := range q.Facets {
		i := slices.IndexFunc(facetOrder, func(o facetColumn) bool { return o.facet == f })
		if i < 0 {
			return nil, 0, fmt.Errorf("count facet %q: unknown facet", f)
		}
		requested[i] = true
		prefix = max(prefix, i+1)
	}
	// accepts[i] holds the selection of requested facet i, nil when it has
	// none; the selections of facets not requested go into the WHERE clause.
	accepts := make([]map[string]bool, len(facetOrder))
	var skip []audit.Facet
	columns := make([]string, prefix)
	for i, o := range facetOrder[:prefix] {
		columns[i] = o.column
		if !requested[i] {
			continue
		}
		skip = append(skip, o.facet)
		if vals := selection(q.Filter, o.facet); len(vals) > 0 {
			accepts[i] = make(map[string]bool, len(vals))
			for _, v := range vals {
				accepts[i][v] = true
			}
		}
	}

	w := filterWhere(q, skip...)
	from := "events e INDEXED BY events_facets"
	if selective(q.Filter) {
		// Few rows, read by rowid; sorting them is cheap. Left to itself,
		// the planner may walk events_facets to save the sort.
		from = "events e NOT INDEXED"
	}
	cols := strings.Join(columns, ", ")
	rows, err := db.QueryContext(ctx, "SELECT "+cols+", count(*) FROM "+from+" WHERE "+w.sql()+
		" GROUP BY "+cols, w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("count facets: %w", err)
	}
	defer rows.Close()

	counts := make([]map[string]int64, len(facetOrder))
	for i := range counts {
		if requested[i] {
			counts[i] = map[string]int64{}
		}
	}
	var total int64
	vals := make([]string, prefix)
	dest := make([]any, prefix+1)
	for i := range vals {
		dest[i] = &vals[i]
	}
	var n int64
	dest[prefix] = &n
	rejected := make([]int, 0, len(facetOrder)) // facets whose selection rejects the group
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, fmt.Errorf("count facets: %w", err)
		}
		rejected = rejected[:0]
		for i, acc := range accepts {
			if acc != nil && !acc[vals[i]] {
				rejected = append(rejected, i)
			}
		}
		if len(rejected) == 0 {
			total += n
		}
		for i, c := range counts {
			// A facet counts a group that only its own selection rejects.
			if c == nil || len(rejected) > 1 || (len(rejected) == 1 && rejected[0] != i) {
				continue
			}
			if facetOrder[i].facet == audit.FacetSubmodule && vals[i] == "" {
				continue // events without a submodule have no submodule value
			}
			c[vals[i]] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("count facets: %w", err)
	}

	out := make(map[audit.Facet][]audit.Count, len(q.Facets))
	for i, c := range counts {
		if c == nil {
			continue
		}
		list := make([]audit.Count, 0, len(c))
		for v, n := range c {
			list = append(list, audit.Count{Value: v, Count: n})
		}
		slices.SortFunc(list, func(a, b audit.Count) int {
			if a.Count != b.Count {
				return int(min(max(b.Count-a.Count, -1), 1))
			}
			return strings.Compare(a.Value, b.Value)
		})
		if len(list) > facetCountLimit {
			list = list[:facetCountLimit]
		}
		out[facetOrder[i].facet] = list
	}
	return out, total, nil
}

// maxRangeBuckets bounds the histogram buckets counted by one index range
// each. A range costs an index seek, about as much as sorting a handful of
// rows, so more buckets than that, or than rows to count, are counted by
// grouping and sorting the rows instead.
const maxRangeBuckets = 4096

// histogram counts q's events per bucket of width q.Histogram (at least a
// millisecond), buckets aligned to the Unix epoch. total is the number of
// events q matches when known, else negative.
func histogram(ctx context.Context, db queryer, q audit.Query, total int64) ([]audit.Bucket, error) {
	if total == 0 {
		return []audit.Bucket{}, nil
	}
	width := max(q.Histogram.Milliseconds(), 1)
	if zoned(q.HistogramZone) {
		return zoneHistogram(ctx, db, q, width, total)
	}
	if !selective(q.Filter) {
		lo, hi, ok, err := timeSpan(ctx, db, q)
		if err != nil {
			return nil, err
		}
		if !ok {
			return []audit.Bucket{}, nil
		}
		first, last := bucketStart(lo, width), bucketStart(hi, width)
		if buckets := (last-first)/width + 1; buckets <= maxRangeBuckets && (total < 0 || buckets <= total) {
			return rangeHistogram(ctx, db, q, width, first, last, lo, hi)
		}
	}
	return groupHistogram(ctx, db, q, width)
}

// bucketStart floors t to a multiple of width, before the epoch too.
func bucketStart(t, width int64) int64 { return t - ((t%width)+width)%width }

// timeSpan returns the first and last instants (Unix ms) at which q's events
// can have occurred: the tenant's oldest and newest events, narrowed by
// From and To. ok is false when there can be none.
func timeSpan(ctx context.Context, db queryer, q audit.Query) (lo, hi int64, ok bool, err error) {
	var first, last sql.NullInt64
	// Two scalar subqueries: each is one index seek, where min and max in
	// one SELECT would scan.
	if err := db.QueryRowContext(ctx, `SELECT
		(SELECT min(occurred_at) FROM events INDEXED BY events_listing WHERE tenant = ?),
		(SELECT max(occurred_at) FROM events INDEXED BY events_listing WHERE tenant = ?)`,
		q.Tenant, q.Tenant).Scan(&first, &last); err != nil {
		return 0, 0, false, fmt.Errorf("count histogram: time span: %w", err)
	}
	if !first.Valid || !last.Valid {
		return 0, 0, false, nil
	}
	lo, hi = first.Int64, last.Int64
	if f := q.Filter.From; f != nil {
		lo = max(lo, boundMillis(*f))
	}
	if t := q.Filter.To; t != nil {
		hi = min(hi, boundMillis(*t)-1)
	}
	return lo, hi, lo <= hi, nil
}

// rangeHistogram counts each bucket from first to last (bucket starts) by
// one range of a covering index ordered by time: no sort, and no reading of
// rows outside [lo, hi], the span of q's events.
func rangeHistogram(ctx context.Context, db queryer, q audit.Query, width, first, last, lo, hi int64) ([]audit.Bucket, error) {
	// From and To are in lo and hi: as conditions of their own they would
	// compete with the bucket's bounds for the index range.
	unbounded := q
	unbounded.Filter.From, unbounded.Filter.To = nil, nil
	w := filterWhere(unbounded)
	index := "events_listing"
	if len(q.Filter.Components) > 0 {
		index = "events_component"
	}
	args := append([]any{first, width, last}, w.args...)
	args = append(args, lo, width, hi+1)
	rows, err := db.QueryContext(ctx, `WITH RECURSIVE buckets(start) AS (
			SELECT ? UNION ALL SELECT start + ? FROM buckets WHERE start < ?)
		SELECT b.start, (SELECT count(*) FROM events e INDEXED BY `+index+` WHERE `+w.sql()+
		` AND e.occurred_at >= max(b.start, ?) AND e.occurred_at < min(b.start + ?, ?)) FROM buckets b`, args...)
	if err != nil {
		return nil, fmt.Errorf("count histogram: %w", err)
	}
	return readBuckets(rows)
}

// groupHistogram counts buckets by grouping q's events on their bucket: for
// few events (a selective filter) or too many buckets to count one by one.
func groupHistogram(ctx context.Context, db queryer, q audit.Query, width int64) ([]audit.Bucket, error) {
	w := filterWhere(q)
	from := "events e"
	if selective(q.Filter) {
		from = "events e NOT INDEXED" // rows by rowid, as in facets
	}
	bucket := "(e.occurred_at - (((e.occurred_at % ?) + ?) % ?))"
	args := append([]any{width, width, width}, w.args...)
	rows, err := db.QueryContext(ctx, "SELECT "+bucket+" AS b, count(*) FROM "+from+" WHERE "+w.sql()+
		" GROUP BY b ORDER BY b", args...)
	if err != nil {
		return nil, fmt.Errorf("count histogram: %w", err)
	}
	return readBuckets(rows)
}

// readBuckets reads (start, count) rows in order, leaving out empty buckets.
func readBuckets(rows *sql.Rows) ([]audit.Bucket, error) {
	defer rows.Close()
	buckets := []audit.Bucket{}
	for rows.Next() {
		var start, n int64
		if err := rows.Scan(&start, &n); err != nil {
			return nil, fmt.Errorf("count histogram: %w", err)
		}
		if n > 0 {
			buckets = append(buckets, audit.Bucket{Start: fromMillis(start), Count: n})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count histogram: %w", err)
	}
	return buckets, nil
}
