// Package indexer is the write path: it stamps, enriches, validates and
// filters incoming events, and writes the captured ones with group commit,
// coalescing concurrent callers into few bulk writes while acknowledging
// each caller only once the store made its events durable.
package indexer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/errs"
	"github.com/auditlog/auditlog/logthrottle"
	"github.com/auditlog/auditlog/store"
)

// Defaults of Options.
const (
	DefaultMaxBatch      = 1000
	DefaultMaxWait       = 2 * time.Millisecond
	DefaultQueue         = 256
	DefaultStatsInterval = time.Second
	DefaultWriteTimeout  = 30 * time.Second
)

// ErrClosed is the error of events ingested after Close.
var ErrClosed = errs.New(errs.Unavailable, "indexer closed")

// ErrComponentNotAllowed is the error of an event whose component the
// caller's key may not emit (audit.Principal.Components).
var ErrComponentNotAllowed = errs.New(errs.Forbidden, "component not allowed for this key")

// Options tune an Indexer. The zero value is usable.
type Options struct {
	// MaxBatch is the most events one store write carries.
	MaxBatch int
	// MaxWait is how long a batch stays open for more events after its
	// first one arrived: the latency paid for coalescing.
	MaxWait time.Duration
	// Writers is the number of batches written at once; 1 suits a store
	// with a single writer (SQLite), a few suit OpenSearch.
	Writers int
	// Queue is how many Ingest calls may wait for a writer before Ingest
	// blocks (backpressure).
	Queue int
	// StatsInterval is how often capture counters are flushed to the store.
	StatsInterval time.Duration
	// WriteTimeout bounds each store write (one batch of events, one flush
	// of capture counters), so that a hung store fails its writes instead
	// of parking the writers, and with them every caller, for ever.
	WriteTimeout time.Duration
	// Clock stamps IngestedAt and judges validity; time.Now when nil.
	Clock func() time.Time
	// Logger receives write-path failures; slog.Default() when nil.
	Logger *slog.Logger
	// IDs assigns ids to events that come without one; NewULIDs(Clock)
	// when nil. It must be safe for concurrent use.
	IDs func() string
	// OnBatch, when set, is told about every store write (metrics).
	OnBatch func(events int, took time.Duration, err error)
}

// Result is the outcome of ingesting one event.
type Result struct {
	// ID is the event's id, assigned when the event came without one, so a
	// caller whose acknowledgement was lost can retry idempotently.
	ID string
	// Captured reports that the event is stored (also when Duplicate).
	Captured bool
	// Duplicate reports that an event with this id was already stored and
	// was left unchanged.
	Duplicate bool
	// Reason says why capture rules suppressed the event.
	Reason audit.SuppressReason
	// Err is this event's failure: an *audit.InvalidError for bad input,
	// otherwise a store or context error.
	Err error
}

// Stats counts the indexer's store writes since it started.
type Stats struct {
	// Batches is the number of WriteEvents calls, Events the events they carried.
	Batches int64
	Events  int64
}

// Indexer is the write path. It is safe for concurrent use.
type Indexer struct {
	st        store.EventStore
	capture   *capture.Service
	validator *audit.Validator
	opts      Options
	log       *slog.Logger
	// quiet rate-limits failure lines: during an outage every batch and
	// every flush fails alike.
	quiet *logthrottle.Throttle

	// mu guards sends on queue: senders hold it for reading, Close takes
	// it to close queue, so nothing is sent after that.
	mu    sync.RWMutex
	queue chan []item
	// closing is closed first by Close, so that a sender waiting for room
	// in the queue gives up instead of holding mu against Close.
	closing   chan struct{}
	closeOnce sync.Once
	// hooks are set by tests only.
	hooks hooks

	writeCtx     context.Context
	cancelWrites context.CancelFunc
	writers      sync.WaitGroup
	stopStats    chan struct{}
	statsDone    chan struct{}

	batches atomic.Int64
	events  atomic.Int64
}

// hooks let tests see where Ingest calls are without sleeping: waiting is
// called with mu held before a call waits for room in the queue, queued
// once its events are in the queue.
type hooks struct {
	waiting, queued func()
}

// item is one captured event waiting for its write.
type item struct {
	ev       audit.Event
	decision capture.Decision
	call     *call
	idx      int
}

// call is one Ingest call waiting for its captured events to be written.
type call struct {
	mu        sync.Mutex
	results   []Result
	acked     []bool
	remaining int
	abandoned bool
	done      chan struct{}
}

// ack records the outcome of one event, unless the caller already left.
func (c *call) ack(idx int, r Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.abandoned || c.acked[idx] {
		return
	}
	c.results[idx], c.acked[idx] = r, true
	c.remaining--
	if c.remaining == 0 {
		close(c.done)
	}
}

// abandon fails every event not acknowledged yet; later acks are ignored.
func (c *call) abandon(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.abandoned = true
	for i, ok := range c.acked {
		if !ok {
			c.results[i].Err = err
		}
	}
}

// New starts an indexer writing to st and deciding capture with c.
// Close stops it.
func New(st store.EventStore, c *capture.Service, opts Options) *Indexer {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.Writers <= 0 {
		opts.Writers = 1
	}
	if opts.Queue <= 0 {
		opts.Queue = DefaultQueue
	}
	if opts.StatsInterval <= 0 {
		opts.StatsInterval = DefaultStatsInterval
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.IDs == nil {
		opts.IDs = NewULIDs(opts.Clock)
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	ix := &Indexer{
		st:        st,
		capture:   c,
		validator: audit.NewValidator(),
		opts:      opts,
		log:       log,
		quiet:     logthrottle.New(0, nil),
		queue:     make(chan []item, opts.Queue),
		closing:   make(chan struct{}),
		stopStats: make(chan struct{}),
		statsDone: make(chan struct{}),
	}
	// Writes run on their own context so that no caller's cancellation
	// can abort a batch that carries other callers' events.
	ix.writeCtx, ix.cancelWrites = context.WithCancel(context.Background())
	for range opts.Writers {
		ix.writers.Add(1)
		go ix.runWriter()
	}
	go ix.runStatsFlusher()
	return ix
}

// Stats returns the store writes made so far.
func (ix *Indexer) Stats() Stats {
	return Stats{Batches: ix.batches.Load(), Events: ix.events.Load()}
}

// Ingest stores the principal's events and returns one result per event,
// in input order. The tenant is the principal's, whatever the payload says.
// Captured events are acknowledged only once written. If ctx ends first,
// the events not yet acknowledged get ctx's error: they may or may not be
// stored, and retrying them with the returned ids is safe.
func (ix *Indexer) Ingest(ctx context.Context, p audit.Principal, events []audit.Event) []Result {
	return ix.ingest(ctx, p, events, false)
}

// IngestOwn ingests the service's own events (catalog.ServiceComponent),
// which Ingest refuses so that no caller can forge auditlog's own trail.
func (ix *Indexer) IngestOwn(ctx context.Context, p audit.Principal, events []audit.Event) []Result {
	return ix.ingest(ctx, p, events, true)
}

func (ix *Indexer) ingest(ctx context.Context, p audit.Principal, events []audit.Event, own bool) []Result {
	results := make([]Result, len(events))
	now := ix.opts.Clock().UTC().Truncate(time.Millisecond)
	var items []item
	for i := range events {
		ev, err := ix.prepare(ctx, p, events[i], now, own)
		results[i].ID = ev.ID
		if err != nil {
			results[i].Err = err
			continue
		}
		d, err := ix.capture.Decide(ctx, &ev)
		if err != nil {
			results[i].Err = err
			continue
		}
		if !d.Captured {
			results[i].Reason = d.Reason
			ix.capture.RecordDecision(ev.Tenant, ev.ComponentID, d)
			continue
		}
		items = append(items, item{ev: ev, decision: d, idx: i})
	}
	if len(items) == 0 {
		return results
	}

	// acked starts true for events already settled (invalid, suppressed).
	c := &call{results: results, acked: make([]bool, len(events)), remaining: len(items), done: make(chan struct{})}
	for i := range c.acked {
		c.acked[i] = true
	}
	for i := range items {
		items[i].call = c
		c.acked[items[i].idx] = false
	}
	if err := ix.enqueue(ctx, items); err != nil {
		for _, it := range items {
			results[it.idx].Err = err
		}
		return results
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		c.abandon(fmt.Errorf("not acknowledged: %w", ctx.Err()))
	}
	return results
}

// prepare stamps, enriches and validates one event.
func (ix *Indexer) prepare(ctx context.Context, p audit.Principal, ev audit.Event, now time.Time, own bool) (audit.Event, error) {
	if ev.TargetUser != nil {
		tu := *ev.TargetUser // the caller's value stays untouched
		ev.TargetUser = &tu
	}
	ev.Tenant = p.Tenant
	if ev.ID == "" {
		ev.ID = ix.opts.IDs()
	}
	ev.IngestedAt = now
	ev.OccurredAt = ev.OccurredAt.UTC().Truncate(time.Millisecond)
	ev.Flag = nil // flags are set by reviewers, never by emitters
	if (ev.ComponentID == catalog.ServiceComponent) != own {
		if own {
			return ev, fmt.Errorf("the service's own events must be of component %s, got %q", catalog.ServiceComponent, ev.ComponentID)
		}
		return ev, audit.Invalid("componentId", "%s is reserved for auditlog's own trail", catalog.ServiceComponent)
	}
	if len(p.Components) > 0 && !slices.Contains(p.Components, ev.ComponentID) {
		return ev, fmt.Errorf("component %q: %w", ev.ComponentID, ErrComponentNotAllowed)
	}
	if err := ix.capture.Enrich(ctx, &ev); err != nil {
		return ev, err
	}
	if err := ix.validator.Event(&ev, now); err != nil {
		return ev, err
	}
	return ev, nil
}

func (ix *Indexer) enqueue(ctx context.Context, items []item) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	select {
	case <-ix.closing:
		return ErrClosed
	default:
	}
	if ix.hooks.waiting != nil {
		ix.hooks.waiting()
	}
	select {
	case ix.queue <- items:
		if ix.hooks.queued != nil {
			ix.hooks.queued()
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("not queued: %w", ctx.Err())
	case <-ix.closing:
		return ErrClosed
	}
}

// runWriter collects queued events into batches: a batch is written when
// it holds MaxBatch events or MaxWait has passed since its first event.
func (ix *Indexer) runWriter() {
	defer ix.writers.Done()
	var pending []item
	open := true
	for open || len(pending) > 0 {
		wait := true
		if len(pending) == 0 {
			chunk, ok := <-ix.queue
			if !ok {
				return
			}
			pending = chunk
		} else {
			wait = false // left over from a full batch: it already waited
		}
		if open && len(pending) < ix.opts.MaxBatch {
			pending, open = ix.collect(pending, wait)
		}
		n := min(len(pending), ix.opts.MaxBatch)
		ix.write(pending[:n])
		pending = pending[n:]
	}
}

// collect adds queued events to pending until the batch is full and, if
// wait is set, until MaxWait passed; otherwise only what is queued now.
// Events already queued always join a batch that has room, even once
// MaxWait passed, so a backlog is written in full batches.
func (ix *Indexer) collect(pending []item, wait bool) ([]item, bool) {
	var timeout <-chan time.Time
	if wait {
		t := time.NewTimer(ix.opts.MaxWait)
		defer t.Stop()
		timeout = t.C
	}
	for len(pending) < ix.opts.MaxBatch {
		select {
		case chunk, ok := <-ix.queue:
			if !ok {
				return pending, false
			}
			pending = append(pending, chunk...)
			continue
		default:
		}
		if !wait {
			return pending, true
		}
		select {
		case chunk, ok := <-ix.queue:
			if !ok {
				return pending, false
			}
			pending = append(pending, chunk...)
		case <-timeout:
			return pending, true
		}
	}
	return pending, true
}

// write stores one batch and acknowledges each of its events.
func (ix *Indexer) write(batch []item) {
	// IngestedAt is stamped again as the batch goes to the store, so that it
	// precedes the write by at most WriteTimeout however long the batch
	// queued: checkpoints close an ingest-time window only once every write
	// stamped within it has completed (checkpointer.Options.Margin).
	stamp := ix.opts.Clock().UTC().Truncate(time.Millisecond)
	events := make([]audit.Event, len(batch))
	for i := range batch {
		events[i] = batch[i].ev
		events[i].IngestedAt = stamp
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ix.writeCtx, ix.opts.WriteTimeout)
	res, err := ix.st.WriteEvents(ctx, events)
	cancel()
	if err == nil && len(res) != len(events) {
		err = fmt.Errorf("store returned %d results for %d events", len(res), len(events))
	}
	ix.batches.Add(1)
	ix.events.Add(int64(len(events)))
	if ix.opts.OnBatch != nil {
		ix.opts.OnBatch(len(events), time.Since(start), err)
	}
	if err != nil {
		ix.logFailure("write events", "events", len(events), "err", err)
	} else if failed, first := itemFailures(res); failed > 0 {
		ix.logFailure("write events: items failed", "events", len(events), "failed", failed, "first_err", first)
	}
	for i, it := range batch {
		r := Result{ID: it.ev.ID}
		switch {
		case err != nil:
			r.Err = fmt.Errorf("write event: %w", err)
		case res[i].Err != nil:
			r.Err = fmt.Errorf("write event: %w", res[i].Err)
		default:
			r.Captured, r.Duplicate = true, res[i].Duplicate
			if !r.Duplicate {
				ix.capture.RecordDecision(it.ev.Tenant, it.ev.ComponentID, it.decision)
			}
		}
		it.call.ack(it.idx, r)
	}
}

// logFailure logs a failed store write as an error, at most once per
// logthrottle.DefaultInterval per message, saying how many were left out.
func (ix *Indexer) logFailure(msg string, args ...any) {
	ok, skipped := ix.quiet.Allow(msg)
	if !ok {
		return
	}
	if skipped > 0 {
		args = append(args, "similar_left_out", skipped)
	}
	ix.log.Error(msg, args...)
}

// itemFailures counts the failed items of a batch, other than invalid
// input (the caller's to fix, and told so), and returns the first error.
func itemFailures(res []store.WriteResult) (int, error) {
	n := 0
	var first error
	for _, r := range res {
		if r.Err == nil {
			continue
		}
		if _, invalid := audit.AsInvalid(r.Err); invalid {
			continue
		}
		if first == nil {
			first = r.Err
		}
		n++
	}
	return n, first
}

func (ix *Indexer) runStatsFlusher() {
	defer close(ix.statsDone)
	t := time.NewTicker(ix.opts.StatsInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			ctx, cancel := context.WithTimeout(ix.writeCtx, ix.opts.WriteTimeout)
			if err := ix.capture.FlushStats(ctx); err != nil {
				ix.logFailure("flush capture stats", "err", err)
			}
			cancel()
		case <-ix.stopStats:
			return
		}
	}
}

// Close stops accepting events, writes every queued event and flushes the
// capture counters. Ingest calls still waiting for room in the queue get
// ErrClosed. If ctx ends first, writes in flight are cancelled and their
// callers get errors. Only the first call closes; later ones return nil.
func (ix *Indexer) Close(ctx context.Context) error {
	first := false
	ix.closeOnce.Do(func() { first = true })
	if !first {
		return nil
	}
	// Senders blocked on a full queue hold mu for reading: release them
	// before taking it, or Close would wait as long as the store hangs.
	close(ix.closing)
	ix.mu.Lock()
	close(ix.queue)
	ix.mu.Unlock()

	drained := make(chan struct{})
	go func() {
		ix.writers.Wait()
		close(drained)
	}()
	var errs []error
	select {
	case <-drained:
	case <-ctx.Done():
		ix.cancelWrites()
		<-drained
		errs = append(errs, fmt.Errorf("close indexer: %w", ctx.Err()))
	}
	close(ix.stopStats)
	<-ix.statsDone
	// The last counts are worth a short grace period even past ctx.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := ix.capture.FlushStats(fctx); err != nil {
		errs = append(errs, fmt.Errorf("close indexer: %w", err))
	}
	ix.cancelWrites()
	return errors.Join(errs...)
}
