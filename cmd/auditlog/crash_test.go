package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
)

// TestStatsExactAfterKill9 kills auditlog (SIGKILL) while four clients
// ingest, restarts it, and checks that the component's captured count is
// exactly the number of its events stored: none of the acknowledged ones
// lost, none counted twice, none missing from the count.
func TestStatsExactAfterKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "auditlog")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("SQLite", func(t *testing.T) {
		killMidIngest(t, bin, []string{"--data-dir", filepath.Join(t.TempDir(), "data")}, nil)
	})
	t.Run("OpenSearch", func(t *testing.T) {
		u := opensearchtest.URL(t)
		prefix := opensearchtest.Prefix(t, u)
		t.Setenv("AUDITLOG_SECRET", strings.Repeat("k", 32))
		t.Setenv("AUDITLOG_SIGNING_KEY", testSigningKey)
		killMidIngest(t, bin, []string{"--opensearch-url", u, "--opensearch-prefix", prefix}, func() {
			req, _ := http.NewRequest(http.MethodPost, u+"/"+prefix+"-events-*/_refresh", nil)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		})
	})
}

func killMidIngest(t *testing.T, bin string, storeArgs []string, refresh func()) {
	key := func(role string) string {
		args := append([]string{"keys", "create", "--tenant", "acme", "--role", role, "--user-id", "u-" + role}, storeArgs...)
		lines := strings.Split(strings.TrimSpace(runCmd(t, args...)), "\n")
		return lines[len(lines)-1]
	}
	emitter, admin := key("emitter"), key("admin")

	srv, base := startServeBinary(t, bin, storeArgs)
	const target = 3000 // acknowledged events before the kill
	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; ; b++ {
				select {
				case <-stop:
					return
				default:
				}
				n, err := ingestBatch(base, emitter, fmt.Sprintf("w%d-b%d", w, b), 100)
				acked.Add(int64(n))
				if err != nil {
					return // the server is gone
				}
			}
		}()
	}
	for acked.Load() < target {
		time.Sleep(10 * time.Millisecond)
	}
	if err := srv.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	_ = srv.Wait()

	_, base = startServeBinary(t, bin, storeArgs)
	if refresh != nil {
		refresh()
	}
	var got struct {
		Data struct {
			Component struct{ Stats struct{ Captured int64 } }
			Events    struct{ TotalCount int64 }
		}
	}
	post(t, base, admin, `{ component(id: "KMS") { stats { captured } } events(filter: {components: ["KMS"]}) { totalCount } }`, &got)
	stored, captured := got.Data.Events.TotalCount, got.Data.Component.Stats.Captured
	t.Logf("acknowledged %d, stored %d, stats.captured %d", acked.Load(), stored, captured)
	if stored < acked.Load() {
		t.Errorf("%d events stored, fewer than the %d acknowledged", stored, acked.Load())
	}
	if captured != stored {
		t.Errorf("stats.captured %d after kill -9, for %d events stored", captured, stored)
	}
}

// startServe starts the binary's serve with the store flags, and returns
// it and its base URL once it listens; it is killed when t ends.
func startServeBinary(t *testing.T, bin string, storeArgs []string) (*exec.Cmd, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, storeArgs...)
	srv := exec.CommandContext(ctx, bin, args...)
	srv.Env = os.Environ()
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = srv.Wait() })
	logs := bufio.NewScanner(stderr)
	var addr string
	for addr == "" && logs.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(logs.Bytes(), &line) == nil && line.Msg == "auditlog listening" {
			addr = line.Addr
		}
	}
	if addr == "" {
		t.Fatal("serve did not report its address")
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	return srv, "http://" + addr
}

var capturedField = regexp.MustCompile(`"captured":true`)

// ingestBatch sends n events with ids prefix-0..n-1 and returns how many
// were acknowledged captured; an error when there was no answer.
func ingestBatch(base, key, prefix string, n int) (int, error) {
	events := make([]map[string]any, n)
	at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	for i := range events {
		events[i] = map[string]any{"id": fmt.Sprintf("%s-%d", prefix, i), "componentId": "KMS", "eventType": "ARTICLE_PUBLISHED",
			"status": "SUCCESS", "occurredAt": at, "actionUser": map[string]any{"type": "SYSTEM", "id": "bot"}}
	}
	body, _ := json.Marshal(map[string]any{
		"query":     `mutation($es: [EventInput!]!) { ingestEvents(events: $es) { captured } }`,
		"variables": map[string]any{"es": events},
	})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return len(capturedField.FindAll(raw, -1)), nil
}

func post(t *testing.T, base, key, query string, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(raw), `"errors"`) {
		t.Fatalf("%s: HTTP %d %s", query, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
}
