package opensearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// Checkpoints live in the small index P-checkpoints under the id
// tenant/component/seq, so that creating one with op_type create decides
// between replicas which one writes a checkpoint number.

func checkpointID(tenant, componentID string, seq int64) string {
	return tenant + "/" + componentID + "/" + strconv.FormatInt(seq, 10)
}

// ListSeries lists the series with events ingested at or after since, from
// a composite aggregation over every event index.
func (s *Store) ListSeries(ctx context.Context, since time.Time) ([]store.Series, error) {
	query := obj{"match_all": obj{}}
	if since.UnixMilli() > 0 {
		query = obj{"range": obj{"ingestedAt": obj{"gte": formatBound(since)}}}
	}
	var out []store.Series
	var after obj
	for {
		composite := obj{
			"size": 1000,
			"sources": []obj{
				{"tenant": obj{"terms": obj{"field": "tenant"}}},
				{"component": obj{"terms": obj{"field": "componentId"}}},
			},
		}
		if after != nil {
			composite["after"] = after
		}
		body := obj{"size": 0, "query": query, "track_total_hits": false, "aggs": obj{"series": obj{"composite": composite}}}
		resp, err := s.search(ctx, s.prefix+"-events-*", body)
		if err != nil {
			return nil, fmt.Errorf("opensearch: list series: %w", err)
		}
		var aggs struct {
			Series struct {
				AfterKey obj `json:"after_key"`
				Buckets  []struct {
					Key struct {
						Tenant    string `json:"tenant"`
						Component string `json:"component"`
					} `json:"key"`
				} `json:"buckets"`
			} `json:"series"`
		}
		if len(resp.Aggregations) > 0 {
			if err := json.Unmarshal(resp.Aggregations, &aggs); err != nil {
				return nil, fmt.Errorf("opensearch: list series: decode: %w", err)
			}
		}
		for _, b := range aggs.Series.Buckets {
			out = append(out, store.Series{Tenant: b.Key.Tenant, ComponentID: b.Key.Component})
		}
		if len(aggs.Series.Buckets) == 0 || aggs.Series.AfterKey == nil {
			return out, nil
		}
		after = aggs.Series.AfterKey
	}
}

// ScanIngested reads the series' indices page by page with search_after on
// (ingestedAt, id). Checkpointed windows are closed, so no snapshot is
// needed: nothing is written into them any more.
func (s *Store) ScanIngested(ctx context.Context, tenant, componentID string, from, to time.Time, fn func(audit.Event) error) error {
	if !audit.ValidTenant(tenant) || !audit.ValidComponentID(componentID) {
		return nil
	}
	window := obj{"lt": formatBound(to)}
	if from.UnixMilli() > 0 {
		window["gte"] = formatBound(from)
	}
	query := boolFilter([]obj{term("tenant", tenant), term("componentId", componentID), {"range": obj{"ingestedAt": window}}})
	var after []any
	for {
		body := obj{
			"size":             defaultScanPage,
			"query":            query,
			"sort":             []obj{{"ingestedAt": obj{"order": "asc"}}, {"id": obj{"order": "asc"}}},
			"track_total_hits": false,
		}
		if after != nil {
			body["search_after"] = after
		}
		resp, err := s.search(ctx, s.seriesAlias(tenant, componentID)+"-*", body)
		if err != nil {
			return fmt.Errorf("opensearch: scan events by ingest time: %w", err)
		}
		for _, h := range resp.Hits.Hits {
			e, err := h.event()
			if err != nil {
				return err
			}
			if err := fn(e); err != nil {
				return err
			}
			after = []any{e.IngestedAt.UnixMilli(), e.ID}
		}
		if len(resp.Hits.Hits) < defaultScanPage {
			return nil
		}
	}
}

func normalizeCheckpoint(cp audit.Checkpoint) audit.Checkpoint {
	cp.Start, cp.End, cp.CreatedAt = msUTC(cp.Start), msUTC(cp.End), msUTC(cp.CreatedAt)
	return cp
}

// CreateCheckpoint creates the checkpoint's document; an existing one is
// ErrDuplicate.
func (s *Store) CreateCheckpoint(ctx context.Context, cp audit.Checkpoint) error {
	err := s.put(ctx, s.index(checkpointsIndex), checkpointID(cp.Tenant, cp.ComponentID, cp.Seq), normalizeCheckpoint(cp), true, nil)
	if errors.Is(err, store.ErrDuplicate) {
		return err
	}
	if err != nil {
		return fmt.Errorf("opensearch: create checkpoint %s/%s/%d: %w", cp.Tenant, cp.ComponentID, cp.Seq, err)
	}
	return nil
}

// GetCheckpoint reads one checkpoint by id (real time).
func (s *Store) GetCheckpoint(ctx context.Context, tenant, componentID string, seq int64) (audit.Checkpoint, error) {
	var cp audit.Checkpoint
	if _, err := s.get(ctx, s.index(checkpointsIndex), checkpointID(tenant, componentID, seq), &cp); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return audit.Checkpoint{}, err
		}
		return audit.Checkpoint{}, fmt.Errorf("opensearch: get checkpoint: %w", err)
	}
	return cp, nil
}

// LastCheckpoint finds the series' checkpoint with the highest number.
// Checkpoint writes refresh at once, so the search sees every one.
func (s *Store) LastCheckpoint(ctx context.Context, tenant, componentID string) (audit.Checkpoint, error) {
	var cp audit.Checkpoint
	found := false
	err := s.scanCheckpoints(ctx, boolFilter([]obj{term("tenant", tenant), term("componentId", componentID)}),
		[]obj{{"seq": "desc"}}, 1, []string{"leaves"}, func(c audit.Checkpoint) error {
			cp, found = c, true
			return errStop
		})
	if err != nil && !errors.Is(err, errStop) {
		return audit.Checkpoint{}, fmt.Errorf("opensearch: last checkpoint: %w", err)
	}
	if !found {
		return audit.Checkpoint{}, store.ErrNotFound
	}
	return cp, nil
}

var errStop = errors.New("stop")

// checkpointPage is how many checkpoints, each with its leaf list, one
// page of a scan holds.
const checkpointPage = 16

// ScanCheckpoints reads the tenant's checkpoints overlapping [from, to).
func (s *Store) ScanCheckpoints(ctx context.Context, tenant, componentID string, from, to time.Time, fn func(audit.Checkpoint) error) error {
	filters := []obj{
		term("tenant", tenant),
		{"range": obj{"end": obj{"gt": formatTime(from)}}},
		{"range": obj{"start": obj{"lt": formatBound(to)}}},
	}
	if componentID != "" {
		filters = append(filters, term("componentId", componentID))
	}
	err := s.scanCheckpoints(ctx, boolFilter(filters), []obj{{"componentId": "asc"}, {"seq": "asc"}}, checkpointPage, nil, fn)
	if err != nil {
		return fmt.Errorf("opensearch: scan checkpoints: %w", err)
	}
	return nil
}

// scanCheckpoints reads checkpoints page by page, leaving the fields of
// excludes out of what the node sends.
func (s *Store) scanCheckpoints(ctx context.Context, query obj, sort []obj, page int, excludes []string, fn func(audit.Checkpoint) error) error {
	return s.searchPages(ctx, s.index(checkpointsIndex), query, sort, page, excludes, func(h searchHit) error {
		var cp audit.Checkpoint
		if err := json.Unmarshal(h.Source, &cp); err != nil {
			return fmt.Errorf("decode checkpoint %s: %w", h.ID, err)
		}
		return fn(cp)
	})
}
