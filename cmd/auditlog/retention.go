package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/retention"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/sqlite"
)

// retentionFlags choose how serve applies retention.
type retentionFlags struct {
	lifecycle string
	interval  time.Duration
}

var retentionEnv = map[string]string{
	"lifecycle":          "AUDITLOG_LIFECYCLE",
	"retention-interval": "AUDITLOG_RETENTION_INTERVAL",
}

func (f *retentionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.lifecycle, "lifecycle", string(opensearch.LifecycleAuto),
		"who rolls OpenSearch event indices over and deletes expired ones: auto (ISM when the cluster has it, else auditlog itself), ism, service (auditlog itself), or off (env AUDITLOG_LIFECYCLE)")
	fs.DurationVar(&f.interval, "retention-interval", 0,
		fmt.Sprintf("time between retention runs: the embedded store's sweep (default %s) or the OpenSearch lifecycle (default %s) (env AUDITLOG_RETENTION_INTERVAL)",
			sqlite.DefaultSweepInterval, opensearch.DefaultLifecycleInterval))
}

// retentionJobs run in the background while serve serves.
type retentionJobs struct {
	// onConfigured applies a component's new retention at once.
	onConfigured func(ctx context.Context, old, new audit.ComponentConfig)
	// indices shows a component's indices; nil on the embedded store.
	indices retention.Inspector
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// start starts what applies retention on st: the sweeper of the embedded
// store, or the index lifecycle on OpenSearch (whose first run, at once,
// brings every series' policy in line with its component's retention).
func (f *retentionFlags) start(ctx context.Context, st store.Store, log *slog.Logger, reg prometheus.Registerer) (*retentionJobs, error) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	j := &retentionJobs{onConfigured: func(context.Context, audit.ComponentConfig, audit.ComponentConfig) {}, cancel: cancel}
	var run func(ctx context.Context)
	// Each backend enforces retention its own way, behind the seam.
	if enf, ok := st.(store.RetentionEnforcer); ok {
		e, err := enf.EnforceRetention(store.RetentionOptions{Mode: f.lifecycle, Interval: f.interval, Logger: log, Registerer: reg})
		if err != nil {
			cancel()
			return nil, fmt.Errorf("retention (--lifecycle %s): %w", f.lifecycle, err)
		}
		j.onConfigured, run = e.OnConfigured, e.Run
		j.indices, _ = e.(retention.Inspector)
	} else {
		log.Warn("retention: the store deletes no expired events (searches still hide them)")
	}
	if j.indices == nil {
		j.indices, _ = st.(retention.Inspector)
	}
	if run != nil {
		j.wg.Add(1)
		go func() {
			defer j.wg.Done()
			run(ctx)
		}()
	}
	return j, nil
}

// stop ends the background runs and waits for them, before the store closes.
func (j *retentionJobs) stop() {
	j.cancel()
	j.wg.Wait()
}
