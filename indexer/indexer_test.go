package indexer_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/eventgen"
	"github.com/auditlog/auditlog/indexer"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/sqlite"
)

var (
	now     = time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	emitter = audit.Principal{Tenant: "acme", User: audit.User{Type: audit.UserSystem, ID: "svc-kms"}, Role: audit.RoleEmitter}
	admin   = audit.Principal{Tenant: "acme", User: audit.User{Type: audit.UserDashboard, ID: "u-1", Name: "Priya Shah"}, Role: audit.RoleAdmin}
)

type fixture struct {
	st  *sqlite.Store
	cap *capture.Service
	ix  *indexer.Indexer
	// gate holds the indexer's writes, in fixtures made by newGatedFixture.
	gate *gatedStore
}

func newFixture(t testing.TB, opts indexer.Options) *fixture {
	t.Helper()
	return buildFixture(t, opts, false)
}

// newGatedFixture's indexer writes through f.gate, which holds every write
// until the test opens it.
func newGatedFixture(t testing.TB, opts indexer.Options) *fixture {
	t.Helper()
	return buildFixture(t, opts, true)
}

func buildFixture(t testing.TB, opts indexer.Options, gated bool) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	f := &fixture{st: st}
	f.cap = capture.NewService(st, cat, capture.Options{Clock: clock})
	if opts.Clock == nil {
		opts.Clock = clock
	}
	var events store.EventStore = st
	if gated {
		f.gate = newGatedStore(st)
		events = f.gate
	}
	f.ix = indexer.New(events, f.cap, opts)
	t.Cleanup(func() {
		if err := f.ix.Close(context.Background()); err != nil {
			t.Errorf("close indexer: %v", err)
		}
		st.Close()
	})
	if gated {
		t.Cleanup(f.gate.Open) // runs first: Close must not wait on the gate
	}
	return f
}

// gatedStore holds every WriteEvents call until Open is called or the
// write's context ends (then it fails with the context's error), and
// reports each call on entered as it arrives.
type gatedStore struct {
	store.EventStore
	open     chan struct{}
	openOnce sync.Once
	entered  chan write
}

// write is one store call as a wrapper saw it arrive.
type write struct {
	ids         []string
	at          time.Time
	deadline    time.Time
	hasDeadline bool
}

func arrived(ctx context.Context, events []audit.Event) write {
	w := write{at: time.Now()}
	w.deadline, w.hasDeadline = ctx.Deadline()
	for _, ev := range events {
		w.ids = append(w.ids, ev.ID)
	}
	return w
}

func newGatedStore(st store.EventStore) *gatedStore {
	return &gatedStore{EventStore: st, open: make(chan struct{}), entered: make(chan write, 1000)}
}

// Open lets held and later writes through.
func (g *gatedStore) Open() { g.openOnce.Do(func() { close(g.open) }) }

func (g *gatedStore) WriteEvents(ctx context.Context, events []audit.Event) ([]store.WriteResult, error) {
	g.entered <- arrived(ctx, events)
	select {
	case <-g.open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.EventStore.WriteEvents(ctx, events)
}

// checkDeadline checks that w's context ended timeout after the write was
// started: not before begin (taken before the call that caused it) plus
// timeout, nor after the store saw it plus timeout.
func checkDeadline(t *testing.T, w write, begin time.Time, timeout time.Duration) {
	t.Helper()
	if !w.hasDeadline {
		t.Fatalf("store called without a deadline, want one %s away", timeout)
	}
	if w.deadline.Before(begin.Add(timeout)) || w.deadline.After(w.at.Add(timeout)) {
		t.Fatalf("store called with deadline %s, want %s after the write started (between %s and %s)",
			w.deadline, timeout, begin.Add(timeout), w.at.Add(timeout))
	}
}

func event(id string) audit.Event {
	return audit.Event{
		ID:          id,
		ComponentID: "KMS",
		EventType:   "ARTICLE_PUBLISHED",
		Description: "Priya Shah published article 'VPN setup guide' in folder IT",
		Status:      audit.StatusSuccess,
		ActionUser:  audit.User{Type: audit.UserDashboard, Name: "Priya Shah", Email: "priya.shah@acme.example", IPAddress: "203.0.113.7"},
		OccurredAt:  now.Add(-time.Hour),
	}
}

// stored returns how many of the tenant's events the store holds.
func stored(t *testing.T, st store.EventStore, tenant string) int64 {
	t.Helper()
	page, err := st.SearchEvents(context.Background(), audit.Query{Tenant: tenant, Order: audit.NewestFirst, Limit: 1})
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	return page.Total
}

// concurrentSingles ingests n single-event calls released at once and
// returns their results.
func concurrentSingles(t *testing.T, ix *indexer.Indexer, n int) []indexer.Result {
	t.Helper()
	return startSingles(t, ix, n)()
}

// startSingles starts n single-event calls at once and returns a function
// that waits for them and returns their results.
func startSingles(t *testing.T, ix *indexer.Indexer, n int) func() []indexer.Result {
	t.Helper()
	results := make([]indexer.Result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := event("")
			ev.Description = fmt.Sprintf("event %d", i)
			<-start
			rs := ix.Ingest(context.Background(), emitter, []audit.Event{ev})
			if len(rs) != 1 {
				t.Errorf("caller %d got %d results", i, len(rs))
				return
			}
			results[i] = rs[0]
		}()
	}
	close(start)
	return func() []indexer.Result {
		wg.Wait()
		return results
	}
}

func checkAllStoredOnce(t *testing.T, st store.EventStore, results []indexer.Result) {
	t.Helper()
	ids := map[string]bool{}
	for i, r := range results {
		if r.Err != nil || !r.Captured || r.Duplicate || r.ID == "" {
			t.Fatalf("caller %d: %+v, want captured with an id", i, r)
		}
		if ids[r.ID] {
			t.Fatalf("id %s assigned twice", r.ID)
		}
		ids[r.ID] = true
		// Acknowledged means durable: readable right away.
		if _, err := st.GetEvent(context.Background(), "acme", r.ID, nil); err != nil {
			t.Fatalf("acknowledged event %s: %v", r.ID, err)
		}
	}
	if n := stored(t, st, "acme"); n != int64(len(results)) {
		t.Errorf("%d events stored, want %d", n, len(results))
	}
}

// A batch is written only once MaxBatch events are queued (MaxWait is far
// away), so 64 single-event callers must share one store write.
func TestGroupCommitCoalescesConcurrentCallers(t *testing.T) {
	f := newFixture(t, indexer.Options{MaxBatch: 64, MaxWait: time.Hour})
	results := concurrentSingles(t, f.ix, 64)
	checkAllStoredOnce(t, f.st, results)
	if st := f.ix.Stats(); st.Batches != 1 || st.Events != 64 {
		t.Errorf("stats = %+v, want 64 events in 1 write", st)
	}
}

// With the default window, callers that queue up while a write is in
// progress all share the next write, however the scheduler runs them.
func TestGroupCommitWithDefaultWindow(t *testing.T) {
	f := newGatedFixture(t, indexer.Options{})
	queued := make(chan struct{}, 64)
	indexer.SetQueueHooks(f.ix, nil, func() { queued <- struct{}{} })

	first := make(chan []indexer.Result, 1)
	go func() { first <- f.ix.Ingest(context.Background(), emitter, []audit.Event{event("")}) }()
	<-f.gate.entered // the first caller's write holds the writer
	wait := startSingles(t, f.ix, 63)
	for range 64 { // the first caller and the 63 others
		<-queued
	}
	f.gate.Open()
	results := append(<-first, wait()...)
	checkAllStoredOnce(t, f.st, results)
	if st := f.ix.Stats(); st.Batches != 2 || st.Events != 64 {
		t.Errorf("stats = %+v, want 64 events in 2 writes (the first caller's, then the 63 queued behind it)", st)
	}
}

func TestBatchWithDuplicatesAndInvalidItems(t *testing.T) {
	f := newFixture(t, indexer.Options{})
	ctx := context.Background()
	if rs := f.ix.Ingest(ctx, emitter, []audit.Event{event("kept-1")}); rs[0].Err != nil || rs[0].Duplicate {
		t.Fatalf("first write: %+v", rs[0])
	}

	badEmail := event("bad-1")
	badEmail.ActionUser.Email = "not-an-address"
	noStatus := event("bad-2")
	noStatus.Status = ""
	again := event("kept-1")
	again.Description = "a retry that must not overwrite"
	fresh := event("")
	fresh.Tenant = "globex" // ignored: the tenant is the caller's
	fresh.OccurredAt = time.Date(2025, 6, 10, 13, 0, 0, 123456789, time.FixedZone("IST", 19800))

	rs := f.ix.Ingest(ctx, emitter, []audit.Event{event("new-1"), badEmail, again, event("new-1"), noStatus, fresh})
	if len(rs) != 6 {
		t.Fatalf("%d results for 6 events", len(rs))
	}
	want := []struct {
		id         string
		captured   bool
		duplicate  bool
		wrongField string
	}{
		{"new-1", true, false, ""},
		{"bad-1", false, false, "actionUser.email"},
		{"kept-1", true, true, ""},
		{"new-1", true, true, ""},
		{"bad-2", false, false, "status"},
		{"", true, false, ""},
	}
	for i, w := range want {
		r := rs[i]
		if w.id != "" && r.ID != w.id {
			t.Errorf("result %d id %q, want %q", i, r.ID, w.id)
		}
		if r.Captured != w.captured || r.Duplicate != w.duplicate {
			t.Errorf("result %d = %+v, want captured %v duplicate %v", i, r, w.captured, w.duplicate)
		}
		if w.wrongField == "" {
			if r.Err != nil {
				t.Errorf("result %d: %v", i, r.Err)
			}
			continue
		}
		ie, ok := audit.AsInvalid(r.Err)
		if !ok || len(ie.Fields) != 1 || ie.Fields[0].Field != w.wrongField {
			t.Errorf("result %d error %v, want invalid %s", i, r.Err, w.wrongField)
		}
	}
	if n := stored(t, f.st, "acme"); n != 3 {
		t.Errorf("%d events stored, want kept-1, new-1 and the fresh one", n)
	}
	if n := stored(t, f.st, "globex"); n != 0 {
		t.Errorf("%d events stored for the tenant named in the payload", n)
	}
	kept, err := f.st.GetEvent(ctx, "acme", "kept-1", nil)
	if err != nil || kept.Description != event("").Description {
		t.Errorf("duplicate changed the first event: %q, %v", kept.Description, err)
	}
	got, err := f.st.GetEvent(ctx, "acme", rs[5].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 6, 10, 7, 30, 0, 123000000, time.UTC); !got.OccurredAt.Equal(want) || got.OccurredAt.Location() != time.UTC {
		t.Errorf("occurredAt stored as %s, want %s (UTC, ms)", got.OccurredAt, want)
	}
	if !got.IngestedAt.Equal(now) || got.EventTypeName != "Article published" || got.Priority != audit.PriorityHigh || got.Area != "Article lifecycle" {
		t.Errorf("stored event not stamped and enriched: ingestedAt %s, name %q, priority %s, area %q", got.IngestedAt, got.EventTypeName, got.Priority, got.Area)
	}
}

func TestSuppressedEventsAreReportedAndCounted(t *testing.T) {
	f := newFixture(t, indexer.Options{})
	ctx := context.Background()
	cfg, err := f.cap.Configure(ctx, admin, "KMS", capture.ConfigInput{LoggingEnabled: true, MinPriority: ptr(audit.PriorityCritical), CaptureDescription: false, CaptureIPAddress: true})
	if err != nil {
		t.Fatal(err)
	}
	critical := event("crit-1")
	critical.Priority = audit.PriorityCritical
	cms := event("cms-1")
	cms.ComponentID, cms.EventType = "CMS", "CREATE_USER_GROUP"

	rs := f.ix.Ingest(ctx, emitter, []audit.Event{event("high-1"), critical, cms})
	if r := rs[0]; r.Captured || r.Err != nil || r.Reason != audit.ReasonBelowMinPriority {
		t.Errorf("HIGH event under min CRITICAL: %+v", r)
	}
	if r := rs[1]; !r.Captured || r.Err != nil {
		t.Errorf("CRITICAL event: %+v", r)
	}
	if r := rs[2]; !r.Captured || r.Err != nil {
		t.Errorf("CMS event: %+v", r)
	}
	if _, err := f.st.GetEvent(ctx, "acme", "high-1", nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("suppressed event stored: %v", err)
	}
	got, err := f.st.GetEvent(ctx, "acme", "crit-1", nil)
	if err != nil || got.Description != "" {
		t.Errorf("captured KMS event: description %q, %v; want it dropped", got.Description, err)
	}

	if err := f.ix.Close(ctx); err != nil { // flushes the counters
		t.Fatal(err)
	}
	kms, err := f.st.GetCaptureStats(ctx, "acme", "KMS", cfg.Version)
	if err != nil || kms.Captured != 1 || kms.Suppressed[audit.ReasonBelowMinPriority] != 1 {
		t.Errorf("KMS stats = %+v, %v; want 1 captured, 1 below priority", kms, err)
	}
	cmsStats, err := f.st.GetCaptureStats(ctx, "acme", "CMS", 0)
	if err != nil || cmsStats.Captured != 1 {
		t.Errorf("CMS stats = %+v, %v; want 1 captured", cmsStats, err)
	}
}

func TestEmitterLimitedToItsComponents(t *testing.T) {
	f := newFixture(t, indexer.Options{})
	p := emitter
	p.Components = []string{"CMS"}
	rs := f.ix.Ingest(context.Background(), p, []audit.Event{event("kms-1")})
	if !errors.Is(rs[0].Err, indexer.ErrComponentNotAllowed) || rs[0].Captured {
		t.Errorf("KMS event from a CMS key: %+v", rs[0])
	}
}

// A caller that gives up gets ctx's error for its unacknowledged events,
// whether they were in a write in progress or still queued; other callers'
// writes are not lost; its events are stored at most once, and retrying
// them with the ids it got is safe.
func TestCallerCancellation(t *testing.T) {
	left := func() []audit.Event {
		var evs []audit.Event
		for i := range 3 {
			evs = append(evs, event(fmt.Sprintf("left-%d", i)))
		}
		return evs
	}
	// leave ingests events, cancels once reached(), and checks the results.
	leave := func(t *testing.T, f *fixture, evs []audit.Event, reached func()) []indexer.Result {
		t.Helper()
		leaving, cancel := context.WithCancel(context.Background())
		done := make(chan []indexer.Result, 1)
		go func() { done <- f.ix.Ingest(leaving, emitter, evs) }()
		reached()
		cancel()
		rs := <-done
		checkCancelled(t, rs, evs)
		return rs
	}
	// retry ingests evs again: every one was stored by the first attempt.
	retry := func(t *testing.T, f *fixture, evs []audit.Event) {
		t.Helper()
		for i, r := range f.ix.Ingest(context.Background(), emitter, evs) {
			if r.Err != nil || !r.Captured || !r.Duplicate {
				t.Errorf("retry %d: %+v, want a duplicate of the first attempt's event", i, r)
			}
		}
	}

	t.Run("in a write in progress", func(t *testing.T) {
		f := newGatedFixture(t, indexer.Options{})
		evs := left()
		rs := leave(t, f, evs, func() {
			if w := <-f.gate.entered; len(w.ids) != len(evs) {
				t.Fatalf("write of %v, want the leaving caller's %d events", w.ids, len(evs))
			}
		})
		f.gate.Open() // the write completes after the caller left

		var stay []audit.Event
		for i := range 7 {
			stay = append(stay, event(fmt.Sprintf("stay-%d", i)))
		}
		for i, r := range f.ix.Ingest(context.Background(), emitter, stay) {
			if r.Err != nil || !r.Captured || r.Duplicate {
				t.Errorf("other caller's event %d: %+v", i, r)
			}
		}
		// The late acknowledgement did not touch the results already returned.
		checkCancelled(t, rs, evs)
		retry(t, f, evs)
		if n := stored(t, f.st, "acme"); n != 10 {
			t.Errorf("%d events stored, want 10", n)
		}
	})

	t.Run("still queued", func(t *testing.T) {
		f := newGatedFixture(t, indexer.Options{})
		queued := make(chan struct{}, 2)
		indexer.SetQueueHooks(f.ix, nil, func() { queued <- struct{}{} })
		other := make(chan []indexer.Result, 1)
		go func() { other <- f.ix.Ingest(context.Background(), emitter, []audit.Event{event("other-1")}) }()
		<-queued
		<-f.gate.entered // the other caller's write holds the writer
		evs := left()
		leave(t, f, evs, func() { <-queued })
		f.gate.Open()
		if r := (<-other)[0]; r.Err != nil || !r.Captured || r.Duplicate {
			t.Errorf("other caller's event: %+v", r)
		}
		// Queued events are written even though their caller left.
		retry(t, f, evs)
		if n := stored(t, f.st, "acme"); n != 4 {
			t.Errorf("%d events stored, want 4", n)
		}
	})
}

// checkCancelled checks the results of a caller that left before its
// events were acknowledged: each keeps its id and reports the cancellation.
func checkCancelled(t *testing.T, rs []indexer.Result, evs []audit.Event) {
	t.Helper()
	if len(rs) != len(evs) {
		t.Fatalf("%d results for %d events", len(rs), len(evs))
	}
	for i, r := range rs {
		if r.ID != evs[i].ID || r.Captured || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("cancelled caller's result %d: %+v, want id %s and context.Canceled", i, r, evs[i].ID)
		}
	}
}

// A store that hangs fails each write once WriteTimeout passed instead of
// parking the writer, and every caller queued behind it, for ever.
func TestHungStoreWritesTimeOut(t *testing.T) {
	const timeout = time.Millisecond
	f := newGatedFixture(t, indexer.Options{WriteTimeout: timeout}) // never opened
	for _, id := range []string{"hung-1", "hung-2"} {
		begin := time.Now()
		done := make(chan indexer.Result, 1)
		go func() { done <- f.ix.Ingest(context.Background(), emitter, []audit.Event{event(id)})[0] }()
		w := <-f.gate.entered // the second one arrives only if the writer got free
		if !w.hasDeadline {
			f.gate.Open() // let the write through so the test ends
		}
		checkDeadline(t, w, begin, timeout)
		if r := <-done; r.ID != id || r.Captured || !errors.Is(r.Err, context.DeadlineExceeded) {
			t.Errorf("event written to a hung store: %+v, want id %s and a deadline error", r, id)
		}
	}
	if n := stored(t, f.st, "acme"); n != 0 {
		t.Errorf("%d events stored", n)
	}
}

// Without WriteTimeout, a write may take 30 seconds.
func TestDefaultWriteTimeout(t *testing.T) {
	f := newGatedFixture(t, indexer.Options{})
	f.gate.Open()
	begin := time.Now()
	if r := f.ix.Ingest(context.Background(), emitter, []audit.Event{event("e-1")})[0]; r.Err != nil || !r.Captured {
		t.Fatalf("ingest: %+v", r)
	}
	checkDeadline(t, <-f.gate.entered, begin, 30*time.Second)
}

// statsRecorder reports every AddCaptureStats call on calls.
type statsRecorder struct {
	capture.Store
	calls chan write
}

func (s statsRecorder) AddCaptureStats(ctx context.Context, tenant, componentID string, version int64, delta audit.CaptureStats) error {
	select {
	case s.calls <- arrived(ctx, nil):
	default:
	}
	return s.Store.AddCaptureStats(ctx, tenant, componentID, version, delta)
}

// Capture counters are flushed under WriteTimeout too: a hung store does
// not park the flusher, which Close waits for.
func TestStatsFlushHasWriteTimeout(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	rec := statsRecorder{Store: st, calls: make(chan write, 10)}
	clock := func() time.Time { return now }
	const timeout = time.Hour // far from Close's own grace period
	ix := indexer.New(st, capture.NewService(rec, cat, capture.Options{Clock: clock}),
		indexer.Options{Clock: clock, StatsInterval: time.Millisecond, WriteTimeout: timeout})
	defer ix.Close(context.Background())

	begin := time.Now()
	if r := ix.Ingest(context.Background(), emitter, []audit.Event{event("e-1")})[0]; r.Err != nil || !r.Captured {
		t.Fatalf("ingest: %+v", r)
	}
	checkDeadline(t, <-rec.calls, begin, timeout) // the flusher's, before Close
}

// Close returns even while an Ingest call waits for room in a queue that a
// hung store keeps full: that call gets ErrClosed, and the writes in flight
// are cancelled once Close's ctx ends.
func TestCloseReleasesCallersWaitingForTheQueue(t *testing.T) {
	f := newGatedFixture(t, indexer.Options{Queue: 1, MaxBatch: 1, WriteTimeout: time.Hour})
	waiting := make(chan struct{}, 3)
	indexer.SetQueueHooks(f.ix, func() { waiting <- struct{}{} }, nil)
	results := make(chan indexer.Result, 3)
	ingest := func(id string) {
		go func() { results <- f.ix.Ingest(context.Background(), emitter, []audit.Event{event(id)})[0] }()
	}
	ingest("in-flight")
	<-f.gate.entered // the writer is stuck in the store
	ingest("late-1")
	ingest("late-2")
	for range 3 {
		<-waiting
	}
	// One late call took the queue's only slot; the other holds the lock
	// while it waits for room that the stuck writer never makes.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.ix.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close with a cancelled ctx: %v, want context.Canceled", err)
	}
	var closed, cancelled []string
	for range 3 {
		r := <-results
		switch {
		case errors.Is(r.Err, indexer.ErrClosed):
			closed = append(closed, r.ID)
		case errors.Is(r.Err, context.Canceled):
			cancelled = append(cancelled, r.ID)
		default:
			t.Errorf("result %+v, want ErrClosed or context.Canceled", r)
		}
	}
	if len(closed) != 1 || len(cancelled) != 2 || !slices.Contains(cancelled, "in-flight") {
		t.Errorf("closed %v, cancelled %v; want the waiting call closed, the written and the queued one cancelled", closed, cancelled)
	}
}

func TestIngestAfterClose(t *testing.T) {
	f := newFixture(t, indexer.Options{})
	if err := f.ix.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rs := f.ix.Ingest(context.Background(), emitter, []audit.Event{event("late-1")})
	if !errors.Is(rs[0].Err, indexer.ErrClosed) {
		t.Errorf("ingest after close: %+v", rs[0])
	}
}

func TestULIDsIncrease(t *testing.T) {
	ids := indexer.NewULIDs(func() time.Time { return now })
	prev := ""
	for range 1000 {
		id := ids()
		if len(id) != 26 || id <= prev {
			t.Fatalf("id %q after %q", id, prev)
		}
		prev = id
	}
}

func ptr[T any](v T) *T { return &v }

// BenchmarkIngest measures ingest throughput of many concurrent
// single-event callers and of batched callers, against the SQLite store.
func BenchmarkIngest(b *testing.B) {
	cat, err := catalog.Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			f := newFixture(b, indexer.Options{Clock: time.Now})
			var mu sync.Mutex
			gen := eventgen.New(cat, 1, eventgen.Options{Now: time.Now(), NoIDs: true})
			next := func() []audit.Event {
				mu.Lock()
				defer mu.Unlock()
				evs := make([]audit.Event, size)
				for i := range evs {
					evs[i] = gen.Next()
				}
				return evs
			}
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					for _, r := range f.ix.Ingest(context.Background(), emitter, next()) {
						if r.Err != nil {
							b.Error(r.Err)
						}
					}
				}
			})
			b.StopTimer()
			st := f.ix.Stats()
			b.ReportMetric(float64(st.Events)/b.Elapsed().Seconds(), "events/s")
			if st.Batches > 0 {
				b.ReportMetric(float64(st.Events)/float64(st.Batches), "events/write")
			}
		})
	}
}
