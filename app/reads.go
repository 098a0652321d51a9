package app

import (
	"context"
	"fmt"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/indexer"
	"github.com/auditlog/auditlog/retention"
	"github.com/auditlog/auditlog/store"
)

// The seam's and the write path's types that callers of the App fill in
// or read, named here so that they need not import the store or indexer.
type (
	NotificationQuery = store.NotificationQuery
	NotificationKey   = store.NotificationKey
	IngestResult      = indexer.Result
	ManagedIndex      = retention.ManagedIndex
)

// SearchEvents returns a page of the tenant's visible events matching q.
func (a *App) SearchEvents(ctx context.Context, q audit.Query) (audit.Page, error) {
	page, err := a.visible.SearchEvents(ctx, q)
	if err != nil {
		return audit.Page{}, fmt.Errorf("search events: %w", err)
	}
	return page, nil
}

// Event returns one of the tenant's visible events; an error of kind
// errs.NotFound when there is none (also past its retention).
func (a *App) Event(ctx context.Context, tenant, id string) (audit.Event, error) {
	ev, err := a.visible.GetEvent(ctx, tenant, id, nil)
	if err != nil {
		return audit.Event{}, fmt.Errorf("get event: %w", err)
	}
	return ev, nil
}

// Ingest stores the principal's events through the write path; see
// indexer.Indexer.Ingest.
func (a *App) Ingest(ctx context.Context, p audit.Principal, events []audit.Event) []IngestResult {
	return a.ix.Ingest(ctx, p, events)
}

// Notifications returns a page of user's notifications, newest first.
func (a *App) Notifications(ctx context.Context, tenant string, user audit.User, q NotificationQuery) ([]audit.Notification, error) {
	ns, err := a.visible.ListNotifications(ctx, tenant, user, q)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return ns, nil
}

// MarkNotificationsRead marks user's notifications of ids read at now and
// returns how many were unread.
func (a *App) MarkNotificationsRead(ctx context.Context, tenant string, user audit.User, ids []string, now time.Time) (int, error) {
	n, err := a.visible.MarkNotificationsRead(ctx, tenant, user, ids, now)
	if err != nil {
		return 0, fmt.Errorf("mark notifications read: %w", err)
	}
	return n, nil
}

// ManagedIndices lists the indices of the tenant's component with how
// retention manages them; false when the store has no indices (the
// embedded store).
func (a *App) ManagedIndices(ctx context.Context, tenant, componentID string, r *audit.Retention) ([]ManagedIndex, bool, error) {
	if a.indices == nil {
		return nil, false, nil
	}
	indices, err := a.indices.ManagedIndices(ctx, tenant, componentID, r)
	if err != nil {
		return nil, true, fmt.Errorf("list indices of component %s: %w", componentID, err)
	}
	return indices, true, nil
}
