package server_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
)

// tamperings returns altered copies of a signed token
// (base64url(payload) "." base64url(signature)): bits flipped in either
// part, parts cut, and payloads rewritten by edit with the old signature.
func tamperings(t *testing.T, tok string, edits map[string]func(payload string) string) map[string]string {
	t.Helper()
	body, sig, ok := strings.Cut(tok, ".")
	if !ok {
		t.Fatalf("token %q has no signature", tok)
	}
	flip := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	out := map[string]string{
		"payload bit":    flip(body, len(body)/2) + "." + sig,
		"signature bit":  body + "." + flip(sig, len(sig)/2),
		"no signature":   body,
		"empty sig":      body + ".",
		"short sig":      body + "." + sig[:len(sig)-2],
		"padded":         body + "=." + sig,
		"signature only": "." + sig,
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	for name, edit := range edits {
		changed := edit(string(raw))
		if changed == string(raw) {
			t.Fatalf("edit %q changed nothing in %s", name, raw)
		}
		out[name] = base64.RawURLEncoding.EncodeToString([]byte(changed)) + "." + sig
	}
	return out
}

func TestTamperedCursorsAreRefused(t *testing.T) {
	e := newEnv(t, server.Config{})
	for _, tenant := range []string{"acme", "globex"} {
		var res struct{ IngestEvents []ingestResult }
		e.query(e.key(tenant, audit.RoleEmitter), ingestMany, map[string]any{"es": []any{
			fullEvent("c-1", base), fullEvent("c-2", base.Add(1)), fullEvent("c-3", base.Add(2)),
		}}, &res)
	}
	const page = `query($after: String) { events(filter: {}, first: 1, after: $after) { edges { node { id } } pageInfo { endCursor } } }`
	type pageData struct {
		Events struct {
			Edges    []struct{ Node struct{ ID string } }
			PageInfo struct{ EndCursor string }
		}
	}
	acme, globex := e.key("acme", audit.RoleViewer), e.key("globex", audit.RoleViewer)
	var first, theirs pageData
	e.query(acme, page, nil, &first)
	e.query(globex, page, nil, &theirs)
	cursor := first.Events.PageInfo.EndCursor

	var next pageData
	e.query(acme, page, map[string]any{"after": cursor}, &next)
	if len(next.Events.Edges) != 1 || next.Events.Edges[0].Node.ID != "c-2" {
		t.Fatalf("the untouched cursor leads to %+v, want c-2", next.Events.Edges)
	}

	bad := tamperings(t, cursor, map[string]func(string) string{
		"position moved": func(p string) string { return strings.Replace(p, `"i":"c-3"`, `"i":"c-1"`, 1) },
		"expiry extended": func(p string) string {
			return strings.Replace(p, `{"exp":`, `{"exp":9`, 1)
		},
	})
	// The same position in globex's listing: signed by this server, but for
	// another tenant.
	bad["other tenant's cursor"] = theirs.Events.PageInfo.EndCursor
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			data := e.wantError(acme, page, map[string]any{"after": c}, "BAD_USER_INPUT", "after")
			if string(data) != "null" {
				t.Errorf("data %s", data)
			}
		})
	}
}

func TestTamperedExportLinksAreRefused(t *testing.T) {
	e := newEnv(t, server.Config{})
	for _, tenant := range []string{"acme", "globex"} {
		var res struct{ IngestEvents []ingestResult }
		e.query(e.key(tenant, audit.RoleEmitter), ingestMany, map[string]any{"es": []any{fullEvent("x-1", base), fullEvent("x-2", base)}}, &res)
	}
	var link struct{ ExportEvents struct{ URL string } }
	e.query(e.key("acme", audit.RoleViewer), `mutation { exportEvents(ids: ["x-1"]) { url } }`, nil, &link)
	url := link.ExportEvents.URL
	if status, body := e.get(url); status != http.StatusOK || !strings.Contains(body, "x-1") {
		t.Fatalf("the untouched link: %d %s", status, body)
	}
	var page struct {
		Events struct{ PageInfo struct{ EndCursor string } }
	}
	e.query(e.key("acme", audit.RoleViewer), `{ events(filter: {}, first: 1) { pageInfo { endCursor } } }`, nil, &page)

	prefix, tok, _ := strings.Cut(url, "/export/")
	bad := tamperings(t, tok, map[string]func(string) string{
		"tenant swapped":    func(p string) string { return strings.ReplaceAll(p, `"tenant":"acme"`, `"tenant":"globex"`) },
		"selection widened": func(p string) string { return strings.Replace(p, `"ids":["x-1"]`, `"ids":["x-1","x-2"]`, 1) },
		"role raised":       func(p string) string { return strings.Replace(p, `"role":"viewer"`, `"role":"admin"`, 1) },
	})
	// A token of this server for another purpose is no download link.
	bad["cursor as link"] = page.Events.PageInfo.EndCursor
	for name, tok := range bad {
		t.Run(name, func(t *testing.T) {
			status, body := e.get(prefix + "/export/" + tok)
			if status != http.StatusForbidden && status != http.StatusNotFound {
				t.Errorf("GET: %d %s, want 403", status, body)
			}
			if strings.Contains(body, "x-1") || strings.Contains(body, "x-2") {
				t.Errorf("a refused link exported events: %s", body)
			}
		})
	}
}
