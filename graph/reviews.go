package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/graph/model"
	"github.com/auditlog/auditlog/store"
)

// Bounds on reviewer input.
const (
	maxNote        = 1024
	maxFilterName  = 128
	maxDescription = 1024
)

// flag resolves Mutation.flagEvents: it flags the caller's tenant's events
// with the caller as flagger, notifies the action user of each event that
// was not flagged before, and records the flag as an AUDITLOG event.
//
// Ids that match no event the caller can see (unknown, another tenant's,
// past retention) are not an error: they are absent from the result, which
// lists the events found in the order asked, so a client learns per id what
// happened by comparing with the ids it sent. The result stays [Event!]!,
// the contract dashboards are written against.
//
// A call that failed after flagging can be retried: the flag is recorded
// as soon as it is stored, and every event the caller's flag is on gets its
// notification again under the same id (notificationID), which the store
// keeps once — so the retry completes what the failed call left undone.
func (r *Resolver) flag(ctx context.Context, ids []string, note string) ([]model.Event, error) {
	p, err := auth.Require(ctx, auth.Flag)
	if err != nil {
		return nil, err
	}
	if err := checkIDs(ids); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(note) > maxNote {
		return nil, invalid("note", "is longer than %d characters", maxNote)
	}
	visible, _, err := r.visible(ctx, p.Tenant, ids)
	if err != nil {
		return nil, err
	}
	flag := audit.Flag{By: p.User, At: r.now().UTC().Truncate(time.Millisecond), Note: note}
	flagged, err := r.store.FlagEvents(ctx, p.Tenant, visible, flag)
	if err != nil {
		return nil, fmt.Errorf("flag events: %w", err)
	}
	var notes []audit.Notification
	var changed []string
	for _, id := range visible {
		ev, ok := flagged[id]
		// An event flagged by someone else keeps their flag, and they
		// notified its action user.
		if !ok || ev.Flag == nil || ev.Flag.By != flag.By {
			continue
		}
		if ev.Flag.At.Equal(flag.At) {
			changed = append(changed, id)
		}
		notes = append(notes, audit.Notification{
			ID: notificationID(p.Tenant, ev.ID, ev.Flag.At), Tenant: p.Tenant, Recipient: ev.ActionUser,
			EventID: ev.ID, EventType: ev.EventType, ComponentID: ev.ComponentID,
			FlaggedBy: ev.Flag.By, FlaggedAt: ev.Flag.At, Note: ev.Flag.Note,
		})
	}
	// The flags are stored: they are in the trail whatever follows.
	if len(changed) > 0 {
		r.audit.Flagged(ctx, p, changed, note)
	}
	if len(notes) > 0 {
		if err := r.store.AddNotifications(ctx, notes); err != nil {
			return nil, fmt.Errorf("notify flagged users: %w", err)
		}
		if r.notify != nil {
			r.notify.Notify(ctx, notes)
		}
	}
	return inOrder(visible, flagged), nil
}

// notificationID is the id of the notification of a flag: the same for
// every attempt to send it, so that a retried call stores it once and a
// webhook receiver (which gets it as the delivery id) drops repeats.
func notificationID(tenant, eventID string, flaggedAt time.Time) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d", tenant, eventID, flaggedAt.UnixMilli())
	return "ntf_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// unflag resolves Mutation.unflagEvents; like flag, ids not found are
// absent from the result.
func (r *Resolver) unflag(ctx context.Context, ids []string) ([]model.Event, error) {
	p, err := auth.Require(ctx, auth.Flag)
	if err != nil {
		return nil, err
	}
	if err := checkIDs(ids); err != nil {
		return nil, err
	}
	visible, before, err := r.visible(ctx, p.Tenant, ids)
	if err != nil {
		return nil, err
	}
	unflagged, err := r.store.UnflagEvents(ctx, p.Tenant, visible)
	if err != nil {
		return nil, fmt.Errorf("unflag events: %w", err)
	}
	var changed []string
	for _, id := range visible {
		if before[id].Flag != nil {
			changed = append(changed, id)
		}
	}
	if len(changed) > 0 {
		r.audit.Unflagged(ctx, p, changed)
	}
	return inOrder(visible, unflagged), nil
}

// visible returns the ids of events the tenant can still see, in the order
// given, each once, and those events as they are now: an event past its
// retention is neither returned nor changed. One search answers for all ids.
func (r *Resolver) visible(ctx context.Context, tenant string, ids []string) ([]string, map[string]audit.Event, error) {
	unique := slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(unique) == 0 {
		return nil, nil, nil
	}
	page, err := r.store.SearchEvents(ctx, audit.Query{
		Tenant: tenant, Filter: audit.Filter{IDs: unique}, Order: audit.NewestFirst, Limit: len(unique),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("find events: %w", err)
	}
	found := make(map[string]audit.Event, len(page.Events))
	for _, ev := range page.Events {
		found[ev.ID] = ev
	}
	var out []string
	seen := make(map[string]bool, len(found))
	for _, id := range ids {
		if _, ok := found[id]; ok && !seen[id] {
			out = append(out, id)
			seen[id] = true
		}
	}
	return out, found, nil
}

func checkIDs(ids []string) error {
	if len(ids) > MaxIDs {
		return invalid("ids", "has %d ids, at most %d are allowed", len(ids), MaxIDs)
	}
	return nil
}

// inOrder returns the events found, in the order of ids, each once.
func inOrder(ids []string, found map[string]audit.Event) []model.Event {
	out := make([]model.Event, 0, len(found))
	seen := map[string]bool{}
	for _, id := range ids {
		if ev, ok := found[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, eventModel(ev))
		}
	}
	return out
}

// saveFilter creates (id == "") or replaces one of the caller's saved filters.
func (r *Resolver) saveFilter(ctx context.Context, id string, in model.SavedFilterInput) (*model.SavedFilter, error) {
	p, err := auth.Require(ctx, auth.SavedFilters)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return nil, invalid("input.name", "is required")
	case n > maxFilterName:
		return nil, invalid("input.name", "is longer than %d characters", maxFilterName)
	}
	if utf8.RuneCountInString(str(in.Description)) > maxDescription {
		return nil, invalid("input.description", "is longer than %d characters", maxDescription)
	}
	var f audit.Filter
	if in.Filter != nil {
		f = filterFromInput(*in.Filter)
	}
	if err := app.CheckFilter("input.filter", f); err != nil {
		return nil, err
	}
	now := r.now().UTC().Truncate(time.Millisecond)
	sf := audit.SavedFilter{
		ID: id, Tenant: p.Tenant, OwnerID: auth.SavedFilterOwner(p), Name: name, Description: str(in.Description),
		Filter: f, CreatedAt: now, UpdatedAt: now,
	}
	var old audit.SavedFilter
	if id == "" {
		sf.ID = ulid.Make().String()
		err = r.store.CreateSavedFilter(ctx, sf)
	} else {
		old, err = r.store.GetSavedFilter(ctx, p.Tenant, sf.OwnerID, id)
		if err == nil {
			sf.CreatedAt = old.CreatedAt
			err = r.store.UpdateSavedFilter(ctx, sf)
		}
	}
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return nil, invalid("input.name", "you already have a saved filter named %q", name)
	case errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("saved filter %s: %w", id, store.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("save filter: %w", err)
	}
	if id == "" {
		r.audit.SavedFilterCreated(ctx, p, sf)
	} else {
		r.audit.SavedFilterUpdated(ctx, p, old, sf)
	}
	m := savedFilterModel(sf)
	return &m, nil
}

// deleteSavedFilter resolves Mutation.deleteSavedFilter: false when the
// caller has no such filter (another user's is no such filter).
func (r *Resolver) deleteSavedFilter(ctx context.Context, id string) (bool, error) {
	p, err := auth.Require(ctx, auth.SavedFilters)
	if err != nil {
		return false, err
	}
	owner := auth.SavedFilterOwner(p)
	// Read first, so that the record says what was deleted.
	f, err := r.store.GetSavedFilter(ctx, p.Tenant, owner, id)
	if err == nil {
		err = r.store.DeleteSavedFilter(ctx, p.Tenant, owner, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete saved filter: %w", err)
	}
	r.audit.SavedFilterDeleted(ctx, p, f)
	return true, nil
}

// exportLink resolves Mutation.exportEvents.
func (r *Resolver) exportLink(ctx context.Context, filter *model.EventFilter, ids []string) (*model.Export, error) {
	p, err := auth.Require(ctx, auth.Export)
	if err != nil {
		return nil, err
	}
	if r.export == nil {
		return nil, errors.New("export is not configured on this server")
	}
	var req export.Request
	if filter != nil {
		f := filterFromInput(*filter)
		if err := app.CheckFilter("filter", f); err != nil {
			return nil, err
		}
		req.Filter = &f
	}
	// An explicit empty list is a request for no events, not for all.
	if ids != nil {
		req.IDs = append([]string{}, ids...)
	}
	link, err := r.export.CreateLink(ctx, p, req)
	if err != nil {
		return nil, err
	}
	return &model.Export{URL: link.URL, ExpiresAt: link.ExpiresAt}, nil
}
