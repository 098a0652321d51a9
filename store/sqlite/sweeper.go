package sqlite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/retention"
	"github.com/auditlog/auditlog/store"
)

// Defaults of SweeperOptions.
const (
	DefaultSweepInterval = 10 * time.Minute
	// DefaultSweepBatch keeps each delete a short write transaction, so
	// ingest waits for the single writer only briefly.
	DefaultSweepBatch = 500
	// DefaultSweepPause between batches lets queued writes and reads in.
	DefaultSweepPause = 20 * time.Millisecond
)

// Configs lists component configurations; store.ComponentStore does.
type Configs interface {
	ListComponentConfigs(ctx context.Context, tenant string) ([]audit.ComponentConfig, error)
}

// SweeperOptions tune a Sweeper. The zero value is usable.
type SweeperOptions struct {
	// Interval between sweeps; DefaultSweepInterval when zero.
	Interval time.Duration
	// Batch is the most events one delete removes; DefaultSweepBatch when zero.
	Batch int
	// Pause between batches; DefaultSweepPause when zero, none when negative.
	Pause time.Duration
	// Clock returns the current time; time.Now when nil.
	Clock func() time.Time
	// Logger receives progress; slog.Default() when nil.
	Logger *slog.Logger
	// Registerer, when set, receives the retention metrics.
	Registerer prometheus.Registerer
}

// Sweeper deletes the embedded store's expired events on a schedule: for
// each component with a retention, the events that occurred before its
// cutoff, in small batches so that ingest and searches carry on meanwhile.
type Sweeper struct {
	st       store.Sweeper
	configs  Configs
	interval time.Duration
	batch    int
	pause    time.Duration
	clock    func() time.Time
	log      *slog.Logger
	metrics  *retention.Metrics
}

// NewSweeper returns a sweeper deleting from st by the retention of the
// configurations in configs.
func NewSweeper(st store.Sweeper, configs Configs, opts SweeperOptions) (*Sweeper, error) {
	m, err := retention.NewMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	s := &Sweeper{st: st, configs: configs, interval: opts.Interval, batch: opts.Batch, pause: opts.Pause,
		clock: opts.Clock, log: opts.Logger, metrics: m}
	if s.interval <= 0 {
		s.interval = DefaultSweepInterval
	}
	if s.batch <= 0 {
		s.batch = DefaultSweepBatch
	}
	if s.pause == 0 {
		s.pause = DefaultSweepPause
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s, nil
}

// EnforceRetention returns the sweeper of s: the embedded store deletes
// expired events one by one. It implements store.RetentionEnforcer.
func (s *Store) EnforceRetention(opts store.RetentionOptions) (store.Enforcement, error) {
	return NewSweeper(s, s, SweeperOptions{Interval: opts.Interval, Logger: opts.Logger, Registerer: opts.Registerer})
}

// OnConfigured does nothing: each sweep reads the retention of every
// component afresh.
func (s *Sweeper) OnConfigured(context.Context, audit.ComponentConfig, audit.ComponentConfig) {}

// Run sweeps at once and then every interval, until ctx is done.
func (s *Sweeper) Run(ctx context.Context) {
	retention.Every(ctx, s.interval, func(ctx context.Context) {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("retention sweep", "err", err)
		}
	})
}

// Sweep deletes every event that has expired now, of every tenant, and
// returns how many it deleted. A failing component does not stop the
// others; the failures are returned together.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	total, err := s.sweep(ctx)
	s.metrics.CountRun("sweep", err)
	return total, err
}

func (s *Sweeper) sweep(ctx context.Context) (int, error) {
	configs, err := s.configs.ListComponentConfigs(ctx, "")
	if err != nil {
		return 0, fmt.Errorf("retention sweep: list configurations: %w", err)
	}
	now := s.clock()
	total := 0
	var errs []error
	for _, c := range configs {
		r := c.Criteria.Retention
		if r == nil {
			continue
		}
		cutoff := r.Cutoff(now)
		n, err := s.sweepComponent(ctx, c.Tenant, c.ComponentID, cutoff)
		total += n
		if n > 0 {
			s.log.Info("retention: deleted expired events", "tenant", c.Tenant, "component", c.ComponentID,
				"retention", fmt.Sprintf("%d %s", r.Value, r.Unit), "cutoff", cutoff, "deleted", n)
		}
		if err != nil {
			if ctx.Err() != nil {
				return total, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("retention sweep of %s/%s: %w", c.Tenant, c.ComponentID, err))
		}
	}
	return total, errors.Join(errs...)
}

// sweepComponent deletes batch after batch until one comes back short.
func (s *Sweeper) sweepComponent(ctx context.Context, tenant, componentID string, cutoff time.Time) (int, error) {
	total := 0
	for {
		n, err := s.st.DeleteExpired(ctx, tenant, componentID, cutoff, s.batch)
		total += n
		s.metrics.EventsDeleted.Add(float64(n))
		if err != nil || n < s.batch {
			return total, err
		}
		if s.pause > 0 {
			select {
			case <-ctx.Done():
				return total, ctx.Err()
			case <-time.After(s.pause):
			}
		}
	}
}

// Metrics returns the sweeper's instruments.
func (s *Sweeper) Metrics() *retention.Metrics { return s.metrics }
