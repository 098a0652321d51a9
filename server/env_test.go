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

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/indexer"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/token"
)

// env is a running auditlog over a fresh SQLite store.
type env struct {
	t     testing.TB
	url   string
	store *sqlite.Store
	keys  *auth.Keys
}

func newEnv(t testing.TB, cfg server.Config) *env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "auditlog.db"), sqlite.WithLogger(log))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := capture.LoadCatalog()
	if err != nil {
		t.Fatalf("load catalog: %v", err)
	}
	svc := capture.NewService(st, cat, capture.Options{Logger: log})
	ix := indexer.New(st, svc, indexer.Options{Logger: log})
	t.Cleanup(func() { ix.Close(context.Background()) })
	secret := make([]byte, 32)
	rand.Read(secret)
	signer, err := token.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	exp := export.NewService(st, st, signer.For("export"), export.Options{Cutoffs: svc.Cutoffs, Logger: log})
	h := server.New(cfg, server.Deps{Store: st, Capture: svc, Indexer: ix, Export: exp, Signer: signer, Logger: log})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, url: srv.URL, store: st, keys: auth.NewKeys(st, nil)}
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
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("decode response (%d): %v\n%s", resp.StatusCode, err, raw)
	}
	return resp.StatusCode, out
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
