package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

const savedFilterColumns = `tenant, owner_id, id, name, description, filter, created_at, updated_at`

func scanSavedFilter(r rowScanner) (audit.SavedFilter, error) {
	var (
		f                audit.SavedFilter
		filter           string
		created, updated sql.NullInt64
	)
	if err := r.Scan(&f.Tenant, &f.OwnerID, &f.ID, &f.Name, &f.Description, &filter, &created, &updated); err != nil {
		return audit.SavedFilter{}, err
	}
	if err := json.Unmarshal([]byte(filter), &f.Filter); err != nil {
		return audit.SavedFilter{}, fmt.Errorf("decode saved filter %s: %w", f.ID, err)
	}
	if t := fromNullMillis(created); t != nil {
		f.CreatedAt = *t
	}
	if t := fromNullMillis(updated); t != nil {
		f.UpdatedAt = *t
	}
	return f, nil
}

// nameTaken reports whether the owner has another filter (not id) named name.
func nameTaken(ctx context.Context, tx *sql.Tx, f audit.SavedFilter) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM saved_filters
		WHERE tenant = ? AND owner_id = ? AND name = ? AND id != ?`, f.Tenant, f.OwnerID, f.Name, f.ID).Scan(&n)
	return n > 0, err
}

// CreateSavedFilter stores f; ErrDuplicate when the owner already has a
// filter with that name, or the id is taken.
func (s *Store) CreateSavedFilter(ctx context.Context, f audit.SavedFilter) error {
	filter, err := json.Marshal(f.Filter)
	if err != nil {
		return fmt.Errorf("encode saved filter %s: %w", f.ID, err)
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO saved_filters (`+savedFilterColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		f.Tenant, f.OwnerID, f.ID, f.Name, f.Description, string(filter), nullMillis(&f.CreatedAt), nullMillis(&f.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create saved filter %q: %w", f.Name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("create saved filter %q: %w", f.Name, err)
	} else if n == 0 {
		return fmt.Errorf("create saved filter %q: %w", f.Name, store.ErrDuplicate)
	}
	return nil
}

// UpdateSavedFilter replaces the owner's filter f.ID, keeping its creation
// time.
func (s *Store) UpdateSavedFilter(ctx context.Context, f audit.SavedFilter) error {
	filter, err := json.Marshal(f.Filter)
	if err != nil {
		return fmt.Errorf("encode saved filter %s: %w", f.ID, err)
	}
	return s.inWriteTx(ctx, func(tx *sql.Tx) error {
		taken, err := nameTaken(ctx, tx, f)
		if err != nil {
			return fmt.Errorf("update saved filter %s: %w", f.ID, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE saved_filters SET name = ?, description = ?, filter = ?, updated_at = ?
			WHERE tenant = ? AND owner_id = ? AND id = ?`,
			f.Name, f.Description, string(filter), nullMillis(&f.UpdatedAt), f.Tenant, f.OwnerID, f.ID)
		if err != nil {
			if taken {
				return fmt.Errorf("update saved filter %s: name %q: %w", f.ID, f.Name, store.ErrDuplicate)
			}
			return fmt.Errorf("update saved filter %s: %w", f.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("update saved filter %s: %w", f.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("saved filter %s: %w", f.ID, store.ErrNotFound)
		}
		return nil
	})
}

// DeleteSavedFilter removes the owner's filter.
func (s *Store) DeleteSavedFilter(ctx context.Context, tenant, ownerID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM saved_filters WHERE tenant = ? AND owner_id = ? AND id = ?`, tenant, ownerID, id)
	if err != nil {
		return fmt.Errorf("delete saved filter %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete saved filter %s: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("saved filter %s: %w", id, store.ErrNotFound)
	}
	return nil
}

// GetSavedFilter returns the owner's filter with this id.
func (s *Store) GetSavedFilter(ctx context.Context, tenant, ownerID, id string) (audit.SavedFilter, error) {
	f, err := scanSavedFilter(s.r.QueryRowContext(ctx, "SELECT "+savedFilterColumns+
		" FROM saved_filters WHERE tenant = ? AND owner_id = ? AND id = ?", tenant, ownerID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return audit.SavedFilter{}, fmt.Errorf("saved filter %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return audit.SavedFilter{}, fmt.Errorf("get saved filter %s: %w", id, err)
	}
	return f, nil
}

// ListSavedFilters returns the owner's filters ordered by name.
func (s *Store) ListSavedFilters(ctx context.Context, tenant, ownerID string) ([]audit.SavedFilter, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+savedFilterColumns+
		" FROM saved_filters WHERE tenant = ? AND owner_id = ? ORDER BY name, id", tenant, ownerID)
	if err != nil {
		return nil, fmt.Errorf("list saved filters: %w", err)
	}
	defer rows.Close()
	out := []audit.SavedFilter{}
	for rows.Next() {
		f, err := scanSavedFilter(rows)
		if err != nil {
			return nil, fmt.Errorf("list saved filters: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list saved filters: %w", err)
	}
	return out, nil
}
