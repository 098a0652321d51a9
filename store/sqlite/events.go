package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// eventColumns is the column list every event read selects, in the order
// scanEvent expects.
const eventColumns = `e.tenant, e.id, e.component_id, e.submodule, e.event_type, e.event_type_name,
	e.area, e.description, e.priority, e.status,
	e.action_user_type, e.action_user_id, e.action_user_name, e.action_user_email,
	e.action_user_ip, e.action_user_user_agent, e.action_user_account_status,
	e.target_user_type, e.target_user_id, e.target_user_name, e.target_user_email,
	e.target_user_ip, e.target_user_user_agent, e.target_user_account_status,
	e.occurred_at, e.ingested_at, e.redirect_url, e.details, e.flag_at, e.flag_by, e.flag_note`

const insertEvent = `INSERT INTO events (
	tenant, id, component_id, submodule, event_type, event_type_name, area, description,
	priority, priority_rank, status,
	action_user_type, action_user_id, action_user_name, action_user_email,
	action_user_name_lc, action_user_email_lc, action_user_ip, action_user_user_agent, action_user_account_status,
	target_user_type, target_user_id, target_user_name, target_user_email,
	target_user_name_lc, target_user_email_lc, target_user_ip, target_user_user_agent, target_user_account_status,
	occurred_at, ingested_at, redirect_url, details, flag_at, flag_by, flag_note
) VALUES (` + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?" + `)
ON CONFLICT (tenant, id) DO NOTHING`

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanEvent(r rowScanner) (audit.Event, error) {
	var (
		e                  audit.Event
		au, tu             audit.User
		tuType             sql.NullString
		occurred           int64
		ingested, flagAt   sql.NullInt64
		details, flagBy    sql.NullString
		flagNote           string
		priority, status   string
		actionType, tuAcct string
	)
	err := r.Scan(&e.Tenant, &e.ID, &e.ComponentID, &e.Submodule, &e.EventType, &e.EventTypeName,
		&e.Area, &e.Description, &priority, &status,
		&actionType, &au.ID, &au.Name, &au.Email, &au.IPAddress, &au.UserAgent, &au.AccountStatus,
		&tuType, &tu.ID, &tu.Name, &tu.Email, &tu.IPAddress, &tu.UserAgent, &tuAcct,
		&occurred, &ingested, &e.RedirectURL, &details, &flagAt, &flagBy, &flagNote)
	if err != nil {
		return audit.Event{}, err
	}
	e.Priority = audit.Priority(priority)
	e.Status = audit.Status(status)
	au.Type = audit.UserType(actionType)
	e.ActionUser = au
	if tuType.Valid {
		tu.Type = audit.UserType(tuType.String)
		tu.AccountStatus = audit.AccountStatus(tuAcct)
		e.TargetUser = &tu
	}
	e.OccurredAt = fromMillis(occurred)
	if ingested.Valid {
		e.IngestedAt = fromMillis(ingested.Int64)
	}
	if details.Valid {
		// Numbers stay exact, as the json.Number of their literal: a
		// float64 would round integers beyond 2^53 and long decimals.
		dec := json.NewDecoder(strings.NewReader(details.String))
		dec.UseNumber()
		if err := dec.Decode(&e.Details); err != nil {
			return audit.Event{}, fmt.Errorf("decode details of event %s: %w", e.ID, err)
		}
	}
	if flagAt.Valid {
		f := audit.Flag{At: fromMillis(flagAt.Int64), Note: flagNote}
		if flagBy.Valid {
			if err := json.Unmarshal([]byte(flagBy.String), &f.By); err != nil {
				return audit.Event{}, fmt.Errorf("decode flag of event %s: %w", e.ID, err)
			}
		}
		e.Flag = &f
	}
	return e, nil
}

// eventArgs returns the insertEvent arguments of e, or why e cannot be stored.
func eventArgs(e *audit.Event) ([]any, error) {
	switch {
	case e.Tenant == "":
		return nil, audit.Invalid("tenant", "is required")
	case e.ID == "":
		return nil, audit.Invalid("id", "is required")
	case e.ComponentID == "":
		return nil, audit.Invalid("componentId", "is required")
	case e.EventType == "":
		return nil, audit.Invalid("eventType", "is required")
	case e.OccurredAt.IsZero():
		return nil, audit.Invalid("occurredAt", "is required")
	}
	var details sql.NullString
	if e.Details != nil {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return nil, audit.Invalid("details", "cannot be encoded as JSON: %v", err)
		}
		details = sql.NullString{String: string(b), Valid: true}
	}
	var (
		flagAt   sql.NullInt64
		flagBy   sql.NullString
		flagNote string
	)
	if e.Flag != nil {
		b, err := json.Marshal(e.Flag.By)
		if err != nil {
			return nil, fmt.Errorf("encode flag: %w", err)
		}
		flagAt = sql.NullInt64{Int64: millis(e.Flag.At), Valid: true}
		flagBy = sql.NullString{String: string(b), Valid: true}
		flagNote = e.Flag.Note
	}
	au := e.ActionUser
	var tu audit.User
	var tuType sql.NullString
	if e.TargetUser != nil {
		tu = *e.TargetUser
		tuType = sql.NullString{String: string(tu.Type), Valid: true}
	}
	return []any{
		e.Tenant, e.ID, e.ComponentID, e.Submodule, e.EventType, e.EventTypeName, e.Area, e.Description,
		string(e.Priority), e.Priority.Rank(), string(e.Status),
		string(au.Type), au.ID, au.Name, au.Email,
		strings.ToLower(au.Name), strings.ToLower(au.Email), au.IPAddress, au.UserAgent, string(au.AccountStatus),
		tuType, tu.ID, tu.Name, tu.Email,
		strings.ToLower(tu.Name), strings.ToLower(tu.Email), tu.IPAddress, tu.UserAgent, string(tu.AccountStatus),
		millis(e.OccurredAt), nullMillis(&e.IngestedAt), e.RedirectURL, details, flagAt, flagBy, flagNote,
	}, nil
}

// WriteEvents stores the batch in one transaction. A repeated (tenant, id),
// earlier in the store or earlier in the batch, is reported Duplicate and
// the first event is kept. Times are truncated to the millisecond.
func (s *Store) WriteEvents(ctx context.Context, events []audit.Event) ([]store.WriteResult, error) {
	results := make([]store.WriteResult, len(events))
	if len(events) == 0 {
		return results, nil
	}
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, insertEvent)
		if err != nil {
			return fmt.Errorf("prepare insert: %w", err)
		}
		defer stmt.Close()
		for i := range events {
			args, err := eventArgs(&events[i])
			if err != nil {
				results[i].Err = err
				continue
			}
			res, err := stmt.ExecContext(ctx, args...)
			if err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("insert event %s: %w", events[i].ID, err)
				}
				// A failed statement is rolled back alone; the rest of
				// the batch is still written.
				results[i].Err = fmt.Errorf("insert event %s: %w", events[i].ID, err)
				continue
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("insert event %s: %w", events[i].ID, err)
			}
			if n == 0 {
				results[i].Duplicate = true
				continue
			}
			seq, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("insert event %s: %w", events[i].ID, err)
			}
			if err := indexText(ctx, tx, seq, events[i].Description, events[i].EventTypeName); err != nil {
				return err
			}
			if err := noteUsers(ctx, tx, &events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("write %d events: %w", len(events), err)
	}
	inserted := 0
	for _, r := range results {
		if r.Err == nil && !r.Duplicate {
			inserted++
		}
	}
	s.noteWritten(ctx, inserted)
	return results, nil
}

// GetEvent returns one event of the tenant, ErrNotFound when it is absent or
// hidden by cutoffs.
func (s *Store) GetEvent(ctx context.Context, tenant, id string, cutoffs map[string]time.Time) (audit.Event, error) {
	var w where
	w.add("e.tenant = ? AND e.id = ?", tenant, id)
	w.cutoffs(cutoffs)
	row := s.r.QueryRowContext(ctx, "SELECT "+eventColumns+" FROM events e WHERE "+w.sql(), w.args...)
	e, err := scanEvent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Event{}, fmt.Errorf("event %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return audit.Event{}, fmt.Errorf("get event %s: %w", id, err)
	}
	return e, nil
}

// FlagEvents flags the tenant's events that are not flagged yet; an event
// already flagged keeps its first flag.
func (s *Store) FlagEvents(ctx context.Context, tenant string, ids []string, flag audit.Flag) (map[string]audit.Event, error) {
	by, err := json.Marshal(flag.By)
	if err != nil {
		return nil, fmt.Errorf("encode flag: %w", err)
	}
	return s.updateEvents(ctx, tenant, ids,
		`UPDATE events SET flag_at = ?, flag_by = ?, flag_note = ? WHERE tenant = ? AND flag_at IS NULL AND id IN (%s)`,
		millis(flag.At), string(by), flag.Note)
}

// UnflagEvents clears the flag of the tenant's events.
func (s *Store) UnflagEvents(ctx context.Context, tenant string, ids []string) (map[string]audit.Event, error) {
	return s.updateEvents(ctx, tenant, ids,
		`UPDATE events SET flag_at = NULL, flag_by = NULL, flag_note = '' WHERE tenant = ? AND flag_at IS NOT NULL AND id IN (%s)`)
}

// maxVars keeps every statement well below SQLite's host parameter limit.
const maxVars = 500

// updateEvents runs update (a format with one %s for the id list, whose
// arguments are pre, then tenant, then the ids) and returns the tenant's
// events with those ids as they are after it, in one transaction.
func (s *Store) updateEvents(ctx context.Context, tenant string, ids []string, update string, pre ...any) (map[string]audit.Event, error) {
	out := make(map[string]audit.Event, len(ids))
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		for _, part := range chunks(ids, maxVars) {
			args := append(append(append([]any{}, pre...), tenant), anyArgs(part)...)
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(update, placeholders(len(part))), args...); err != nil {
				return fmt.Errorf("update events: %w", err)
			}
			rows, err := tx.QueryContext(ctx,
				"SELECT "+eventColumns+" FROM events e WHERE e.tenant = ? AND e.id IN ("+placeholders(len(part))+")",
				append([]any{tenant}, anyArgs(part)...)...)
			if err != nil {
				return fmt.Errorf("read updated events: %w", err)
			}
			for rows.Next() {
				e, err := scanEvent(rows)
				if err != nil {
					rows.Close()
					return fmt.Errorf("read updated events: %w", err)
				}
				out[e.ID] = e
			}
			if err := rows.Close(); err != nil {
				return fmt.Errorf("read updated events: %w", err)
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read updated events: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteExpired deletes at most limit events of the tenant's component that
// occurred before cutoff, oldest first.
func (s *Store) DeleteExpired(ctx context.Context, tenant, componentID string, cutoff time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	var n int64
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE seq IN (
			SELECT seq FROM events WHERE tenant = ? AND component_id = ? AND occurred_at < ?
			ORDER BY occurred_at LIMIT ?)`, tenant, componentID, boundMillis(cutoff), limit)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired events of %s/%s: %w", tenant, componentID, err)
	}
	return int(n), nil
}
