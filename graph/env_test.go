package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/token"
)

// env is auditlog served over HTTP, as `auditlog serve` wires it, over a
// fresh store of one backend.
type env struct {
	t     testing.TB
	url   string
	st    store.Store // the store itself, not wrapped
	keys  *auth.Keys
	deps  server.Deps
	store string
}

// envOptions vary an env; the zero value is the embedded store, wired as
// `auditlog serve` wires it.
type envOptions struct {
	// backend is "sqlite" (when empty) or "opensearch" (skipped without a
	// node unless REQUIRE_OPENSEARCH=1).
	backend string
	// wrap, when set, wraps the store the server uses (fault injection).
	wrap func(store.Store) store.Store
	// app, when set, changes the core's options before it is built.
	app func(o *app.Options)
}

// onEachStore runs test against the embedded store and OpenSearch.
func onEachStore(t *testing.T, opts envOptions, test func(t *testing.T, e *env)) {
	for _, backend := range []string{"sqlite", "opensearch"} {
		t.Run(backend, func(t *testing.T) {
			o := opts
			o.backend = backend
			test(t, newEnv(t, o))
		})
	}
}

func newEnv(t testing.TB, opts envOptions) *env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	e := &env{t: t, store: opts.backend}
	switch opts.backend {
	case "", "sqlite":
		st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "auditlog.db"), sqlite.WithLogger(log))
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		e.st = st
	case "opensearch":
		u := opensearchtest.URL(t)
		st, err := opensearch.New(ctx, opensearch.Config{URLs: []string{u}, Prefix: opensearchtest.Prefix(t, u), Logger: log})
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		e.st = st
	default:
		t.Fatalf("unknown backend %q", opts.backend)
	}
	t.Cleanup(func() { e.st.Close() })
	served := e.st
	if opts.wrap != nil {
		served = opts.wrap(e.st)
	}
	signer, err := token.NewSigner([]byte("graph tests secret, 32 bytes or more"))
	if err != nil {
		t.Fatal(err)
	}
	ao := app.Options{Logger: log, Signer: signer}
	if opts.app != nil {
		opts.app(&ao)
	}
	core, err := app.New(served, ao)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Close(context.Background()) })
	e.deps = server.Deps{Deps: graph.Deps{App: core, Signer: signer, Logger: log}}
	srv := httptest.NewServer(server.New(server.Config{}, e.deps))
	t.Cleanup(srv.Close)
	e.url, e.keys = srv.URL, auth.NewKeys(e.st, nil)
	return e
}

// key creates an API key of the role for the user in the tenant.
func (e *env) key(tenant string, role audit.Role, u audit.User) string {
	e.t.Helper()
	plain, _, err := e.keys.Create(context.Background(), audit.Principal{Tenant: tenant, Role: role, User: u})
	if err != nil {
		e.t.Fatalf("create key: %v", err)
	}
	return plain
}

// refresh makes completed writes visible to searches (OpenSearch).
func (e *env) refresh() {
	e.t.Helper()
	if r, ok := e.st.(store.Refresher); ok {
		if err := r.Refresh(context.Background()); err != nil {
			e.t.Fatalf("refresh: %v", err)
		}
	}
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// do posts a GraphQL operation with the key and returns the response.
func (e *env) do(key, query string, vars map[string]any) gqlResponse {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("post /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("decode response (%d): %v\n%s", resp.StatusCode, err, raw)
	}
	return out
}

// query runs an operation that must succeed and decodes its data into out.
func (e *env) query(key, query string, vars map[string]any, out any) {
	e.t.Helper()
	resp := e.do(key, query, vars)
	if len(resp.Errors) > 0 {
		e.t.Fatalf("errors %+v", resp.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			e.t.Fatalf("decode data: %v\n%s", err, resp.Data)
		}
	}
}

// wantError runs an operation that must fail with code, naming field when
// it is not "", and returns the error.
func (e *env) wantError(key, query string, vars map[string]any, code, field string) gqlError {
	e.t.Helper()
	resp := e.do(key, query, vars)
	if len(resp.Errors) == 0 {
		e.t.Fatalf("no error, data %.200s; want %s", resp.Data, code)
	}
	got := resp.Errors[0]
	if got.Extensions["code"] != code {
		e.t.Fatalf("error %q has code %v, want %s", got.Message, got.Extensions["code"], code)
	}
	if field != "" && got.Extensions["field"] != field {
		e.t.Fatalf("error %q names field %v, want %s", got.Message, got.Extensions["field"], field)
	}
	return got
}

// ingest records events as an emitter of the tenant; they must be captured.
func (e *env) ingest(tenant string, events ...map[string]any) {
	e.t.Helper()
	var out struct {
		IngestEvents []struct {
			Captured bool
			Error    *struct{ Message string }
		}
	}
	e.query(e.key(tenant, audit.RoleEmitter, audit.User{Type: audit.UserSystem, ID: "svc-" + tenant}),
		`mutation($events: [EventInput!]!) { ingestEvents(events: $events) { captured error { message } } }`,
		map[string]any{"events": events}, &out)
	for i, r := range out.IngestEvents {
		if !r.Captured {
			e.t.Fatalf("event %d not captured: %+v", i, r.Error)
		}
	}
	e.refresh()
}

// auditlogEvents returns the tenant's AUDITLOG events of a type, oldest first.
func (e *env) auditlogEvents(tenant, eventType string) []audit.Event {
	e.t.Helper()
	e.refresh()
	page, err := e.st.SearchEvents(context.Background(), audit.Query{Tenant: tenant, Order: audit.OldestFirst, Limit: 100,
		Filter: audit.Filter{Components: []string{catalog.ServiceComponent}, EventTypes: []string{eventType}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Events
}

var base = time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)

// event is an ingest input of KMS by the action user.
func event(id string, actor audit.User) map[string]any {
	u := map[string]any{"type": "DASHBOARD"}
	if actor.ID != "" {
		u["id"] = actor.ID
	}
	if actor.Name != "" {
		u["name"] = actor.Name
	}
	if actor.Email != "" {
		u["email"] = actor.Email
	}
	return map[string]any{
		"id": id, "componentId": "KMS", "eventType": "ARTICLE_PUBLISHED", "status": "SUCCESS",
		"occurredAt": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "actionUser": u,
		"description": "published an article",
	}
}
