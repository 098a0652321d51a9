package server

import (
	"fmt"
	"testing"
	"time"
)

// TestRateLimiterMemoryIsBounded floods the limiter with new keys: it
// keeps at most its bound of buckets, and a key in active use keeps its
// (empty) bucket rather than getting a fresh one.
func TestRateLimiterMemoryIsBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newRateLimiter(0.1, 2, func() time.Time { return now })
	l.max = 100
	for range 2 {
		if d := l.wait("hot"); d != 0 {
			t.Fatalf("burst refused: %v", d)
		}
	}
	for i := range 10 * l.max {
		now = now.Add(time.Millisecond)
		l.wait(fmt.Sprintf("flood-%d", i))
		if i%10 == 0 && l.wait("hot") == 0 {
			t.Fatalf("after %d new keys the hot key's empty bucket was forgotten", i)
		}
		if n := l.size(); n > l.max {
			t.Fatalf("%d buckets, bound %d", n, l.max)
		}
	}
}

// TestRateLimiterForgetsOnlyFullBuckets: idle keys are dropped once their
// bucket has refilled, which changes nothing for them.
func TestRateLimiterForgetsOnlyFullBuckets(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newRateLimiter(10, 5, func() time.Time { return now })
	for i := range 50 {
		l.wait(fmt.Sprintf("k%d", i))
	}
	now = now.Add(2 * time.Minute) // refilled long ago; the sweep is due
	l.wait("new")
	if n := l.size(); n != 1 {
		t.Errorf("%d buckets after the idle ones refilled, want 1", n)
	}
	// A retry delay is what the bucket says.
	for range 5 {
		l.wait("burst")
	}
	if d := l.wait("burst"); d <= 0 || d > 100*time.Millisecond {
		t.Errorf("delay %v after the burst at 10/s, want (0, 100ms]", d)
	}
}
