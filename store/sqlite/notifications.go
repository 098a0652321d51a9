package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// recipientMatch selects the notifications of user: by recipient id, or by
// email (ignoring case) for notifications whose recipient has no id. A user
// without id or email matches nothing.
func recipientMatch(user audit.User) (string, []any) {
	var conds []string
	var args []any
	if user.ID != "" {
		conds = append(conds, "(recipient_id != '' AND recipient_id = ?)")
		args = append(args, user.ID)
	}
	if user.Email != "" {
		conds = append(conds, "(recipient_id = '' AND recipient_email_lc = ?)")
		args = append(args, strings.ToLower(user.Email))
	}
	if len(conds) == 0 {
		return "0", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// AddNotifications stores notifications; an id already stored for the
// tenant is kept as it was.
func (s *Store) AddNotifications(ctx context.Context, ns []audit.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO notifications (tenant, id, recipient_id, recipient_email_lc,
			recipient, event_id, event_type, component_id, flagged_by, flagged_at, note, read_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, n := range ns {
			recipient, err := json.Marshal(n.Recipient)
			if err != nil {
				return fmt.Errorf("encode recipient of %s: %w", n.ID, err)
			}
			by, err := json.Marshal(n.FlaggedBy)
			if err != nil {
				return fmt.Errorf("encode flaggedBy of %s: %w", n.ID, err)
			}
			if _, err := stmt.ExecContext(ctx, n.Tenant, n.ID, n.Recipient.ID, strings.ToLower(n.Recipient.Email),
				string(recipient), n.EventID, n.EventType, n.ComponentID, string(by), nullMillis(&n.FlaggedAt),
				n.Note, nullMillis(n.ReadAt)); err != nil {
				return fmt.Errorf("notification %s: %w", n.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add %d notifications: %w", len(ns), err)
	}
	return nil
}

// ListNotifications returns the user's notifications in the tenant, newest
// first.
func (s *Store) ListNotifications(ctx context.Context, tenant string, user audit.User, q store.NotificationQuery) ([]audit.Notification, error) {
	match, matchArgs := recipientMatch(user)
	query := `SELECT tenant, id, recipient, event_id, event_type, component_id, flagged_by, flagged_at, note, read_at
		FROM notifications WHERE tenant = ? AND ` + match
	args := append([]any{tenant}, matchArgs...)
	if q.UnreadOnly {
		query += " AND read_at IS NULL"
	}
	if a := q.After; a != nil {
		at := a.FlaggedAt.UnixMilli()
		query += " AND (flagged_at < ? OR (flagged_at = ? AND id < ?))"
		args = append(args, at, at, a.ID)
	}
	query += " ORDER BY flagged_at DESC, id DESC"
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	defer rows.Close()
	out := []audit.Notification{}
	for rows.Next() {
		var (
			n               audit.Notification
			recipient, by   string
			flagged, readAt sql.NullInt64
		)
		if err := rows.Scan(&n.Tenant, &n.ID, &recipient, &n.EventID, &n.EventType, &n.ComponentID,
			&by, &flagged, &n.Note, &readAt); err != nil {
			return nil, fmt.Errorf("list notifications: %w", err)
		}
		if err := json.Unmarshal([]byte(recipient), &n.Recipient); err != nil {
			return nil, fmt.Errorf("decode recipient of %s: %w", n.ID, err)
		}
		if err := json.Unmarshal([]byte(by), &n.FlaggedBy); err != nil {
			return nil, fmt.Errorf("decode flaggedBy of %s: %w", n.ID, err)
		}
		if t := fromNullMillis(flagged); t != nil {
			n.FlaggedAt = *t
		}
		n.ReadAt = fromNullMillis(readAt)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return out, nil
}

// MarkNotificationsRead marks the user's unread notifications with these ids
// read and returns how many changed.
func (s *Store) MarkNotificationsRead(ctx context.Context, tenant string, user audit.User, ids []string, at time.Time) (int, error) {
	match, matchArgs := recipientMatch(user)
	var total int64
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		for _, part := range chunks(ids, maxVars) {
			args := append(append([]any{millis(at), tenant}, matchArgs...), anyArgs(part)...)
			res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = ?
				WHERE tenant = ? AND read_at IS NULL AND `+match+` AND id IN (`+placeholders(len(part))+`)`, args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark notifications read: %w", err)
	}
	return int(total), nil
}
