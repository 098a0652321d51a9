package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
)

// countingStore counts the reads and writes resolvers make; key lookups of
// authentication are not counted. gate, when set, is called first by
// SearchEvents (to hold a request inside a resolver or fail it).
type countingStore struct {
	store.Store
	calls atomic.Int64
	gate  func(ctx context.Context) error
}

func (s *countingStore) SearchEvents(ctx context.Context, q audit.Query) (audit.Page, error) {
	s.calls.Add(1)
	if s.gate != nil {
		if err := s.gate(ctx); err != nil {
			return audit.Page{}, err
		}
	}
	return s.Store.SearchEvents(ctx, q)
}

func (s *countingStore) GetEvent(ctx context.Context, tenant, id string, cutoffs map[string]time.Time) (audit.Event, error) {
	s.calls.Add(1)
	return s.Store.GetEvent(ctx, tenant, id, cutoffs)
}

func (s *countingStore) ListComponentConfigs(ctx context.Context, tenant string) ([]audit.ComponentConfig, error) {
	s.calls.Add(1)
	return s.Store.ListComponentConfigs(ctx, tenant)
}

func (s *countingStore) ListSavedFilters(ctx context.Context, tenant, owner string) ([]audit.SavedFilter, error) {
	s.calls.Add(1)
	return s.Store.ListSavedFilters(ctx, tenant, owner)
}

func (s *countingStore) WriteEvents(ctx context.Context, events []audit.Event) ([]store.WriteResult, error) {
	s.calls.Add(1)
	return s.Store.WriteEvents(ctx, events)
}

func countingEnv(t *testing.T, cfg server.Config) (*env, *countingStore) {
	t.Helper()
	cs := &countingStore{}
	e := newEnvWith(t, cfg, envOptions{wrap: func(st store.Store) store.Store {
		cs.Store = st
		return cs
	}})
	return e, cs
}

func aliased(n int, field string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	b.WriteString(" }")
	return b.String()
}

// TestOverLimitOperationsRunNoResolver sends operations over each limit
// of the production settings and checks that they are refused as
// BAD_USER_INPUT (with the limit as reason) before any resolver touched
// the store; the same shape under the limit does reach it.
func TestOverLimitOperationsRunNoResolver(t *testing.T) {
	e, cs := countingEnv(t, server.Config{})
	viewer := e.key("acme", audit.RoleViewer)
	const pages = `events(filter: {}, first: 500) { edges { node { id eventType } } }`

	cases := []struct {
		name, query, reason string
	}{
		{"aliased pages", aliased(40, `events(filter: {}, first: 500) { edges { node { id eventType description } } }`), "COMPLEXITY_LIMIT_EXCEEDED"},
		{"aliased through fragments", `{ ...A ...B } fragment A on Query { ` + aliased(20, pages)[1:] +
			` fragment B on Query { ` + strings.ReplaceAll(aliased(20, pages)[1:], " a", " b"), "COMPLEXITY_LIMIT_EXCEEDED"},
		// Cheap fields aliased by the hundred are stopped by the token limit.
		{"aliased reads", aliased(600, `event(id: "x") { id }`), "GRAPHQL_PARSE_FAILED"},
		{"aliased fields", aliased(1000, `viewer { tenant }`), "GRAPHQL_PARSE_FAILED"},
		{"not GraphQL", `{ events(filter: {}) { totalCount }`, "GRAPHQL_PARSE_FAILED"},
		{"unknown field", `{ events(filter: {}) { total } }`, "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := cs.calls.Load()
			_, resp := e.do(viewer, c.query, nil)
			if len(resp.Errors) == 0 {
				t.Fatalf("accepted; data %.200s", resp.Data)
			}
			got := resp.Errors[0]
			if got.Extensions["code"] != "BAD_USER_INPUT" || got.Extensions["reason"] != c.reason {
				t.Errorf("error %q: extensions %v, want BAD_USER_INPUT, reason %s", got.Message, got.Extensions, c.reason)
			}
			if string(resp.Data) != "" && string(resp.Data) != "null" {
				t.Errorf("data %s", resp.Data)
			}
			if n := cs.calls.Load() - before; n != 0 {
				t.Errorf("%d store calls for a refused operation", n)
			}
		})
	}

	// Under the limits the same shapes run: the counter does count.
	before := cs.calls.Load()
	e.query(viewer, aliased(3, `events(filter: {}, first: 500) { edges { node { id eventType description } } }`), nil, &map[string]any{})
	e.query(viewer, aliased(300, `event(id: "x") { id }`), nil, &map[string]any{})
	if cs.calls.Load() == before {
		t.Fatal("the store counter counts nothing")
	}
}

// TestDeepOperationRunsNoResolver: the schema has no cycles, so no valid
// query nests deeper than 7 and the default depth limit is a backstop;
// with a tighter limit a deep query is refused before it runs.
func TestDeepOperationRunsNoResolver(t *testing.T) {
	e, cs := countingEnv(t, server.Config{DepthLimit: 4})
	viewer := e.key("acme", audit.RoleViewer)
	deep := `{ events(filter: {}) { edges { node { flag { by { name } } } } } }`
	for _, q := range []string{deep, `{ ...F } fragment F on Query ` + deep} {
		_, resp := e.do(viewer, q, nil)
		if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || resp.Errors[0].Extensions["reason"] != "DEPTH_LIMIT_EXCEEDED" {
			t.Errorf("%s: errors %+v, want BAD_USER_INPUT, DEPTH_LIMIT_EXCEEDED", q, resp.Errors)
		}
	}
	if n := cs.calls.Load(); n != 0 {
		t.Errorf("%d store calls for refused operations", n)
	}
}

// TestProductionSettingsHideTheSchema: with the zero Config (production),
// introspection is refused before execution, validation errors suggest no
// field names, and the playground is not served.
func TestProductionSettingsHideTheSchema(t *testing.T) {
	e, cs := countingEnv(t, server.Config{})
	admin := e.key("acme", audit.RoleAdmin)
	for _, q := range []string{
		`{ __schema { types { name } } }`,
		`{ __type(name: "Event") { fields { name } } }`,
		`{ viewer { tenant } ...I } fragment I on Query { __schema { queryType { name } } }`,
		introspectionQuery,
	} {
		_, resp := e.do(admin, q, nil)
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "FORBIDDEN" || !noData(resp.Data) {
			t.Errorf("%.60s: errors %+v, data %s; want one FORBIDDEN and no data", q, resp.Errors, resp.Data)
		}
	}
	// __typename is not introspection.
	e.query(admin, `{ __typename viewer { __typename tenant } }`, nil, &map[string]any{})
	if n := cs.calls.Load(); n != 0 {
		t.Errorf("%d store calls", n)
	}

	_, resp := e.do(admin, `{ evnts(filter: {}) { totalCount } }`, nil)
	if len(resp.Errors) == 0 || strings.Contains(resp.Errors[0].Message, "events") || strings.Contains(resp.Errors[0].Message, "Did you mean") {
		t.Errorf("misspelt field: %+v, want an error that does not suggest the schema", resp.Errors)
	}
	if status, _ := e.get("/playground"); status != http.StatusNotFound {
		t.Errorf("GET /playground in production: %d, want 404", status)
	}

	// The development setup shows all of it.
	dev := newEnv(t, server.Config{Introspection: true, Playground: true})
	_, resp = dev.do("", `{ evnts(filter: {}) { totalCount } }`, nil)
	if len(resp.Errors) == 0 || !strings.Contains(resp.Errors[0].Message, "events") {
		t.Errorf("misspelt field with introspection on: %+v, want a suggestion", resp.Errors)
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// postRaw posts a query and returns the response with its body read.
func postRaw(t *testing.T, e *env, key, query string) (*http.Response, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, e.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(raw)
}

// TestInternalFailuresShowOnlyARequestID: a store error with internal
// detail and a panic in a resolver both reach the client as INTERNAL with
// the request id of the X-Request-Id header and nothing else; the log has
// the detail under the same id.
func TestInternalFailuresShowOnlyARequestID(t *testing.T) {
	const secret = "disk I/O error at /var/lib/auditlog/secret-shard-7"
	mode := atomic.Value{}
	mode.Store("")
	logs := &syncBuffer{}
	cs := &countingStore{}
	cs.gate = func(context.Context) error {
		switch mode.Load() {
		case "error":
			return errors.New(secret)
		case "panic":
			panic(secret)
		}
		return nil
	}
	e := newEnvWith(t, server.Config{}, envOptions{logs: logs, wrap: func(st store.Store) store.Store {
		cs.Store = st
		return cs
	}})
	viewer := e.key("acme", audit.RoleViewer)
	for _, m := range []string{"error", "panic"} {
		mode.Store(m)
		resp, body := postRaw(t, e, viewer, `{ events(filter: {}) { totalCount } }`)
		id := resp.Header.Get("X-Request-Id")
		var out gqlResponse
		if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Errors) != 1 {
			t.Fatalf("%s: response %s", m, body)
		}
		got := out.Errors[0]
		if id == "" || got.Extensions["code"] != "INTERNAL" || got.Extensions["requestId"] != id || !strings.Contains(got.Message, id) {
			t.Errorf("%s: error %+v, want INTERNAL quoting request id %q", m, got, id)
		}
		for _, leak := range []string{"disk", "/var/lib", "secret", "goroutine", ".go:"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: response shows %q: %s", m, leak, body)
			}
		}
		if !strings.Contains(logs.String(), id) || !strings.Contains(logs.String(), "secret-shard-7") {
			t.Errorf("%s: the log does not have the failure under request id %s:\n%s", m, id, logs.String())
		}
	}
	// The server lives on.
	mode.Store("")
	e.query(viewer, `{ events(filter: {}) { totalCount } }`, nil, &map[string]any{})
}

func TestBodyOf10MBGets413(t *testing.T) {
	e := newEnv(t, server.Config{})
	viewer := e.key("acme", audit.RoleViewer)
	big := `{"query":"{ viewer { tenant } }","variables":{"pad":"` + strings.Repeat("x", 10<<20) + `"}}`
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(big)
		if chunked {
			body = io.MultiReader(body) // hides the length: sent chunked
		}
		req, _ := http.NewRequest(http.MethodPost, e.url+"/graphql", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+viewer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("chunked=%v: %v", chunked, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(raw), "BAD_USER_INPUT") {
			t.Errorf("chunked=%v: %d %s, want 413 with BAD_USER_INPUT", chunked, resp.StatusCode, raw)
		}
	}
	// A body just under the limit is fine.
	e.query(viewer, `{ viewer { tenant } }`, map[string]any{"pad": strings.Repeat("x", server.DefaultMaxBodyBytes-1024)}, &map[string]any{})
}

// TestRateLimitPerKey runs on a clock that only the test moves.
func TestRateLimitPerKey(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	e := newEnvWith(t, server.Config{RateLimit: 1, RateBurst: 2}, envOptions{clock: clock})
	ann, bob := e.key("acme", audit.RoleViewer), e.key("acme", audit.RoleAdmin)
	const q = `{ viewer { tenant } }`
	for range 2 {
		e.query(ann, q, nil, &map[string]any{})
	}
	resp, body := postRaw(t, e, ann, q)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" || !strings.Contains(body, "RATE_LIMITED") {
		t.Errorf("third request within a second: %d, Retry-After %q, %s; want 429, 1", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// Another key has its own bucket.
	e.query(bob, q, nil, &map[string]any{})
	// A second later, one more request is allowed, and only one.
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	e.query(ann, q, nil, &map[string]any{})
	if resp, _ := postRaw(t, e, ann, q); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after the refill: %d, want 429", resp.StatusCode)
	}
	// Requests without a valid key are limited too, by address.
	for range 2 {
		postRaw(t, e, "", q)
	}
	if resp, _ := postRaw(t, e, "", q); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("anonymous flood: %d, want 429", resp.StatusCode)
	}
}

// TestBusyServerSheds holds the only worker slot inside a resolver: the
// next request gets 503 with Retry-After once its short wait is over, and
// requests run again when the slot is free.
func TestBusyServerSheds(t *testing.T) {
	inside, release := make(chan struct{}), make(chan struct{})
	var holding atomic.Bool
	cs := &countingStore{}
	cs.gate = func(ctx context.Context) error {
		if holding.CompareAndSwap(false, true) {
			close(inside)
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	e := newEnvWith(t, server.Config{MaxConcurrent: 1, QueueWait: 10 * time.Millisecond},
		envOptions{wrap: func(st store.Store) store.Store { cs.Store = st; return cs }})
	viewer := e.key("acme", audit.RoleViewer)
	e.query(viewer, `{ viewer { tenant } }`, nil, &map[string]any{}) // the key is cached

	first := make(chan int)
	go func() {
		status, _ := e.post(viewer, `{ events(filter: {}) { totalCount } }`, nil)
		first <- status
	}()
	<-inside
	resp, body := postRaw(t, e, viewer, `{ viewer { tenant } }`)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "UNAVAILABLE") {
		t.Errorf("while the slot is held: %d, Retry-After %q, %s; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	close(release)
	if status := <-first; status != http.StatusOK {
		t.Errorf("the held request ended with %d", status)
	}
	e.query(viewer, `{ viewer { tenant } }`, nil, &map[string]any{})
}

// TestSlowRequestTimesOut: a resolver stuck in the store is cancelled at
// the request timeout and the client is told so, with a request id and
// the retryable code UNAVAILABLE (not INTERNAL, which says "a bug").
func TestSlowRequestTimesOut(t *testing.T) {
	cs := &countingStore{}
	cs.gate = func(ctx context.Context) error {
		<-ctx.Done() // a store that answers only when cancelled
		return ctx.Err()
	}
	e := newEnvWith(t, server.Config{RequestTimeout: 50 * time.Millisecond},
		envOptions{wrap: func(st store.Store) store.Store { cs.Store = st; return cs }})
	viewer := e.key("acme", audit.RoleViewer)
	_, resp := e.do(viewer, `{ events(filter: {}) { totalCount } }`, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "UNAVAILABLE" || resp.Errors[0].Extensions["requestId"] == "" ||
		!strings.Contains(resp.Errors[0].Message, "did not finish in time") {
		t.Errorf("errors %+v, want UNAVAILABLE saying the request did not finish in time", resp.Errors)
	}
}

// TestIngestBatchCostCountsItsEvents: ingestEvents costs a store call plus
// its selection once per event, however the events come: in a variable
// (as clients send them) or written in the query. With a limit of exactly
// the cost of 9 events, 9 are stored and 10 refused before anything is.
func TestIngestBatchCostCountsItsEvents(t *testing.T) {
	const selection = `{ id captured }` // 2 per event
	e, cs := countingEnv(t, server.Config{ComplexityLimit: graph.StoreCallCost + 2*9})
	emitter := e.key("acme", audit.RoleEmitter)
	at := time.Now().Add(-time.Hour)
	enums := regexp.MustCompile(`"(type|priority|status|accountStatus)":"([A-Z_]+)"`)
	bareKeys := regexp.MustCompile(`"([A-Za-z]+)":`)
	for _, n := range []int{10, 9} {
		for _, inQuery := range []bool{false, true} {
			events := make([]any, n)
			for i := range events {
				events[i] = fullEvent(fmt.Sprintf("n%d-%v-%d", n, inQuery, i), at)
			}
			query := `mutation($es: [EventInput!]!) { ingestEvents(events: $es) ` + selection + ` }`
			vars := map[string]any{"es": events}
			if inQuery {
				b, err := json.Marshal(events)
				if err != nil {
					t.Fatal(err)
				}
				// JSON is a GraphQL input value once keys and enum values are bare.
				literal := bareKeys.ReplaceAllString(enums.ReplaceAllString(string(b), "$1:$2"), "$1:")
				query = `mutation { ingestEvents(events: ` + literal + `) ` + selection + ` }`
				vars = nil
			}
			before := cs.calls.Load()
			code, resp := e.do(emitter, query, vars)
			calls := cs.calls.Load() - before
			switch {
			case n > 9 && (len(resp.Errors) == 0 || resp.Errors[0].Extensions["reason"] != "COMPLEXITY_LIMIT_EXCEEDED"):
				t.Errorf("%d events (in the query: %v): HTTP %d %+v, want refused with COMPLEXITY_LIMIT_EXCEEDED", n, inQuery, code, resp.Errors)
			case n > 9 && calls != 0:
				t.Errorf("%d events (in the query: %v): %d store calls for a refused batch", n, inQuery, calls)
			case n <= 9 && (len(resp.Errors) > 0 || calls == 0):
				t.Errorf("%d events (in the query: %v): HTTP %d %+v, %d store calls; want them stored", n, inQuery, code, resp.Errors, calls)
			}
		}
	}
}
