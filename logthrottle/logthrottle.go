// Package logthrottle keeps a repeated failure from flooding the log: a
// line of one kind is written at most once per interval, and the next one
// says how many were left out in between.
package logthrottle

import (
	"sync"
	"time"
)

// DefaultInterval is how often a line of one kind is written at most.
const DefaultInterval = 10 * time.Second

// maxKinds bounds the kinds remembered; kinds are few (one per call site
// and failure class), the bound is against a caller that makes them up.
const maxKinds = 1000

// Throttle decides which lines to write. It is safe for concurrent use.
type Throttle struct {
	every time.Duration
	now   func() time.Time

	mu    sync.Mutex
	kinds map[string]*kind
}

type kind struct {
	last    time.Time
	skipped int
}

// New returns a Throttle writing a line of each kind at most once per
// every (DefaultInterval when 0); now is time.Now when nil.
func New(every time.Duration, now func() time.Time) *Throttle {
	if every <= 0 {
		every = DefaultInterval
	}
	if now == nil {
		now = time.Now
	}
	return &Throttle{every: every, now: now, kinds: map[string]*kind{}}
}

// Allow reports whether a line of the kind may be written now and, if so,
// how many lines of the kind were left out since the last one written.
func (t *Throttle) Allow(name string) (ok bool, skipped int) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	k := t.kinds[name]
	if k == nil {
		if len(t.kinds) >= maxKinds {
			clear(t.kinds)
		}
		t.kinds[name] = &kind{last: now}
		return true, 0
	}
	if now.Sub(k.last) < t.every {
		k.skipped++
		return false, 0
	}
	skipped = k.skipped
	k.last, k.skipped = now, 0
	return true, skipped
}
