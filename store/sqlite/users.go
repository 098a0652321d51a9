package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
)

const insertUser = `INSERT OR IGNORE INTO event_users
	(tenant, role, type, id, name, email, id_lc, name_lc, email_lc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// noteUsers records the users an event names, in the writing transaction.
func noteUsers(ctx context.Context, tx *sql.Tx, e *audit.Event) error {
	add := func(role audit.UserRole, u audit.User) error {
		if _, err := tx.ExecContext(ctx, insertUser, e.Tenant, string(role), string(u.Type), u.ID, u.Name, u.Email,
			asciiLower(u.ID), strings.ToLower(u.Name), strings.ToLower(u.Email)); err != nil {
			return fmt.Errorf("record the users of event %s: %w", e.ID, err)
		}
		return nil
	}
	if err := add(audit.ActionUserRole, e.ActionUser); err != nil {
		return err
	}
	if e.TargetUser != nil {
		return add(audit.TargetUserRole, *e.TargetUser)
	}
	return nil
}

// asciiLower lower-cases ASCII letters only, as SQLite's lower does.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// SuggestUsers reads the tenant's distinct users of the role that match the
// prefix, then counts each one's visible events through the index of its
// id, else its email, else its name.
func (s *Store) SuggestUsers(ctx context.Context, q audit.UserQuery) ([]audit.UserSuggestion, error) {
	if q.Limit <= 0 || q.Prefix == "" || !q.Role.Valid() {
		return []audit.UserSuggestion{}, nil
	}
	col := "action_user"
	if q.Role == audit.TargetUserRole {
		col = "target_user"
	}
	var cut where
	cut.cutoffs(q.Cutoffs)
	count := func(index, match string) string {
		return `(SELECT count(*) FROM events e INDEXED BY events_` + index + ` WHERE e.tenant = u.tenant AND ` + match +
			` AND e.` + col + `_type = u.type AND e.` + col + `_id = u.id AND e.` + col + `_name = u.name AND e.` + col +
			`_email = u.email AND ` + cut.sql() + `)`
	}
	// MATERIALIZED: flattened, the count would run twice per user (for
	// n > 0 and for the result).
	query := `WITH counted AS MATERIALIZED (SELECT u.type, u.id, u.name, u.email, CASE
			WHEN u.id != '' THEN ` + count(col+"_id", "e."+col+"_id = u.id") + `
			WHEN u.email != '' THEN ` + count(col+"_email", "e."+col+"_email_lc = u.email_lc") + `
			ELSE ` + count(col+"_name", "e."+col+"_name_lc = u.name_lc") + ` END AS n
		FROM event_users u
		WHERE u.tenant = ? AND u.role = ? AND (substr(u.id_lc, 1, length(?)) = ?
			OR substr(u.name_lc, 1, length(?)) = ? OR substr(u.email_lc, 1, length(?)) = ?
			OR instr(u.name_lc, ' ' || ?) > 0))
	SELECT type, id, name, email, n FROM counted WHERE n > 0 ORDER BY n DESC, type, id, name, email LIMIT ?`
	idp, lc := asciiLower(q.Prefix), strings.ToLower(q.Prefix)
	var args []any
	for range 3 {
		args = append(args, cut.args...)
	}
	args = append(args, q.Tenant, string(q.Role), idp, idp, lc, lc, lc, lc, lc, q.Limit)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("suggest users: %w", err)
	}
	defer rows.Close()
	out := []audit.UserSuggestion{}
	for rows.Next() {
		var sg audit.UserSuggestion
		var typ string
		if err := rows.Scan(&typ, &sg.User.ID, &sg.User.Name, &sg.User.Email, &sg.Events); err != nil {
			return nil, fmt.Errorf("suggest users: %w", err)
		}
		sg.User.Type = audit.UserType(typ)
		out = append(out, sg)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("suggest users: %w", err)
	}
	return out, nil
}

// LatestAccountStatus reads the newest event naming the target user with a
// status from the end of the user's status index.
func (s *Store) LatestAccountStatus(ctx context.Context, tenant string, user audit.User, cutoffs map[string]time.Time) (audit.AccountStatus, error) {
	w := &where{}
	w.add("e.tenant = ?", tenant)
	index := "events_target_status_id"
	switch {
	case user.ID != "":
		w.add("e.target_user_id = ?", user.ID)
	case user.Email != "":
		index = "events_target_status_email"
		w.add("e.target_user_email_lc = ?", strings.ToLower(user.Email))
	default:
		return "", nil
	}
	w.add("e.target_user_account_status != ''")
	w.add("e.target_user_type IS NOT NULL")
	w.cutoffs(cutoffs)
	var status string
	err := s.r.QueryRowContext(ctx, "SELECT e.target_user_account_status FROM events e INDEXED BY "+index+" WHERE "+w.sql()+
		" ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1", w.args...).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("latest account status: %w", err)
	}
	return audit.AccountStatus(status), nil
}
