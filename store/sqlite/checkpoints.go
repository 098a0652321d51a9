package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// ListSeries returns every series holding events, whatever since says: it
// walks the component index from one series to the next, one seek each.
func (s *Store) ListSeries(ctx context.Context, since time.Time) ([]store.Series, error) {
	var out []store.Series
	var last store.Series
	for {
		var next store.Series
		err := s.r.QueryRowContext(ctx, `SELECT tenant, component_id FROM events
			WHERE (tenant, component_id) > (?, ?) ORDER BY tenant, component_id LIMIT 1`,
			last.Tenant, last.ComponentID).Scan(&next.Tenant, &next.ComponentID)
		if errors.Is(err, sql.ErrNoRows) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list series: %w", err)
		}
		out = append(out, next)
		last = next
	}
}

// ScanIngested streams the series' events of the window from one query in
// one read transaction: rows are read as fn consumes them.
func (s *Store) ScanIngested(ctx context.Context, tenant, componentID string, from, to time.Time, fn func(audit.Event) error) error {
	w := &where{}
	w.add("e.tenant = ?", tenant)
	w.add("e.component_id = ?", componentID)
	if from.UnixMilli() > 0 {
		w.add("e.ingested_at >= ?", boundMillis(from))
		w.add("e.ingested_at < ?", boundMillis(to))
	} else {
		w.add("(e.ingested_at < ? OR e.ingested_at IS NULL)", boundMillis(to))
	}
	rows, err := s.r.QueryContext(ctx, "SELECT "+eventColumns+" FROM events e INDEXED BY events_ingested WHERE "+
		w.sql()+" ORDER BY e.ingested_at, e.id", w.args...)
	if err != nil {
		return fmt.Errorf("scan events by ingest time: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return fmt.Errorf("scan events by ingest time: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan events by ingest time: %w", err)
	}
	return nil
}

const checkpointColumns = `tenant, component_id, seq, start_at, end_at, count, root, prev, key_id, signature, created_at, leaves`

// checkpointHeadColumns reads a checkpoint without its leaf list.
const checkpointHeadColumns = `tenant, component_id, seq, start_at, end_at, count, root, prev, key_id, signature, created_at, NULL`

func scanCheckpoint(r rowScanner) (audit.Checkpoint, error) {
	var cp audit.Checkpoint
	var start, end, created int64
	err := r.Scan(&cp.Tenant, &cp.ComponentID, &cp.Seq, &start, &end, &cp.Count, &cp.Root, &cp.Prev,
		&cp.KeyID, &cp.Signature, &created, &cp.Leaves)
	if err != nil {
		return audit.Checkpoint{}, err
	}
	cp.Start, cp.End, cp.CreatedAt = fromMillis(start), fromMillis(end), fromMillis(created)
	if len(cp.Leaves) == 0 {
		cp.Leaves = nil // a checkpoint of no events
	}
	if len(cp.Prev) == 0 {
		cp.Prev = nil
	}
	return cp, nil
}

// CreateCheckpoint inserts cp; the primary key decides between writers.
func (s *Store) CreateCheckpoint(ctx context.Context, cp audit.Checkpoint) error {
	if cp.Leaves == nil {
		cp.Leaves = []byte{}
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO checkpoints (`+checkpointColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		cp.Tenant, cp.ComponentID, cp.Seq, millis(cp.Start), millis(cp.End), cp.Count, cp.Root, cp.Prev,
		cp.KeyID, cp.Signature, millis(cp.CreatedAt), cp.Leaves)
	if err != nil {
		return fmt.Errorf("create checkpoint %s/%s/%d: %w", cp.Tenant, cp.ComponentID, cp.Seq, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("create checkpoint: %w", err)
	} else if n == 0 {
		return store.ErrDuplicate
	}
	return nil
}

func (s *Store) oneCheckpoint(ctx context.Context, columns, query string, args ...any) (audit.Checkpoint, error) {
	cp, err := scanCheckpoint(s.r.QueryRowContext(ctx, "SELECT "+columns+" FROM checkpoints WHERE "+query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Checkpoint{}, store.ErrNotFound
	}
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("read checkpoint: %w", err)
	}
	return cp, nil
}

// LastCheckpoint returns the series' newest checkpoint.
func (s *Store) LastCheckpoint(ctx context.Context, tenant, componentID string) (audit.Checkpoint, error) {
	return s.oneCheckpoint(ctx, checkpointHeadColumns, "tenant = ? AND component_id = ? ORDER BY seq DESC LIMIT 1", tenant, componentID)
}

// GetCheckpoint returns one checkpoint of the series.
func (s *Store) GetCheckpoint(ctx context.Context, tenant, componentID string, seq int64) (audit.Checkpoint, error) {
	return s.oneCheckpoint(ctx, checkpointColumns, "tenant = ? AND component_id = ? AND seq = ?", tenant, componentID, seq)
}

// checkpointPage is how many checkpoints (each with its leaf list) one
// read of ScanCheckpoints holds.
const checkpointPage = 16

// ScanCheckpoints reads the checkpoints a page at a time after the last
// (component, seq) read.
func (s *Store) ScanCheckpoints(ctx context.Context, tenant, componentID string, from, to time.Time, fn func(audit.Checkpoint) error) error {
	lastComponent, lastSeq := "", int64(0)
	for {
		conds := []string{"tenant = ?", "end_at > ?", "start_at < ?", "(component_id, seq) > (?, ?)"}
		args := []any{tenant, millis(from), boundMillis(to), lastComponent, lastSeq}
		if componentID != "" {
			conds = append(conds, "component_id = ?")
			args = append(args, componentID)
		}
		rows, err := s.r.QueryContext(ctx, "SELECT "+checkpointColumns+" FROM checkpoints WHERE "+
			strings.Join(conds, " AND ")+" ORDER BY component_id, seq LIMIT ?", append(args, checkpointPage)...)
		if err != nil {
			return fmt.Errorf("scan checkpoints: %w", err)
		}
		var page []audit.Checkpoint
		for rows.Next() {
			cp, err := scanCheckpoint(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan checkpoints: %w", err)
			}
			page = append(page, cp)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("scan checkpoints: %w", err)
		}
		for _, cp := range page {
			if err := fn(cp); err != nil {
				return err
			}
		}
		if len(page) < checkpointPage {
			return nil
		}
		lastComponent, lastSeq = page[len(page)-1].ComponentID, page[len(page)-1].Seq
	}
}
