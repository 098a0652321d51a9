package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/live/livetest"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
)

// TestLiveTailAcrossProcesses: two `auditlog serve` processes over one
// OpenSearch node, as behind a load balancer; an event ingested through
// one reaches a subscriber connected to the other.
func TestLiveTailAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	osURL := opensearchtest.URL(t)
	prefix := opensearchtest.Prefix(t, osURL)
	dir := t.TempDir()
	bin := filepath.Join(dir, "auditlog")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	environ := append(os.Environ(), "AUDITLOG_OPENSEARCH_URL="+osURL, "AUDITLOG_OPENSEARCH_PREFIX="+prefix,
		"AUDITLOG_SECRET=live-tail-test-secret-of-32-bytes-at-least", "AUDITLOG_SIGNING_KEY="+testSigningKey, "AUDITLOG_ADDR=127.0.0.1:0")
	key := func(role string) string {
		t.Helper()
		cmd := exec.Command(bin, "keys", "create", "--tenant", "acme", "--role", role, "--user-id", "u-"+role, "--user-name", "Ann", "--user-email", "ann@acme.example")
		cmd.Env = environ
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("keys create: %v", err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return lines[len(lines)-1]
	}
	viewer, emitter := key("viewer"), key("emitter")

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	start := func() string {
		t.Helper()
		srv := exec.CommandContext(ctx, bin, "serve", "--log-format", "json")
		srv.Env = environ
		stderr, err := srv.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
		logs := bufio.NewScanner(stderr)
		for logs.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(logs.Bytes(), &line) == nil && line.Msg == "auditlog listening" {
				go io.Copy(io.Discard, stderr) // keep the pipe flowing
				return "http://" + line.Addr
			}
		}
		t.Fatal("server did not report its address")
		return ""
	}
	a, b := start(), start()

	cl, err := livetest.Dial(ctx, b, viewer, livetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	cl.Background()
	if err := cl.Subscribe(ctx, "1", `subscription { eventsAdded(filter: {components: ["KMS"]}) { id tenant } }`, nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the subscription starts polling

	body := `{"query":"mutation($e: EventInput!) { ingestEvent(event: $e) { id captured } }","variables":{"e":` +
		`{"id":"across-1","componentId":"KMS","eventType":"LIVE_TEST","status":"SUCCESS","occurredAt":"` +
		time.Now().UTC().Format(time.RFC3339) + `","actionUser":{"type":"SYSTEM"}}}}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, a+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+emitter)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(got), `"captured":true`) {
		t.Fatalf("ingest on process A: %s", got)
	}

	m, err := cl.Next(ctx)
	if err != nil {
		t.Fatalf("subscriber on process B: %v", err)
	}
	if m.Type != "next" || !strings.Contains(string(m.Payload), `"id":"across-1"`) || !strings.Contains(string(m.Payload), `"tenant":"acme"`) {
		t.Errorf("subscriber on process B got %s %s, want event across-1", m.Type, m.Payload)
	}
}
