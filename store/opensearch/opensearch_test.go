package opensearch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
	"github.com/auditlog/auditlog/store/storetest"
)

// newStore returns a store on the test node with a prefix of its own,
// removed with everything under it when t ends.
func newStore(t testing.TB) (*opensearch.Store, string, string) {
	t.Helper()
	base := opensearchtest.URL(t)
	prefix := opensearchtest.Prefix(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := opensearch.New(ctx, opensearch.Config{URLs: []string{base}, Prefix: prefix})
	if err != nil {
		t.Fatalf("new store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, base, prefix
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _, _ := newStore(t)
		return s
	})
}

// rest is a bare REST call to the node, for checking what the store built.
func rest(t testing.TB, method, url string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

func event(tenant, component, id string, at time.Time) audit.Event {
	return audit.Event{
		ID: id, Tenant: tenant, ComponentID: component, EventType: "user_login",
		EventTypeName: "User login", Description: "Ada logged in from the dashboard",
		Priority: audit.PriorityLow, Status: audit.StatusSuccess,
		ActionUser: audit.User{Type: audit.UserDashboard, ID: "u1", Name: "Ada", Email: "ada@example.com", IPAddress: "10.0.0.1"},
		OccurredAt: at, IngestedAt: at,
		Details: map[string]any{"browser": "firefox", "nested": map[string]any{"depth": 2.0}},
	}
}

func TestEventIndicesAreStrictAndTemplated(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "SET", "e1", at)})
	if err != nil || res[0].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}

	// The series exists as alias → first index, with the template's mapping.
	alias := prefix + "-events-acme-set"
	code, aliases := rest(t, http.MethodGet, base+"/_alias/"+alias, nil)
	if code != http.StatusOK {
		t.Fatalf("GET _alias/%s: %d %v", alias, code, aliases)
	}
	first := alias + "-000001"
	a, _ := aliases[first].(map[string]any)
	if w := fmt.Sprint(a["aliases"].(map[string]any)[alias].(map[string]any)["is_write_index"]); w != "true" {
		t.Errorf("%s is not the write index of %s: %v", first, alias, aliases)
	}
	_, mapping := rest(t, http.MethodGet, base+"/"+first+"/_mapping", nil)
	m := mapping[first].(map[string]any)["mappings"].(map[string]any)
	if m["dynamic"] != "strict" {
		t.Errorf("mapping dynamic = %v, want strict", m["dynamic"])
	}
	props := m["properties"].(map[string]any)
	for field, want := range map[string]string{"details": "flat_object", "occurredAt": "date", "tenant": "keyword", "priorityRank": "integer", "actionUser.ipAddress": "ip", "words.description": "text"} {
		var f any = map[string]any{"properties": props}
		for _, part := range strings.Split(field, ".") {
			f = f.(map[string]any)["properties"].(map[string]any)[part]
		}
		if got := f.(map[string]any)["type"]; got != want {
			t.Errorf("field %s has type %v, want %s", field, got, want)
		}
	}

	// A document with a field nobody mapped is rejected.
	code, body := rest(t, http.MethodPost, base+"/"+alias+"/_doc?refresh=true", map[string]any{"tenant": "acme", "surprise": 1})
	if code != http.StatusBadRequest || !strings.Contains(fmt.Sprint(body), "strict_dynamic_mapping_exception") {
		t.Errorf("unknown field: HTTP %d %v, want 400 strict_dynamic_mapping_exception", code, body)
	}

	// The event reads back as written, details and all.
	got, err := s.GetEvent(ctx, "acme", "e1", nil)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Details["browser"] != "firefox" || !got.OccurredAt.Equal(at) || got.ActionUser.IPAddress != "10.0.0.1" {
		t.Errorf("read back %+v", got)
	}
}

func TestSeriesBootstrapUnderConcurrentFirstWrites(t *testing.T) {
	t.Parallel()
	_, base, prefix := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	// Several stores (as several processes would) write the first events of
	// the same series at once.
	const writers = 6
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		s, err := opensearch.New(ctx, opensearch.Config{URLs: []string{base}, Prefix: prefix})
		if err != nil {
			t.Fatalf("new store: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "KMS", fmt.Sprintf("w%d", w), at)})
			if err == nil && res[0].Err != nil {
				err = res[0].Err
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent first write: %v", err)
		}
	}
	_, indices := rest(t, http.MethodGet, base+"/"+prefix+"-events-acme-kms-*", nil)
	if len(indices) != 1 {
		t.Fatalf("series has %d indices, want 1: %v", len(indices), keys(indices))
	}
	rest(t, http.MethodPost, base+"/"+prefix+"-events-*/_refresh", nil)
	_, count := rest(t, http.MethodGet, base+"/"+prefix+"-events-acme-kms/_count", nil)
	if n := count["count"]; n != float64(writers) {
		t.Errorf("series holds %v events, want %d", n, writers)
	}
}

// hasISM reports whether the node runs the index state management plugin.
func hasISM(t testing.TB, base string) bool {
	t.Helper()
	code, _ := rest(t, http.MethodGet, base+"/_plugins/_ism/policies", nil)
	return code == http.StatusOK
}

// requireISM skips t on a node without ISM, or fails it when
// OPENSEARCH_REQUIRE_ISM=1 (as for scripts/opensearch-local) demands ISM.
func requireISM(t testing.TB, base string) {
	t.Helper()
	if hasISM(t, base) {
		return
	}
	msg := "the OpenSearch node has no ISM plugin (opensearch-index-management); set OPENSEARCH_REQUIRE_ISM=1 to fail instead"
	if os.Getenv("OPENSEARCH_REQUIRE_ISM") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestISMPolicyRoundTrip shows the node runs ISM: an index is created and
// written through its series, and a policy put with the ISM API reads back.
func TestISMPolicyRoundTrip(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	requireISM(t, base)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	if res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "e1", at)}); err != nil || res[0].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetEvent(ctx, "acme", "e1", nil); err != nil {
		t.Fatalf("read back: %v", err)
	}

	series := prefix + "-events-acme-cms"
	policyID := prefix + "-retention-acme-cms"
	policy := map[string]any{"policy": map[string]any{
		"description":   "keep acme CMS events 30 days",
		"default_state": "hot",
		"states": []any{
			map[string]any{
				"name":        "hot",
				"actions":     []any{map[string]any{"rollover": map[string]any{"min_index_age": "1d"}}},
				"transitions": []any{map[string]any{"state_name": "delete", "conditions": map[string]any{"min_index_age": "30d"}}},
			},
			map[string]any{"name": "delete", "actions": []any{map[string]any{"delete": map[string]any{}}}, "transitions": []any{}},
		},
		"ism_template": []any{map[string]any{"index_patterns": []string{series + "-*"}, "priority": 100}},
	}}
	code, body := rest(t, http.MethodPut, base+"/_plugins/_ism/policies/"+policyID, policy)
	if code != http.StatusCreated {
		t.Fatalf("put ISM policy: HTTP %d %v", code, body)
	}
	code, body = rest(t, http.MethodGet, base+"/_plugins/_ism/policies/"+policyID, nil)
	if code != http.StatusOK {
		t.Fatalf("get ISM policy: HTTP %d %v", code, body)
	}
	p := body["policy"].(map[string]any)
	if p["default_state"] != "hot" || p["description"] != "keep acme CMS events 30 days" || len(p["states"].([]any)) != 2 {
		t.Errorf("policy read back as %v", p)
	}

	// The series' indices carry the rollover alias ISM's rollover needs.
	_, settings := rest(t, http.MethodGet, base+"/"+series+"-000001/_settings?flat_settings=true", nil)
	idx := settings[series+"-000001"].(map[string]any)["settings"].(map[string]any)
	if got := idx["index.plugins.index_state_management.rollover_alias"]; got != series {
		t.Errorf("rollover alias setting = %v, want %s", got, series)
	}
}

// TestRolloverKeepsSeriesWorking rolls a series over by hand, as ISM would:
// the new index gets the rollover alias from the series template, writes go
// to it, and an id stored before the rollover is still a duplicate.
func TestRolloverKeepsSeriesWorking(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	if res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "before", at)}); err != nil || res[0].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	series := prefix + "-events-acme-cms"
	if code, body := rest(t, http.MethodPost, base+"/"+series+"/_rollover", nil); code != http.StatusOK {
		t.Fatalf("rollover: HTTP %d %v", code, body)
	}
	if hasISM(t, base) {
		_, settings := rest(t, http.MethodGet, base+"/"+series+"-000002/_settings?flat_settings=true", nil)
		idx := settings[series+"-000002"].(map[string]any)["settings"].(map[string]any)
		if got := idx["index.plugins.index_state_management.rollover_alias"]; got != series {
			t.Errorf("rolled-over index: rollover alias setting = %v, want %s", got, series)
		}
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "before", at), event("acme", "CMS", "after", at)})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Duplicate || res[1].Duplicate || res[1].Err != nil {
		t.Errorf("after rollover: results %+v, want first duplicate, second written", res)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 {
		t.Errorf("total after rollover = %d, want 2", page.Total)
	}
	_, count := rest(t, http.MethodGet, base+"/"+series+"-000002/_count", nil)
	if count["count"] != float64(1) {
		t.Errorf("new write index holds %v events, want 1", count["count"])
	}
}

// TestReadsOfATenantWithoutEvents: a tenant that never wrote has no
// indices; every read answers empty rather than failing.
func TestReadsOfATenantWithoutEvents(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	if res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "e1", at)}); err != nil || res[0].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tenant := range []string{"globex", "acm"} {
		n := 0
		if err := s.ScanEvents(ctx, audit.Query{Tenant: tenant}, func(audit.Event) error { n++; return nil }); err != nil || n != 0 {
			t.Errorf("ScanEvents(%s) = %d events, %v; want none, nil", tenant, n, err)
		}
		page, err := s.SearchEvents(ctx, audit.Query{Tenant: tenant, Limit: 10, Facets: audit.AllFacets, Histogram: time.Hour})
		if err != nil || page.Total != 0 || len(page.Events) != 0 {
			t.Errorf("SearchEvents(%s) = %+v, %v; want an empty page", tenant, page, err)
		}
		if _, err := s.GetEvent(ctx, tenant, "e1", nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetEvent(%s, e1) error = %v, want ErrNotFound", tenant, err)
		}
	}
}

// TestTenantNamesCannotWidenIndexPatterns: tenants become part of index
// patterns, so one that is not a valid tenant name reads nothing.
func TestTenantNamesCannotWidenIndexPatterns(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	if res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "e1", at)}); err != nil || res[0].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tenant := range []string{"*", "acme,*", "ac*", ""} {
		page, err := s.SearchEvents(ctx, audit.Query{Tenant: tenant, Limit: 10})
		if err != nil || page.Total != 0 {
			t.Errorf("SearchEvents(tenant %q) = total %d, %v; want 0", tenant, page.Total, err)
		}
		n := 0
		if err := s.ScanEvents(ctx, audit.Query{Tenant: tenant}, func(audit.Event) error { n++; return nil }); err != nil || n != 0 {
			t.Errorf("ScanEvents(tenant %q) = %d events, %v; want none", tenant, n, err)
		}
		if got, err := s.FlagEvents(ctx, tenant, []string{"e1"}, audit.Flag{At: at}); err != nil || len(got) != 0 {
			t.Errorf("FlagEvents(tenant %q) = %v, %v; want nothing flagged", tenant, got, err)
		}
	}
	// Tenant "acme-cms" has series names that acme's patterns also match
	// ("acme-cms-x-000001" under "acme-cms-*"): the series' templates must
	// coexist, and neither tenant may see the other's events.
	if res, err := s.WriteEvents(ctx, []audit.Event{event("acme-cms", "X", "e1", at), event("acme-cms", "X", "e9", at)}); err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("write acme-cms: %v %+v", err, res)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for tenant, want := range map[string]int64{"acme": 1, "acme-cms": 2} {
		page, err := s.SearchEvents(ctx, audit.Query{Tenant: tenant, Limit: 10})
		if err != nil || page.Total != want {
			t.Errorf("SearchEvents(%s) total = %d, %v; want %d", tenant, page.Total, err, want)
		}
	}
	if _, err := s.GetEvent(ctx, "acme", "e9", nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("acme reads acme-cms's event: %v", err)
	}

	res, err := s.WriteEvents(ctx, []audit.Event{event("a*", "CMS", "e2", at), event("acme", "cms", "e3", at)})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err == nil {
			t.Errorf("event %d with a tenant or component unfit for index names was written", i)
		}
	}
}

// BenchmarkWriteEvents measures bulk ingest: one batch of 500 events per
// iteration, as the indexer's group commit sends them.
func BenchmarkWriteEvents(b *testing.B) {
	s, _, _ := newStore(b)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	const batch = 500
	events := make([]audit.Event, batch)
	for i := 0; b.Loop(); i++ {
		for j := range events {
			events[j] = event("acme", "CMS", fmt.Sprintf("b%d-%d", i, j), at.Add(time.Duration(j)*time.Millisecond))
		}
		res, err := s.WriteEvents(ctx, events)
		if err != nil || res[0].Err != nil {
			b.Fatalf("write: %v", err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkWriteEventsComponents is BenchmarkWriteEvents with each batch
// spread over five components of the tenant, so that every id is checked
// against the other series of the tenant too.
func BenchmarkWriteEventsComponents(b *testing.B) {
	s, _, _ := newStore(b)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	components := []string{"CMS", "KMS", "SET", "ONBOARDING", "OFFBOARDING"}
	const batch = 500
	events := make([]audit.Event, batch)
	for i := 0; b.Loop(); i++ {
		for j := range events {
			events[j] = event("acme", components[j%len(components)], fmt.Sprintf("b%d-%d", i, j), at.Add(time.Duration(j)*time.Millisecond))
		}
		res, err := s.WriteEvents(ctx, events)
		if err != nil || res[0].Err != nil {
			b.Fatalf("write: %v", err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}
