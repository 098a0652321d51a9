package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
)

// sendBody posts body as is to /graphql with the key (none when "").
func sendBody(t *testing.T, e *env, key, body string) (int, http.Header, gqlResponse) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decode response (%d): %v\n%s", resp.StatusCode, err, raw)
	}
	return resp.StatusCode, resp.Header, out
}

// TestNoKeyIsRefusedBeforeTheBody: on production settings a request
// without a valid key gets 401 UNAUTHENTICATED whatever its body: one over
// the size limit (which would be 413 if it were read), one that is not
// JSON, and a query at the token limit, which would take validation.
// Nothing reaches the store.
func TestNoKeyIsRefusedBeforeTheBody(t *testing.T) {
	e, cs := countingEnv(t, server.Config{MaxBodyBytes: 64 << 10})
	for name, body := range map[string]string{
		"over the size limit": `{"query":"{ viewer { tenant } }","variables":{"pad":"` + strings.Repeat("x", 65<<10) + `"}}`,
		"not JSON":            `{"query": `,
		"heavy query":         `{"query":"` + aliased(300, `events(filter: {}) { totalCount }`) + `"}`,
	} {
		for _, key := range []string{"", "al_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
			status, h, resp := sendBody(t, e, key, body)
			if status != http.StatusUnauthorized || h.Get("WWW-Authenticate") == "" || len(resp.Errors) != 1 ||
				resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || !noData(resp.Data) {
				t.Errorf("%s, key %q: %d, errors %+v; want 401 with WWW-Authenticate, UNAUTHENTICATED", name, key, status, resp.Errors)
			}
		}
	}
	if n := cs.calls.Load(); n != 0 {
		t.Errorf("%d store calls", n)
	}
	// With a key, the same bodies are read: 413 for the big one.
	viewer := e.key("acme", audit.RoleViewer)
	if status, _, _ := sendBody(t, e, viewer, `{"query":"{ viewer { tenant } }","variables":{"pad":"`+strings.Repeat("x", 65<<10)+`"}}`); status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body with a key: %d, want 413", status)
	}
}

// TestNoKeyMayOnlyIntrospect: with introspection on (the development
// setup), a caller without a key gets the schema, and nothing else: an
// operation selecting anything more is refused whole with UNAUTHENTICATED
// before it runs.
func TestNoKeyMayOnlyIntrospect(t *testing.T) {
	e, cs := countingEnv(t, server.Config{Introspection: true, Playground: true})
	e.query("", introspectionQuery, nil, &map[string]any{})
	e.query("", `{ __typename __type(name: "Event") { name } }`, nil, &map[string]any{})
	for _, q := range []string{
		`{ viewer { tenant } }`,
		`{ events(filter: {}) { totalCount } }`,
		`{ __schema { queryType { name } } events(filter: {}) { totalCount } }`,
		`{ __schema { queryType { name } } event(id: "x") { id } }`,
		`{ __schema { queryType { name } } ...E } fragment E on Query { events(filter: {}) { totalCount } }`,
		`mutation { markNotificationsRead(ids: ["x"]) }`,
	} {
		_, resp := e.do("", q, nil)
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || !noData(resp.Data) {
			t.Errorf("%.60s: errors %+v, data %s; want one UNAUTHENTICATED and no data", q, resp.Errors, resp.Data)
		}
	}
	if n := cs.calls.Load(); n != 0 {
		t.Errorf("%d store calls", n)
	}
	// A wrong key is refused with 401 before the body, introspection or
	// not: anonymous access is for callers that send none.
	for _, key := range []string{"al_bogus", "not-even-a-key"} {
		for _, q := range []string{introspectionQuery, `{ events(filter: {}) { totalCount } }`} {
			status, header, resp := sendBody(t, e, key, `{"query":`+jsonString(t, q)+`}`)
			if status != http.StatusUnauthorized || header.Get("WWW-Authenticate") == "" ||
				len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
				t.Errorf("key %q, %.30s: %d %+v; want 401 UNAUTHENTICATED", key, q, status, resp.Errors)
			}
		}
	}
	// A key still gets everything.
	admin := e.key("acme", audit.RoleAdmin)
	e.query(admin, `{ __schema { queryType { name } } events(filter: {}) { totalCount } }`, nil, &map[string]any{})
}

// failingKeys is a store whose key lookups fail while fail is set.
type failingKeys struct {
	store.Store
	fail atomic.Bool
}

func (s *failingKeys) KeyByHash(ctx context.Context, hash string) (audit.APIKey, error) {
	if s.fail.Load() {
		return audit.APIKey{}, errors.New("key store unreachable")
	}
	return s.Store.KeyByHash(ctx, hash)
}

// TestKeyStoreDownIsUnavailable: a key that cannot be checked is neither
// let through nor called invalid: 503 UNAVAILABLE with Retry-After, logged
// under the request id the response quotes.
func TestKeyStoreDownIsUnavailable(t *testing.T) {
	fk := &failingKeys{}
	logs := &syncBuffer{}
	e := newEnvWith(t, server.Config{}, envOptions{logs: logs, wrap: func(st store.Store) store.Store {
		fk.Store = st
		return fk
	}})
	viewer := e.key("acme", audit.RoleViewer)
	fk.fail.Store(true)
	status, h, resp := sendBody(t, e, viewer, `{"query":"{ viewer { tenant } }"}`)
	id := h.Get("X-Request-Id")
	if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || len(resp.Errors) != 1 ||
		resp.Errors[0].Extensions["code"] != "UNAVAILABLE" || resp.Errors[0].Extensions["requestId"] != id {
		t.Errorf("%d, Retry-After %q, errors %+v; want 503 UNAVAILABLE quoting request id %s", status, h.Get("Retry-After"), resp.Errors, id)
	}
	if !strings.Contains(logs.String(), id) || !strings.Contains(logs.String(), "key store unreachable") {
		t.Errorf("the failure is not logged under request id %s:\n%s", id, logs.String())
	}
	fk.fail.Store(false)
	e.query(viewer, `{ viewer { tenant } }`, nil, &map[string]any{})
}

// jsonString encodes s as a JSON string.
func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
