package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var signInLink = regexp.MustCompile(`Sign in to the console: (http://127\.0\.0\.1:\d+)/#key=(al_[A-Za-z0-9_-]{43})$`)

// startServe runs serve in the process until the test ends; it returns the
// base URL and the sign-in link's key, if one was printed.
func startServe(t *testing.T, args ...string) (base, key string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), io.Discard, w)
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	lines := bufio.NewScanner(r)
	listening := regexp.MustCompile(`msg="auditlog listening" addr=(\S+)`)
	for lines.Scan() {
		if m := signInLink.FindStringSubmatch(lines.Text()); m != nil {
			key = m[2]
		}
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			base = "http://" + m[1]
			break
		}
	}
	if base == "" {
		t.Fatal("serve did not start")
	}
	go io.Copy(io.Discard, r)
	return base, key
}

func graphql(t *testing.T, base, key, query string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("%s: %v %v", query, err, out.Errors)
	}
	return out.Data
}

// The first start of a new embedded store on a loopback address prints a
// sign-in link with a new admin key, once; --demo seeds the demo tenant.
func TestFirstContact(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var key string
	t.Run("first start", func(t *testing.T) {
		base, k := startServe(t, "--data-dir", dir, "--demo")
		if k == "" {
			t.Fatal("no sign-in link printed")
		}
		key = k
		d := graphql(t, base, key, `{ viewer { tenant role } events(filter: {}) { totalCount } }`)
		if v := d["viewer"].(map[string]any); v["tenant"] != "demo" || v["role"] != "admin" {
			t.Errorf("the link's key is %v, want an admin of demo", v)
		}
		// The demo events, and the key's creation in the service's own trail.
		if n := d["events"].(map[string]any)["totalCount"].(float64); n < demoEvents {
			t.Errorf("%v events after --demo, want at least %d", n, demoEvents)
		}
		resp, err := http.Get(base + "/")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /: %v %v", resp, err)
		}
		resp.Body.Close()
	})
	t.Run("second start", func(t *testing.T) {
		base, k := startServe(t, "--data-dir", dir, "--demo")
		if k != "" {
			t.Error("a second sign-in link was printed")
		}
		total := graphql(t, base, key, `{ events(filter: {}) { totalCount } }`)["events"].(map[string]any)["totalCount"].(float64)
		if total >= 2*demoEvents {
			t.Errorf("%v events: --demo seeded a tenant that had events", total)
		}
	})
	t.Run("a store with keys already", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "data")
		runCmd(t, "keys", "create", "--data-dir", other, "--tenant", "acme", "--role", "admin", "--user-id", "u", "--user-name", "U", "--user-email", "u@example.com")
		if _, k := startServe(t, "--data-dir", other); k != "" {
			t.Error("a sign-in link was printed for a store that has keys")
		}
	})
}

// --demo, and so the sign-in link, are refused beyond the local machine.
func TestDemoOnlyLocal(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--demo", "--addr", "0.0.0.0:0", "--data-dir", t.TempDir()},
		{"serve", "--demo", "--addr", "127.0.0.1:0", "--opensearch-url", "http://127.0.0.1:1"},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		err := run(ctx, args, io.Discard, io.Discard)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "--demo needs the embedded store") {
			t.Errorf("%s: %v", strings.Join(args, " "), err)
		}
	}
}
