package logthrottle_test

import (
	"testing"
	"time"

	"github.com/auditlog/auditlog/logthrottle"
)

// TestThrottle: of a burst of one kind, one line is written per interval,
// and the next written line counts those left out; kinds are independent.
func TestThrottle(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := logthrottle.New(10*time.Second, func() time.Time { return now })
	written := 0
	for range 100 {
		if ok, _ := th.Allow("write"); ok {
			written++
		}
	}
	if written != 1 {
		t.Errorf("a burst of 100 wrote %d lines, want 1", written)
	}
	if ok, _ := th.Allow("other"); !ok {
		t.Error("another kind was held back by the first")
	}
	now = now.Add(10 * time.Second)
	ok, skipped := th.Allow("write")
	if !ok || skipped != 99 {
		t.Errorf("after the interval: ok %v, skipped %d; want true, 99", ok, skipped)
	}
	if ok, _ := th.Allow("write"); ok {
		t.Error("a second line within the new interval was let through")
	}
}
