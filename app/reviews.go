package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/errs"
)

// Bounds on reviewer input.
const (
	// MaxIDs bounds the ids of Flag, Unflag and MarkNotificationsRead.
	MaxIDs  = 1000
	MaxNote = 1024
)

// Flag flags p's tenant's events with p as flagger, notifies the action
// user of each event that was not flagged before, and records the flag in
// the service's own trail; at is the flag's time.
//
// Ids that match no event p can see (unknown, another tenant's, past
// retention) are not an error: they are absent from the result, which
// lists the events found in the order asked, each once, so a client learns
// per id what happened by comparing with the ids it sent.
//
// A call that failed after flagging can be retried: the flag is recorded
// as soon as it is stored, and every event p's flag is on gets its
// notification again under the same id (notificationID), which the store
// keeps once — so the retry completes what the failed call left undone.
func (a *App) Flag(ctx context.Context, p audit.Principal, ids []string, note string, at time.Time) ([]audit.Event, error) {
	if err := checkIDs(ids); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(note) > MaxNote {
		return nil, errs.InvalidField("note", "is longer than %d characters", MaxNote)
	}
	visible, _, err := a.visibleEvents(ctx, p.Tenant, ids)
	if err != nil {
		return nil, err
	}
	flag := audit.Flag{By: p.User, At: at.UTC().Truncate(time.Millisecond), Note: note}
	flagged, err := a.visible.FlagEvents(ctx, p.Tenant, visible, flag)
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
		a.audit.Flagged(ctx, p, changed, note)
	}
	if len(notes) > 0 {
		if err := a.visible.AddNotifications(ctx, notes); err != nil {
			return nil, fmt.Errorf("notify flagged users: %w", err)
		}
		if a.notifier != nil {
			a.notifier.Notify(ctx, notes)
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

// Unflag removes p's tenant's flags from the events of ids and records
// that in the trail; like Flag, ids not found are absent from the result.
func (a *App) Unflag(ctx context.Context, p audit.Principal, ids []string) ([]audit.Event, error) {
	if err := checkIDs(ids); err != nil {
		return nil, err
	}
	visible, before, err := a.visibleEvents(ctx, p.Tenant, ids)
	if err != nil {
		return nil, err
	}
	unflagged, err := a.visible.UnflagEvents(ctx, p.Tenant, visible)
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
		a.audit.Unflagged(ctx, p, changed)
	}
	return inOrder(visible, unflagged), nil
}

// visibleEvents returns the ids of events the tenant can still see, in the
// order given, each once, and those events as they are now: an event past
// its retention is neither returned nor changed. One search answers for
// all ids.
func (a *App) visibleEvents(ctx context.Context, tenant string, ids []string) ([]string, map[string]audit.Event, error) {
	unique := slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(unique) == 0 {
		return nil, nil, nil
	}
	page, err := a.visible.SearchEvents(ctx, audit.Query{
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
		return errs.InvalidField("ids", "has %d ids, at most %d are allowed", len(ids), MaxIDs)
	}
	return nil
}

// inOrder returns the events found, in the order of ids, each once.
func inOrder(ids []string, found map[string]audit.Event) []audit.Event {
	out := make([]audit.Event, 0, len(found))
	seen := map[string]bool{}
	for _, id := range ids {
		if ev, ok := found[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, ev)
		}
	}
	return out
}
