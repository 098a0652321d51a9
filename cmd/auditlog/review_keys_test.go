package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
	"github.com/auditlog/auditlog/store/sqlite"
)

// TestKeyChangesAreAudited creates and revokes a key from the command line,
// on each store, and finds both changes in the tenant's AUDITLOG events,
// naming the key by id and never holding the key itself.
func TestKeyChangesAreAudited(t *testing.T) {
	for _, backend := range []string{"sqlite", "opensearch"} {
		t.Run(backend, func(t *testing.T) {
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			var storeArgs []string
			var open func() store.Store
			switch backend {
			case "sqlite":
				dir := t.TempDir()
				storeArgs = []string{"--data-dir", dir}
				open = func() store.Store {
					st, err := sqlite.Open(context.Background(), filepath.Join(dir, "auditlog.db"), sqlite.WithLogger(quiet))
					if err != nil {
						t.Fatal(err)
					}
					return st
				}
			case "opensearch":
				u := opensearchtest.URL(t)
				prefix := opensearchtest.Prefix(t, u)
				storeArgs = []string{"--opensearch-url", u, "--opensearch-prefix", prefix}
				open = func() store.Store {
					st, err := opensearch.New(context.Background(), opensearch.Config{URLs: []string{u}, Prefix: prefix, Logger: quiet})
					if err != nil {
						t.Fatal(err)
					}
					if err := st.Refresh(context.Background()); err != nil {
						t.Fatal(err)
					}
					return st
				}
			}
			args := append([]string{"keys", "create", "--tenant", "acme", "--role", "emitter", "--components", "KMS,CMS",
				"--user-id", "svc-km", "--user-name", "KM service", "--log-level", "error"}, storeArgs...)
			out := runCmd(t, args...)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			plain := lines[len(lines)-1]
			id := regexp.MustCompile(`key_[0-9A-Z]+`).FindString(out)
			runCmd(t, append([]string{"keys", "revoke", "--log-level", "error"}, append(storeArgs, id)...)...)

			st := open()
			defer st.Close()
			page, err := st.SearchEvents(context.Background(), audit.Query{Tenant: "acme", Order: audit.OldestFirst, Limit: 10,
				Filter: audit.Filter{Components: []string{"AUDITLOG"}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Events) != 2 || page.Events[0].EventType != "API_KEY_CREATED" || page.Events[1].EventType != "API_KEY_REVOKED" {
				t.Fatalf("AUDITLOG events %+v, want the creation then the revocation", page.Events)
			}
			keys, err := st.ListKeys(context.Background(), "acme")
			if err != nil || len(keys) != 1 {
				t.Fatalf("keys: %v %+v", err, keys)
			}
			for _, ev := range page.Events {
				if ev.ActionUser.Type != audit.UserSystem || !strings.HasPrefix(ev.ActionUser.ID, "cli:") {
					t.Errorf("%s recorded as done by %+v, want the CLI operator", ev.EventType, ev.ActionUser)
				}
				if ev.TargetUser == nil || ev.TargetUser.ID != "svc-km" || ev.TargetUser.Name != "KM service" {
					t.Errorf("%s target %+v, want the key's owner", ev.EventType, ev.TargetUser)
				}
				details, _ := json.Marshal(ev.Details)
				if string(details) != `{"components":["KMS","CMS"],"keyId":"`+id+`","role":"emitter"}` {
					t.Errorf("%s details %s", ev.EventType, details)
				}
				all, _ := json.Marshal(ev)
				if strings.Contains(string(all), plain) || strings.Contains(string(all), keys[0].Hash) {
					t.Errorf("%s holds the key or its hash: %s", ev.EventType, all)
				}
			}
		})
	}
}

func TestWebhookFlags(t *testing.T) {
	parse := func(args ...string) (*webhookFlags, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var wf webhookFlags
		wf.register(fs)
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		return &wf, wf.envFallbacks(fs)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	secret := "0123456789abcdef0123"
	for name, args := range map[string][]string{
		"url without secret":        {"--webhook-url", "https://hooks.example.com/a"},
		"secret without url":        {"--webhook-secret", secret},
		"short secret":              {"--webhook-url", "https://hooks.example.com/a", "--webhook-secret", "short"},
		"tenant url without secret": {"--tenant-webhook", "acme=https://hooks.acme.example/a"},
		"tenant secret without url": {"--tenant-webhook-secret", "acme=" + secret},
		"tenant given twice":        {"--tenant-webhook", "acme=https://a.example/1", "--tenant-webhook", "acme=https://a.example/2"},
		"not TENANT=URL":            {"--tenant-webhook", "https://hooks.acme.example/a"},
	} {
		wf, err := parse(args...)
		if err == nil {
			var hooks any
			if hooks, err = wf.webhooks(quiet); err == nil {
				t.Errorf("%s: accepted (%v)", name, hooks)
			}
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error shows the secret: %v", name, err)
		}
	}

	wf, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	if hooks, err := wf.webhooks(quiet); err != nil || hooks != nil {
		t.Errorf("no webhook configured: %v, %v; want none and no error", hooks, err)
	}

	// The environment configures the same, per tenant too.
	t.Setenv("AUDITLOG_TENANT_WEBHOOKS", "acme=https://hooks.acme.example/a globex=https://hooks.globex.example/b")
	t.Setenv("AUDITLOG_TENANT_WEBHOOK_SECRETS", "acme="+secret+" globex="+secret+"x")
	wf, err = parse("--webhook-url", "https://hooks.example.com/all", "--webhook-secret", secret)
	if err != nil {
		t.Fatal(err)
	}
	if len(wf.tenants) != 2 || wf.tenants["globex"] != "https://hooks.globex.example/b" || wf.tenantSecret["globex"] != secret+"x" {
		t.Errorf("tenant webhooks from the environment: %v", wf.tenants)
	}
	hooks, err := wf.webhooks(quiet)
	if err != nil || hooks == nil {
		t.Fatalf("webhooks: %v", err)
	}
	hooks.Close(context.Background())
	if s := wf.tenantSecret.String(); strings.Contains(s, secret) {
		t.Errorf("flag value shown as %q, with the secret", s)
	}
}
