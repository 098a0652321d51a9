package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/retention"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/token"
)

func openSQLite(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "auditlog.db"),
		sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// api is a running auditlog over one store, called as a dashboard would.
type api struct {
	t     *testing.T
	url   string
	store store.Store
	key   string // an admin of tenant acme
}

func newAPI(t *testing.T, st store.Store, indices retention.Inspector) *api {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	secret := make([]byte, 32)
	rand.Read(secret)
	signer, err := token.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	core, err := app.New(st, app.Options{Logger: log, Signer: signer, Indices: indices})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Close(context.Background()) })
	h := server.New(server.Config{}, server.Deps{Deps: graph.Deps{App: core, Signer: signer, Logger: log}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	key, _, err := auth.NewKeys(st, nil).Create(context.Background(), audit.Principal{Tenant: "acme", Role: audit.RoleAdmin,
		User: audit.User{Type: audit.UserDashboard, ID: "u-admin", Name: "Ann Admin", Email: "ann@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	return &api{t: t, url: srv.URL, store: st, key: key}
}

// query runs a GraphQL operation that must succeed and decodes its data.
func (a *api) query(q string, vars map[string]any, out any) {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &res); err != nil || len(res.Errors) > 0 {
		a.t.Fatalf("%s: HTTP %d %s", strings.Fields(q)[0:2], resp.StatusCode, raw)
	}
	if err := json.Unmarshal(res.Data, out); err != nil {
		a.t.Fatalf("decode %s: %v", res.Data, err)
	}
}

// exportIDs downloads an export made with the GraphQL arguments args and
// returns the event ids of its rows.
func (a *api) exportIDs(args string) []string {
	a.t.Helper()
	var link struct {
		ExportEvents struct{ URL string }
	}
	a.query(`mutation { exportEvents(`+args+`) { url } }`, nil, &link)
	resp, err := http.Get(a.url + link.ExportEvents.URL)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		a.t.Fatalf("download export(%s): HTTP %d %s", args, resp.StatusCode, body)
	}
	if _, complete, err := export.Verify(bytes.NewReader(body)); err != nil || !complete {
		a.t.Fatalf("export(%s) is not a complete file (%v):\n%s", args, err, body)
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		a.t.Fatal(err)
	}
	var ids []string
	for _, row := range rows[1:] { // after the header
		ids = append(ids, row[0])
	}
	slices.Sort(ids)
	return ids
}

// TestExpiredEventsAreInvisibleBeforeDeletion: on both stores, an event
// past its component's retention is absent from search (list, total,
// facets), from event(id) and from every export, while it is still stored
// (its index not yet deleted, the sweeper not yet run); an event of the
// same age in a component kept forever stays visible.
func TestExpiredEventsAreInvisibleBeforeDeletion(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		st := openSQLite(t)
		checkExpiredInvisible(t, newAPI(t, st, nil))
	})
	t.Run("OpenSearch", func(t *testing.T) {
		t.Parallel()
		st := openOpenSearch(t)
		lc, err := opensearch.NewLifecycle(st, opensearch.LifecycleOptions{Mode: opensearch.LifecycleService, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		a := newAPI(t, st, lc)
		checkExpiredInvisible(t, a)

		// The operator sees the series: one write index holding both CMS
		// events, the expired one included, kept as the write index.
		var res struct {
			Component struct {
				Indices []struct {
					Name       string
					WriteIndex bool
					Documents  int
					ManagedBy  string
					DeleteAt   *time.Time
				}
			}
		}
		a.query(`{ component(id: "CMS") { indices { name writeIndex documents managedBy deleteAt } } }`, nil, &res)
		ix := res.Component.Indices
		if len(ix) != 1 || !ix[0].WriteIndex || ix[0].Documents != 2 || ix[0].ManagedBy != "AUDITLOG" || ix[0].DeleteAt != nil {
			t.Errorf("component(CMS).indices = %+v, want one write index of 2 events managed by AUDITLOG, no deletion date", ix)
		}
	})
}

func checkExpiredInvisible(t *testing.T, a *api) {
	ctx := context.Background()
	now := time.Now().UTC()
	ev := func(id, component, eventType string, at time.Time) map[string]any {
		return map[string]any{"id": id, "componentId": component, "eventType": eventType, "status": "SUCCESS",
			"occurredAt": at.Format(time.RFC3339), "description": "retention check " + id,
			"actionUser": map[string]any{"type": "DASHBOARD", "name": "Priya", "email": "priya@acme.example"}}
	}
	var ingest struct {
		IngestEvents []struct {
			Captured bool
			Error    any
		}
	}
	a.query(`mutation($es: [EventInput!]!) { ingestEvents(events: $es) { captured error { message } } }`, map[string]any{"es": []any{
		ev("cms-expired", "CMS", "CREATE_USER_GROUP", now.AddDate(0, 0, -31)),
		ev("cms-kept", "CMS", "CREATE_USER_GROUP", now.AddDate(0, 0, -29)),
		ev("kms-old", "KMS", "ARTICLE_CREATED", now.AddDate(0, 0, -300)),
	}}, &ingest)
	for i, r := range ingest.IngestEvents {
		if !r.Captured || r.Error != nil {
			t.Fatalf("event %d not captured: %+v", i, r)
		}
	}
	// The admin then shortens CMS's retention to 30 days.
	var cfg struct{ ConfigureComponent struct{ Version int } }
	a.query(`mutation { configureComponent(id: "CMS", config: {loggingEnabled: true, retention: {value: 30, unit: DAYS}}) { version } }`, nil, &cfg)
	// An event already past it is not captured at all, and says why.
	var late struct {
		IngestEvent struct {
			Captured bool
			Reason   *string
		}
	}
	a.query(`mutation($e: EventInput!) { ingestEvent(event: $e) { captured reason } }`,
		map[string]any{"e": ev("cms-late", "CMS", "CREATE_USER_GROUP", now.AddDate(0, 0, -31))}, &late)
	if r := late.IngestEvent; r.Captured || r.Reason == nil || *r.Reason != "EXPIRED" {
		t.Errorf("an event past retention at ingest: %+v, want not captured, reason EXPIRED", r)
	}
	if rf, ok := a.store.(store.Refresher); ok {
		if err := rf.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// Still stored: nothing has deleted it yet.
	if _, err := a.store.GetEvent(ctx, "acme", "cms-expired", nil); err != nil {
		t.Fatalf("the expired event is not stored at all (%v): the test would prove nothing", err)
	}

	var list struct {
		Events struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID string } }
			Facets     struct {
				EventType []struct {
					Value string
					Count int
				}
			}
		}
	}
	for _, f := range []map[string]any{{}, {"components": []string{"CMS"}}, {"text": "retention check"}} {
		a.query(`query($f: EventFilter!) { events(filter: $f, first: 50) { totalCount edges { node { id } } facets { eventType { value count } } } }`,
			map[string]any{"f": f}, &list)
		var ids []string
		for _, e := range list.Events.Edges {
			ids = append(ids, e.Node.ID)
		}
		if slices.Contains(ids, "cms-expired") || !slices.Contains(ids, "cms-kept") {
			t.Errorf("events(%v) = %v: want cms-kept and never cms-expired", f, ids)
		}
		for _, fc := range list.Events.Facets.EventType {
			if fc.Value == "CREATE_USER_GROUP" && fc.Count != 1 {
				t.Errorf("events(%v): eventType facet counts %d CREATE_USER_GROUP events, want 1", f, fc.Count)
			}
		}
		if want := len(ids); list.Events.TotalCount != want {
			t.Errorf("events(%v): totalCount %d, want %d", f, list.Events.TotalCount, want)
		}
	}
	// The core records configuration changes and exports in the service's
	// own trail (component AUDITLOG), as `auditlog serve` does, so the
	// tenant's whole log grows as this test runs; the modules' events are
	// counted here, and filter {} above shows the expired one is not
	// among the rest either.
	a.query(`{ events(filter: {components: ["CMS", "KMS"]}) { totalCount } }`, nil, &list)
	if list.Events.TotalCount != 2 {
		t.Errorf("totalCount = %d, want 2 (cms-kept, kms-old)", list.Events.TotalCount)
	}

	var one struct{ Event *struct{ ID string } }
	a.query(`{ event(id: "cms-expired") { id } }`, nil, &one)
	if one.Event != nil {
		t.Errorf("event(cms-expired) = %+v, want null", one.Event)
	}
	a.query(`{ event(id: "kms-old") { id } }`, nil, &one)
	if one.Event == nil {
		t.Errorf("event(kms-old) of a component kept forever = null")
	}

	for args, want := range map[string][]string{
		`filter: {components: ["CMS", "KMS"]}`:        {"cms-kept", "kms-old"},
		`filter: {components: ["CMS"]}`:               {"cms-kept"},
		`ids: ["cms-expired", "cms-kept"]`:            {"cms-kept"},
		`ids: ["cms-expired"]`:                        nil,
		`filter: {text: "retention check cms"}`:       {"cms-kept"},
		`filter: {eventTypes: ["CREATE_USER_GROUP"]}`: {"cms-kept"},
	} {
		if got := a.exportIDs(args); !slices.Equal(got, want) {
			t.Errorf("export(%s) rows = %v, want %v", args, got, want)
		}
	}
}

// openOpenSearch returns a store on the test node with a prefix of its own.
func openOpenSearch(t *testing.T) *opensearch.Store {
	t.Helper()
	base := opensearchtest.URL(t)
	prefix := opensearchtest.Prefix(t, base)
	st, err := opensearch.New(context.Background(), opensearch.Config{URLs: []string{base}, Prefix: prefix, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
