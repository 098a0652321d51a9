package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// A histogram in a time zone (audit.BucketStart) has buckets of varying
// length: a day is 23 or 25 hours when clocks change, and an hour the clock
// repeats is one bucket made of two stretches of time. The store counts
// stretches of time, each within one bucket and one offset of the zone,
// and adds up the stretches of each bucket.

// zoned reports whether loc is a zone other than UTC.
func zoned(loc *time.Location) bool { return loc != nil && loc.String() != "UTC" }

// stretch is a span [from, to) of Unix ms that lies in the bucket starting
// at key.
type stretch struct{ key, from, to int64 }

// stretches cuts [lo, hi] into stretches, each in one bucket of width on
// loc's clock and at one offset; it stops after limit stretches, reporting
// false.
func stretches(lo, hi, width int64, loc *time.Location, limit int) ([]stretch, bool) {
	var out []stretch
	for t := lo; t <= hi; {
		if len(out) == limit {
			return out, false
		}
		tt := time.UnixMilli(t).In(loc)
		_, off := tt.Zone()
		wall := t + int64(off)*1000
		end := t + width - floorMod(wall, width) // the next wall-clock multiple of width
		if _, zoneEnd := tt.ZoneBounds(); !zoneEnd.IsZero() && zoneEnd.UnixMilli() < end {
			end = zoneEnd.UnixMilli()
		}
		key := audit.BucketStart(time.UnixMilli(t), time.Duration(width)*time.Millisecond, loc).UnixMilli()
		out = append(out, stretch{key: key, from: t, to: min(end, hi+1)})
		t = end
	}
	return out, true
}

// zoneHistogram counts q's events per bucket of width on the clock of
// q.HistogramZone. Like histogram, it counts each stretch by one index
// range when there are few, and otherwise groups events by cells of time
// that never straddle a bucket boundary.
func zoneHistogram(ctx context.Context, db queryer, q audit.Query, width, total int64) ([]audit.Bucket, error) {
	lo, hi, ok, err := timeSpan(ctx, db, q)
	if err != nil {
		return nil, err
	}
	if !ok {
		return []audit.Bucket{}, nil
	}
	if !selective(q.Filter) {
		limit := maxRangeBuckets
		if total >= 0 {
			limit = int(min(total, maxRangeBuckets))
		}
		if spans, all := stretches(lo, hi, width, q.HistogramZone, limit); all {
			return stretchHistogram(ctx, db, q, spans)
		}
	}
	return cellHistogram(ctx, db, q, width, lo, hi)
}

// stretchHistogram counts each stretch by a range of a covering index
// ordered by time, as rangeHistogram does, and adds up each bucket's.
func stretchHistogram(ctx context.Context, db queryer, q audit.Query, spans []stretch) ([]audit.Bucket, error) {
	unbounded := q
	unbounded.Filter.From, unbounded.Filter.To = nil, nil // within the stretches
	w := filterWhere(unbounded)
	index := "events_listing"
	if len(q.Filter.Components) > 0 {
		index = "events_component"
	}
	bounds := make([][3]int64, len(spans))
	for i, s := range spans {
		bounds[i] = [3]int64{s.key, s.from, s.to}
	}
	b, err := json.Marshal(bounds)
	if err != nil {
		return nil, fmt.Errorf("count histogram: %w", err)
	}
	args := append(append([]any{}, w.args...), string(b))
	rows, err := db.QueryContext(ctx, `SELECT json_extract(b.value, '$[0]'),
		(SELECT count(*) FROM events e INDEXED BY `+index+` WHERE `+w.sql()+`
			AND e.occurred_at >= json_extract(b.value, '$[1]') AND e.occurred_at < json_extract(b.value, '$[2]'))
		FROM json_each(?) b`, args...)
	if err != nil {
		return nil, fmt.Errorf("count histogram: %w", err)
	}
	return sumBuckets(rows, func(k int64) int64 { return k })
}

// cellHistogram groups q's events by cells of time aligned to the Unix
// epoch, as wide as possible while every bucket boundary and every change
// of the zone's offset in [lo, hi] falls on a cell boundary, then adds each
// cell to its bucket.
func cellHistogram(ctx context.Context, db queryer, q audit.Query, width, lo, hi int64) ([]audit.Bucket, error) {
	loc := q.HistogramZone
	cell := width
	audit.ZoneOffsets(time.UnixMilli(lo), time.UnixMilli(hi), loc, func(start time.Time, off int) {
		cell = gcd(cell, int64(off)*1000)
		if ms := start.UnixMilli(); ms != lo {
			cell = gcd(cell, ms)
		}
	})
	w := filterWhere(q)
	from := "events e"
	if selective(q.Filter) {
		from = "events e NOT INDEXED"
	}
	args := append([]any{cell, cell, cell}, w.args...)
	rows, err := db.QueryContext(ctx, "SELECT (e.occurred_at - (((e.occurred_at % ?) + ?) % ?)) AS c, count(*) FROM "+from+
		" WHERE "+w.sql()+" GROUP BY c", args...)
	if err != nil {
		return nil, fmt.Errorf("count histogram: %w", err)
	}
	d := time.Duration(width) * time.Millisecond
	return sumBuckets(rows, func(c int64) int64 { return audit.BucketStart(time.UnixMilli(c), d, loc).UnixMilli() })
}

// sumBuckets reads (part, count) rows and adds each count to the bucket
// bucketOf(part), returning the non-empty buckets oldest first.
func sumBuckets(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}, bucketOf func(int64) int64) ([]audit.Bucket, error) {
	defer rows.Close()
	sums := map[int64]int64{}
	for rows.Next() {
		var part, n int64
		if err := rows.Scan(&part, &n); err != nil {
			return nil, fmt.Errorf("count histogram: %w", err)
		}
		if n > 0 {
			sums[bucketOf(part)] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count histogram: %w", err)
	}
	buckets := make([]audit.Bucket, 0, len(sums))
	for _, k := range slices.Sorted(maps.Keys(sums)) {
		buckets = append(buckets, audit.Bucket{Start: fromMillis(k), Count: sums[k]})
	}
	return buckets, nil
}

func floorMod(a, b int64) int64 { return ((a % b) + b) % b }

func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
