package opensearch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
)

// TestSearchesRefuseFailedShards: an index of the tenant whose shard fails
// the listing's query (here one whose occurredAt cannot be sorted on) fails
// the listing and the scan, instead of answering from the other indices
// with a total and facets that silently leave that index out.
func TestSearchesRefuseFailedShards(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	batch := []audit.Event{event("acme", "CMS", "e1", at), event("acme", "CMS", "e2", at), event("globex", "CMS", "e3", at)}
	if res, err := s.WriteEvents(ctx, batch); err != nil || res[0].Err != nil || res[1].Err != nil || res[2].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	odd := prefix + "-events-acme-odd-000001"
	mapping := map[string]any{"mappings": map[string]any{"properties": map[string]any{"occurredAt": map[string]any{"type": "text"}}}}
	if code, body := rest(t, http.MethodPut, base+"/"+odd, mapping); code != http.StatusOK {
		t.Fatalf("create %s: HTTP %d %v", odd, code, body)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10, Facets: audit.AllFacets})
	if err == nil {
		t.Errorf("SearchEvents with a failing shard = total %d, %d events, no error; want an error", page.Total, len(page.Events))
	} else if !strings.Contains(err.Error(), "Text fields are not optimised") {
		t.Errorf("SearchEvents error does not say why the shard failed: %v", err)
	}
	n := 0
	if err := s.ScanEvents(ctx, audit.Query{Tenant: "acme"}, func(audit.Event) error { n++; return nil }); err == nil {
		t.Errorf("ScanEvents with a failing shard read %d events and no error; want an error", n)
	}
	// Other tenants' indices are not involved.
	if page, err := s.SearchEvents(ctx, audit.Query{Tenant: "globex", Limit: 10}); err != nil || page.Total != 1 {
		t.Errorf("SearchEvents(globex) = total %d, %v; want 1", page.Total, err)
	}
}

// partialProxy sits between a store and the node. It records the search
// requests (_search and point-in-time creation) that do not refuse partial
// results, and, once degraded, rewrites every search answer to say that
// one of its shards was not searched (as OpenSearch does, with failed 0,
// for a shard without an active copy when partial results are allowed).
type partialProxy struct {
	degrade atomic.Bool
	mu      sync.Mutex
	lax     []string
}

func newPartialProxy(t *testing.T, base string) (*partialProxy, string) {
	t.Helper()
	target, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	p := &partialProxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		req := resp.Request
		isPIT := strings.HasSuffix(req.URL.Path, "/_search/point_in_time") && req.Method == http.MethodPost
		if !strings.HasSuffix(req.URL.Path, "/_search") && !isPIT {
			return nil
		}
		param, want := "allow_partial_search_results", "false"
		if isPIT {
			param = "allow_partial_pit_creation"
		}
		if req.URL.Query().Get(param) != want {
			p.mu.Lock()
			p.lax = append(p.lax, req.Method+" "+req.URL.String())
			p.mu.Unlock()
		}
		if !p.degrade.Load() || resp.StatusCode != http.StatusOK {
			return nil
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var body map[string]any
		if err := json.Unmarshal(data, &body); err != nil {
			return err
		}
		if sh, ok := body["_shards"].(map[string]any); ok {
			total, _ := sh["total"].(float64)
			sh["total"] = total + 1
		}
		data, err = json.Marshal(body)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(data))
		resp.ContentLength = int64(len(data))
		resp.Header.Set("Content-Length", strconv.Itoa(len(data)))
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

// TestSearchesRefusePartialResults: every search the store sends refuses
// partial results, and an answer that lacks a shard all the same fails the
// operation instead of being taken as complete.
func TestSearchesRefusePartialResults(t *testing.T) {
	t.Parallel()
	_, base, prefix := newStore(t)
	proxy, proxied := newPartialProxy(t, base)
	ctx := context.Background()
	s, err := opensearch.New(ctx, opensearch.Config{URLs: []string{proxied}, Prefix: prefix})
	if err != nil {
		t.Fatalf("new store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	ada := audit.User{Type: audit.UserDashboard, ID: "u1", Email: "ada@example.com"}
	if res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "e1", at)}); err != nil || res[0].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	if err := s.AddNotifications(ctx, []audit.Notification{{ID: "n1", Tenant: "acme", Recipient: ada, EventID: "e1", FlaggedAt: at}}); err != nil {
		t.Fatal(err)
	}
	// WriteEvents searches for its ids only the indices that are no write
	// index: a series that rolled over has one.
	if code, body := rest(t, http.MethodPost, base+"/"+prefix+"-events-acme-cms/_rollover", nil); code != http.StatusOK {
		t.Fatalf("rollover: HTTP %d %v", code, body)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		run  func() error
	}{
		{"WriteEvents", func() error {
			_, err := s.WriteEvents(ctx, []audit.Event{event("acme", "KMS", "e2", at)})
			return err
		}},
		{"GetEvent", func() error { _, err := s.GetEvent(ctx, "acme", "e1", nil); return err }},
		{"SearchEvents", func() error {
			_, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10, Facets: audit.AllFacets, Histogram: time.Hour})
			return err
		}},
		{"ScanEvents", func() error {
			return s.ScanEvents(ctx, audit.Query{Tenant: "acme"}, func(audit.Event) error { return nil })
		}},
		{"FlagEvents", func() error {
			_, err := s.FlagEvents(ctx, "acme", []string{"e1"}, audit.Flag{By: ada, At: at})
			return err
		}},
		{"ListNotifications", func() error { _, err := s.ListNotifications(ctx, "acme", ada, store.NotificationQuery{}); return err }},
		{"MarkNotificationsRead", func() error {
			_, err := s.MarkNotificationsRead(ctx, "acme", ada, []string{"n1"}, at)
			return err
		}},
		{"ListComponentConfigs", func() error { _, err := s.ListComponentConfigs(ctx, "acme"); return err }},
		{"ListActivities", func() error { _, err := s.ListActivities(ctx, "acme"); return err }},
		{"ListKeys", func() error { _, err := s.ListKeys(ctx, "acme"); return err }},
		{"ListSavedFilters", func() error { _, err := s.ListSavedFilters(ctx, "acme", "u1"); return err }},
	}
	// ListKeys and the like answer from empty indices; searches of
	// those still count their shards.
	proxy.degrade.Store(true)
	for _, op := range ops {
		err := op.run()
		if err == nil {
			t.Errorf("%s answered from a search that lacked a shard; want an error", op.name)
		} else if !strings.Contains(err.Error(), "partial results refused") {
			t.Errorf("%s error does not say the results were partial: %v", op.name, err)
		}
	}
	proxy.degrade.Store(false)
	for _, op := range ops {
		if err := op.run(); err != nil {
			t.Errorf("%s with complete answers: %v", op.name, err)
		}
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if len(proxy.lax) > 0 {
		t.Errorf("searches sent without refusing partial results:\n%s", strings.Join(proxy.lax, "\n"))
	}
}
