// Package health watches whether the store answers, so that the server can
// say it is not ready and refuse requests at once while it does not, rather
// than let each request wait for a store that is down or hung.
package health

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Defaults of Options.
const (
	// DefaultInterval is how often a store that answers is asked again.
	DefaultInterval = 2 * time.Second
	// DefaultTimeout bounds one probe: a healthy store answers a health
	// check in milliseconds; a hung one never does.
	DefaultTimeout = 2 * time.Second
	// DefaultMaxBackoff is the longest wait between probes of a store that
	// does not answer; the wait doubles from MinBackoff up to it.
	DefaultMaxBackoff = 5 * time.Second
	// DefaultMinBackoff is the first wait after a failed probe.
	DefaultMinBackoff = 250 * time.Millisecond
)

// errNotProbed is the state before the first probe ended.
var errNotProbed = errors.New("the store has not been checked yet")

// Options tune a Monitor. The zero value is usable.
type Options struct {
	Interval, Timeout, MinBackoff, MaxBackoff time.Duration
	// Name says what is probed in log lines; "store" when empty.
	Name   string
	Logger *slog.Logger
}

// Monitor probes a store and remembers whether it answered. It starts not
// ready; Run probes until its context ends. It is safe for concurrent use.
type Monitor struct {
	probe func(context.Context) error
	opts  Options
	log   *slog.Logger
	wake  chan struct{}

	mu  sync.Mutex
	err error // nil when ready
}

// New returns a Monitor of probe, which reports whether the store answers.
func New(probe func(context.Context) error, opts Options) *Monitor {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if opts.Name == "" {
		opts.Name = "store"
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Monitor{probe: probe, opts: opts, log: log, wake: make(chan struct{}, 1), err: errNotProbed}
}

// Err returns why the store is not ready, or nil when it answered last.
func (m *Monitor) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// Ready reports whether the store answered the last probe.
func (m *Monitor) Ready() bool { return m.Err() == nil }

// Suspect asks for a probe now: a request found the store unreachable, and
// the requests after it should be refused at once if it is down.
func (m *Monitor) Suspect() {
	select {
	case m.wake <- struct{}{}:
	default: // a probe is asked for already
	}
}

// Run probes the store until ctx ends: every Interval while it answers,
// and after a failure with a backoff doubling from MinBackoff to
// MaxBackoff. It logs each change of state once.
func (m *Monitor) Run(ctx context.Context) {
	backoff := m.opts.MinBackoff
	for {
		pctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
		err := m.probe(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		m.set(err)
		wait := m.opts.Interval
		if err != nil {
			wait = backoff
			backoff = min(2*backoff, m.opts.MaxBackoff)
		} else {
			backoff = m.opts.MinBackoff
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-m.wake:
			t.Stop()
		}
	}
}

// Wait blocks until the store is ready or ctx ends (with ctx's error).
func (m *Monitor) Wait(ctx context.Context) error {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for !m.Ready() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

func (m *Monitor) set(err error) {
	m.mu.Lock()
	was := m.err
	m.err = err
	m.mu.Unlock()
	switch {
	case err == nil && was != nil:
		m.log.Info(m.opts.Name + " available: ready")
	case err != nil && (was == nil || was == errNotProbed):
		m.log.Warn(m.opts.Name+" unavailable: not ready; retrying with backoff", "err", err)
	}
}
