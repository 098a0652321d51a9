package opensearch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/retention"
)

// LifecycleMode says who rolls the event series over and deletes expired
// indices.
type LifecycleMode string

// Lifecycle modes.
const (
	// LifecycleAuto is LifecycleISM when the cluster runs the ISM plugin,
	// LifecycleService otherwise.
	LifecycleAuto LifecycleMode = "auto"
	// LifecycleISM: an ISM policy per series does it; auditlog keeps the
	// policies in step with the components' retention.
	LifecycleISM LifecycleMode = "ism"
	// LifecycleService: auditlog does it itself on a schedule, with the
	// _rollover API and index deletion (as Jaeger's rollover and index
	// cleaner jobs do), for clusters without ISM.
	LifecycleService LifecycleMode = "service"
)

// DefaultLifecycleInterval is the time between lifecycle runs.
const DefaultLifecycleInterval = 15 * time.Minute

// LifecycleOptions tune a Lifecycle. The zero value is usable.
type LifecycleOptions struct {
	// Mode is LifecycleAuto when empty.
	Mode LifecycleMode
	// Rollover conditions; retention.DefaultRollover when zero.
	Rollover retention.Rollover
	// Interval between runs; DefaultLifecycleInterval when zero.
	Interval time.Duration
	// Clock returns the current time, against which expiry is judged;
	// time.Now when nil.
	Clock func() time.Time
	// Day is the length of a day in ISM policies; retention.Day when zero.
	// Tests shorten it to watch ISM act within minutes.
	Day time.Duration
	// Logger receives progress; the store's logger when nil.
	Logger *slog.Logger
	// Registerer, when set, receives the retention metrics.
	Registerer prometheus.Registerer
}

// Lifecycle applies the components' retention to the event series: with
// ISM, by keeping a policy per series and every index of the series on it;
// without, by rolling write indices over and deleting expired indices
// itself. Every run is idempotent and safe to run on several replicas at
// once. It never deletes a write index.
type Lifecycle struct {
	s        *Store
	mode     LifecycleMode
	rollover retention.Rollover
	interval time.Duration
	clock    func() time.Time
	day      time.Duration
	log      *slog.Logger
	metrics  *retention.Metrics
	pending  pendingChanges
	// running makes runs and reconciliations take turns: a run that read
	// the configurations before a retention change would otherwise put
	// the old policy back after the change's reconciliation put the new
	// one; waiting, the reconciliation comes last.
	running sync.Mutex
}

// NewLifecycle returns the lifecycle manager of s's event series. Mode
// LifecycleISM on a cluster without the ISM plugin is an error.
func NewLifecycle(s *Store, opts LifecycleOptions) (*Lifecycle, error) {
	m, err := retention.NewMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	l := &Lifecycle{s: s, mode: opts.Mode, rollover: opts.Rollover, interval: opts.Interval, clock: opts.Clock,
		day: opts.Day, log: opts.Logger, metrics: m}
	switch l.mode {
	case "", LifecycleAuto:
		l.mode = LifecycleService
		if s.ism {
			l.mode = LifecycleISM
		}
	case LifecycleISM:
		if !s.ism {
			return nil, errors.New("opensearch: lifecycle mode ism: the cluster has no ISM plugin (opensearch-index-management); use auto or service")
		}
	case LifecycleService:
	default:
		return nil, fmt.Errorf("opensearch: lifecycle mode %q: want auto, ism or service", opts.Mode)
	}
	if l.rollover == (retention.Rollover{}) {
		l.rollover = retention.DefaultRollover
	}
	if l.interval <= 0 {
		l.interval = DefaultLifecycleInterval
	}
	if l.clock == nil {
		l.clock = time.Now
	}
	if l.day <= 0 {
		l.day = retention.Day
	}
	if l.log == nil {
		l.log = s.log
	}
	return l, nil
}

// Mode returns the mode in use: LifecycleISM or LifecycleService.
func (l *Lifecycle) Mode() LifecycleMode { return l.mode }

// Metrics returns the lifecycle's instruments.
func (l *Lifecycle) Metrics() *retention.Metrics { return l.metrics }

// Run runs the lifecycle at once and then every interval, until ctx is done.
func (l *Lifecycle) Run(ctx context.Context) {
	retention.Every(ctx, l.interval, func(ctx context.Context) {
		if err := l.Tick(ctx); err != nil && ctx.Err() == nil {
			l.log.Error("retention lifecycle", "mode", l.mode, "err", err)
		}
	})
}

// Tick is one lifecycle run over every series. With ISM: the default
// policy and every series' policy are made to match retention, and every
// index follows its series' policy. Without: write indices meeting a
// rollover condition are rolled over and expired indices deleted. A failing
// series does not stop the others; the failures are returned together.
func (l *Lifecycle) Tick(ctx context.Context) error {
	l.running.Lock()
	defer l.running.Unlock()
	err := l.tick(ctx)
	l.metrics.CountRun("lifecycle", err)
	return err
}

func (l *Lifecycle) tick(ctx context.Context) error {
	configs, err := l.s.ListComponentConfigs(ctx, "")
	if err != nil {
		return fmt.Errorf("retention lifecycle: list configurations: %w", err)
	}
	all, err := l.s.listSeries(ctx, l.s.prefix+"-events-*")
	if err != nil {
		return fmt.Errorf("retention lifecycle: %w", err)
	}
	type target struct {
		subject string
		r       *audit.Retention
	}
	targets := map[string]target{}
	for alias := range all {
		targets[alias] = target{subject: "series " + alias}
	}
	for _, c := range configs {
		alias, err := l.s.seriesOf(c.Tenant, c.ComponentID)
		if err != nil {
			continue // not a valid series name: it can hold no events
		}
		targets[alias] = target{subject: c.Tenant + "/" + c.ComponentID, r: c.Criteria.Retention}
	}
	var errs []error
	if l.mode == LifecycleISM {
		spec := retention.Spec{Subject: "components without a retention of their own", IndexPattern: l.s.prefix + "-events-*",
			Priority: 1, Rollover: l.rollover, Day: l.day}
		if err := l.putPolicy(ctx, l.s.defaultPolicyID(), spec); err != nil {
			errs = append(errs, err)
		}
	}
	aliases := make([]string, 0, len(targets))
	for alias := range targets {
		aliases = append(aliases, alias)
	}
	sort.Strings(aliases)
	for _, alias := range aliases {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t := targets[alias]
		if err := l.apply(ctx, alias, t.subject, t.r, all[alias]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Reconcile applies the retention of one component's configuration to its
// series at once: with ISM, its policy is created or updated and the
// series' existing indices are moved to it; without, its write index is
// rolled over if due and its expired indices are deleted.
func (l *Lifecycle) Reconcile(ctx context.Context, cfg audit.ComponentConfig) error {
	alias, err := l.s.seriesOf(cfg.Tenant, cfg.ComponentID)
	if err != nil {
		return err
	}
	l.running.Lock()
	defer l.running.Unlock()
	all, err := l.s.listSeries(ctx, alias)
	if err == nil {
		err = l.apply(ctx, alias, cfg.Tenant+"/"+cfg.ComponentID, cfg.Criteria.Retention, all[alias])
	}
	l.metrics.CountRun("reconcile", err)
	return err
}

// OnConfigured reconciles a component whose retention changed, or that was
// configured for the first time; pass it as capture.Options.OnConfigured.
// A failure is logged: the next lifecycle run retries it, and searches hide
// expired events meanwhile.
func (l *Lifecycle) OnConfigured(ctx context.Context, old, cfg audit.ComponentConfig) {
	if old.Version != 0 && sameRetention(old.Criteria.Retention, cfg.Criteria.Retention) {
		return
	}
	if err := l.Reconcile(ctx, cfg); err != nil {
		l.log.Error("retention: apply the new retention (the next lifecycle run retries)", "tenant", cfg.Tenant,
			"component", cfg.ComponentID, "err", err)
	}
}

func sameRetention(a, b *audit.Retention) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// apply brings one series (sr is nil before its first event) in line with
// retention r.
func (l *Lifecycle) apply(ctx context.Context, alias, subject string, r *audit.Retention, sr *series) error {
	if l.mode == LifecycleISM {
		return l.applyISM(ctx, alias, subject, r, sr)
	}
	if sr == nil {
		return nil
	}
	var errs []error
	if err := l.rollOver(ctx, sr, r); err != nil {
		errs = append(errs, err)
	}
	if r != nil {
		if err := l.deleteExpired(ctx, sr, *r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (l *Lifecycle) putPolicy(ctx context.Context, id string, spec retention.Spec) error {
	_, err := l.putPolicyVersion(ctx, id, spec)
	return err
}

func (l *Lifecycle) putPolicyVersion(ctx context.Context, id string, spec retention.Spec) (policyVersion, error) {
	p := retention.NewPolicy(spec)
	v, written, err := l.s.putPolicy(ctx, id, p)
	if err != nil {
		return v, err
	}
	if written {
		l.metrics.PoliciesWritten.Inc()
		l.log.Info("retention: ISM policy written", "policy", id, "description", p.Policy.Description)
	}
	return v, nil
}

// applyISM puts the series' policy, whose ISM template manages every index
// the series creates from now on, and moves its existing indices to it.
func (l *Lifecycle) applyISM(ctx context.Context, alias, subject string, r *audit.Retention, sr *series) error {
	id := seriesPolicyID(alias)
	spec := retention.Spec{Subject: subject, IndexPattern: alias + "-*", Priority: seriesPriority(alias),
		Retention: r, Rollover: l.rollover, Day: l.day}
	v, err := l.putPolicyVersion(ctx, id, spec)
	if err != nil {
		return fmt.Errorf("retention: series %s: %w", alias, err)
	}
	if sr == nil {
		return nil
	}
	did, err := l.followPolicy(ctx, sr, id, v, r)
	l.metrics.PolicyChanges.Add(float64(did.added + did.changed))
	if did.added+did.changed > 0 {
		l.log.Info("retention: indices moved to their series' ISM policy", "series", alias, "policy", id,
			"added", did.added, "changed", did.changed)
	}
	if did.rescued > 0 {
		l.log.Info("retention: indices ISM was deleting are kept by the new retention, put back on their series' ISM policy",
			"series", alias, "policy", id, "indices", did.rescued)
	}
	if err != nil {
		return fmt.Errorf("retention: series %s: %w", alias, err)
	}
	return nil
}

// rollOver rolls the series' write index over when a rollover condition
// holds, judged by the cluster. The new index is named explicitly, so of
// replicas rolling the same series at once only one succeeds. An empty
// write index is never rolled over: a quiet series would otherwise grow an
// empty index per rollover age.
func (l *Lifecycle) rollOver(ctx context.Context, sr *series, r *audit.Retention) error {
	w, ok := sr.writeIndex()
	if !ok || w.docs == 0 {
		return nil
	}
	conditions := obj{"max_age": retention.Duration(l.rollover.Age(r, retention.Day))}
	if l.rollover.MaxPrimaryShardSize > 0 {
		// _rollover has no per-shard condition in OpenSearch 2; event
		// indices have one primary shard, so the index size is the same.
		conditions["max_size"] = retention.Bytes(l.rollover.MaxPrimaryShardSize)
	}
	if l.rollover.MaxDocs > 0 {
		conditions["max_docs"] = l.rollover.MaxDocs
	}
	next := fmt.Sprintf("%s-%06d", sr.alias, w.number+1)
	var res struct {
		RolledOver bool            `json:"rolled_over"`
		Conditions map[string]bool `json:"conditions"`
	}
	err := l.s.do(ctx, http.MethodPost, "/"+seg(sr.alias)+"/_rollover/"+seg(next), nil, obj{"conditions": conditions}, &res)
	if errorType(err) == "resource_already_exists_exception" {
		return nil // another replica rolled it over
	}
	if err != nil {
		return fmt.Errorf("retention: roll over %s: %w", sr.alias, err)
	}
	if res.RolledOver {
		l.metrics.Rollovers.Inc()
		var met []string
		for c, ok := range res.Conditions {
			if ok {
				met = append(met, c)
			}
		}
		sort.Strings(met)
		l.log.Info("retention: rolled over", "series", sr.alias, "old_index", w.name, "new_index", next, "docs", w.docs, "conditions", met)
	}
	return nil
}

// deleteExpired deletes the indices of the series whose newest possible
// event has passed retention r (retention.Expired), never the write index.
func (l *Lifecycle) deleteExpired(ctx context.Context, sr *series, r audit.Retention) error {
	now := l.clock()
	var errs []error
	for i, ix := range sr.indices {
		if ix.write || i == len(sr.indices)-1 || ix.rolledOver == nil || !retention.Expired(*ix.rolledOver, r, now) {
			continue
		}
		err := l.s.do(ctx, http.MethodDelete, "/"+seg(ix.name), nil, nil, nil)
		if statusOf(err) == http.StatusNotFound {
			continue // another replica deleted it
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("retention: delete expired index %s: %w", ix.name, err))
			continue
		}
		l.metrics.IndicesDeleted.Inc()
		l.log.Info("retention: deleted expired index", "series", sr.alias, "index", ix.name, "docs", ix.docs,
			"rolled_over", ix.rolledOver.Format(time.RFC3339), "retention", fmt.Sprintf("%d %s", r.Value, r.Unit))
	}
	return errors.Join(errs...)
}
