package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/token"
)

// backend opens a new, empty store for one test.
type backend struct {
	name string
	open func(t *testing.T) store.Store
}

// backends lists every store the export is checked against. OpenSearch
// skips when no node is available (see opensearchtest).
func backends() []backend {
	return []backend{
		{name: "sqlite", open: openSQLite},
		{name: "opensearch", open: openOpenSearch},
	}
}

func openSQLite(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(ctx(t), filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// forEachBackend runs test once per backend, as a subtest.
func forEachBackend(t *testing.T, test func(t *testing.T, st store.Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { test(t, b.open(t)) })
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	return c
}

// refresh makes completed writes visible to searches (OpenSearch).
func refresh(t testing.TB, st store.Store) {
	t.Helper()
	if r, ok := st.(store.Refresher); ok {
		if err := r.Refresh(ctx(t)); err != nil {
			t.Fatalf("refresh: %v", err)
		}
	}
}

const tenant = "acme"

var (
	t0    = time.Date(2026, 1, 10, 9, 30, 0, 123e6, time.UTC)
	alice = audit.User{Type: audit.UserDashboard, ID: "u-alice", Name: "Alice Admin", Email: "alice@acme.test"}
)

// viewer is a principal with a stored key, as the auth layer would produce.
func viewer(t *testing.T, keys store.KeyStore, tenant, keyID string, role audit.Role) audit.Principal {
	t.Helper()
	p := audit.Principal{Tenant: tenant, User: alice, Role: role, KeyID: keyID}
	err := keys.CreateKey(ctx(t), audit.APIKey{ID: keyID, Hash: "hash-" + keyID, Principal: p, CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	return p
}

func writeEvents(t testing.TB, st store.Store, events []audit.Event) {
	t.Helper()
	res, err := st.WriteEvents(ctx(t), events)
	if err != nil {
		t.Fatalf("write events: %v", err)
	}
	for i, r := range res {
		if r.Err != nil || r.Duplicate {
			t.Fatalf("write event %s: duplicate=%v err=%v", events[i].ID, r.Duplicate, r.Err)
		}
	}
	refresh(t, st)
}

// event returns a plain valid event of the tenant.
func event(tenant, id, component string, at time.Time) audit.Event {
	return audit.Event{
		ID:            id,
		Tenant:        tenant,
		ComponentID:   component,
		Submodule:     "Article lifecycle",
		EventType:     "ARTICLE_PUBLISHED",
		EventTypeName: "Article published",
		Description:   "Article " + id + " published",
		Priority:      audit.PriorityHigh,
		Status:        audit.StatusSuccess,
		ActionUser:    alice,
		OccurredAt:    at,
		IngestedAt:    at.Add(time.Second),
	}
}

// exporter is a Service on a test server.
type exporter struct {
	svc    *export.Service
	srv    *httptest.Server
	signer *token.Signer

	mu       sync.Mutex
	exported []exported
	done     chan exported
}

// exported is one call of the OnExported hook.
type exported struct {
	P        audit.Principal
	Req      export.Request
	Rows     int64
	Complete bool
}

var secret = []byte("0123456789abcdef0123456789abcdef-export-tests")

func newExporter(t *testing.T, st store.Store, opts export.Options) *exporter {
	t.Helper()
	signer, err := token.NewSigner(secret)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	return newExporterWithSigner(t, st, signer, opts)
}

func newExporterWithSigner(t *testing.T, st store.Store, signer *token.Signer, opts export.Options) *exporter {
	t.Helper()
	x := &exporter{signer: signer, done: make(chan exported, 16)}
	opts.OnExported = func(_ context.Context, p audit.Principal, req export.Request, rows int64, complete bool) {
		e := exported{P: p, Req: req, Rows: rows, Complete: complete}
		x.mu.Lock()
		x.exported = append(x.exported, e)
		x.mu.Unlock()
		x.done <- e
	}
	mux := http.NewServeMux()
	x.srv = httptest.NewServer(mux)
	t.Cleanup(x.srv.Close)
	opts.BaseURL = x.srv.URL
	x.svc = export.NewService(st, st, signer.For("export"), opts)
	mux.Handle("GET /export/{token}", x.svc)
	return x
}

func (x *exporter) calls() []exported {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.exported)
}

func (x *exporter) link(t *testing.T, p audit.Principal, req export.Request) export.Link {
	t.Helper()
	l, err := x.svc.CreateLink(ctx(t), p, req)
	if err != nil {
		t.Fatalf("create link: %v", err)
	}
	return l
}

// download is a completed GET of an export link.
type download struct {
	status int
	header http.Header
	body   []byte
}

func get(t *testing.T, url string) download {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body of %s: %v", url, err)
	}
	return download{status: resp.StatusCode, header: resp.Header, body: body}
}

// rows parses a complete export into records keyed by column name, checking
// the header row and the trailer on the way.
func (d download) rows(t *testing.T) []map[string]string {
	t.Helper()
	if d.status != http.StatusOK {
		t.Fatalf("status %d, body %q", d.status, d.body)
	}
	n, complete, err := export.Verify(bytes.NewReader(d.body))
	if err != nil || !complete {
		t.Fatalf("export.Verify = %d rows, complete %v, err %v; body:\n%s", n, complete, err, d.body)
	}
	return parseRows(t, d.body)
}

func parseRows(t *testing.T, body []byte) []map[string]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse csv: %v", err)
	}
	if len(recs) < 2 {
		t.Fatalf("want header and trailer at least, got %d records", len(recs))
	}
	if !slices.Equal(recs[0], export.Columns) {
		t.Fatalf("header = %q, want %q", recs[0], export.Columns)
	}
	var out []map[string]string
	for _, rec := range recs[1 : len(recs)-1] {
		m := make(map[string]string, len(rec))
		for i, v := range rec {
			m[export.Columns[i]] = v
		}
		out = append(out, m)
	}
	return out
}

func ids(rows []map[string]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r["Event ID"]
	}
	return out
}

func waitExported(t *testing.T, x *exporter) exported {
	t.Helper()
	select {
	case e := <-x.done:
		return e
	case <-time.After(5 * time.Minute):
		t.Fatal("OnExported was never called")
		return exported{}
	}
}

func isInvalid(err error, field string) bool {
	ie, ok := audit.AsInvalid(err)
	if !ok {
		return false
	}
	for _, f := range ie.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
