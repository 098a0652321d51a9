// Package live follows a tenant's events as they are ingested: the live
// tail of the GraphQL subscription eventsAdded. Each subscription polls the
// store by ingest-time cursor (store.TailStore), so an event ingested
// through any replica reaches a subscriber connected to any other.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// Defaults of Config.
const (
	DefaultPollInterval = 500 * time.Millisecond
	// DefaultOverlap is how far behind the newest event seen every poll
	// reads again: writers that finish a few milliseconds out of order.
	// Kept short: every subscription re-reads it twice a second, and with
	// 3 s ten subscribers cut SQLite's ingest rate sixfold.
	DefaultOverlap = 100 * time.Millisecond
	// DefaultLookback covers what shows late: OpenSearch's refresh (about
	// a second), a batch written slowly after its ingest time was stamped:
	// every DefaultLookbackEvery, a poll reads again this far behind, so a
	// late event arrives at most that much later. A write acknowledged
	// more than DefaultLookback after its stamp (the indexer allows 30 s)
	// can be missed by the tail; streams do not rely on it.
	DefaultLookback      = 15 * time.Second
	DefaultLookbackEvery = 5 * time.Second
	// DefaultBuffer is how many events may wait for a subscriber, and
	// DefaultPatience how long the buffer may stay more than half full
	// once it filled: a subscriber slower than that is dropped.
	DefaultBuffer   = 256
	DefaultPatience = 5 * time.Second
	// DefaultMaxPerKey and DefaultMaxTotal bound the subscriptions of one
	// API key and of the whole server: each polls the store.
	DefaultMaxPerKey = 5
	DefaultMaxTotal  = 200
	// pollPage is the events read per store call; maxPagesPerPoll bounds
	// one poll, the rest waits for the next.
	pollPage        = 500
	maxPagesPerPoll = 20
)

// Errors of Subscribe and of a subscription's end.
var (
	// ErrTooMany refuses a subscription over a bound (Config.MaxPerKey,
	// Config.MaxTotal).
	ErrTooMany = errors.New("too many live subscriptions")
	// ErrSlow ends the subscription of a subscriber that did not take its
	// events as fast as they came.
	ErrSlow = errors.New("slow subscriber")
	// ErrRevoked ends the subscription of a caller whose key no longer
	// authenticates (see WithRecheck).
	ErrRevoked = errors.New("the API key of this connection is no longer valid")
	// errEnded stops a poll whose subscription ended.
	errEnded = errors.New("subscription ended")
)

// Config bounds and paces the live tail. Zero fields take the defaults.
type Config struct {
	PollInterval  time.Duration
	Overlap       time.Duration
	Lookback      time.Duration
	LookbackEvery time.Duration
	Buffer        int
	Patience      time.Duration
	MaxPerKey     int
	MaxTotal      int
}

func (c Config) withDefaults() Config {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.PollInterval, DefaultPollInterval)
	def(&c.Overlap, DefaultOverlap)
	def(&c.Lookback, DefaultLookback)
	def(&c.LookbackEvery, DefaultLookbackEvery)
	def(&c.Patience, DefaultPatience)
	c.Lookback = max(c.Lookback, c.Overlap)
	if c.Buffer <= 0 {
		c.Buffer = DefaultBuffer
	}
	if c.MaxPerKey <= 0 {
		c.MaxPerKey = DefaultMaxPerKey
	}
	if c.MaxTotal <= 0 {
		c.MaxTotal = DefaultMaxTotal
	}
	return c
}

// CutoffsFunc returns the retention cutoffs of a tenant's components
// (capture.Service.Cutoffs).
type CutoffsFunc func(ctx context.Context, tenant string) (map[string]time.Time, error)

// Tail starts and bounds subscriptions. It is safe for concurrent use.
type Tail struct {
	store   store.TailStore
	cutoffs CutoffsFunc
	cfg     Config
	now     func() time.Time
	log     *slog.Logger

	mu     sync.Mutex
	perKey map[string]int
	total  int
}

// New returns a Tail reading st; clock is time.Now and log slog.Default()
// when nil.
func New(st store.TailStore, cutoffs CutoffsFunc, cfg Config, clock func() time.Time, log *slog.Logger) *Tail {
	if clock == nil {
		clock = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Tail{store: st, cutoffs: cutoffs, cfg: cfg.withDefaults(), now: clock, log: log, perKey: map[string]int{}}
}

// Subscription is one follower of a tenant's events.
type Subscription struct {
	events chan audit.Event
	err    error // set before events is closed
}

// Events delivers the events, in ingest order as far as the store shows
// them (an event that became visible late comes when it does). It is
// closed when the subscription ends; Err then says why.
func (s *Subscription) Events() <-chan audit.Event { return s.events }

// Err is nil when the subscription ended with its context, ErrSlow when
// the subscriber fell behind, or the store's error. Read it only after
// Events is closed.
func (s *Subscription) Err() error { return s.err }

// Subscribe follows q.Tenant's events matching q.Filter, ingested from now
// on, for the API key keyID, until ctx ends. Retention cutoffs are read at
// every poll. It returns ErrTooMany over a bound.
func (t *Tail) Subscribe(ctx context.Context, keyID string, q audit.Query) (*Subscription, error) {
	if err := t.acquire(keyID); err != nil {
		return nil, err
	}
	sub := &Subscription{events: make(chan audit.Event, t.cfg.Buffer)}
	f := &follower{tail: t, q: q, sub: sub, floor: t.now(), seen: map[string]time.Time{}}
	go func() {
		sub.err = f.run(ctx)
		// The slot is free before the subscriber learns of the end.
		t.release(keyID)
		close(sub.events)
	}()
	return sub, nil
}

func (t *Tail) acquire(keyID string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.total >= t.cfg.MaxTotal:
		return fmt.Errorf("this server already serves %d live subscriptions, its most; retry later or on another replica: %w", t.total, ErrTooMany)
	case t.perKey[keyID] >= t.cfg.MaxPerKey:
		return fmt.Errorf("this API key already has %d live subscriptions, its most: %w", t.perKey[keyID], ErrTooMany)
	}
	t.total++
	t.perKey[keyID]++
	return nil
}

func (t *Tail) release(keyID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total--
	if t.perKey[keyID]--; t.perKey[keyID] <= 0 {
		delete(t.perKey, keyID)
	}
}

// follower is the poll loop of one subscription.
type follower struct {
	tail *Tail
	q    audit.Query
	sub  *Subscription
	// floor is when the subscription started: earlier events are not its.
	floor time.Time
	// high is the newest ingest time delivered; seen holds the ids
	// delivered within the lookback behind it, with their ingest times.
	high time.Time
	seen map[string]time.Time
	// fullSince is when the buffer was found full and has not been half
	// emptied since; zero when it has.
	fullSince time.Time
}

func (f *follower) run(ctx context.Context) error {
	tick := time.NewTicker(f.tail.cfg.PollInterval)
	defer tick.Stop()
	var lastLookback time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		back := f.tail.cfg.Overlap
		if now := f.tail.now(); now.Sub(lastLookback) >= f.tail.cfg.LookbackEvery {
			back, lastLookback = f.tail.cfg.Lookback, now
			// A revoked key stops seeing events within this interval.
			if err := recheck(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				if errors.Is(err, ErrRevoked) {
					disconnect(ctx, "the API key is no longer valid")
					return err
				}
				f.tail.log.WarnContext(ctx, "live tail: recheck of the API key failed", "tenant", f.q.Tenant, "err", err)
			}
		}
		if err := f.poll(ctx, back); err != nil {
			if errors.Is(err, errEnded) {
				return nil
			}
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, ErrSlow) {
				// The connection goes too: its subscriber cannot tell
				// from a quiet tail that it lost events.
				disconnect(ctx, err.Error()+"; subscribe again to resume")
				return err
			}
			// A store that fails now may answer at the next poll; the
			// subscriber loses nothing meanwhile, the cursor stays.
			f.tail.log.WarnContext(ctx, "live tail: poll failed", "tenant", f.q.Tenant, "err", err)
		}
	}
}

// poll reads the events ingested from back behind the newest seen, and
// delivers those not delivered yet.
func (f *follower) poll(ctx context.Context, back time.Duration) error {
	q := f.q
	q.Limit = pollPage
	cutoffs, err := f.tail.cutoffs(ctx, q.Tenant)
	if err != nil {
		return fmt.Errorf("retention cutoffs: %w", err)
	}
	q.Cutoffs = cutoffs
	from := f.floor
	if !f.high.IsZero() {
		from = later(from, f.high.Add(-back))
	}
	// (from, "") precedes every event ingested at from: ids are never empty.
	after := store.IngestKey{IngestedAt: from}
	for range maxPagesPerPoll {
		page, err := f.tail.store.EventsIngestedAfter(ctx, q, after)
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := f.deliver(ctx, e); err != nil {
				return err
			}
		}
		if len(page) < q.Limit {
			break
		}
		last := page[len(page)-1]
		after = store.IngestKey{IngestedAt: last.IngestedAt, ID: last.ID}
	}
	// Ids older than the longest read-back can never be read again.
	horizon := f.high.Add(-f.tail.cfg.Lookback)
	for id, at := range f.seen {
		if at.Before(horizon) {
			delete(f.seen, id)
		}
	}
	return nil
}

func (f *follower) deliver(ctx context.Context, e audit.Event) error {
	if e.IngestedAt.Before(f.floor) {
		return nil
	}
	if _, ok := f.seen[e.ID]; ok {
		return nil
	}
	select {
	case f.sub.events <- e:
		// Caught up once the backlog is half gone, not on every event
		// taken: a subscriber that takes an event now and then from a
		// full buffer is as slow as one that takes none.
		if len(f.sub.events) <= cap(f.sub.events)/2 {
			f.fullSince = time.Time{}
		}
	default:
		now := f.tail.now()
		if f.fullSince.IsZero() {
			f.fullSince = now
		}
		wait := time.NewTimer(f.tail.cfg.Patience - now.Sub(f.fullSince))
		defer wait.Stop()
		select {
		case f.sub.events <- e:
		case <-ctx.Done():
			return errEnded
		case <-wait.C:
			return fmt.Errorf("%w: %d events waiting for more than %v", ErrSlow, cap(f.sub.events), f.tail.cfg.Patience)
		}
	}
	f.seen[e.ID] = e.IngestedAt
	f.high = later(f.high, e.IngestedAt)
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

type disconnectKey struct{}

// WithDisconnect returns a context whose subscriptions, when their
// subscriber is slow, close its connection by calling fn with the reason.
// The WebSocket transport sets it; a subscription without it is served
// over no connection that could be closed, and is refused.
func WithDisconnect(ctx context.Context, fn func(reason string)) context.Context {
	return context.WithValue(ctx, disconnectKey{}, fn)
}

// Connected reports whether ctx belongs to a connection subscriptions are
// served over (see WithDisconnect).
func Connected(ctx context.Context) bool {
	_, ok := ctx.Value(disconnectKey{}).(func(string))
	return ok
}

func disconnect(ctx context.Context, reason string) {
	if fn, ok := ctx.Value(disconnectKey{}).(func(string)); ok {
		fn(reason)
	}
}

type recheckKey struct{}

// WithRecheck returns a context whose subscriptions call fn every
// Config.LookbackEvery: an error wrapping ErrRevoked ends them and closes
// their connection; another error (the key store failing) is logged and
// the subscription goes on. The WebSocket transport sets it to
// authenticate the connection's key again.
func WithRecheck(ctx context.Context, fn func(context.Context) error) context.Context {
	return context.WithValue(ctx, recheckKey{}, fn)
}

func recheck(ctx context.Context) error {
	if fn, ok := ctx.Value(recheckKey{}).(func(context.Context) error); ok {
		return fn(ctx)
	}
	return nil
}
