package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
)

// TestEveryRefusalHasACode: each way /graphql refuses a request before
// GraphQL runs it answers a GraphQL error body whose error has
// extensions.code, so that clients read every refusal the same way.
func TestEveryRefusalHasACode(t *testing.T) {
	e := newEnv(t, server.Config{MaxBodyBytes: 1 << 10, RateLimit: 1, RateBurst: 1})
	viewer := e.key("acme", audit.RoleViewer)
	other := e.key("acme", audit.RoleViewer)
	third := e.key("acme", audit.RoleViewer) // a rate of 1 per second each
	notReady := httptest.NewServer(server.NotReady())
	t.Cleanup(notReady.Close)
	query := `{"query":"{ viewer { tenant } }"}`
	for _, c := range []struct {
		name         string
		method, url  string
		key, ct      string
		body         string
		status       int
		code, reason string
	}{
		{"text/plain body", http.MethodPost, e.url + "/graphql", viewer, "text/plain", query, http.StatusUnsupportedMediaType, "BAD_USER_INPUT", "UNSUPPORTED_CONTENT_TYPE"},
		{"mutation by GET", http.MethodGet, e.url + "/graphql?query=" + url.QueryEscape(`mutation { markNotificationsRead(ids: ["x"]) }`), other, "", "", http.StatusMethodNotAllowed, "BAD_USER_INPUT", "METHOD_NOT_ALLOWED"},
		{"PUT", http.MethodPut, e.url + "/graphql", "", "application/json", query, http.StatusMethodNotAllowed, "BAD_USER_INPUT", "METHOD_NOT_ALLOWED"},
		{"DELETE with a key", http.MethodDelete, e.url + "/graphql", viewer, "application/json", query, http.StatusMethodNotAllowed, "BAD_USER_INPUT", "METHOD_NOT_ALLOWED"},
		{"no key", http.MethodPost, e.url + "/graphql", "", "application/json", query, http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		{"body too large", http.MethodPost, e.url + "/graphql", third, "application/json", `{"query":"` + strings.Repeat(" ", 2<<10) + `{ viewer { tenant } }"}`, http.StatusRequestEntityTooLarge, "BAD_USER_INPUT", ""},
		{"over the rate", http.MethodPost, e.url + "/graphql", viewer, "application/json", query, http.StatusTooManyRequests, "RATE_LIMITED", ""},
		{"store not open yet", http.MethodPost, notReady.URL + "/graphql", viewer, "application/json", query, http.StatusServiceUnavailable, "UNAVAILABLE", ""},
	} {
		req, err := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.ct != "" {
			req.Header.Set("Content-Type", c.ct)
		}
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var body gqlResponse
		if err := json.Unmarshal(raw, &body); err != nil || len(body.Errors) != 1 {
			t.Errorf("%s: HTTP %d, body %q is not one GraphQL error", c.name, resp.StatusCode, raw)
			continue
		}
		ext := body.Errors[0].Extensions
		if resp.StatusCode != c.status || ext["code"] != c.code || (c.reason != "" && ext["reason"] != c.reason) ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: HTTP %d %s, %s; want %d with code %s reason %q", c.name, resp.StatusCode, resp.Header.Get("Content-Type"), raw, c.status, c.code, c.reason)
		}
		if c.status == http.StatusMethodNotAllowed && !strings.Contains(resp.Header.Get("Allow"), "POST") {
			t.Errorf("%s: 405 with Allow %q", c.name, resp.Header.Get("Allow"))
		}
	}
}

// failingWrites is a store whose event writes fail item by item, as a
// store with a full disk would.
type failingWrites struct{ store.Store }

func (f failingWrites) WriteEvents(_ context.Context, events []audit.Event) ([]store.WriteResult, error) {
	res := make([]store.WriteResult, len(events))
	for i := range res {
		res[i].Err = errors.New("disk full")
	}
	return res, nil
}

// TestFailedBatchesLogOnce: ten batches of 200 events whose every item
// fails are logged in a line or two with their counts, not a line per
// item (the issue saw 8,400 ERROR lines for 42 batches); each item still
// gets its INTERNAL error with the request id.
func TestFailedBatchesLogOnce(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	e := newEnvWith(t, server.Config{}, envOptions{
		wrap: func(st store.Store) store.Store { return failingWrites{st} },
		logs: lockedWriter{&mu, &logs},
	})
	emitter := e.key("acme", audit.RoleEmitter)
	at := time.Now().Add(-time.Hour)
	for b := range 10 {
		events := make([]any, 200)
		for i := range events {
			events[i] = fullEvent(fmt.Sprintf("fail-%d-%d", b, i), at)
		}
		status, raw := e.post(emitter, `mutation($es: [EventInput!]!) { ingestEvents(events: $es) { error { code } } }`, map[string]any{"es": events})
		if codes := codesOf(raw); status != http.StatusOK || len(codes) != 200 || !allEqual(codes, "INTERNAL") {
			t.Fatalf("batch %d: HTTP %d, %d codes %v", b, status, len(codes), codes[:min(3, len(codes))])
		}
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	lines := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "level=ERROR") {
			lines++
		}
	}
	if lines == 0 || lines > 4 {
		t.Errorf("%d ERROR lines for 10 failed batches of 200; want one or two per kind:\n%s", lines, out)
	}
	if !strings.Contains(out, "failed=200 of=200") {
		t.Errorf("no line counts the batch's 200 failed items:\n%s", out)
	}
}
