// Package app is auditlog's application core, assembled in one place: the
// activity catalog, capture (Filter Management), the indexer (the write
// path), the service's own audit trail, exports and flag notifications,
// over one store. Every command and test harness builds it with New.
//
// Reads through Store never return an expired event: the App applies each
// tenant's retention cutoffs itself, so no caller has to remember to.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/indexer"
	"github.com/auditlog/auditlog/retention"
	"github.com/auditlog/auditlog/selfaudit"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/token"
)

// Notifier delivers notifications that were stored; *notify.Webhooks is
// one. Notify must not block: delivery happens in the background.
type Notifier interface {
	Notify(ctx context.Context, ns []audit.Notification)
}

// Options configure an App. The zero value is usable: no exports (no
// Signer), no notifications delivered, one writer.
type Options struct {
	// Logger is slog.Default() when nil.
	Logger *slog.Logger
	// MaxComponents and MaxActivities bound what emitters may add to a
	// tenant's Filter Management (capture.Options); defaults when 0.
	MaxComponents int
	MaxActivities int
	// Writers is how many batches the indexer writes at once (1 when 0;
	// SQLite has one writer).
	Writers int
	// OnBatch is told about every store write of the indexer (metrics).
	OnBatch func(events int, took time.Duration, err error)
	// OnConfigured runs after a component's configuration was stored,
	// before it is recorded in the trail: the backend's retention
	// enforcement reconciles the component there.
	OnConfigured func(ctx context.Context, old, new audit.ComponentConfig)
	// AuditClock dates the service's own audit records; time.Now when nil.
	AuditClock func() time.Time
	// Signer signs export links (with Signer.For("export")); exports are
	// unavailable when nil.
	Signer *token.Signer
	// Export tunes exports: BaseURL, TTL, PageSize, MaxConcurrent. Its
	// Cutoffs, OnExported and Logger are the App's.
	Export export.Options
	// Notifier delivers flag notifications once they are stored (the
	// webhooks); none when nil.
	Notifier Notifier
	// Indices lists a component's indices (Component.indices); when nil,
	// the store does if it is a retention.Inspector.
	Indices retention.Inspector
}

// App is the core of auditlog over one store. It is safe for concurrent use.
type App struct {
	raw      store.Store
	visible  store.Store
	log      *slog.Logger
	catalog  *catalog.Catalog
	capture  *capture.Service
	ix       *indexer.Indexer
	audit    *selfaudit.Recorder
	export   *export.Service
	notifier Notifier
	indices  retention.Inspector
	onConfig func(ctx context.Context, old, new audit.ComponentConfig)
}

// New assembles the core over st. Close the App (which drains the
// indexer) before closing st.
func New(st store.Store, opts Options) (*App, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, fmt.Errorf("load activity catalog: %w", err)
	}
	a := &App{raw: st, log: opts.Logger, catalog: cat, notifier: opts.Notifier, indices: opts.Indices, onConfig: opts.OnConfigured}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.indices == nil {
		a.indices, _ = st.(retention.Inspector)
	}
	// Configuration changes are recorded in the trail, which is written
	// through the indexer, which asks capture: the App is the knot, so
	// capture calls back a method of it rather than a variable set later.
	a.capture = capture.NewService(st, cat, capture.Options{Logger: a.log,
		MaxComponents: opts.MaxComponents, MaxActivities: opts.MaxActivities,
		OnConfigured: a.configured})
	a.ix = indexer.New(st, a.capture, indexer.Options{Logger: a.log, Writers: opts.Writers, OnBatch: opts.OnBatch})
	a.audit = selfaudit.New(a.ix, selfaudit.Options{Clock: opts.AuditClock, Logger: a.log})
	a.visible = visibleStore{Store: st, cutoffs: a.capture.Cutoffs}
	if opts.Signer != nil {
		eo := opts.Export
		eo.Cutoffs, eo.OnExported, eo.Logger = a.capture.Cutoffs, a.audit.Exported, a.log
		a.export = export.NewService(a.visible, st, opts.Signer.For("export"), eo)
	}
	return a, nil
}

// configured is capture's OnConfigured: the backend's retention first,
// then the trail.
func (a *App) configured(ctx context.Context, old, new audit.ComponentConfig) {
	if a.onConfig != nil {
		a.onConfig(ctx, old, new)
	}
	a.audit.Configured(ctx, old, new)
}

// Close stops taking events and writes those queued, until ctx ends.
func (a *App) Close(ctx context.Context) error { return a.ix.Close(ctx) }

// Store is the store as callers read it: event reads (GetEvent,
// SearchEvents, ScanEvents) leave out events past their component's
// retention, whatever cutoffs the caller passes.
func (a *App) Store() store.Store { return a.visible }

// Catalog is the activity catalog.
func (a *App) Catalog() *catalog.Catalog { return a.catalog }

// Capture is Filter Management.
func (a *App) Capture() *capture.Service { return a.capture }

// Indexer is the write path.
func (a *App) Indexer() *indexer.Indexer { return a.ix }

// Audit records the service's own actions in its trail.
func (a *App) Audit() *selfaudit.Recorder { return a.audit }

// Export makes and serves download links; nil without Options.Signer.
func (a *App) Export() *export.Service { return a.export }

// Notifier delivers stored notifications; nil when none was given.
func (a *App) Notifier() Notifier { return a.notifier }

// Indices lists a component's indices; nil when the store cannot.
func (a *App) Indices() retention.Inspector { return a.indices }

// visibleStore applies the tenant's retention cutoffs to every event read.
type visibleStore struct {
	store.Store
	cutoffs func(ctx context.Context, tenant string) (map[string]time.Time, error)
}

func (v visibleStore) GetEvent(ctx context.Context, tenant, id string, _ map[string]time.Time) (audit.Event, error) {
	cutoffs, err := v.cutoffs(ctx, tenant)
	if err != nil {
		return audit.Event{}, fmt.Errorf("retention cutoffs: %w", err)
	}
	return v.Store.GetEvent(ctx, tenant, id, cutoffs)
}

func (v visibleStore) SearchEvents(ctx context.Context, q audit.Query) (audit.Page, error) {
	var err error
	if q.Cutoffs, err = v.cutoffs(ctx, q.Tenant); err != nil {
		return audit.Page{}, fmt.Errorf("retention cutoffs: %w", err)
	}
	return v.Store.SearchEvents(ctx, q)
}

func (v visibleStore) ScanEvents(ctx context.Context, q audit.Query, fn func(audit.Event) error) error {
	var err error
	if q.Cutoffs, err = v.cutoffs(ctx, q.Tenant); err != nil {
		return fmt.Errorf("retention cutoffs: %w", err)
	}
	return v.Store.ScanEvents(ctx, q, fn)
}
