package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
)

// TestMalformedBodyIsBadUserInput: a body that is not a GraphQL request
// (a query that is not a string, a batch array, broken JSON) gets 400 and
// BAD_USER_INPUT with a short fixed message; neither the response nor the
// log repeats the body, and nothing is logged as an error.
func TestMalformedBodyIsBadUserInput(t *testing.T) {
	logs := &syncBuffer{}
	e := newEnvWith(t, server.Config{}, envOptions{logs: logs})
	viewer := e.key("acme", audit.RoleViewer)
	const canary = "CANARY-7f3a"
	bodies := []string{
		`{"query":1}`,
		`[{"query":"{ viewer { tenant } }"}]`,
		`{not json`,
		`{"query":"{ viewer { tenant } }","variables":"` + canary + `"}`,
		`{"query":["` + canary + strings.Repeat("x", 1<<20) + `"]}`,
		`{"query":"{ viewer { tenant } }", "` + canary + strings.Repeat("y", 1<<20),
	}
	var messages []string
	for i, body := range bodies {
		status, _, resp := sendBody(t, e, viewer, body)
		if status != http.StatusBadRequest || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || !noData(resp.Data) {
			t.Errorf("body %d: %d, errors %+v; want 400, one BAD_USER_INPUT", i, status, resp.Errors)
			continue
		}
		if msg := resp.Errors[0].Message; len(msg) > 200 || strings.Contains(msg, canary) || strings.Contains(msg, "{") {
			t.Errorf("body %d: message %q, want a short one that does not quote the body", i, msg)
		}
		messages = append(messages, resp.Errors[0].Message)
	}
	if len(messages) > 0 && messages[0] != messages[len(messages)-1] {
		t.Errorf("messages differ: %q", messages)
	}
	if l := logs.String(); strings.Contains(l, canary) || strings.Contains(l, "level=ERROR") || len(l) > 64<<10 {
		t.Errorf("the log repeats a body or has an error (%d bytes):\n%.2000s", len(l), l)
	}
	// The server goes on.
	e.query(viewer, `{ viewer { tenant } }`, nil, &map[string]any{})
}

// TestOtherMethodsAreNotAllowed: /graphql answers POST, GET (queries) and
// OPTIONS; any other method gets 405 with the methods it allows, whether
// or not it carries a key, and runs nothing.
func TestOtherMethodsAreNotAllowed(t *testing.T) {
	e, cs := countingEnv(t, server.Config{})
	viewer := e.key("acme", audit.RoleViewer)
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead} {
		for _, key := range []string{viewer, ""} {
			req, err := http.NewRequest(method, e.url+"/graphql", strings.NewReader(`{"query":"{ viewer { tenant } }"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if allow := resp.Header.Get("Allow"); resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(allow, http.MethodPost) {
				t.Errorf("%s with key %v: %d, Allow %q; want 405 allowing POST", method, key != "", resp.StatusCode, allow)
			}
		}
	}
	if n := cs.calls.Load(); n != 0 {
		t.Errorf("%d store calls for refused methods", n)
	}
}
