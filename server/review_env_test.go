package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/notify"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/token"
)

// reviewEnv is auditlog wired as `auditlog serve` wires it — self-audit
// hooks on capture and export, webhooks behind the notification store —
// over one backend, with a local webhook receiver.
type reviewEnv struct {
	*env
	backend string
	st      store.Store
	// osURL and osPrefix locate the OpenSearch store's indices.
	osURL, osPrefix string
	// sqlitePath is the embedded store's file.
	sqlitePath string
	hook       *hookReceiver
	webhooks   *notify.Webhooks
}

// onEachStore runs test against the embedded store and against OpenSearch
// (skipped without a node unless REQUIRE_OPENSEARCH=1).
func onEachStore(t *testing.T, test func(t *testing.T, e *reviewEnv)) {
	for _, backend := range []string{"sqlite", "opensearch"} {
		t.Run(backend, func(t *testing.T) { test(t, newReviewEnv(t, backend)) })
	}
}

func newReviewEnv(t *testing.T, backend string) *reviewEnv {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &reviewEnv{backend: backend}
	switch backend {
	case "sqlite":
		e.sqlitePath = filepath.Join(t.TempDir(), "auditlog.db")
		st, err := sqlite.Open(ctx, e.sqlitePath, sqlite.WithLogger(log))
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		e.st = st
	case "opensearch":
		e.osURL = opensearchtest.URL(t)
		e.osPrefix = opensearchtest.Prefix(t, e.osURL)
		st, err := opensearch.New(ctx, opensearch.Config{URLs: []string{e.osURL}, Prefix: e.osPrefix, Logger: log})
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		e.st = st
	}
	t.Cleanup(func() { e.st.Close() })

	secret := make([]byte, 32)
	rand.Read(secret)
	signer, err := token.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	e.hook = newHookReceiver(t)
	e.webhooks, err = notify.New(notify.Options{
		Default:   notify.Target{URL: e.hook.url, Secret: e.hook.secret},
		BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond, Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.webhooks.Close(context.Background()) })

	// The store delivers notifications itself here (notify.WithWebhooks),
	// so the core is given no Notifier.
	core, err := app.New(notify.WithWebhooks(e.st, e.webhooks), app.Options{Logger: log, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Close(context.Background()) })
	h := server.New(server.Config{}, server.Deps{Deps: graph.Deps{App: core, Signer: signer, Logger: log}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.env = &env{t: t, url: srv.URL, keys: auth.NewKeys(e.st, nil)}
	return e
}

// refresh makes completed writes visible to searches (OpenSearch).
func (e *reviewEnv) refresh() {
	e.t.Helper()
	if r, ok := e.st.(store.Refresher); ok {
		if err := r.Refresh(context.Background()); err != nil {
			e.t.Fatalf("refresh: %v", err)
		}
	}
}

// keyFor creates a key for a user of the tenant.
func (e *reviewEnv) keyFor(tenant string, role audit.Role, u audit.User) string {
	e.t.Helper()
	plain, _, err := e.keys.Create(context.Background(), audit.Principal{Tenant: tenant, Role: role, User: u})
	if err != nil {
		e.t.Fatalf("create key: %v", err)
	}
	return plain
}

// deliveries waits until every queued webhook delivery is done (closing
// the webhooks) and returns what the receiver got.
func (e *reviewEnv) deliveries() []hookRequest {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.webhooks.Close(ctx); err != nil {
		e.t.Fatalf("drain webhooks: %v", err)
	}
	return e.hook.requests()
}

// rewriteSavedFilterJSON replaces the stored JSON of a saved filter behind
// the store's back, as a filter saved by an older or newer version would be.
func (e *reviewEnv) rewriteSavedFilterJSON(id, filterJSON string) {
	e.t.Helper()
	switch e.backend {
	case "sqlite":
		db, err := sql.Open("sqlite", e.sqlitePath+"?_pragma=busy_timeout(10000)")
		if err != nil {
			e.t.Fatal(err)
		}
		defer db.Close()
		res, err := db.Exec(`UPDATE saved_filters SET filter = ? WHERE id = ?`, filterJSON, id)
		if err != nil {
			e.t.Fatalf("rewrite saved filter: %v", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			e.t.Fatalf("rewrite saved filter: %d rows", n)
		}
	case "opensearch":
		index := e.osPrefix + "-saved-filters"
		var found struct {
			Hits struct {
				Hits []struct {
					ID     string         `json:"_id"`
					Source map[string]any `json:"_source"`
				} `json:"hits"`
			} `json:"hits"`
		}
		e.rest(http.MethodPost, "/"+index+"/_search", map[string]any{"query": map[string]any{"term": map[string]any{"id": id}}}, &found)
		if len(found.Hits.Hits) != 1 {
			e.t.Fatalf("saved filter %s: %d documents", id, len(found.Hits.Hits))
		}
		doc := found.Hits.Hits[0]
		var filter map[string]any
		if err := json.Unmarshal([]byte(filterJSON), &filter); err != nil {
			e.t.Fatal(err)
		}
		doc.Source["filter"] = filter
		e.rest(http.MethodPut, "/"+index+"/_doc/"+doc.ID+"?refresh=true", doc.Source, nil)
	}
}

// rest calls the OpenSearch node directly and decodes the answer into out.
func (e *reviewEnv) rest(method, path string, body any, out any) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.osURL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		e.t.Fatalf("%s %s: HTTP %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// hookReceiver is a webhook endpoint on 127.0.0.1 that answers 500 to the
// first request and 200 to every other, recording them all.
type hookReceiver struct {
	url    string
	secret []byte
	mu     sync.Mutex
	got    []hookRequest
}

type hookRequest struct {
	status    int
	body      []byte
	signature string
	delivery  string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{secret: []byte(fmt.Sprintf("receiver-secret-%d", time.Now().UnixNano()))}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		status := http.StatusOK
		if len(r.got) == 0 {
			status = http.StatusInternalServerError
		}
		r.got = append(r.got, hookRequest{status: status, body: body,
			signature: req.Header.Get("X-Auditlog-Signature"), delivery: req.Header.Get("X-Auditlog-Delivery")})
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/auditlog"
	return r
}

func (r *hookReceiver) requests() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookRequest(nil), r.got...)
}

// signedBy checks a delivery as a receiver would: hex HMAC-SHA256 of the
// raw body with the shared secret.
func (h hookRequest) signedBy(secret []byte) bool {
	mac := hmac.New(sha256.New, secret)
	mac.Write(h.body)
	return hmac.Equal([]byte("sha256="+hex.EncodeToString(mac.Sum(nil))), []byte(h.signature))
}
