package opensearch

import (
	"context"
	"log/slog"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// lifecycleOff is the mode in which nothing rolls indices over or deletes
// them.
const lifecycleOff = "off"

// EnforceRetention returns the index lifecycle of opts.Mode (a
// LifecycleMode, or "off"). It implements store.RetentionEnforcer; the
// *Lifecycle it returns is a retention.Inspector too.
func (s *Store) EnforceRetention(opts store.RetentionOptions) (store.Enforcement, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if opts.Mode == lifecycleOff {
		log.Warn("retention: index lifecycle off; nothing rolls event indices over or deletes expired ones (searches still hide expired events)")
		return noLifecycle{}, nil
	}
	lc, err := NewLifecycle(s, LifecycleOptions{Mode: LifecycleMode(opts.Mode),
		Interval: opts.Interval, Logger: log, Registerer: opts.Registerer})
	if err != nil {
		return nil, err
	}
	log.Info("retention: index lifecycle", "mode", lc.Mode())
	return lc, nil
}

// noLifecycle enforces nothing.
type noLifecycle struct{}

func (noLifecycle) Run(context.Context)                                                        {}
func (noLifecycle) OnConfigured(context.Context, audit.ComponentConfig, audit.ComponentConfig) {}
