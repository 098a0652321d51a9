package graph

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph/model"
)

// listNotifications resolves Query.notifications: a page of the caller's
// notifications, newest first.
func (r *Resolver) listNotifications(ctx context.Context, unreadOnly bool, first *int, after *string) ([]model.Notification, error) {
	p, err := auth.Require(ctx, auth.Notifications)
	if err != nil {
		return nil, err
	}
	q := app.NotificationQuery{UnreadOnly: unreadOnly, Limit: DefaultPageSize}
	if first != nil {
		q.Limit = *first
	}
	if q.Limit < 1 || q.Limit > MaxPageSize {
		return nil, invalid("first", "must be between 1 and %d, got %d", MaxPageSize, q.Limit)
	}
	if after != nil {
		key, ok := parseNotificationCursor(*after)
		if !ok {
			return nil, invalid("after", "is not the cursor of a notification")
		}
		q.After = &key
	}
	ns, err := r.app.Notifications(ctx, p.Tenant, p.User, q)
	if err != nil {
		return nil, err
	}
	out := make([]model.Notification, len(ns))
	for i, n := range ns {
		out[i] = notificationModel(n)
	}
	return out, nil
}

// notificationCursor is a notification's place in the newest-first order:
// when it was flagged (milliseconds) and its id. Unsigned, unlike event
// cursors: it only moves within the caller's own notifications, which the
// store selects by the caller's key whatever the cursor says.
func notificationCursor(n audit.Notification) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%s", n.FlaggedAt.UnixMilli(), n.ID))
}

// The range of times a notification cursor may hold: 0001-01-01 to
// 9999-12-31 UTC, in Unix milliseconds.
const (
	minCursorMillis = -62135596800000
	maxCursorMillis = 253402300799999
)

func parseNotificationCursor(s string) (app.NotificationKey, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return app.NotificationKey{}, false
	}
	ms, id, ok := strings.Cut(string(raw), ":")
	if !ok || id == "" {
		return app.NotificationKey{}, false
	}
	at, err := strconv.ParseInt(ms, 10, 64)
	// Within the years 1 to 9999, which stores can compare dates in.
	if err != nil || at < minCursorMillis || at > maxCursorMillis {
		return app.NotificationKey{}, false
	}
	return app.NotificationKey{FlaggedAt: time.UnixMilli(at).UTC(), ID: id}, true
}
