package audit

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones on any machine
)

// Every instant lies in [BucketStart, BucketEnd) of its bucket, and each
// bucket ends where the next one starts, across the changes of offset of
// zones with daylight saving time of an hour (Paris, New York), of half an
// hour (Lord Howe) and offsets of 45 minutes (Kathmandu).
func TestBucketsTileTheClock(t *testing.T) {
	widths := []time.Duration{time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}
	for _, zone := range []string{"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatalf("load %s: %v", zone, err)
		}
		for _, w := range widths {
			from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
			to := time.Date(2025, 11, 15, 0, 0, 0, 0, time.UTC)
			step := min(w/3, 20*time.Minute) + 7*time.Minute
			for at := from; at.Before(to); at = at.Add(step) {
				s := BucketStart(at, w, loc)
				e := BucketEnd(s, w, loc)
				if s.After(at) || !e.After(at) {
					t.Fatalf("%s %v: %v is not in its bucket [%v, %v)", zone, w, at, s, e)
				}
				if got := BucketStart(e, w, loc); !got.Equal(e) {
					t.Fatalf("%s %v: the bucket after [%v, %v) starts at %v", zone, w, s, e, got)
				}
			}
		}
	}
}

// Days start at midnight on the zone's clock and last 23 or 25 hours when
// clocks change.
func TestBucketsDaysAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ at, start, end string }{
		// Clocks go forward on 9 March 2025 at 02:00 EST (07:00 UTC).
		{"2025-03-09T12:00:00Z", "2025-03-09T05:00:00Z", "2025-03-10T04:00:00Z"},
		// And back on 2 November 2025 at 02:00 EDT (06:00 UTC).
		{"2025-11-02T12:00:00Z", "2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z"},
	}
	for _, c := range cases {
		at, _ := time.Parse(time.RFC3339, c.at)
		s := BucketStart(at, 24*time.Hour, ny)
		e := BucketEnd(s, 24*time.Hour, ny)
		if got := s.Format(time.RFC3339); got != c.start {
			t.Errorf("day of %s starts at %s, want %s", c.at, got, c.start)
		}
		if got := e.Format(time.RFC3339); got != c.end {
			t.Errorf("day of %s ends at %s, want %s", c.at, got, c.end)
		}
	}
}
