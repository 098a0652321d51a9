package storetest

import (
	"fmt"
	"testing"
	"time"
	_ "time/tzdata" // the zones on any machine

	"github.com/auditlog/auditlog/audit"
)

// testHistogramZone: a histogram in a time zone counts on the zone's clock
// across daylight saving changes (Europe/Paris: clocks go forward at 01:00
// UTC on 30 March 2025 and back at 01:00 UTC on 26 October 2025). The
// expected buckets are written out as a user reads them off a wall clock in
// Paris. Each case runs unfiltered and with a filter that picks events by
// user (a backend may count those differently).
func testHistogramZone(t *testing.T, newStore Factory) {
	s := newStore(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatalf("load Europe/Paris: %v", err)
	}
	utc := func(v string) time.Time {
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatalf("parse %s: %v", v, err)
		}
		return at
	}
	instants := []string{
		"2025-03-29T22:30:00Z", // 23:30 CET, Saturday 29 March
		"2025-03-29T23:30:00Z", // 00:30 CET, Sunday 30 March
		"2025-03-30T09:00:00Z", // 11:00 CEST, Sunday
		"2025-03-30T10:30:00Z", // 12:30 CEST, Sunday
		"2025-03-30T21:59:00Z", // 23:59 CEST, Sunday
		"2025-03-30T22:00:00Z", // 00:00 CEST, Monday 31 March
		"2025-03-31T10:00:00Z", // 12:00 CEST, Monday
		"2025-10-26T00:30:00Z", // 02:30 CEST, Sunday 26 October, first time
		"2025-10-26T01:30:00Z", // 02:30 CET, the same hour again
		"2025-10-26T02:10:00Z", // 03:10 CET
		"2025-10-26T22:59:00Z", // 23:59 CET, Sunday
		"2025-10-26T23:00:00Z", // 00:00 CET, Monday 27 October
	}
	var events []audit.Event
	for i, v := range instants {
		e := minimalEvent(fxTenant, fmt.Sprintf("z-%02d", i), "SET", utc(v))
		e.ActionUser = audit.User{Type: audit.UserDashboard, ID: "u-zone"}
		events = append(events, e)
	}
	writeEvents(t, s, events...)
	refresh(t, s)

	type want map[string]int64
	cases := []struct {
		name     string
		width    time.Duration
		from, to string
		want     want
	}{
		// Days start at Paris midnight: 23:00 UTC in winter, 22:00 UTC in
		// summer; 30 March lasts 23 hours.
		{"DaySpringForward", 24 * time.Hour, "2025-03-25T00:00:00Z", "2025-04-05T00:00:00Z", want{
			"2025-03-28T23:00:00Z": 1, "2025-03-29T23:00:00Z": 4, "2025-03-30T22:00:00Z": 2}},
		// 26 October lasts 25 hours.
		{"DayFallBack", 24 * time.Hour, "2025-10-20T00:00:00Z", "2025-11-01T00:00:00Z", want{
			"2025-10-25T22:00:00Z": 4, "2025-10-26T23:00:00Z": 1}},
		// 12 hours on the clock: midnight to noon on 30 March is 11 hours.
		{"TwelveHoursSpringForward", 12 * time.Hour, "2025-03-29T00:00:00Z", "2025-04-01T00:00:00Z", want{
			"2025-03-29T11:00:00Z": 1, "2025-03-29T23:00:00Z": 2, "2025-03-30T10:00:00Z": 2,
			"2025-03-30T22:00:00Z": 1, "2025-03-31T10:00:00Z": 1}},
		// The hour from 02:00 to 03:00 happens twice on 26 October: a
		// bucket each time the clock shows 02:00.
		{"HourFallBack", time.Hour, "2025-10-25T12:00:00Z", "2025-10-26T12:00:00Z", want{
			"2025-10-26T00:00:00Z": 1, "2025-10-26T01:00:00Z": 1, "2025-10-26T02:00:00Z": 1}},
		// 12 hours on the clock: midnight to noon on 26 October is 13 hours.
		{"TwelveHoursFallBack", 12 * time.Hour, "2025-10-25T12:00:00Z", "2025-10-27T00:00:00Z", want{
			"2025-10-25T22:00:00Z": 3, "2025-10-26T11:00:00Z": 1, "2025-10-26T23:00:00Z": 1}},
	}
	for _, c := range cases {
		for _, selective := range []bool{false, true} {
			name := c.name
			f := audit.Filter{From: refTo(utc(c.from)), To: refTo(utc(c.to))}
			if selective {
				name += "/ByUser"
				f.ActionUser = "u-zone"
			}
			t.Run(name, func(t *testing.T) {
				q := audit.Query{Tenant: fxTenant, Filter: f, Order: audit.NewestFirst, Limit: 1,
					Histogram: c.width, HistogramZone: paris}
				got := searchPage(t, s, q).Histogram
				checkBuckets(t, got, c.want)
			})
		}
	}
	t.Run("UTCUnchanged", func(t *testing.T) {
		q := audit.Query{Tenant: fxTenant, Order: audit.NewestFirst, Limit: 1, Histogram: 24 * time.Hour,
			Filter: audit.Filter{From: refTo(utc("2025-03-25T00:00:00Z")), To: refTo(utc("2025-04-05T00:00:00Z"))}}
		checkBuckets(t, searchPage(t, s, q).Histogram, map[string]int64{
			"2025-03-29T00:00:00Z": 2, "2025-03-30T00:00:00Z": 4, "2025-03-31T00:00:00Z": 1})
	})
}

// checkBuckets compares a histogram with the expected counts by bucket
// start (RFC 3339 in UTC), in order.
func checkBuckets(t *testing.T, got []audit.Bucket, want map[string]int64) {
	t.Helper()
	gotMap := map[string]int64{}
	for i, b := range got {
		if i > 0 && !got[i-1].Start.Before(b.Start) {
			t.Errorf("buckets out of order: %v then %v", got[i-1].Start, b.Start)
		}
		gotMap[b.Start.UTC().Format(time.RFC3339)] = b.Count
	}
	if asJSON(t, gotMap) != asJSON(t, want) {
		t.Errorf("histogram:\n got  %s\n want %s", asJSON(t, gotMap), asJSON(t, want))
	}
}
