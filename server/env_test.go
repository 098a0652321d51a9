package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
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
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/health"
	"github.com/auditlog/auditlog/live"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/token"
)

// env is a running auditlog over a fresh store (SQLite unless newEnvWith
// is given another).
type env struct {
	t     testing.TB
	url   string
	store *sqlite.Store // nil over another backend
	st    store.Store   // the store the server runs on
	keys  *auth.Keys
	// signing signs and verifies checkpoints (Query.verify).
	signing *checkpoint.Keyring
}

func newEnv(t testing.TB, cfg server.Config) *env {
	t.Helper()
	return newEnvWith(t, cfg, envOptions{})
}

// envOptions vary the environment of newEnvWith; the zero value is newEnv's.
type envOptions struct {
	// open returns the store to serve; a fresh SQLite store when nil.
	open func(t testing.TB) store.Store
	// wrap, when set, wraps the store the server uses (counters, gates).
	wrap func(store.Store) store.Store
	// clock is the server's clock; time.Now when nil.
	clock func() time.Time
	// logs receives the server's logs; discarded when nil.
	logs io.Writer
	// maxDownloads bounds the CSV downloads streamed at once; export's
	// default when 0.
	maxDownloads int
	// maxPerTenant bounds one tenant's share of them; export's default
	// (half) when 0.
	maxPerTenant int
	// live paces and bounds the live tail.
	live live.Config
	// health, when set, runs a health monitor of the store with these
	// options and gives it to the server (Deps.Health).
	health *health.Options
}

func newEnvWith(t testing.TB, cfg server.Config, opts envOptions) *env {
	t.Helper()
	ctx := context.Background()
	logs := opts.logs
	if logs == nil {
		logs = io.Discard
	}
	log := slog.New(slog.NewTextHandler(logs, nil))
	e := &env{t: t}
	if opts.open != nil {
		e.st = opts.open(t)
	} else {
		st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "auditlog.db"), sqlite.WithLogger(log))
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		e.store, e.st = st, st
	}
	served := e.st
	if opts.wrap != nil {
		served = opts.wrap(e.st)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	signer, err := token.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	// The server's clock dates the trail too, as it did when the resolver
	// made the recorder.
	core, err := app.New(served, app.Options{Logger: log, Signer: signer, AuditClock: opts.clock,
		Export: export.Options{MaxConcurrent: opts.maxDownloads, MaxPerTenant: opts.maxPerTenant}, Live: opts.live})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Close(context.Background()) })
	seed, err := checkpoint.GenerateSeed()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := checkpoint.ParseKeyring(seed)
	if err != nil {
		t.Fatal(err)
	}
	var mon *health.Monitor
	if opts.health != nil {
		o := *opts.health
		o.Logger = log
		mon = health.New(served.Ping, o)
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); mon.Run(ctx) }()
		t.Cleanup(func() { stop(); <-done })
	}
	h := server.New(cfg, server.Deps{Deps: graph.Deps{App: core, Signer: signer, Logger: log, Clock: opts.clock, Keys: keys}, Health: mon})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.url, e.keys, e.signing = srv.URL, auth.NewKeys(e.st, nil), keys
	return e
}

// refresh makes completed writes visible to searches on backends that
// refresh periodically (OpenSearch).
func (e *env) refresh() {
	e.t.Helper()
	if r, ok := e.st.(store.Refresher); ok {
		if err := r.Refresh(context.Background()); err != nil {
			e.t.Fatalf("refresh: %v", err)
		}
	}
}

// key creates an API key of the role in the tenant.
func (e *env) key(tenant string, role audit.Role) string {
	e.t.Helper()
	p := audit.Principal{Tenant: tenant, Role: role, User: audit.User{
		Type: audit.UserDashboard, ID: "u-" + string(role), Name: "Ann " + string(role), Email: string(role) + "@" + tenant + ".example",
	}}
	plain, _, err := e.keys.Create(context.Background(), p)
	if err != nil {
		e.t.Fatalf("create key: %v", err)
	}
	return plain
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// do posts a GraphQL operation with the key (none when "") and returns the
// HTTP status and decoded response.
func (e *env) do(key, query string, vars map[string]any) (int, gqlResponse) {
	e.t.Helper()
	status, raw := e.post(key, query, vars)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("decode response (%d): %v\n%s", status, err, raw)
	}
	return status, out
}

// post posts a GraphQL operation with the key (none when "") and returns
// the HTTP status and the body as sent.
func (e *env) post(key, query string, vars map[string]any) (int, []byte) {
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
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("post /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// query runs an operation that must succeed and decodes its data into out.
func (e *env) query(key, query string, vars map[string]any, out any) {
	e.t.Helper()
	status, resp := e.do(key, query, vars)
	if status != http.StatusOK || len(resp.Errors) > 0 {
		e.t.Fatalf("status %d, errors %+v", status, resp.Errors)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		e.t.Fatalf("decode data: %v\n%s", err, resp.Data)
	}
}

// wantError runs an operation that must fail with code (and, when field is
// not "", name that field), and returns its data.
func (e *env) wantError(key, query string, vars map[string]any, code, field string) json.RawMessage {
	e.t.Helper()
	_, resp := e.do(key, query, vars)
	if len(resp.Errors) == 0 {
		e.t.Fatalf("no error, data %s; want %s", resp.Data, code)
	}
	got := resp.Errors[0]
	if got.Extensions["code"] != code {
		e.t.Fatalf("error %q has code %v, want %s", got.Message, got.Extensions["code"], code)
	}
	if field != "" && got.Extensions["field"] != field {
		e.t.Fatalf("error %q names field %v, want %s", got.Message, got.Extensions["field"], field)
	}
	return resp.Data
}

func (e *env) get(path string) (int, string) {
	e.t.Helper()
	resp, err := http.Get(e.url + path)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var base = time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
