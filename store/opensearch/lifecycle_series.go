package opensearch

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/retention"
)

// seriesIndex is one index of a series as the cluster describes it.
type seriesIndex struct {
	name    string
	number  int
	created time.Time
	// rolledOver is when the index stopped being the write index: from its
	// rollover info, else the creation of the next index; nil while it is
	// the write index or when neither is known.
	rolledOver *time.Time
	write      bool
	docs       int64
	bytes      int64
}

// series is a write alias with its indices, oldest first.
type series struct {
	alias   string
	indices []seriesIndex
}

// writeIndex returns the series' write index, if it has one.
func (sr *series) writeIndex() (seriesIndex, bool) {
	for _, ix := range sr.indices {
		if ix.write {
			return ix, true
		}
	}
	return seriesIndex{}, false
}

// indexNumber matches the generation suffix of a series index.
var indexNumber = regexp.MustCompile(`^-([0-9]{6,})$`)

// listSeries describes the series whose write aliases match aliasPattern:
// one alias, or every series with s.prefix+"-events-*". Only indices holding
// the alias and named <alias>-NNNNNN belong to a series, so a pattern that
// also matches another series' indices cannot mix series up.
func (s *Store) listSeries(ctx context.Context, aliasPattern string) (map[string]*series, error) {
	var aliases map[string]struct {
		Aliases map[string]struct {
			IsWriteIndex *bool `json:"is_write_index"`
		} `json:"aliases"`
	}
	err := s.do(ctx, http.MethodGet, "/_alias/"+seg(aliasPattern), nil, nil, &aliases)
	if statusOf(err) == http.StatusNotFound {
		return map[string]*series{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("opensearch: list series %s: %w", aliasPattern, err)
	}
	out := map[string]*series{}
	for index, a := range aliases {
		for alias, meta := range a.Aliases {
			if !strings.HasPrefix(alias, s.prefix+"-events-") || !strings.HasPrefix(index, alias) {
				continue
			}
			m := indexNumber.FindStringSubmatch(strings.TrimPrefix(index, alias))
			if m == nil {
				continue
			}
			n, _ := strconv.Atoi(m[1])
			sr := out[alias]
			if sr == nil {
				sr = &series{alias: alias}
				out[alias] = sr
			}
			sr.indices = append(sr.indices, seriesIndex{name: index, number: n, write: meta.IsWriteIndex != nil && *meta.IsWriteIndex})
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	// The indices of one series, or of all; wildcards also tolerate an
	// index deleted since the alias listing.
	pattern := s.prefix + "-events-*"
	if len(out) == 1 && out[aliasPattern] != nil {
		pattern = aliasPattern + "-*"
	}
	meta, err := s.indexMetadata(ctx, pattern)
	if err != nil {
		return nil, err
	}
	for _, sr := range out {
		sort.Slice(sr.indices, func(i, j int) bool { return sr.indices[i].number < sr.indices[j].number })
		// The only index of an alias is its write index, flag or not.
		if len(sr.indices) == 1 {
			sr.indices[0].write = true
		}
		for i := range sr.indices {
			ix := &sr.indices[i]
			md := meta[ix.name]
			ix.created, ix.docs, ix.bytes = md.created, md.docs, md.bytes
			if t, ok := md.rolledOver[sr.alias]; ok && !ix.write {
				ix.rolledOver = &t
			}
		}
		for i := range sr.indices {
			ix := &sr.indices[i]
			if !ix.write && ix.rolledOver == nil && i+1 < len(sr.indices) && !sr.indices[i+1].created.IsZero() {
				t := sr.indices[i+1].created
				ix.rolledOver = &t
			}
		}
	}
	return out, nil
}

type indexMeta struct {
	created    time.Time
	rolledOver map[string]time.Time // by alias
	docs       int64
	bytes      int64
}

// indexMetadata reads the creation dates and rollover times of the indices
// matching pattern from the cluster state, and their document counts and
// primary sizes from _cat/indices.
func (s *Store) indexMetadata(ctx context.Context, pattern string) (map[string]indexMeta, error) {
	var state struct {
		Metadata struct {
			Indices map[string]struct {
				Settings struct {
					Index struct {
						CreationDate string `json:"creation_date"`
					} `json:"index"`
				} `json:"settings"`
				RolloverInfo map[string]struct {
					Time int64 `json:"time"`
				} `json:"rollover_info"`
			} `json:"indices"`
		} `json:"metadata"`
	}
	q := url.Values{"filter_path": {"metadata.indices.*.settings.index.creation_date,metadata.indices.*.rollover_info"}}
	if err := s.do(ctx, http.MethodGet, "/_cluster/state/metadata/"+seg(pattern), q, nil, &state); err != nil {
		return nil, fmt.Errorf("opensearch: read index metadata of %s: %w", pattern, err)
	}
	var cat []struct {
		Index string `json:"index"`
		Docs  string `json:"docs.count"`
		Size  string `json:"pri.store.size"`
	}
	q = url.Values{"format": {"json"}, "h": {"index,docs.count,pri.store.size"}, "bytes": {"b"}}
	if err := s.do(ctx, http.MethodGet, "/_cat/indices/"+seg(pattern), q, nil, &cat); err != nil {
		return nil, fmt.Errorf("opensearch: read index stats of %s: %w", pattern, err)
	}
	out := make(map[string]indexMeta, len(state.Metadata.Indices))
	for name, md := range state.Metadata.Indices {
		m := indexMeta{rolledOver: map[string]time.Time{}}
		if ms, err := strconv.ParseInt(md.Settings.Index.CreationDate, 10, 64); err == nil {
			m.created = time.UnixMilli(ms).UTC()
		}
		for alias, ri := range md.RolloverInfo {
			m.rolledOver[alias] = time.UnixMilli(ri.Time).UTC()
		}
		out[name] = m
	}
	for _, c := range cat {
		m, ok := out[c.Index]
		if !ok {
			continue
		}
		// Counts are empty while an index's shards are not started.
		m.docs, _ = strconv.ParseInt(c.Docs, 10, 64)
		m.bytes, _ = strconv.ParseInt(c.Size, 10, 64)
		out[c.Index] = m
	}
	return out, nil
}

// seriesOf returns the write alias of a tenant's component, checking both
// names first: they become index names and patterns.
func (s *Store) seriesOf(tenant, componentID string) (string, error) {
	if !audit.ValidTenant(tenant) || !audit.ValidComponentID(componentID) {
		return "", fmt.Errorf("opensearch: no index series for tenant %q, component %q", tenant, componentID)
	}
	return s.seriesAlias(tenant, componentID), nil
}

// ManagedIndices lists the indices of the tenant's component, oldest first,
// with their ISM state when the cluster runs ISM, and when each will be
// deleted under retention r (nil: never). It implements retention.Inspector
// assuming the lifecycle runs in auto mode; Lifecycle.ManagedIndices knows.
func (s *Store) ManagedIndices(ctx context.Context, tenant, componentID string, r *audit.Retention) ([]retention.ManagedIndex, error) {
	mode := LifecycleService
	if s.ism {
		mode = LifecycleISM
	}
	return s.managedIndices(ctx, tenant, componentID, r, mode, retention.Day)
}

// managedIndices lists a series' indices for an operator, the lifecycle
// running in mode with days of length day. An index an ISM policy manages is deleted by that
// policy's age rule; any other, in service mode, by the calendar-exact
// rule of auditlog's own lifecycle; in ISM mode it waits for the next
// lifecycle run to attach its policy.
func (s *Store) managedIndices(ctx context.Context, tenant, componentID string, r *audit.Retention, mode LifecycleMode, day time.Duration) ([]retention.ManagedIndex, error) {
	alias, err := s.seriesOf(tenant, componentID)
	if err != nil {
		return nil, err
	}
	all, err := s.listSeries(ctx, alias)
	if err != nil {
		return nil, err
	}
	sr := all[alias]
	if sr == nil {
		return []retention.ManagedIndex{}, nil
	}
	var explained map[string]ismExplain
	if s.ism {
		if explained, err = s.explain(ctx, sr); err != nil {
			return nil, err
		}
	}
	out := make([]retention.ManagedIndex, 0, len(sr.indices))
	for _, ix := range sr.indices {
		mi := retention.ManagedIndex{
			Name: ix.name, CreatedAt: ix.created, RolledOverAt: ix.rolledOver, WriteIndex: ix.write,
			Docs: ix.docs, SizeBytes: ix.bytes, ManagedBy: retention.ManagerAuditlog,
		}
		e, managed := explained[ix.name]
		managed = managed && e.policyID() != ""
		switch {
		case managed:
			mi.ManagedBy, mi.Policy, mi.State, mi.Action, mi.Info, mi.Failed = retention.ManagerISM, e.policyID(), e.state(), e.action(), e.info(), e.failed()
			if to := e.transitionTo(); to != "" {
				// ISM has decided on the next state and enters it at its
				// next run; explain shows no state meanwhile.
				mi.State, mi.Action = to, "transition"
			}
		case mode == LifecycleISM:
			mi.ManagedBy = retention.ManagerNone
		}
		if r != nil && ix.rolledOver != nil && !ix.write && mi.ManagedBy != retention.ManagerNone {
			at := retention.ExpiresAt(*ix.rolledOver, *r)
			if managed {
				at = ix.rolledOver.Add(retention.DeleteAfter(*r, day))
			}
			mi.DeleteAt = &at
		}
		out = append(out, mi)
	}
	return out, nil
}

// ManagedIndices lists the indices of the tenant's component as
// Store.ManagedIndices does, for the mode this lifecycle runs in.
func (l *Lifecycle) ManagedIndices(ctx context.Context, tenant, componentID string, r *audit.Retention) ([]retention.ManagedIndex, error) {
	return l.s.managedIndices(ctx, tenant, componentID, r, l.mode, l.day)
}

var (
	_ retention.Inspector = (*Store)(nil)
	_ retention.Inspector = (*Lifecycle)(nil)
)
