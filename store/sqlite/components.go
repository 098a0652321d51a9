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

const configColumns = `tenant, component_id, version, logging_enabled, criteria, updated_at, updated_by`

func scanConfig(r rowScanner) (audit.ComponentConfig, error) {
	var (
		c              audit.ComponentConfig
		criteria, by   string
		updated        sql.NullInt64
		loggingEnabled bool
	)
	if err := r.Scan(&c.Tenant, &c.ComponentID, &c.Version, &loggingEnabled, &criteria, &updated, &by); err != nil {
		return audit.ComponentConfig{}, err
	}
	c.LoggingEnabled = loggingEnabled
	if err := json.Unmarshal([]byte(criteria), &c.Criteria); err != nil {
		return audit.ComponentConfig{}, fmt.Errorf("decode criteria of %s: %w", c.ComponentID, err)
	}
	if err := json.Unmarshal([]byte(by), &c.UpdatedBy); err != nil {
		return audit.ComponentConfig{}, fmt.Errorf("decode updatedBy of %s: %w", c.ComponentID, err)
	}
	if t := fromNullMillis(updated); t != nil {
		c.UpdatedAt = *t
	}
	return c, nil
}

// GetComponentConfig returns the stored configuration, or ErrNotFound.
func (s *Store) GetComponentConfig(ctx context.Context, tenant, componentID string) (audit.ComponentConfig, error) {
	row := s.r.QueryRowContext(ctx, "SELECT "+configColumns+" FROM component_configs WHERE tenant = ? AND component_id = ?",
		tenant, componentID)
	c, err := scanConfig(row)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.ComponentConfig{}, fmt.Errorf("component %s: %w", componentID, store.ErrNotFound)
	}
	if err != nil {
		return audit.ComponentConfig{}, fmt.Errorf("get component %s: %w", componentID, err)
	}
	return c, nil
}

// PutComponentConfig stores cfg if the stored version is expectedVersion,
// with a conditional write, and returns it as stored.
func (s *Store) PutComponentConfig(ctx context.Context, cfg audit.ComponentConfig, expectedVersion int64) (audit.ComponentConfig, error) {
	criteria, err := json.Marshal(cfg.Criteria)
	if err != nil {
		return audit.ComponentConfig{}, fmt.Errorf("encode criteria of %s: %w", cfg.ComponentID, err)
	}
	by, err := json.Marshal(cfg.UpdatedBy)
	if err != nil {
		return audit.ComponentConfig{}, fmt.Errorf("encode updatedBy of %s: %w", cfg.ComponentID, err)
	}
	version := expectedVersion + 1
	updated := nullMillis(&cfg.UpdatedAt)
	var res sql.Result
	if expectedVersion == 0 {
		res, err = s.w.ExecContext(ctx, `INSERT INTO component_configs (`+configColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			cfg.Tenant, cfg.ComponentID, version, cfg.LoggingEnabled, string(criteria), updated, string(by))
	} else {
		res, err = s.w.ExecContext(ctx, `UPDATE component_configs
			SET version = ?, logging_enabled = ?, criteria = ?, updated_at = ?, updated_by = ?
			WHERE tenant = ? AND component_id = ? AND version = ?`,
			version, cfg.LoggingEnabled, string(criteria), updated, string(by),
			cfg.Tenant, cfg.ComponentID, expectedVersion)
	}
	if err != nil {
		return audit.ComponentConfig{}, fmt.Errorf("put component %s: %w", cfg.ComponentID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return audit.ComponentConfig{}, fmt.Errorf("put component %s: %w", cfg.ComponentID, err)
	}
	if n == 0 {
		return audit.ComponentConfig{}, fmt.Errorf("put component %s at version %d: %w", cfg.ComponentID, expectedVersion, store.ErrConflict)
	}
	// Return what a read returns: the JSON round trip and the time precision.
	out := cfg
	out.Version = version
	if err := json.Unmarshal(criteria, &out.Criteria); err != nil {
		return audit.ComponentConfig{}, fmt.Errorf("decode criteria of %s: %w", cfg.ComponentID, err)
	}
	out.UpdatedAt = time.Time{}
	if t := fromNullMillis(updated); t != nil {
		out.UpdatedAt = *t
	}
	return out, nil
}

// ListComponentConfigs returns the tenant's configurations ("" for every
// tenant), ordered by tenant and component.
func (s *Store) ListComponentConfigs(ctx context.Context, tenant string) ([]audit.ComponentConfig, error) {
	query := "SELECT " + configColumns + " FROM component_configs"
	var args []any
	if tenant != "" {
		query += " WHERE tenant = ?"
		args = append(args, tenant)
	}
	rows, err := s.r.QueryContext(ctx, query+" ORDER BY tenant, component_id", args...)
	if err != nil {
		return nil, fmt.Errorf("list components: %w", err)
	}
	defer rows.Close()
	out := []audit.ComponentConfig{}
	for rows.Next() {
		c, err := scanConfig(rows)
		if err != nil {
			return nil, fmt.Errorf("list components: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list components: %w", err)
	}
	return out, nil
}

// RegisterActivities records activities; a code already registered for the
// component keeps its first registration.
func (s *Store) RegisterActivities(ctx context.Context, tenant, componentID string, activities []audit.Activity) error {
	if len(activities) == 0 {
		return nil
	}
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO activities (tenant, component_id, code, name, area, default_priority)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, a := range activities {
			if _, err := stmt.ExecContext(ctx, tenant, componentID, a.Code, a.Name, a.Area, string(a.DefaultPriority)); err != nil {
				return fmt.Errorf("activity %s: %w", a.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("register activities of %s: %w", componentID, err)
	}
	return nil
}

// ListActivities returns the tenant's registered activities per component,
// each list ordered by code.
func (s *Store) ListActivities(ctx context.Context, tenant string) (map[string][]audit.Activity, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT component_id, code, name, area, default_priority
		FROM activities WHERE tenant = ? ORDER BY component_id, code`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list activities: %w", err)
	}
	defer rows.Close()
	out := map[string][]audit.Activity{}
	for rows.Next() {
		var (
			component, priority string
			a                   audit.Activity
		)
		if err := rows.Scan(&component, &a.Code, &a.Name, &a.Area, &priority); err != nil {
			return nil, fmt.Errorf("list activities: %w", err)
		}
		a.DefaultPriority = audit.Priority(priority)
		out[component] = append(out[component], a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list activities: %w", err)
	}
	return out, nil
}

// AddCaptureStats adds delta to the counters of one configuration version.
func (s *Store) AddCaptureStats(ctx context.Context, tenant, componentID string, version int64, delta audit.CaptureStats) error {
	counts := map[string]int64{}
	if delta.Captured != 0 {
		counts[""] = delta.Captured
	}
	for reason, n := range delta.Suppressed {
		if n != 0 && reason != "" {
			counts[string(reason)] += n
		}
	}
	if len(counts) == 0 {
		return nil
	}
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		for reason, n := range counts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO capture_stats (tenant, component_id, version, reason, count)
				VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (tenant, component_id, version, reason) DO UPDATE SET count = count + excluded.count`,
				tenant, componentID, version, reason, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add capture stats of %s v%d: %w", componentID, version, err)
	}
	return nil
}

// GetCaptureStats returns the counters of one configuration version; zero
// when nothing was counted.
func (s *Store) GetCaptureStats(ctx context.Context, tenant, componentID string, version int64) (audit.CaptureStats, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT reason, count FROM capture_stats
		WHERE tenant = ? AND component_id = ? AND version = ?`, tenant, componentID, version)
	if err != nil {
		return audit.CaptureStats{}, fmt.Errorf("get capture stats of %s v%d: %w", componentID, version, err)
	}
	defer rows.Close()
	st := audit.CaptureStats{Suppressed: map[audit.SuppressReason]int64{}}
	for rows.Next() {
		var (
			reason string
			n      int64
		)
		if err := rows.Scan(&reason, &n); err != nil {
			return audit.CaptureStats{}, fmt.Errorf("get capture stats of %s v%d: %w", componentID, version, err)
		}
		if reason == "" {
			st.Captured = n
		} else {
			st.Suppressed[audit.SuppressReason(reason)] = n
		}
	}
	if err := rows.Err(); err != nil {
		return audit.CaptureStats{}, fmt.Errorf("get capture stats of %s v%d: %w", componentID, version, err)
	}
	return st, nil
}
