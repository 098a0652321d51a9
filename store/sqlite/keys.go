package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

const keyColumns = `id, hash, principal, created_at, last_used_at, revoked_at`

func scanKey(r rowScanner) (audit.APIKey, error) {
	var (
		k                      audit.APIKey
		principal              string
		created, used, revoked sql.NullInt64
	)
	if err := r.Scan(&k.ID, &k.Hash, &principal, &created, &used, &revoked); err != nil {
		return audit.APIKey{}, err
	}
	if err := json.Unmarshal([]byte(principal), &k.Principal); err != nil {
		return audit.APIKey{}, fmt.Errorf("decode principal of key %s: %w", k.ID, err)
	}
	if t := fromNullMillis(created); t != nil {
		k.CreatedAt = *t
	}
	k.LastUsedAt = fromNullMillis(used)
	k.RevokedAt = fromNullMillis(revoked)
	return k, nil
}

// CreateKey stores a new key; ErrDuplicate if its id or hash exists.
func (s *Store) CreateKey(ctx context.Context, key audit.APIKey) error {
	principal, err := json.Marshal(key.Principal)
	if err != nil {
		return fmt.Errorf("encode principal of key %s: %w", key.ID, err)
	}
	// DO NOTHING without a target covers both the id and the hash.
	res, err := s.w.ExecContext(ctx, `INSERT INTO api_keys (id, hash, tenant, principal, created_at, last_used_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		key.ID, key.Hash, key.Principal.Tenant, string(principal),
		nullMillis(&key.CreatedAt), nullMillis(key.LastUsedAt), nullMillis(key.RevokedAt))
	if err != nil {
		return fmt.Errorf("create key %s: %w", key.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("create key %s: %w", key.ID, err)
	} else if n == 0 {
		return fmt.Errorf("create key %s: %w", key.ID, store.ErrDuplicate)
	}
	return nil
}

// KeyByHash returns the key with this hash, revoked or not.
func (s *Store) KeyByHash(ctx context.Context, hash string) (audit.APIKey, error) {
	k, err := scanKey(s.r.QueryRowContext(ctx, "SELECT "+keyColumns+" FROM api_keys WHERE hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return audit.APIKey{}, fmt.Errorf("key: %w", store.ErrNotFound)
	}
	if err != nil {
		return audit.APIKey{}, fmt.Errorf("key by hash: %w", err)
	}
	return k, nil
}

// ListKeys returns the tenant's keys ("" for every tenant), oldest first.
func (s *Store) ListKeys(ctx context.Context, tenant string) ([]audit.APIKey, error) {
	query := "SELECT " + keyColumns + " FROM api_keys"
	var args []any
	if tenant != "" {
		query += " WHERE tenant = ?"
		args = append(args, tenant)
	}
	rows, err := s.r.QueryContext(ctx, query+" ORDER BY created_at, id", args...)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	out := []audit.APIKey{}
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return out, nil
}

// RevokeKey marks a key revoked; revoking it again keeps the first time.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) error {
	return s.updateKey(ctx, "revoke", `UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, millis(at), id)
}

// TouchKey records a use of the key; the latest use wins, whatever the
// order the touches arrive in.
func (s *Store) TouchKey(ctx context.Context, id string, at time.Time) error {
	return s.updateKey(ctx, "touch", `UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, ?1), ?1) WHERE id = ?2`, millis(at), id)
}

func (s *Store) updateKey(ctx context.Context, op, query string, at int64, id string) error {
	// The caller names the key (auth.Keys: "revoke key ID: ..."); saying
	// it here too doubled it.
	res, err := s.w.ExecContext(ctx, query, at, id)
	if err != nil {
		return fmt.Errorf("sqlite: %s key: %w", op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: %s key: %w", op, err)
	} else if n == 0 {
		return store.ErrNotFound
	}
	return nil
}
