package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
)

// TestUnauthenticated: a request without a valid key is refused with 401
// and a GraphQL error UNAUTHENTICATED, and no data.
func TestUnauthenticated(t *testing.T) {
	e := newEnv(t, server.Config{})
	revoked := e.key("acme", audit.RoleAdmin)
	keys, err := e.keys.List(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.keys.Revoke(context.Background(), "acme", keys[0].ID); err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]string{
		"no key":      "",
		"malformed":   "secret",
		"unknown key": "al_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"revoked key": revoked,
	} {
		t.Run(name, func(t *testing.T) {
			for _, op := range []struct {
				query string
				vars  map[string]any
			}{
				{`{ viewer { tenant } }`, nil},
				{`{ events(filter: {}) { totalCount } }`, nil},
				{ingestOne, map[string]any{"e": fullEvent("u-1", base)}},
			} {
				status, resp := e.do(key, op.query, op.vars)
				if status != http.StatusUnauthorized || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || !noData(resp.Data) {
					t.Errorf("%.40s: %d, errors %+v, data %s; want 401, UNAUTHENTICATED, no data", op.query, status, resp.Errors, resp.Data)
				}
			}
		})
	}
	// Not a Bearer header.
	req, _ := http.NewRequest(http.MethodPost, e.url+"/graphql", strings.NewReader(`{"query":"{ viewer { tenant } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b.String(), "UNAUTHENTICATED") {
		t.Errorf("Basic auth: %d %s", resp.StatusCode, b.String())
	}
}

// TestRoles checks every role against operations it may and may not run.
// A refused operation is FORBIDDEN and returns no data.
func TestRoles(t *testing.T) {
	e := newEnv(t, server.Config{})
	ops := map[string]struct {
		query string
		vars  map[string]any
	}{
		"ingest":    {ingestOne, map[string]any{"e": fullEvent("r-1", base)}},
		"events":    {`{ events(filter: {}) { totalCount } }`, nil},
		"event":     {`{ event(id: "r-1") { id } }`, nil},
		"viewer":    {`{ viewer { tenant role } }`, nil},
		"component": {`{ component(id: "KMS") { id } }`, nil},
		"flag":      {`mutation { flagEvents(ids: ["r-1"]) { id } }`, nil},
		"saved":     {`{ savedFilters { id } }`, nil},
		"notes":     {`{ notifications { id } }`, nil},
		"export":    {`mutation { exportEvents(ids: ["r-1"]) { url } }`, nil},
		"configure": {`mutation { configureComponent(id: "SET", config: {loggingEnabled: true}) { version } }`, nil},
	}
	allowed := map[audit.Role][]string{
		audit.RoleEmitter: {"ingest", "viewer"},
		audit.RoleViewer:  {"events", "event", "viewer", "component", "flag", "saved", "notes", "export"},
		audit.RoleAdmin:   {"ingest", "events", "event", "viewer", "component", "flag", "saved", "notes", "export", "configure"},
	}
	for role, may := range allowed {
		key := e.key("acme", role)
		for name, op := range ops {
			_, resp := e.do(key, op.query, op.vars)
			mayRun := false
			for _, m := range may {
				mayRun = mayRun || m == name
			}
			switch {
			case mayRun && len(resp.Errors) > 0:
				t.Errorf("%s %s: %+v", role, name, resp.Errors)
			case !mayRun && (len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "FORBIDDEN"):
				t.Errorf("%s %s: errors %+v, want FORBIDDEN", role, name, resp.Errors)
			case !mayRun && !noData(resp.Data):
				t.Errorf("%s %s: refused but returned data %s", role, name, resp.Data)
			}
		}
	}
}

// noData reports whether data is null or an object of nulls.
func noData(data json.RawMessage) bool {
	if len(data) == 0 {
		return true // no data member at all: refused before GraphQL
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return false
	}
	for _, v := range m {
		if v != nil {
			return false
		}
	}
	return true
}

func TestTenantsAreIsolated(t *testing.T) {
	e := newEnv(t, server.Config{})
	var res struct{ IngestEvent ingestResult }
	e.query(e.key("acme", audit.RoleEmitter), ingestOne, map[string]any{"e": fullEvent("shared-id", base)}, &res)
	globex := e.key("globex", audit.RoleAdmin)

	var got struct {
		Event  *struct{ ID string }
		Events struct{ TotalCount int }
	}
	e.query(globex, `{ event(id: "shared-id") { id } events(filter: {}) { totalCount } }`, nil, &got)
	if got.Event != nil || got.Events.TotalCount != 0 {
		t.Errorf("globex sees acme's data: %+v", got)
	}
	var flagged struct{ FlagEvents []struct{ ID string } }
	e.query(globex, `mutation { flagEvents(ids: ["shared-id"], note: "mine?") { id } }`, nil, &flagged)
	if len(flagged.FlagEvents) != 0 {
		t.Errorf("globex flagged acme's event: %+v", flagged)
	}
	var acme struct{ Event struct{ Flag *struct{} } }
	e.query(e.key("acme", audit.RoleViewer), `{ event(id: "shared-id") { flag { at } } }`, nil, &acme)
	if acme.Event.Flag != nil {
		t.Error("acme's event was flagged by globex")
	}

	// The same id in another tenant is another event, not a duplicate.
	e.query(e.key("globex", audit.RoleEmitter), ingestOne, map[string]any{"e": fullEvent("shared-id", base)}, &res)
	if res.IngestEvent.Duplicate || !res.IngestEvent.Captured {
		t.Errorf("globex ingest of an id acme used: %+v", res.IngestEvent)
	}
}

func TestIntrospection(t *testing.T) {
	on := newEnv(t, server.Config{Introspection: true})
	var schema struct {
		Schema struct {
			QueryType struct{ Name string }
			Types     []struct {
				Name, Description string
				Fields            []struct{ Name, Description string }
			}
		} `json:"__schema"`
	}
	// No key needed: the schema is public when introspection is on.
	on.query("", `{ __schema { queryType { name } types { name description fields { name description } } } }`, nil, &schema)
	if schema.Schema.QueryType.Name != "Query" {
		t.Fatalf("queryType %q", schema.Schema.QueryType.Name)
	}
	for _, typ := range schema.Schema.Types {
		if strings.HasPrefix(typ.Name, "__") || typ.Name == "String" || typ.Name == "Boolean" || typ.Name == "Int" || typ.Name == "ID" || typ.Name == "Float" {
			continue
		}
		if typ.Description == "" {
			t.Errorf("type %s has no description", typ.Name)
		}
		for _, f := range typ.Fields {
			if f.Description == "" {
				t.Errorf("field %s.%s has no description", typ.Name, f.Name)
			}
		}
	}
	// The standard deep introspection query passes the depth limit.
	on.query("", introspectionQuery, nil, &map[string]any{})

	off := newEnv(t, server.Config{})
	_, resp := off.do(off.key("acme", audit.RoleAdmin), `{ __schema { queryType { name } } }`, nil)
	if len(resp.Errors) == 0 {
		t.Error("introspection answered while disabled")
	}
}

func TestLimits(t *testing.T) {
	e := newEnv(t, server.Config{MaxBodyBytes: 4096, DepthLimit: 3})
	viewer := e.key("acme", audit.RoleViewer)

	big := `{"query":"{ viewer { tenant } }","variables":{"pad":"` + strings.Repeat("x", 5000) + `"}}`
	req, _ := http.NewRequest(http.MethodPost, e.url+"/graphql", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+viewer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: status %d, want 413", resp.StatusCode)
	}

	e.wantError(viewer, `{ events(filter: {}) { edges { node { id } } } }`, nil, "BAD_USER_INPUT", "")
	var ok struct{ Events struct{ TotalCount int } }
	e.query(viewer, `{ events(filter: {}) { totalCount } }`, nil, &ok)

	// Page size multiplies the cost of what each event selects.
	c := newEnv(t, server.Config{ComplexityLimit: 500})
	cviewer := c.key("acme", audit.RoleViewer)
	c.query(cviewer, `{ events(filter: {}, first: 100) { edges { node { id } } } }`, nil, &struct{}{})
	c.wantError(cviewer, `{ events(filter: {}, first: 100) { edges { node { id eventType status priority occurredAt } } } }`,
		nil, "BAD_USER_INPUT", "")
}

func TestHealthReadinessMetrics(t *testing.T) {
	e := newEnv(t, server.Config{})
	for _, path := range []string{"/healthz", "/readyz"} {
		if status, body := e.get(path); status != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}
	var res struct{ IngestEvent ingestResult }
	e.query(e.key("acme", audit.RoleEmitter), ingestOne, map[string]any{"e": fullEvent("m-1", base)}, &res)
	status, body := e.get("/metrics")
	if status != http.StatusOK || !strings.Contains(body, `auditlog_ingest_events_total{outcome="captured"} 1`) ||
		!strings.Contains(body, `auditlog_http_requests_total{code="200",route="POST /graphql"}`) {
		t.Errorf("GET /metrics: %d\n%s", status, body)
	}

	resp, err := http.Get(e.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id header")
	}
	// Playground is off unless enabled.
	if status, _ := e.get("/playground"); status != http.StatusNotFound {
		t.Errorf("GET /playground without playground: %d", status)
	}
	pg := newEnv(t, server.Config{Playground: true})
	if status, body := pg.get("/playground"); status != http.StatusOK || !strings.Contains(body, "/assets/playground-") {
		t.Errorf("GET /playground with playground: %d", status)
	}
}

// introspectionQuery is the query GraphiQL sends.
const introspectionQuery = `
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
