// Package opensearch is the distributed backend of auditlog: events live in
// one rollover index series per (tenant, component), written through the
// series' alias so that the series can be rolled over and old indices
// deleted by the component's retention (see Lifecycle: by ISM where the
// cluster runs it, by auditlog itself otherwise); everything else lives in
// small strict indices.
//
// Names, for a prefix P (default "auditlog"):
//
//	P-events-<tenant>-<component>           write alias of a series
//	P-events-<tenant>-<component>-000001    its first index (rolled over to -000002, …)
//	P-events                                index template of every event index
//	P-events-mappings                       component template: settings and mappings
//	P-events-<tenant>-<component>           index template of one series (rollover alias)
//	P-config, P-activities, P-stats, P-keys, P-saved-filters, P-notifications, P-checkpoints
//
// Full text is split into words in Go by audit.Words, the tokenizer of the
// query parser and the embedded store, and indexed with the whitespace
// analyzer, so both stores agree on words by construction and the cluster
// needs no analysis plugin. Writes are idempotent on (tenant, id): see
// WriteEvents for how far that reaches across indices.
package opensearch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/auditlog/auditlog/store"
)

// DefaultPrefix starts every index, template and alias name of the store.
const DefaultPrefix = "auditlog"

// DefaultResponseHeaderTimeout is how long a request waits for a node to
// start answering unless Config says otherwise: far beyond what a healthy
// node takes for the store's largest requests (a bulk of a few thousand
// events, a search with facets over a large tenant).
const DefaultResponseHeaderTimeout = time.Minute

// Config selects the cluster and the names the store uses on it.
type Config struct {
	// URLs of one or more nodes, e.g. http://127.0.0.1:9200.
	URLs []string
	// Username and Password, when set, authenticate with HTTP basic auth.
	Username, Password string
	// Prefix starts every name; lower-case letters, digits and '-'.
	// Default DefaultPrefix.
	Prefix string
	// Logger receives operational messages; default slog.Default().
	Logger *slog.Logger
	// ResponseHeaderTimeout bounds how long a request waits for the node to
	// start answering, so that a hung connection fails the request rather
	// than parking its caller (and whatever waits behind it) for good.
	// Default DefaultResponseHeaderTimeout; negative: no bound.
	ResponseHeaderTimeout time.Duration
}

var prefixPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,49}$`)

// Store is the OpenSearch backend. It is safe for concurrent use.
type Store struct {
	client *opensearchapi.Client
	prefix string
	log    *slog.Logger
	// ism reports whether the cluster runs the ISM plugin; without it the
	// rollover alias setting does not exist and is left out.
	ism bool

	mu     sync.Mutex
	series map[string]bool // write aliases known to exist

	// afterSeriesLookup, set by tests only, runs in WriteEvents between
	// reading the series and writing, where a rollover by another
	// process can happen.
	afterSeriesLookup func()
}

var (
	_ store.Store     = (*Store)(nil)
	_ store.Refresher = (*Store)(nil)
)

// New connects to the cluster and creates, idempotently, the templates and
// small indices the store needs.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("opensearch: no URL configured")
	}
	prefix := cfg.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if !prefixPattern.MatchString(prefix) {
		return nil, fmt.Errorf("opensearch: prefix %q: want lower-case letters, digits and '-'", prefix)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	// A transport of its own: net/http's default keeps 2 idle connections
	// per host, so the indexer's concurrent bulks and the searches beside
	// them would dial anew for most requests; and gzipped responses cost
	// both sides CPU (a large share of an export's) to save bandwidth a
	// cluster's network rarely lacks.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	transport.DisableCompression = true
	switch {
	case cfg.ResponseHeaderTimeout > 0:
		transport.ResponseHeaderTimeout = cfg.ResponseHeaderTimeout
	case cfg.ResponseHeaderTimeout == 0:
		transport.ResponseHeaderTimeout = DefaultResponseHeaderTimeout
	}
	// A request that timed out is not retried (the client's default): a
	// write may have been applied by a node that was merely slow.
	client, err := opensearchapi.NewClient(opensearchapi.Config{Client: opensearch.Config{
		Transport: transport,
		Addresses: cfg.URLs,
		Username:  cfg.Username,
		Password:  cfg.Password,
	}})
	if err != nil {
		return nil, fmt.Errorf("opensearch: new client: %w", err)
	}
	s := &Store{client: client, prefix: prefix, log: logger, series: map[string]bool{}}
	if s.ism, err = s.hasPlugin(ctx, "opensearch-index-management"); err != nil {
		return nil, err
	}
	// Whether a lifecycle manager runs is serve's to say (retention start):
	// keys, seed and export run none.
	if err := s.setup(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) hasPlugin(ctx context.Context, name string) (bool, error) {
	var plugins []struct {
		Component string `json:"component"`
	}
	if err := s.do(ctx, http.MethodGet, "/_cat/plugins", url.Values{"format": {"json"}}, nil, &plugins); err != nil {
		return false, fmt.Errorf("opensearch: list plugins: %w", err)
	}
	for _, p := range plugins {
		if p.Component == name {
			return true, nil
		}
	}
	return false, nil
}

// setup puts the event templates and creates the small indices.
func (s *Store) setup(ctx context.Context) error {
	indexSettings := obj{"number_of_shards": 1, "auto_expand_replicas": "0-1"}
	base := obj{"template": obj{
		"settings": obj{"index": indexSettings, "analysis": normalizers()},
		"mappings": eventMapping(),
	}}
	if err := s.do(ctx, http.MethodPut, "/_component_template/"+seg(s.mappingsTemplate()), nil, base, nil); err != nil {
		return fmt.Errorf("opensearch: put events component template: %w", err)
	}
	tmpl := obj{
		"index_patterns": []string{s.prefix + "-events-*"},
		"priority":       100,
		"composed_of":    []string{s.mappingsTemplate()},
		"_meta":          obj{"managed_by": "auditlog"},
	}
	if err := s.do(ctx, http.MethodPut, "/_index_template/"+seg(s.prefix+"-events"), nil, tmpl, nil); err != nil {
		return fmt.Errorf("opensearch: put events index template: %w", err)
	}
	for suffix, mapping := range smallIndexMappings() {
		name := s.index(suffix)
		body := obj{"settings": obj{"index": indexSettings, "analysis": normalizers()}, "mappings": mapping}
		err := s.do(ctx, http.MethodPut, "/"+seg(name), nil, body, nil)
		if err != nil && errorType(err) != "resource_already_exists_exception" {
			return fmt.Errorf("opensearch: create index %s: %w", name, err)
		}
	}
	return nil
}

func (s *Store) mappingsTemplate() string { return s.prefix + "-events-mappings" }

// index names one of the small indices.
func (s *Store) index(suffix string) string { return s.prefix + "-" + suffix }

// Close releases the client.
func (s *Store) Close() error { return s.client.Close() }

// Ping reports whether the cluster can serve requests: its health is not red.
func (s *Store) Ping(ctx context.Context) error {
	var health struct {
		Status string `json:"status"`
	}
	if err := s.do(ctx, http.MethodGet, "/_cluster/health", nil, nil, &health); err != nil {
		return fmt.Errorf("opensearch: cluster health: %w", err)
	}
	if health.Status == "red" {
		return errors.New("opensearch: cluster health is red")
	}
	return nil
}

// Refresh makes every completed event write visible to searches.
func (s *Store) Refresh(ctx context.Context) error {
	q := url.Values{"allow_no_indices": {"true"}, "ignore_unavailable": {"true"}}
	if err := s.do(ctx, http.MethodPost, "/"+seg(s.prefix+"-events-*")+"/_refresh", q, nil, nil); err != nil {
		return fmt.Errorf("opensearch: refresh events: %w", err)
	}
	return nil
}

// seriesAlias is the write alias of a (tenant, component) series.
func (s *Store) seriesAlias(tenant, componentID string) string {
	return s.prefix + "-events-" + tenant + "-" + strings.ToLower(componentID)
}

// tenantEvents is the index pattern of every event index of a tenant. It
// also matches tenants whose name extends this one with '-', so every query
// filters on the tenant as well.
func (s *Store) tenantEvents(tenant string) string {
	return s.prefix + "-events-" + tenant + "-*"
}

// ensureSeries bootstraps a series once: its index template, carrying the
// rollover alias ISM needs on every index of the series (rollover creates
// the new index from templates, not from the old index), and its first
// index holding the write alias. Concurrent and repeated calls, also from
// other processes, are harmless.
func (s *Store) ensureSeries(ctx context.Context, alias string) error {
	s.mu.Lock()
	known := s.series[alias]
	s.mu.Unlock()
	if known {
		return nil
	}
	tmpl := obj{
		"index_patterns": []string{alias + "-*"},
		// Patterns of two series can overlap ("acme-cms-*" and "acme-cms-x-*"
		// when a tenant is called "acme-cms"); the longer, more specific one
		// must win, and OpenSearch rejects overlapping templates of equal
		// priority, so the priority grows with the length.
		"priority":    1000 + len(alias),
		"composed_of": []string{s.mappingsTemplate()},
		"_meta":       obj{"managed_by": "auditlog", "series": alias},
	}
	if s.ism {
		tmpl["template"] = obj{"settings": obj{"plugins.index_state_management.rollover_alias": alias}}
	}
	if err := s.do(ctx, http.MethodPut, "/_index_template/"+seg(alias), nil, tmpl, nil); err != nil {
		return fmt.Errorf("opensearch: put series template %s: %w", alias, err)
	}
	// Once the series was rolled over and -000001 deleted, recreating
	// it would add a second write index; so the alias decides.
	write, err := s.writeIndex(ctx, alias)
	if err != nil {
		return err
	}
	if write == "" {
		first := alias + "-000001"
		body := obj{"aliases": obj{alias: obj{"is_write_index": true}}}
		if err := s.do(ctx, http.MethodPut, "/"+seg(first), nil, body, nil); err != nil {
			// A concurrent writer may have won the race.
			if write, _ = s.writeIndex(ctx, alias); write == "" {
				return fmt.Errorf("opensearch: create index %s: %w", first, err)
			}
		} else {
			write = first
		}
	}
	// An index is in the cluster state, and matched by every pattern
	// covering it, before its primary shard is active; until then a search
	// or get covering it fails ("all shards failed"). The index may have
	// been created just now by another writer, who won the race or
	// created it shortly before, so whoever saw it created waits, bounded,
	// before its searches and gets cover it.
	if err := s.waitActive(ctx, write, seriesActiveTimeout); err != nil {
		return fmt.Errorf("opensearch: series %s: %w", alias, err)
	}
	s.mu.Lock()
	s.series[alias] = true
	s.mu.Unlock()
	return nil
}

// seriesActiveTimeout bounds how long ensureSeries waits for the primary
// shard of a series' write index to become active.
const seriesActiveTimeout = 30 * time.Second

// writeIndex returns the write index of alias, or "" when the alias does
// not exist.
func (s *Store) writeIndex(ctx context.Context, alias string) (string, error) {
	var indices map[string]struct {
		Aliases map[string]struct {
			IsWriteIndex *bool `json:"is_write_index"`
		} `json:"aliases"`
	}
	err := s.do(ctx, http.MethodGet, "/_alias/"+seg(alias), nil, nil, &indices)
	switch {
	case statusOf(err) == http.StatusNotFound:
		return "", nil
	case err != nil:
		return "", fmt.Errorf("opensearch: alias %s: %w", alias, err)
	}
	only := ""
	for index, a := range indices {
		meta, ok := a.Aliases[alias]
		if !ok {
			continue
		}
		if meta.IsWriteIndex != nil && *meta.IsWriteIndex {
			return index, nil
		}
		only = index
	}
	// The only index of an alias is its write index, flagged or not.
	if len(indices) == 1 {
		return only, nil
	}
	return "", fmt.Errorf("opensearch: alias %s has %d indices and no write index", alias, len(indices))
}

// waitActive waits, at most timeout, until the primary shard of every
// index matching indices (names, aliases or patterns, comma-separated) is
// active. Cluster health cannot say so by status: a primary still being
// created leaves its index yellow, not red. So it polls the active
// primaries of each index.
func (s *Store) waitActive(ctx context.Context, indices string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	pause := 10 * time.Millisecond
	for {
		inactive, err := s.inactivePrimaries(ctx, indices)
		if err != nil {
			return err
		}
		if len(inactive) == 0 {
			return nil
		}
		if time.Now().Add(pause).After(deadline) {
			return fmt.Errorf("opensearch: primary shards of %s not active after %v", strings.Join(inactive, ", "), timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 250*time.Millisecond)
	}
}

// inactivePrimaries lists the indices matching indices that have a primary
// shard not active yet, or indices itself when it names no index (yet).
func (s *Store) inactivePrimaries(ctx context.Context, indices string) ([]string, error) {
	var health struct {
		Indices map[string]struct {
			Shards int `json:"number_of_shards"`
			Active int `json:"active_primary_shards"`
		} `json:"indices"`
	}
	// timeout=0s: health waits for an index named but missing unless told
	// otherwise, and answers 408 (as it does after any timeout).
	q := url.Values{
		"level":       {"indices"},
		"timeout":     {"0s"},
		"filter_path": {"indices.*.number_of_shards,indices.*.active_primary_shards"},
	}
	err := s.do(ctx, http.MethodGet, "/_cluster/health/"+seg(indices), q, nil, &health)
	if statusOf(err) == http.StatusRequestTimeout {
		return []string{indices}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("opensearch: cluster health of %s: %w", indices, err)
	}
	var inactive []string
	for name, ix := range health.Indices {
		if ix.Active < ix.Shards {
			inactive = append(inactive, name)
		}
	}
	slices.Sort(inactive)
	return inactive, nil
}
