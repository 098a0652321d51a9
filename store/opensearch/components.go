package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// docID joins the parts of a natural key into a document id; escaping each
// part keeps the joined id unambiguous whatever the parts contain.
func docID(parts ...string) string {
	escaped := make([]string, len(parts))
	for i, p := range parts {
		escaped[i] = url.PathEscape(p)
	}
	return strings.Join(escaped, "/")
}

func normalizeConfig(cfg audit.ComponentConfig) audit.ComponentConfig {
	cfg.UpdatedAt = msUTC(cfg.UpdatedAt)
	if p := cfg.Criteria.LoggingPeriod; p != nil {
		cfg.Criteria.LoggingPeriod = &audit.Period{Start: msUTC(p.Start), End: msUTC(p.End)}
	}
	return cfg
}

// GetComponentConfig returns the stored configuration of a component.
func (s *Store) GetComponentConfig(ctx context.Context, tenant, componentID string) (audit.ComponentConfig, error) {
	var cfg audit.ComponentConfig
	if _, err := s.get(ctx, s.index(configIndex), docID(tenant, componentID), &cfg); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return audit.ComponentConfig{}, err
		}
		return audit.ComponentConfig{}, fmt.Errorf("opensearch: get component config: %w", err)
	}
	return cfg, nil
}

// PutComponentConfig stores cfg if the stored version is expectedVersion.
// The check and the write are one conditional write (create for version 0,
// sequence numbers otherwise), so of two concurrent saves one conflicts.
func (s *Store) PutComponentConfig(ctx context.Context, cfg audit.ComponentConfig, expectedVersion int64) (audit.ComponentConfig, error) {
	cfg = normalizeConfig(cfg)
	cfg.Version = expectedVersion + 1
	index, id := s.index(configIndex), docID(cfg.Tenant, cfg.ComponentID)
	var err error
	if expectedVersion == 0 {
		err = s.put(ctx, index, id, cfg, true, nil)
		if errors.Is(err, store.ErrDuplicate) {
			err = store.ErrConflict
		}
	} else {
		var cur audit.ComponentConfig
		d, gerr := s.get(ctx, index, id, &cur)
		switch {
		case errors.Is(gerr, store.ErrNotFound):
			err = store.ErrConflict
		case gerr != nil:
			err = gerr
		case cur.Version != expectedVersion:
			err = store.ErrConflict
		default:
			err = s.put(ctx, index, id, cfg, false, &d)
		}
	}
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			return audit.ComponentConfig{}, err
		}
		return audit.ComponentConfig{}, fmt.Errorf("opensearch: put component config: %w", err)
	}
	return cfg, nil
}

// ListComponentConfigs returns the configurations of a tenant, or of every
// tenant when tenant is "", ordered by tenant and component.
func (s *Store) ListComponentConfigs(ctx context.Context, tenant string) ([]audit.ComponentConfig, error) {
	query := obj{"match_all": obj{}}
	if tenant != "" {
		query = term("tenant", tenant)
	}
	var out []audit.ComponentConfig
	err := s.searchAll(ctx, s.index(configIndex), query, []obj{{"tenant": "asc"}, {"componentId": "asc"}}, func(h searchHit) error {
		var cfg audit.ComponentConfig
		if err := json.Unmarshal(h.Source, &cfg); err != nil {
			return fmt.Errorf("decode component config %s: %w", h.ID, err)
		}
		out = append(out, cfg)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("opensearch: list component configs: %w", err)
	}
	return out, nil
}

type activityDoc struct {
	Tenant      string `json:"tenant"`
	ComponentID string `json:"componentId"`
	audit.Activity
}

// RegisterActivities records activities; a known code is left unchanged.
func (s *Store) RegisterActivities(ctx context.Context, tenant, componentID string, activities []audit.Activity) error {
	if len(activities) == 0 {
		return nil
	}
	var buf bytes.Buffer
	for _, a := range activities {
		action := obj{"create": obj{"_index": s.index(activitiesIndex), "_id": docID(tenant, componentID, a.Code)}}
		if err := ndjson(&buf, action, activityDoc{Tenant: tenant, ComponentID: componentID, Activity: a}); err != nil {
			return fmt.Errorf("opensearch: encode activity %s: %w", a.Code, err)
		}
	}
	items, err := s.bulk(ctx, buf.Bytes(), url.Values{"refresh": {"true"}})
	if err != nil {
		return fmt.Errorf("opensearch: register activities: %w", err)
	}
	for i, it := range items {
		if it.Error != nil && it.Status != 409 {
			return fmt.Errorf("opensearch: register activity %s: %w", activities[i].Code, it.err())
		}
	}
	return nil
}

// ListActivities returns the registered activities of the tenant by
// component, each ordered by code.
func (s *Store) ListActivities(ctx context.Context, tenant string) (map[string][]audit.Activity, error) {
	out := map[string][]audit.Activity{}
	err := s.searchAll(ctx, s.index(activitiesIndex), term("tenant", tenant), []obj{{"componentId": "asc"}, {"code": "asc"}}, func(h searchHit) error {
		var d activityDoc
		if err := json.Unmarshal(h.Source, &d); err != nil {
			return fmt.Errorf("decode activity %s: %w", h.ID, err)
		}
		out[d.ComponentID] = append(out[d.ComponentID], d.Activity)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("opensearch: list activities: %w", err)
	}
	return out, nil
}

type statsDoc struct {
	Tenant      string                         `json:"tenant"`
	ComponentID string                         `json:"componentId"`
	Version     int64                          `json:"version"`
	Captured    int64                          `json:"captured"`
	Suppressed  map[audit.SuppressReason]int64 `json:"suppressed"`
}

// AddCaptureStats adds delta to the counters of a configuration version.
// Concurrent additions are serialized by conditional writes and retried,
// so none is lost.
func (s *Store) AddCaptureStats(ctx context.Context, tenant, componentID string, version int64, delta audit.CaptureStats) error {
	index, id := s.index(statsIndex), docID(tenant, componentID, fmt.Sprint(version))
	for attempt := 0; attempt < 20; attempt++ {
		doc := statsDoc{Tenant: tenant, ComponentID: componentID, Version: version, Suppressed: map[audit.SuppressReason]int64{}}
		d, err := s.get(ctx, index, id, &doc)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("opensearch: read capture stats: %w", err)
		}
		if doc.Suppressed == nil {
			doc.Suppressed = map[audit.SuppressReason]int64{}
		}
		doc.Captured += delta.Captured
		for reason, n := range delta.Suppressed {
			doc.Suppressed[reason] += n
		}
		if exists {
			err = s.put(ctx, index, id, doc, false, &d)
		} else {
			err = s.put(ctx, index, id, doc, true, nil)
		}
		if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrDuplicate) {
			continue // another writer got there first: add to its result
		}
		if err != nil {
			return fmt.Errorf("opensearch: write capture stats: %w", err)
		}
		return nil
	}
	return errors.New("opensearch: write capture stats: too much contention")
}

// GetCaptureStats returns the counters of a configuration version; zero
// when nothing was counted.
func (s *Store) GetCaptureStats(ctx context.Context, tenant, componentID string, version int64) (audit.CaptureStats, error) {
	var doc statsDoc
	_, err := s.get(ctx, s.index(statsIndex), docID(tenant, componentID, fmt.Sprint(version)), &doc)
	if errors.Is(err, store.ErrNotFound) {
		return audit.CaptureStats{}, nil
	}
	if err != nil {
		return audit.CaptureStats{}, fmt.Errorf("opensearch: get capture stats: %w", err)
	}
	stats := audit.CaptureStats{Captured: doc.Captured}
	for reason, n := range doc.Suppressed {
		if n != 0 {
			if stats.Suppressed == nil {
				stats.Suppressed = map[audit.SuppressReason]int64{}
			}
			stats.Suppressed[reason] = n
		}
	}
	return stats, nil
}
