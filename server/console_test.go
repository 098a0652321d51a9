package server_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/server"
)

// The console is served at / and its client routes, with its assets, under
// a CSP that allows this origin only; other paths stay 404.
func TestConsoleRoutes(t *testing.T) {
	e := newEnv(t, server.Config{})
	var index string
	for _, p := range []string{"/", "/explore", "/settings/audit-logs", "/settings/audit-logs/CMS"} {
		resp, err := http.Get(e.url + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `<div id="app">`) {
			t.Errorf("GET %s: %d, want the console's page", p, resp.StatusCode)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", p, csp)
		}
		index = string(b)
	}
	if strings.Contains(index, "<script>") || strings.Contains(index, "http://") || strings.Contains(index, "https://") {
		t.Errorf("the console's page has an inline script or names another host:\n%s", index)
	}
	script := regexp.MustCompile(`src="(/assets/console-[^"]+\.js)"`).FindStringSubmatch(index)
	if script == nil {
		t.Fatalf("no console script in\n%s", index)
	}
	resp, err := http.Get(e.url + script[1])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Errorf("GET %s: %d %s", script[1], resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, p := range []string{"/nope", "/assets/", "/assets/nope.js", "/index.html", "/explore/x/y", "/playground"} {
		if status, _ := e.get(p); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, status)
		}
	}
}
