package audit

import "time"

// A histogram in a time zone counts on the zone's clock: a bucket starts
// whenever the clock shows a round time, a multiple of the width since
// 1970-01-01 00:00 on that clock (so days start at the zone's midnight), or
// jumps over one. A day when clocks change lasts 23 or 25 hours; when
// clocks go back, the repeated hour is a bucket of its own (the clock shows
// 02:00 again), while a 12-hour bucket lasts 13 hours. OpenSearch's
// date_histogram with a time_zone counts the same way.

// BucketStart returns the start of the bucket of width that holds t, on
// the clock of loc (UTC when nil).
func BucketStart(t time.Time, width time.Duration, loc *time.Location) time.Time {
	w := max(width.Milliseconds(), 1)
	if loc == nil {
		loc = time.UTC
	}
	ms := t.UnixMilli()
	for {
		at := time.UnixMilli(ms).In(loc)
		_, off := at.Zone()
		offMs := int64(off) * 1000
		round := floorDiv(ms+offMs, w) * w // the last round time the clock showed, in this period
		c := round - offMs
		periodStart, _ := at.ZoneBounds()
		if periodStart.IsZero() || c >= periodStart.UnixMilli() {
			return time.UnixMilli(c).UTC()
		}
		// The round time came before this period: the bucket started at the
		// change of offset if the clock jumped over a round time then, else
		// it began before the change.
		p := periodStart.UnixMilli()
		_, prevOff := time.UnixMilli(p - 1).In(loc).Zone()
		if round >= p+int64(prevOff)*1000 {
			return periodStart.UTC()
		}
		ms = p - 1
	}
}

// BucketEnd returns the end of the bucket of width that starts at start (as
// returned by BucketStart): the start of the next bucket.
func BucketEnd(start time.Time, width time.Duration, loc *time.Location) time.Time {
	w := max(width.Milliseconds(), 1)
	if loc == nil {
		loc = time.UTC
	}
	ms := start.UnixMilli()
	for {
		at := time.UnixMilli(ms).In(loc)
		_, off := at.Zone()
		offMs := int64(off) * 1000
		next := (floorDiv(ms+offMs, w)+1)*w - offMs // the next round time in this period
		_, periodEnd := at.ZoneBounds()
		if periodEnd.IsZero() || next < periodEnd.UnixMilli() {
			return time.UnixMilli(next).UTC()
		}
		// The offset changes first: a bucket starts there if the clock
		// jumps forward over a round time or shows one.
		p := periodEnd.UnixMilli()
		_, newOff := periodEnd.In(loc).Zone()
		before, after := p+offMs, p+int64(newOff)*1000 // the clock just before and at the change
		if after%w == 0 || (after > before && floorDiv(after, w)*w >= before) {
			return periodEnd.UTC()
		}
		ms = p
	}
}

// ZoneOffsets calls fn with each stretch of [from, to] in which loc keeps one
// offset: its first instant (from, or a change of offset) and the offset.
func ZoneOffsets(from, to time.Time, loc *time.Location, fn func(start time.Time, offsetSeconds int)) {
	if loc == nil {
		loc = time.UTC
	}
	t := from
	for !t.After(to) {
		_, off := t.In(loc).Zone()
		fn(t, off)
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.After(t) {
			return
		}
		t = end
	}
}

// floorDiv is a / b rounded towards negative infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
