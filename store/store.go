// Package store defines the storage seam of auditlog: the interfaces the
// layers above depend on, and their contract. Every backend (store/sqlite,
// store/opensearch) implements all of them and passes the conformance suite
// in store/storetest.
//
// Contract shared by every method:
//   - the tenant is always an explicit argument and no method ever reads,
//     counts or changes another tenant's data;
//   - a write has been made durable when the method returns without error;
//   - a missing record is ErrNotFound, a lost optimistic update ErrConflict,
//     a clashing unique name ErrDuplicate (compare with errors.Is);
//   - searches may lag completed writes by the backend's refresh interval
//     (about a second on OpenSearch; see Refresher). GetEvent, FlagEvents
//     and UnflagEvents see an event once a search would.
package store

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/errs"
)

// Errors returned by every backend; callers compare with errors.Is.
var (
	ErrNotFound  = errs.New(errs.NotFound, "not found")
	ErrConflict  = errs.New(errs.Conflict, "version conflict")
	ErrDuplicate = errs.New(errs.Conflict, "already exists")
	// ErrUnavailable: the backend could not be reached or did not answer
	// in time. The operation may or may not have taken effect; retrying it
	// (writes with the same event ids) is safe.
	ErrUnavailable = errs.New(errs.Unavailable, "store unavailable")
)

// Store is a complete backend.
type Store interface {
	EventStore
	ComponentStore
	KeyStore
	SavedFilterStore
	NotificationStore
	CheckpointStore
	UserStore
	TailStore
	// Ping reports whether the backend can serve requests (readiness).
	Ping(ctx context.Context) error
	// Close releases the backend's resources.
	Close() error
}

// WriteResult is the outcome of writing one event.
type WriteResult struct {
	// Duplicate reports that an event with the same tenant and id was
	// already stored; the stored event was left unchanged.
	Duplicate bool
	// Err is a failure of this item only.
	Err error
}

// EventStore stores and reads audit events.
type EventStore interface {
	// WriteEvents stores events, which may belong to several tenants and
	// components. It returns one result per event, in order. Writes are
	// idempotent on (Tenant, ID): a repeated id is reported Duplicate and the
	// first event is kept. An error return means no event was written.
	// Times are stored in UTC at millisecond precision.
	WriteEvents(ctx context.Context, events []audit.Event) ([]WriteResult, error)

	// GetEvent returns one event of the tenant, or ErrNotFound, also when
	// the event is hidden by cutoffs (see audit.Query.Cutoffs).
	GetEvent(ctx context.Context, tenant, id string, cutoffs map[string]time.Time) (audit.Event, error)

	// SearchEvents returns one page of a listing, with its exact total and
	// the requested facets and histogram.
	SearchEvents(ctx context.Context, q audit.Query) (audit.Page, error)

	// ScanEvents calls fn for every event matching q, in q.Order, starting
	// after q.After, reading in pages of q.Limit so memory stays flat
	// however many events match. It reads a consistent snapshot where the
	// backend has one. Facets and histogram of q are ignored. It stops at
	// the first error fn returns, and returns it.
	ScanEvents(ctx context.Context, q audit.Query, fn func(audit.Event) error) error

	// CountIngested returns how many of the tenant's events of the
	// component are stored with IngestedAt at or after since (a zero since:
	// all). Counted from the events themselves, it is exact whatever
	// happened to the process that wrote them (a crash between a write and
	// any counter); on a backend that refreshes periodically (Refresher),
	// the latest writes count once refreshed.
	CountIngested(ctx context.Context, tenant, componentID string, since time.Time) (int64, error)

	// FlagEvents sets flag on the tenant's events with these ids, keeping
	// the first flag of an event already flagged. It returns the events
	// after the change, keyed by id; ids that were not found are absent.
	FlagEvents(ctx context.Context, tenant string, ids []string, flag audit.Flag) (map[string]audit.Event, error)

	// UnflagEvents clears the flag of the tenant's events with these ids
	// and returns them after the change, keyed by id; ids that were not
	// found are absent.
	UnflagEvents(ctx context.Context, tenant string, ids []string) (map[string]audit.Event, error)
}

// UserStore answers questions about the users the events name.
type UserStore interface {
	// SuggestUsers returns the users that the tenant's events visible under
	// q.Cutoffs name in q.Role and whose id, email or name (or a later word
	// of it) begins with q.Prefix ignoring case (see audit.UserQuery): at
	// most q.Limit, most events first, ties by type, id, name, then email
	// (byte order).
	SuggestUsers(ctx context.Context, q audit.UserQuery) ([]audit.UserSuggestion, error)

	// LatestAccountStatus returns the account status recorded by the
	// tenant's newest event (by OccurredAt, then id) visible under cutoffs
	// that names user as target user and records one; "" when none does.
	// An event names the user when its target user has the user's id or,
	// for a user without an id, the user's email ignoring case.
	LatestAccountStatus(ctx context.Context, tenant string, user audit.User, cutoffs map[string]time.Time) (audit.AccountStatus, error)
}

// ComponentStore keeps the capture configuration of components, the
// activities they emit, and their capture statistics.
type ComponentStore interface {
	// GetComponentConfig returns the stored configuration, or ErrNotFound
	// when the component was never configured.
	GetComponentConfig(ctx context.Context, tenant, componentID string) (audit.ComponentConfig, error)

	// PutComponentConfig stores cfg if the stored version equals
	// expectedVersion (0: never configured), and returns it with Version
	// set to expectedVersion+1. Otherwise it returns ErrConflict and
	// leaves the stored configuration unchanged.
	PutComponentConfig(ctx context.Context, cfg audit.ComponentConfig, expectedVersion int64) (audit.ComponentConfig, error)

	// ListComponentConfigs returns every stored configuration of the tenant,
	// or of every tenant when tenant is "" (for the retention sweeper).
	ListComponentConfigs(ctx context.Context, tenant string) ([]audit.ComponentConfig, error)

	// RegisterActivities records activities a component emitted that the
	// catalog does not know; registering a known code again changes nothing.
	RegisterActivities(ctx context.Context, tenant, componentID string, activities []audit.Activity) error

	// ListActivities returns the activities registered for the tenant's
	// components, keyed by component id, each list ordered by code.
	ListActivities(ctx context.Context, tenant string) (map[string][]audit.Activity, error)

	// AddCaptureStats adds to the counters of a component's configuration
	// version. Counters of other versions are kept apart.
	AddCaptureStats(ctx context.Context, tenant, componentID string, version int64, delta audit.CaptureStats) error

	// GetCaptureStats returns the counters of a configuration version.
	GetCaptureStats(ctx context.Context, tenant, componentID string, version int64) (audit.CaptureStats, error)
}

// KeyStore keeps API keys, by the hash of the key.
type KeyStore interface {
	// CreateKey stores a new key; ErrDuplicate if its id or hash exists.
	CreateKey(ctx context.Context, key audit.APIKey) error
	// KeyByHash returns the key with this hash, revoked or not, or ErrNotFound.
	KeyByHash(ctx context.Context, hash string) (audit.APIKey, error)
	// ListKeys returns every key, of every tenant when tenant is "".
	ListKeys(ctx context.Context, tenant string) ([]audit.APIKey, error)
	// RevokeKey marks a key revoked at the given time; ErrNotFound if absent.
	RevokeKey(ctx context.Context, id string, at time.Time) error
	// TouchKey records that a key was used at the given time; ErrNotFound
	// if absent.
	TouchKey(ctx context.Context, id string, at time.Time) error
}

// SavedFilterStore keeps the saved filters of dashboard users. Every method
// is scoped to one owner within one tenant.
type SavedFilterStore interface {
	// CreateSavedFilter stores f; ErrDuplicate when the owner already has
	// a filter with that name.
	CreateSavedFilter(ctx context.Context, f audit.SavedFilter) error
	// UpdateSavedFilter replaces the owner's filter with f.ID, keeping its
	// CreatedAt; ErrNotFound when the owner has no such filter, ErrDuplicate
	// on a name clash.
	UpdateSavedFilter(ctx context.Context, f audit.SavedFilter) error
	// DeleteSavedFilter removes the owner's filter; ErrNotFound if absent.
	DeleteSavedFilter(ctx context.Context, tenant, ownerID, id string) error
	// GetSavedFilter returns the owner's filter with this id, or ErrNotFound.
	GetSavedFilter(ctx context.Context, tenant, ownerID, id string) (audit.SavedFilter, error)
	// ListSavedFilters returns the owner's filters ordered by name.
	ListSavedFilters(ctx context.Context, tenant, ownerID string) ([]audit.SavedFilter, error)
}

// NotificationQuery selects a page of a user's notifications.
type NotificationQuery struct {
	// UnreadOnly leaves out the notifications marked read.
	UnreadOnly bool
	// Limit is the most notifications returned, at most 10,000 (a page of
	// one OpenSearch search); 0 returns all.
	Limit int
	// After, when set, starts the page after this position of the order:
	// notifications flagged before FlaggedAt, or at FlaggedAt with a
	// smaller id.
	After *NotificationKey
}

// NotificationKey is a notification's position in the order of a user's
// notifications.
type NotificationKey struct {
	FlaggedAt time.Time
	ID        string
}

// NotificationStore keeps the notifications sent to users.
type NotificationStore interface {
	// AddNotifications stores notifications.
	AddNotifications(ctx context.Context, ns []audit.Notification) error
	// ListNotifications returns the notifications of the tenant whose
	// recipient matches the user's id, or, for notifications whose recipient
	// has no id, the user's email (ignoring case); newest first (flagged
	// at, then id, both descending), as q selects.
	ListNotifications(ctx context.Context, tenant string, user audit.User, q NotificationQuery) ([]audit.Notification, error)
	// MarkNotificationsRead marks the user's notifications with these ids
	// read and returns how many changed.
	MarkNotificationsRead(ctx context.Context, tenant string, user audit.User, ids []string, at time.Time) (int, error)
}

// Series is one (tenant, component) series of events.
type Series struct {
	Tenant      string
	ComponentID string
}

// CheckpointStore keeps the tamper-evidence checkpoints of event series
// (see package checkpoint) and reads a series in ingest order.
type CheckpointStore interface {
	// ListSeries returns the series holding events ingested at or after
	// since, ordered by tenant then component; it may return other series
	// too. Searches may lag writes (see Refresher).
	ListSeries(ctx context.Context, since time.Time) ([]Series, error)

	// ScanIngested calls fn for every event of the series ingested in
	// [from, to), ordered by IngestedAt then ID, reading with flat memory.
	// A from at or before the Unix epoch has no lower bound (events stored
	// without an ingest time come first). It ignores retention cutoffs and
	// stops at the first error fn returns, and returns it.
	ScanIngested(ctx context.Context, tenant, componentID string, from, to time.Time, fn func(audit.Event) error) error

	// CreateCheckpoint stores cp, unless its series already has a
	// checkpoint numbered cp.Seq: then it returns ErrDuplicate and the
	// stored one is kept, so that of several writers exactly one wins.
	CreateCheckpoint(ctx context.Context, cp audit.Checkpoint) error

	// LastCheckpoint returns the series' checkpoint with the highest Seq,
	// without its leaf list (Leaves nil: the checkpointer, which asks every
	// interval, needs only where the chain ends), or ErrNotFound.
	LastCheckpoint(ctx context.Context, tenant, componentID string) (audit.Checkpoint, error)

	// GetCheckpoint returns the series' checkpoint numbered seq, or
	// ErrNotFound.
	GetCheckpoint(ctx context.Context, tenant, componentID string, seq int64) (audit.Checkpoint, error)

	// ScanCheckpoints calls fn for the tenant's checkpoints whose window
	// ends after from and starts before to, of one component or, when
	// componentID is "", of all, ordered by component then Seq, reading
	// with flat memory. It stops at the first error fn returns.
	ScanCheckpoints(ctx context.Context, tenant, componentID string, from, to time.Time, fn func(audit.Checkpoint) error) error
}

// RetentionEnforcer is implemented by backends that delete expired events
// themselves, each its own way: the embedded store sweeps them in batches,
// OpenSearch deletes whole indices (by ISM, or by auditlog's lifecycle
// manager). Reads hide expired events whether or not anything deletes them.
type RetentionEnforcer interface {
	// EnforceRetention returns what deletes the backend's expired events,
	// not yet running.
	EnforceRetention(opts RetentionOptions) (Enforcement, error)
}

// RetentionOptions configure an Enforcement. The zero value is usable.
type RetentionOptions struct {
	// Mode chooses among a backend's ways, where it has several
	// (OpenSearch: auto, ism, service or off); others ignore it.
	Mode string
	// Interval between runs; the backend's default when zero.
	Interval time.Duration
	// Logger receives progress; slog.Default() when nil.
	Logger *slog.Logger
	// Registerer, when set, receives the retention metrics.
	Registerer prometheus.Registerer
}

// Enforcement deletes a backend's expired events. It may also implement
// retention.Inspector, showing a component's indices as it manages them.
type Enforcement interface {
	// Run enforces retention until ctx ends.
	Run(ctx context.Context)
	// OnConfigured applies a component's changed retention at once.
	OnConfigured(ctx context.Context, old, new audit.ComponentConfig)
}

// IngestKey is an event's position in ingest order: by IngestedAt, then ID.
type IngestKey struct {
	IngestedAt time.Time
	ID         string
}

// TailStore reads a tenant's events in the order they were ingested. The
// live tail and streams follow it by cursor, so that an event ingested
// through any replica reaches them.
type TailStore interface {
	// EventsIngestedAfter returns at most q.Limit (1,000 when 0) of
	// q.Tenant's events matching q.Filter and q.Cutoffs, ingested after the
	// position after (from the first when after is zero), ordered by
	// IngestedAt then ID. q.Order, q.After, facets and histogram are
	// ignored. Searches lag writes (see Refresher) and concurrent writers
	// finish out of order: an event may appear after a later one was read,
	// so a follower reads again behind its position and drops what it saw.
	EventsIngestedAfter(ctx context.Context, q audit.Query, after IngestKey) ([]audit.Event, error)
}

// Sweeper is implemented by backends that delete expired events one by one
// (the embedded store). OpenSearch does not implement it: expired events go
// with whole indices, deleted by ISM where the cluster runs it and
// otherwise by auditlog's own lifecycle manager (opensearch.Lifecycle),
// which also rolls the series over.
type Sweeper interface {
	// DeleteExpired deletes at most limit events of the tenant's component
	// that occurred before cutoff, and returns how many it deleted; a limit
	// of zero or less deletes nothing.
	DeleteExpired(ctx context.Context, tenant, componentID string, cutoff time.Time, limit int) (int, error)
}

// Refresher is implemented by backends whose searches see writes only after
// a periodic refresh (OpenSearch, about once a second). Refresh makes every
// completed write visible now; tests use it rather than sleeping.
type Refresher interface {
	Refresh(ctx context.Context) error
}
