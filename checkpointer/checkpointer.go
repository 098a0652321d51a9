// Package checkpointer writes the tamper-evidence checkpoints of every
// event series after the fact: periodically, per (tenant, component), it
// commits the events ingested since the series' last checkpoint, up to a
// closed horizon, to a signed Merkle root (package checkpoint) in the
// store. Ingest never waits for it. Several replicas may run it over one
// store: each checkpoint number is created once (store.CheckpointStore),
// and a replica that loses the race reads the winner's and carries on.
package checkpointer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/store"
)

// Defaults of Options.
const (
	DefaultInterval  = time.Minute
	DefaultMargin    = 2 * time.Minute
	DefaultMaxLeaves = 50_000
)

// Options tune a Checkpointer. The zero value is usable.
type Options struct {
	// Interval is how often checkpoints are made; windows end on multiples
	// of it.
	Interval time.Duration
	// Margin is how old an instant must be before the window holding it is
	// closed: longer than the longest time between stamping an event's
	// IngestedAt and its write becoming visible to searches (the indexer's
	// write timeout plus the store's refresh interval), plus the clock
	// skew between replicas. An event stamped within a closed window and
	// stored later would be reported inserted.
	Margin time.Duration
	// MaxLeaves bounds the events of one checkpoint (and so the memory of
	// making or verifying one); a backlog is split into several.
	MaxLeaves int
	// Clock is time.Now when nil.
	Clock func() time.Time
	// Logger is slog.Default() when nil.
	Logger *slog.Logger
}

// Checkpointer makes checkpoints. It is safe for concurrent use, and
// several may run over one store.
type Checkpointer struct {
	st   store.CheckpointStore
	keys *checkpoint.Keyring
	opts Options
	log  *slog.Logger

	mu    sync.Mutex
	since time.Time // horizon of the last complete run: series idle since then are skipped
}

// New returns a Checkpointer signing with keys.
func New(st store.CheckpointStore, keys *checkpoint.Keyring, opts Options) *Checkpointer {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Margin <= 0 {
		opts.Margin = DefaultMargin
	}
	if opts.MaxLeaves <= 0 {
		opts.MaxLeaves = DefaultMaxLeaves
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Checkpointer{st: st, keys: keys, opts: opts, log: log}
}

// horizon is the end of the newest window that may be closed at now.
func (c *Checkpointer) horizon(now time.Time) time.Time {
	return now.Add(-c.opts.Margin).Truncate(c.opts.Interval).UTC()
}

// Run makes checkpoints every Interval until ctx ends, and once at once:
// events left unchecked by a process killed within a window are
// checkpointed on restart.
func (c *Checkpointer) Run(ctx context.Context) {
	t := time.NewTicker(c.opts.Interval)
	defer t.Stop()
	for {
		if n, err := c.RunOnce(ctx); err != nil && ctx.Err() == nil {
			c.log.Error("checkpoints", "err", err, "created", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce checkpoints every series up to the current horizon, and returns
// how many checkpoints it created.
func (c *Checkpointer) RunOnce(ctx context.Context) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	horizon := c.horizon(c.opts.Clock())
	series, err := c.st.ListSeries(ctx, c.since)
	if err != nil {
		return 0, fmt.Errorf("checkpoints: %w", err)
	}
	created := 0
	var errs []error
	for _, s := range series {
		n, err := c.series(ctx, s, horizon)
		created += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		c.since = horizon
	}
	return created, errors.Join(errs...)
}

// Epoch starts a series' first window, which covers every earlier event.
func Epoch() time.Time { return time.Unix(0, 0).UTC() }

var errFull = errors.New("checkpoint full")

// series checkpoints one series up to horizon.
func (c *Checkpointer) series(ctx context.Context, s store.Series, horizon time.Time) (int, error) {
	created := 0
	for {
		last, err := c.st.LastCheckpoint(ctx, s.Tenant, s.ComponentID)
		var prev []byte
		start := Epoch()
		switch {
		case err == nil:
			prev, start = checkpoint.Hash(last), last.End
		case !errors.Is(err, store.ErrNotFound):
			return created, fmt.Errorf("checkpoints of %s/%s: %w", s.Tenant, s.ComponentID, err)
		}
		if !start.Before(horizon) {
			return created, nil
		}
		var tree checkpoint.Tree
		end := horizon
		var lastAt time.Time
		err = c.st.ScanIngested(ctx, s.Tenant, s.ComponentID, start, horizon, func(e audit.Event) error {
			// A full checkpoint ends before the next instant, never within one.
			if tree.Count() >= int64(c.opts.MaxLeaves) && e.IngestedAt.After(lastAt) {
				end = e.IngestedAt
				return errFull
			}
			lastAt = e.IngestedAt
			return tree.Add(e)
		})
		if err != nil && !errors.Is(err, errFull) {
			return created, fmt.Errorf("checkpoint %s/%s from %s: %w", s.Tenant, s.ComponentID, start, err)
		}
		if tree.Count() == 0 {
			// Nothing to commit: the next checkpoint's window starts at start.
			return created, nil
		}
		root := tree.Root()
		cp := audit.Checkpoint{
			Tenant: s.Tenant, ComponentID: s.ComponentID, Seq: last.Seq + 1,
			Start: start, End: end, Count: tree.Count(), Root: root[:], Prev: prev,
			CreatedAt: c.opts.Clock().UTC(), Leaves: tree.LeafList(),
		}
		if err := c.keys.Sign(&cp); err != nil {
			return created, err
		}
		switch err := c.st.CreateCheckpoint(ctx, cp); {
		case errors.Is(err, store.ErrDuplicate):
			// Another replica wrote this number first; continue after it.
			continue
		case err != nil:
			return created, fmt.Errorf("checkpoint %s/%s #%d: %w", s.Tenant, s.ComponentID, cp.Seq, err)
		}
		created++
		c.log.Debug("checkpoint", "tenant", s.Tenant, "component", s.ComponentID, "seq", cp.Seq, "events", cp.Count, "end", cp.End)
	}
}
