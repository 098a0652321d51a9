package notify

import (
	"testing"
	"time"
)

func TestBackoffDoublesWithJitterWithinCap(t *testing.T) {
	w := &Webhooks{opts: Options{BaseDelay: time.Second, MaxDelay: 10 * time.Second}}
	for attempt, full := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 80: 10 * time.Second} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := w.backoff(attempt, 0)
			if d < full/2 || d > full {
				t.Fatalf("backoff after attempt %d = %v, want within [%v, %v]", attempt, d, full/2, full)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("backoff after attempt %d is always %v: no jitter", attempt, seen)
		}
	}
	// Retry-After is honoured, but never beyond the cap.
	if d := w.backoff(1, 5*time.Second); d != 5*time.Second {
		t.Errorf("backoff with Retry-After 5s = %v, want 5s", d)
	}
	if d := w.backoff(1, time.Hour); d != 10*time.Second {
		t.Errorf("backoff with Retry-After 1h = %v, want the 10s cap", d)
	}
}
