package retention

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics count what retention did, for the /metrics endpoint.
type Metrics struct {
	// EventsDeleted counts events the embedded sweeper deleted.
	EventsDeleted prometheus.Counter
	// IndicesDeleted counts expired indices deleted by the service-managed
	// lifecycle.
	IndicesDeleted prometheus.Counter
	// Rollovers counts write indices rolled over by the service-managed
	// lifecycle.
	Rollovers prometheus.Counter
	// PoliciesWritten counts ISM policies created or updated.
	PoliciesWritten prometheus.Counter
	// PolicyChanges counts indices attached or moved to a policy version.
	PolicyChanges prometheus.Counter
	// Runs counts sweeps and lifecycle runs by result ("ok", "error").
	Runs *prometheus.CounterVec
}

// NewMetrics returns the retention instruments, registered with reg when it
// is not nil. Instruments already registered there (by another sweeper or
// manager in the process) are shared.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		EventsDeleted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditlog_retention_events_deleted_total",
			Help: "Expired events deleted by the embedded store's retention sweeper.",
		}),
		IndicesDeleted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditlog_retention_indices_deleted_total",
			Help: "Expired OpenSearch indices deleted by auditlog's own lifecycle manager (clusters without ISM).",
		}),
		Rollovers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditlog_retention_rollovers_total",
			Help: "Write indices rolled over by auditlog's own lifecycle manager (clusters without ISM).",
		}),
		PoliciesWritten: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditlog_retention_ism_policies_written_total",
			Help: "ISM policies created or updated from component retention.",
		}),
		PolicyChanges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditlog_retention_ism_policy_changes_total",
			Help: "Indices attached or moved to the current version of their series' ISM policy.",
		}),
		Runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "auditlog_retention_runs_total",
			Help: "Retention runs (sweeps, lifecycle runs, reconciliations), by job and result.",
		}, []string{"job", "result"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	m.EventsDeleted = register(reg, m.EventsDeleted, &err)
	m.IndicesDeleted = register(reg, m.IndicesDeleted, &err)
	m.Rollovers = register(reg, m.Rollovers, &err)
	m.PoliciesWritten = register(reg, m.PoliciesWritten, &err)
	m.PolicyChanges = register(reg, m.PolicyChanges, &err)
	m.Runs = register(reg, m.Runs, &err)
	if err != nil {
		return nil, fmt.Errorf("register retention metrics: %w", err)
	}
	return m, nil
}

// register registers c, or returns the collector already registered under
// its name; the first failure is kept in *errp.
func register[C prometheus.Collector](reg prometheus.Registerer, c C, errp *error) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	if *errp == nil {
		*errp = err
	}
	return c
}

// CountRun counts one run of job ("sweep", "lifecycle", "reconcile") by
// its outcome.
func (m *Metrics) CountRun(job string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.Runs.WithLabelValues(job, result).Inc()
}
