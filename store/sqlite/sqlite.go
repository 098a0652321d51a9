// Package sqlite is the embedded backend of auditlog: every store interface
// in one SQLite file (modernc.org/sqlite, pure Go), with FTS5 for the
// full-text search over descriptions and event type names.
//
// Times are stored as integer Unix milliseconds in UTC: every time written
// is truncated to the millisecond and read back in UTC, which is also the
// precision of the OpenSearch backend's date fields.
//
// Concurrency: writes go through a pool of one connection, so writers queue
// in Go rather than spinning on SQLITE_BUSY; reads use a separate pool and,
// in WAL mode, never wait for the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/auditlog/auditlog/store"
)

// Store is the embedded backend. It is safe for concurrent use.
type Store struct {
	w   *sql.DB // one connection: serializes every write transaction
	r   *sql.DB // read pool, query_only
	log *slog.Logger

	// The query planner needs table statistics to pick the user and event
	// type indexes over the listing order; they are refreshed each time
	// the number of events written by this Store doubles.
	written      atomic.Int64
	nextOptimize atomic.Int64
}

// readerMmapSize is how much of the file each read connection maps.
const readerMmapSize = 1 << 30

// firstOptimize is the number of written events after which statistics
// are first gathered.
const firstOptimize = 1000

var (
	_ store.Store   = (*Store)(nil)
	_ store.Sweeper = (*Store)(nil)
)

// Option configures Open.
type Option func(*options)

type options struct {
	logger      *slog.Logger
	readConns   int
	busyTimeout time.Duration
}

// WithLogger sets the logger of warnings (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithReadConns sets how many connections serve reads concurrently
// (default: the number of CPUs, at least 4).
func WithReadConns(n int) Option { return func(o *options) { o.readConns = n } }

// WithBusyTimeout sets how long a connection waits for a lock held by
// another process on the same file (default 5s).
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// Open opens (creating if needed) the database file at path and applies any
// pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{
		logger:      slog.Default(),
		readConns:   max(4, runtime.NumCPU()),
		busyTimeout: 5 * time.Second,
	}
	for _, opt := range opts {
		opt(&o)
	}
	o.readConns = max(o.readConns, 1)
	// The driver splits the DSN at the first '?', and an in-memory database
	// would be a different database for each of the two pools.
	if path == "" || strings.ContainsRune(path, '?') || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open sqlite store: path %q must be a plain file path", path)
	}
	base := fmt.Sprintf("%s?_busy_timeout=%d&_foreign_keys=1", path, o.busyTimeout.Milliseconds())

	// synchronous=FULL: a write is durable when its commit returns, as the
	// store contract requires, also across power loss.
	w, err := sql.Open("sqlite", base+"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)

	s := &Store{w: w, log: o.logger}
	s.nextOptimize.Store(firstOptimize)
	// The writer connection creates the file and switches it to WAL before
	// any reader opens it.
	if err := migrate(ctx, w, migrations); err != nil {
		w.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	// Bounded, approximate ANALYZE: fast on any size of file.
	if _, err := w.ExecContext(ctx, "PRAGMA analysis_limit = 1000"); err != nil {
		w.Close()
		return nil, fmt.Errorf("set analysis_limit on %s: %w", path, err)
	}
	s.optimize(ctx)

	// Readers map the file: a search that reads rows by rowid (text and
	// user filters) then costs no read system call per page. It maps
	// address space, not memory.
	r, err := sql.Open("sqlite", fmt.Sprintf("%s&_query_only=1&_pragma=mmap_size(%d)", base, readerMmapSize))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite readers %s: %w", path, err)
	}
	r.SetMaxOpenConns(o.readConns)
	r.SetMaxIdleConns(o.readConns)
	s.r = r
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Ping reports whether both pools can run a query.
func (s *Store) Ping(ctx context.Context) error {
	for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
		var one int
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			return fmt.Errorf("ping sqlite %s: %w", name, err)
		}
	}
	return nil
}

// optimize refreshes the planner's statistics of tables whose size changed
// much since they were last analyzed (a no-op otherwise). Failure only
// costs speed, so it is logged.
func (s *Store) optimize(ctx context.Context) {
	if _, err := s.w.ExecContext(ctx, "PRAGMA optimize = 0x10002"); err != nil {
		s.log.WarnContext(ctx, "sqlite optimize failed", "err", err)
	}
}

// noteWritten counts newly written events and refreshes statistics when
// their number has doubled.
func (s *Store) noteWritten(ctx context.Context, n int) {
	total := s.written.Add(int64(n))
	next := s.nextOptimize.Load()
	if total < next || !s.nextOptimize.CompareAndSwap(next, 2*total) {
		return
	}
	s.optimize(ctx)
}

// Close closes both pools.
func (s *Store) Close() error {
	s.optimize(context.Background())
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite store: %w", err)
	}
	return nil
}

// inWriteTx runs fn in one write transaction, committed if fn returns nil.
func (s *Store) inWriteTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			s.log.WarnContext(ctx, "sqlite rollback failed", "err", rerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// millis is how every time is stored: Unix milliseconds, UTC.
func millis(t time.Time) int64 { return t.UnixMilli() }

// boundMillis is a bound of stored times (a From, To or cutoff) in the
// stored unit: rounded up, since a stored time t (whole milliseconds) is
// before b exactly when it is before b rounded up. Truncation would take in
// an event 0.3 ms before a From and hide one 0.3 ms before a To.
func boundMillis(b time.Time) int64 {
	ms := b.UnixMilli() // floor: the nanoseconds are never negative
	if b.Nanosecond()%int(time.Millisecond) != 0 {
		ms++
	}
	return ms
}

// nullMillis stores a zero or nil time as NULL.
func nullMillis(t *time.Time) sql.NullInt64 {
	if t == nil || t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// fromNullMillis returns nil for NULL.
func fromNullMillis(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMillis(v.Int64)
	return &t
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// chunks splits ids so that no statement exceeds SQLite's variable limit.
func chunks(ids []string, size int) [][]string {
	var out [][]string
	for len(ids) > size {
		out = append(out, ids[:size])
		ids = ids[size:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

func anyArgs(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
