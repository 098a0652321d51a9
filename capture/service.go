// Package capture decides which events are captured: it applies each
// component's capture configuration (Filter Management), over the activity
// catalog, to incoming events.
package capture

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/store"
)

// Defaults of Options.
const (
	DefaultConfigTTL = 2 * time.Second
	// DefaultMaxRegistered bounds the activities registered automatically
	// per component, so that an emitter inventing event types cannot grow
	// the activity list of Filter Management without limit.
	DefaultMaxRegistered = 1000
	// DefaultMaxActivities bounds them per tenant, for the same reason.
	DefaultMaxActivities = 5000
	// DefaultMaxComponents bounds the components a tenant's emitters may
	// add to the catalog's by sending their events: each is an index
	// series on OpenSearch, so an emitter inventing component ids must not
	// be able to create them without limit.
	DefaultMaxComponents = 50
)

// Options tune a Service. The zero value is usable.
type Options struct {
	// Clock returns the current time; time.Now when nil.
	Clock func() time.Time
	// Logger receives warnings; slog.Default() when nil.
	Logger *slog.Logger
	// ConfigTTL is how long a replica serves a cached configuration before
	// reading it again: a change made on another replica takes effect
	// within it. A change made through this Service takes effect at once.
	ConfigTTL time.Duration
	// MaxRegistered bounds automatically registered activities per
	// component, MaxActivities per tenant; beyond, new event types are
	// captured but not listed in Filter Management.
	MaxRegistered int
	MaxActivities int
	// MaxComponents bounds the components a tenant may have beyond the
	// catalog's; beyond, events of a new component are refused. Replicas
	// count what is stored, so the bound holds across them but for the
	// components two of them admit at the same moment.
	MaxComponents int
	// OnConfigured, when set, runs after a configuration was stored (the
	// retention reconciler and the self-audit hook in here). old is the
	// previous configuration, audit.DefaultConfig when there was none.
	OnConfigured func(ctx context.Context, old, new audit.ComponentConfig)
}

// Decision is the capture verdict for one event.
type Decision struct {
	Captured bool
	// Reason says why an event was not captured; empty when captured.
	Reason audit.SuppressReason
	// ConfigVersion is the configuration version that decided; 0 for the
	// default configuration.
	ConfigVersion int64
}

// Service applies Filter Management: it enriches events from the catalog,
// decides whether they are captured and keeps each component's
// configuration. It is safe for concurrent use.
type Service struct {
	st            Store
	cat           *catalog.Catalog
	clock         func() time.Time
	log           *slog.Logger
	ttl           time.Duration
	maxRegistered int
	maxActivities int
	maxComponents int
	onConfigured  func(ctx context.Context, old, new audit.ComponentConfig)

	mu      sync.Mutex
	tenants map[string]*tenantCache

	statsMu sync.Mutex
	pending map[statsKey]*audit.CaptureStats
}

// tenantCache holds what the hot path needs of one tenant. Its mutex also
// serialises loads, so a cache expiry costs one store read, not one per
// concurrent event.
type tenantCache struct {
	mu           sync.Mutex
	configs      map[string]audit.ComponentConfig
	configsAt    time.Time
	activities   map[string]map[string]audit.Activity // registered only
	activitiesAt time.Time
	capWarned    map[string]bool
}

type statsKey struct {
	tenant, component string
	version           int64
}

// Store is where the service keeps configurations, activities and
// counters, and counts captured events (store.EventStore.CountIngested).
type Store interface {
	store.ComponentStore
	CountIngested(ctx context.Context, tenant, componentID string, since time.Time) (int64, error)
}

// NewService returns a Service over st and the catalog cat.
func NewService(st Store, cat *catalog.Catalog, opts Options) *Service {
	s := &Service{
		st:            st,
		cat:           cat,
		clock:         opts.Clock,
		log:           opts.Logger,
		ttl:           opts.ConfigTTL,
		maxRegistered: opts.MaxRegistered,
		maxActivities: opts.MaxActivities,
		maxComponents: opts.MaxComponents,
		onConfigured:  opts.OnConfigured,
		tenants:       map[string]*tenantCache{},
		pending:       map[statsKey]*audit.CaptureStats{},
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.ttl <= 0 {
		s.ttl = DefaultConfigTTL
	}
	if s.maxRegistered <= 0 {
		s.maxRegistered = DefaultMaxRegistered
	}
	if s.maxActivities <= 0 {
		s.maxActivities = DefaultMaxActivities
	}
	if s.maxComponents <= 0 {
		s.maxComponents = DefaultMaxComponents
	}
	return s
}

// Catalog returns the activity catalog the service uses.
func (s *Service) Catalog() *catalog.Catalog { return s.cat }

func (s *Service) tenant(tenant string) *tenantCache {
	s.mu.Lock()
	defer s.mu.Unlock()
	tc, ok := s.tenants[tenant]
	if !ok {
		tc = &tenantCache{capWarned: map[string]bool{}}
		s.tenants[tenant] = tc
	}
	return tc
}

func (s *Service) expired(at time.Time, now time.Time) bool {
	return at.IsZero() || now.Sub(at) >= s.ttl || now.Before(at)
}

// configsLocked returns the tenant's stored configurations, reading them
// again when the cache expired or fresh is set. tc.mu must be held.
func (s *Service) configsLocked(ctx context.Context, tenant string, tc *tenantCache, fresh bool) (map[string]audit.ComponentConfig, error) {
	now := s.clock()
	if !fresh && tc.configs != nil && !s.expired(tc.configsAt, now) {
		return tc.configs, nil
	}
	list, err := s.st.ListComponentConfigs(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("read capture configuration of tenant %s: %w", tenant, err)
	}
	m := make(map[string]audit.ComponentConfig, len(list))
	for _, c := range list {
		if c.Tenant == tenant {
			m[c.ComponentID] = c
		}
	}
	// Versions only grow: keeping the newer of cached and read means a
	// store whose listing lags its writes cannot undo a save made here.
	for id, c := range tc.configs {
		if c.Version > m[id].Version {
			m[id] = c
		}
	}
	tc.configs, tc.configsAt = m, now
	return m, nil
}

// config returns the configuration deciding a component's events.
func (s *Service) config(ctx context.Context, tenant, componentID string) (audit.ComponentConfig, error) {
	tc := s.tenant(tenant)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	m, err := s.configsLocked(ctx, tenant, tc, false)
	if err != nil {
		return audit.ComponentConfig{}, err
	}
	if c, ok := m[componentID]; ok {
		return c, nil
	}
	return audit.DefaultConfig(tenant, componentID), nil
}

// activitiesLocked returns the tenant's registered activities, reading them
// again when the cache expired or fresh is set. tc.mu must be held.
func (s *Service) activitiesLocked(ctx context.Context, tenant string, tc *tenantCache, fresh bool) (map[string]map[string]audit.Activity, error) {
	now := s.clock()
	if !fresh && tc.activities != nil && !s.expired(tc.activitiesAt, now) {
		return tc.activities, nil
	}
	byComp, err := s.st.ListActivities(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("read registered activities of tenant %s: %w", tenant, err)
	}
	m := make(map[string]map[string]audit.Activity, len(byComp))
	for comp, list := range byComp {
		codes := make(map[string]audit.Activity, len(list))
		for _, a := range list {
			codes[a.Code] = a
		}
		m[comp] = codes
	}
	// Keep what this replica registered, in case the listing lags.
	for comp, codes := range tc.activities {
		if m[comp] == nil {
			m[comp] = map[string]audit.Activity{}
		}
		for code, a := range codes {
			if _, ok := m[comp][code]; !ok {
				m[comp][code] = a
			}
		}
	}
	tc.activities, tc.activitiesAt = m, now
	return m, nil
}

// activity finds a component's activity in the catalog or among the
// tenant's registered ones. A code seen for the first time costs at most
// one store read per cache period.
func (s *Service) activity(ctx context.Context, tenant, componentID, code string) (audit.Activity, bool, error) {
	if a, ok := s.cat.Activity(componentID, code); ok {
		return a, true, nil
	}
	tc := s.tenant(tenant)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if a, ok := tc.activities[componentID][code]; ok {
		return a, true, nil
	}
	m, err := s.activitiesLocked(ctx, tenant, tc, false)
	if err != nil {
		return audit.Activity{}, false, err
	}
	a, ok := m[componentID][code]
	return a, ok, nil
}

// register records an activity the catalog does not know, so that it
// becomes selectable in Filter Management without any configuration step.
// The first activity of a component that is neither in the catalog nor
// configured adds a component to the tenant: beyond MaxComponents, that is
// an *audit.InvalidError naming componentId.
func (s *Service) register(ctx context.Context, tenant string, a audit.Activity, componentID string) error {
	tc := s.tenant(tenant)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	m, err := s.activitiesLocked(ctx, tenant, tc, false)
	if err != nil {
		return err
	}
	if _, ok := m[componentID][a.Code]; ok {
		return nil
	}
	if _, inCatalog := s.cat.Component(componentID); !inCatalog && len(m[componentID]) == 0 {
		if m, err = s.admitComponent(ctx, tenant, tc, componentID, m); err != nil {
			return err
		}
	} else if len(m[componentID]) >= s.maxRegistered || countActivities(m) >= s.maxActivities {
		if !tc.capWarned[componentID] {
			tc.capWarned[componentID] = true
			s.log.Warn("too many activities registered; new event types are captured but not listed",
				"tenant", tenant, "component", componentID, "limit_per_component", s.maxRegistered, "limit_per_tenant", s.maxActivities)
		}
		return nil
	}
	if err := s.st.RegisterActivities(ctx, tenant, componentID, []audit.Activity{a}); err != nil {
		return fmt.Errorf("register activity %s of %s: %w", a.Code, componentID, err)
	}
	// Copy on write: readers hold the old maps without the lock.
	codes := maps.Clone(m[componentID])
	if codes == nil {
		codes = map[string]audit.Activity{}
	}
	codes[a.Code] = a
	m = maps.Clone(m)
	m[componentID] = codes
	tc.activities = m
	return nil
}

// admitComponent checks that componentID, which has no registered
// activity and is not in the catalog, may be added to the tenant's
// components, and returns the registered activities it read. tc.mu must
// be held. Only a component about to be admitted costs fresh reads (at
// most MaxComponents per tenant), so a flood of invented ids is refused
// from the cache.
func (s *Service) admitComponent(ctx context.Context, tenant string, tc *tenantCache, componentID string, m map[string]map[string]audit.Activity) (map[string]map[string]audit.Activity, error) {
	count := func(configs map[string]audit.ComponentConfig) (int, bool) {
		if _, ok := configs[componentID]; ok {
			return 0, true // configured: already one of the tenant's
		}
		ids := map[string]bool{}
		for id, codes := range m {
			if len(codes) > 0 {
				ids[id] = true
			}
		}
		for id := range configs {
			ids[id] = true
		}
		n := 0
		for id := range ids {
			if _, inCatalog := s.cat.Component(id); !inCatalog {
				n++
			}
		}
		return n, false
	}
	configs, err := s.configsLocked(ctx, tenant, tc, false)
	if err != nil {
		return nil, err
	}
	n, known := count(configs)
	if known {
		return m, nil
	}
	if n < s.maxComponents {
		// The cache may lag other replicas: count what is stored.
		if m, err = s.activitiesLocked(ctx, tenant, tc, true); err != nil {
			return nil, err
		}
		if len(m[componentID]) > 0 {
			return m, nil
		}
		if configs, err = s.configsLocked(ctx, tenant, tc, true); err != nil {
			return nil, err
		}
		if n, known = count(configs); known || n < s.maxComponents {
			return m, nil
		}
	}
	return nil, audit.Invalid("componentId", "%q would be a new component, and the tenant already has the most components allowed besides the catalog's (%d); send events of an existing component", componentID, s.maxComponents)
}

func countActivities(m map[string]map[string]audit.Activity) int {
	n := 0
	for _, codes := range m {
		n += len(codes)
	}
	return n
}

// Enrich fills the event's EventTypeName and Area from the catalog or the
// tenant's registered activities, and its Priority from the activity's
// default when the emitter gave none (MEDIUM for an unknown activity).
// It tolerates invalid events, which validation rejects afterwards.
func (s *Service) Enrich(ctx context.Context, ev *audit.Event) error {
	if audit.ValidTenant(ev.Tenant) && audit.ValidComponentID(ev.ComponentID) && ev.EventType != "" {
		a, ok, err := s.activity(ctx, ev.Tenant, ev.ComponentID, ev.EventType)
		if err != nil {
			return fmt.Errorf("enrich event: %w", err)
		}
		if ok {
			ev.EventTypeName, ev.Area = a.Name, a.Area
			if ev.Priority == "" {
				ev.Priority = a.DefaultPriority
			}
		} else {
			ev.EventTypeName, ev.Area = catalog.Humanize(ev.EventType), ev.Submodule
		}
	}
	if ev.Priority == "" {
		ev.Priority = audit.PriorityMedium
	}
	return nil
}

// Decide applies the component's capture configuration to a valid, enriched
// event at ingest time. An event type the catalog does not know is
// registered for the component on first sight. A captured event loses its
// description, and the IP addresses of its action and target users, when the
// configuration says so.
func (s *Service) Decide(ctx context.Context, ev *audit.Event) (Decision, error) {
	if _, known := s.cat.Activity(ev.ComponentID, ev.EventType); !known {
		if _, ok, err := s.activity(ctx, ev.Tenant, ev.ComponentID, ev.EventType); err != nil {
			return Decision{}, fmt.Errorf("decide capture: %w", err)
		} else if !ok {
			a := audit.Activity{Code: ev.EventType, Name: catalog.Humanize(ev.EventType), Area: ev.Submodule, DefaultPriority: ev.Priority}
			if err := s.register(ctx, ev.Tenant, a, ev.ComponentID); err != nil {
				return Decision{}, fmt.Errorf("decide capture: %w", err)
			}
		}
	}
	cfg, err := s.config(ctx, ev.Tenant, ev.ComponentID)
	if err != nil {
		return Decision{}, fmt.Errorf("decide capture: %w", err)
	}
	d := Decision{ConfigVersion: cfg.Version, Reason: Evaluate(cfg, ev, s.clock())}
	if ev.ComponentID == catalog.ServiceComponent {
		// The service's own trail is never narrowed, whatever was stored.
		return Decision{ConfigVersion: cfg.Version, Captured: true}, nil
	}
	if d.Reason != "" {
		return d, nil
	}
	d.Captured = true
	if !cfg.Criteria.CaptureDescription {
		ev.Description = ""
	}
	if !cfg.Criteria.CaptureIPAddress {
		ev.ActionUser.IPAddress = ""
		if ev.TargetUser != nil {
			tu := *ev.TargetUser // the caller's value stays untouched
			tu.IPAddress = ""
			ev.TargetUser = &tu
		}
	}
	return d, nil
}

// Evaluate returns why cfg suppresses ev at time now, or "" when it is
// captured. Criteria are checked in the order an admin reads them.
func Evaluate(cfg audit.ComponentConfig, ev *audit.Event, now time.Time) audit.SuppressReason {
	c := cfg.Criteria
	switch {
	case !cfg.LoggingEnabled:
		return audit.ReasonLoggingDisabled
	case c.Activities != nil && !slices.Contains(c.Activities, ev.EventType):
		return audit.ReasonActivityNotSelected
	case c.MinPriority != "" && !ev.Priority.AtLeast(c.MinPriority):
		return audit.ReasonBelowMinPriority
	case c.LoggingPeriod != nil && !c.LoggingPeriod.Contains(now):
		return audit.ReasonOutsidePeriod
	case len(c.Statuses) > 0 && !slices.Contains(c.Statuses, ev.Status):
		return audit.ReasonStatusNotSelected
	case c.Retention != nil && ev.OccurredAt.Before(c.Retention.Cutoff(now)):
		return audit.ReasonExpired
	}
	return ""
}

// RecordDecision counts a decision in memory; FlushStats writes the counts.
// Callers count a captured event once it was stored.
func (s *Service) RecordDecision(tenant, componentID string, d Decision) {
	k := statsKey{tenant, componentID, d.ConfigVersion}
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	st := s.pending[k]
	if st == nil {
		st = &audit.CaptureStats{Suppressed: map[audit.SuppressReason]int64{}}
		s.pending[k] = st
	}
	if d.Captured {
		st.Captured++
	} else {
		st.Suppressed[d.Reason]++
	}
}

// FlushStats adds the counts recorded since the last flush to the store.
// Counts that could not be written are kept for the next flush.
func (s *Service) FlushStats(ctx context.Context) error {
	s.statsMu.Lock()
	batch := s.pending
	s.pending = map[statsKey]*audit.CaptureStats{}
	s.statsMu.Unlock()

	var errs []error
	for k, delta := range batch {
		if err := s.st.AddCaptureStats(ctx, k.tenant, k.component, k.version, *delta); err != nil {
			errs = append(errs, fmt.Errorf("add capture stats of %s/%s v%d: %w", k.tenant, k.component, k.version, err))
			s.requeue(k, delta)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) requeue(k statsKey, delta *audit.CaptureStats) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	st := s.pending[k]
	if st == nil {
		s.pending[k] = delta
		return
	}
	st.Captured += delta.Captured
	for r, n := range delta.Suppressed {
		st.Suppressed[r] += n
	}
}

// ActivityView is an activity as Filter Management shows it.
type ActivityView struct {
	audit.Activity
	// Captured reports whether the activity is selected under the current
	// criteria (all activities are when no selection was made). The
	// logging toggle is shown separately and does not change it.
	Captured bool
}

// ComponentView is a Filter Management card, and with Activities and
// Criteria, its detail page.
type ComponentView struct {
	ID             string
	Name           string
	LoggingEnabled bool
	// UpdatedAt and UpdatedBy are nil when the component was never configured.
	UpdatedAt *time.Time
	UpdatedBy *audit.User
	Version   int64
	// Stats counts events since the configuration last changed.
	Stats audit.CaptureStats
	// Activities is filled by Component only: catalog activities first,
	// then registered ones by code.
	Activities []ActivityView
	Criteria   audit.Criteria
}

// Components returns one card per catalog component and per component that
// has a configuration or registered activities: catalog ones first, in
// catalog order, then the others by id.
func (s *Service) Components(ctx context.Context, tenant string) ([]ComponentView, error) {
	configs, registered, err := s.fresh(ctx, tenant)
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, c := range s.cat.Components() {
		ids = append(ids, c.ID)
		seen[c.ID] = true
	}
	var extra []string
	for id := range configs {
		if !seen[id] {
			extra, seen[id] = append(extra, id), true
		}
	}
	for id := range registered {
		if !seen[id] {
			extra, seen[id] = append(extra, id), true
		}
	}
	sort.Strings(extra)
	ids = append(ids, extra...)

	views := make([]ComponentView, 0, len(ids))
	for _, id := range ids {
		v, err := s.view(ctx, tenant, id, configs)
		if err != nil {
			return nil, err
		}
		views = append(views, v)
	}
	return views, nil
}

// Component returns a component's card with its activities and criteria,
// or store.ErrNotFound when the tenant has no such component.
func (s *Service) Component(ctx context.Context, tenant, id string) (ComponentView, error) {
	configs, registered, err := s.fresh(ctx, tenant)
	if err != nil {
		return ComponentView{}, err
	}
	cc, inCatalog := s.cat.Component(id)
	_, configured := configs[id]
	if !inCatalog && !configured && len(registered[id]) == 0 {
		return ComponentView{}, fmt.Errorf("component %q: %w", id, store.ErrNotFound)
	}
	v, err := s.view(ctx, tenant, id, configs)
	if err != nil {
		return ComponentView{}, err
	}
	selected := func(code string) bool {
		return v.Criteria.Activities == nil || slices.Contains(v.Criteria.Activities, code)
	}
	for _, a := range cc.Activities {
		v.Activities = append(v.Activities, ActivityView{Activity: a, Captured: selected(a.Code)})
	}
	var reg []audit.Activity
	for code, a := range registered[id] {
		if _, known := s.cat.Activity(id, code); !known {
			reg = append(reg, a)
		}
	}
	sort.Slice(reg, func(i, j int) bool { return reg[i].Code < reg[j].Code })
	for _, a := range reg {
		v.Activities = append(v.Activities, ActivityView{Activity: a, Captured: selected(a.Code)})
	}
	return v, nil
}

// fresh reads the tenant's configurations and registered activities from
// the store (admin pages must show other replicas' changes), refreshing
// the cache on the way.
func (s *Service) fresh(ctx context.Context, tenant string) (map[string]audit.ComponentConfig, map[string]map[string]audit.Activity, error) {
	tc := s.tenant(tenant)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	configs, err := s.configsLocked(ctx, tenant, tc, true)
	if err != nil {
		return nil, nil, err
	}
	registered, err := s.activitiesLocked(ctx, tenant, tc, true)
	if err != nil {
		return nil, nil, err
	}
	return configs, registered, nil
}

func (s *Service) view(ctx context.Context, tenant, id string, configs map[string]audit.ComponentConfig) (ComponentView, error) {
	name := catalog.Humanize(id)
	if cc, ok := s.cat.Component(id); ok {
		name = cc.Name
	}
	cfg, configured := configs[id]
	if !configured {
		cfg = audit.DefaultConfig(tenant, id)
	}
	v := ComponentView{ID: id, Name: name, LoggingEnabled: cfg.LoggingEnabled, Version: cfg.Version, Criteria: cfg.Criteria}
	if configured {
		at, by := cfg.UpdatedAt, cfg.UpdatedBy
		v.UpdatedAt, v.UpdatedBy = &at, &by
	}
	st, err := s.st.GetCaptureStats(ctx, tenant, id, cfg.Version)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return ComponentView{}, fmt.Errorf("read capture stats of %s: %w", id, err)
	}
	if st.Suppressed == nil {
		st.Suppressed = map[audit.SuppressReason]int64{}
	}
	// Captured events are counted where they are stored: the counters are
	// buffered in memory for a second, so a crash lost counts, and an
	// event stored by a write whose caller timed out was counted only as a
	// duplicate on retry. Suppressed events are stored nowhere: counters.
	var since time.Time
	if configured {
		since = cfg.UpdatedAt
	}
	if st.Captured, err = s.st.CountIngested(ctx, tenant, id, since); err != nil {
		return ComponentView{}, fmt.Errorf("count captured events of %s: %w", id, err)
	}
	v.Stats = st
	return v, nil
}

// Cutoffs returns, for each of the tenant's components with a retention,
// the instant before which its events have expired. Searches pass it as
// audit.Query.Cutoffs so that expired events are never returned.
func (s *Service) Cutoffs(ctx context.Context, tenant string) (map[string]time.Time, error) {
	tc := s.tenant(tenant)
	tc.mu.Lock()
	configs, err := s.configsLocked(ctx, tenant, tc, false)
	tc.mu.Unlock()
	if err != nil {
		return nil, err
	}
	now := s.clock()
	cutoffs := map[string]time.Time{}
	for id, c := range configs {
		if r := c.Criteria.Retention; r != nil {
			cutoffs[id] = r.Cutoff(now)
		}
	}
	return cutoffs, nil
}

// ActivityNames returns the display name of every activity code the
// tenant's components know, from the catalog and then the registered
// activities; where components name one code differently, the catalog's
// first component wins, then the registered component first by id. Codes
// without a name are absent.
func (s *Service) ActivityNames(ctx context.Context, tenant string) (map[string]string, error) {
	names := map[string]string{}
	for _, c := range s.cat.Components() {
		for _, a := range c.Activities {
			if _, ok := names[a.Code]; !ok && a.Name != "" {
				names[a.Code] = a.Name
			}
		}
	}
	tc := s.tenant(tenant)
	tc.mu.Lock()
	registered, err := s.activitiesLocked(ctx, tenant, tc, false)
	tc.mu.Unlock()
	if err != nil {
		return nil, err
	}
	for _, comp := range slices.Sorted(maps.Keys(registered)) {
		for code, a := range registered[comp] {
			if _, ok := names[code]; !ok && a.Name != "" {
				names[code] = a.Name
			}
		}
	}
	return names, nil
}
