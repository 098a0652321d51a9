package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
)

// TestServeStartsBeforeItsNode starts serve against an OpenSearch node
// that is not up yet: it answers /healthz 200, /readyz 503 and GraphQL
// 503 UNAVAILABLE, says once in its log that it waits; when the node
// starts, serve becomes ready by itself, without a restart, and serves a
// key made meanwhile.
func TestServeStartsBeforeItsNode(t *testing.T) {
	node := opensearchtest.StoppedNode(t, "cmd-faults")
	prefix := "t-serve-before-node"
	t.Setenv("AUDITLOG_SECRET", strings.Repeat("s", 32))
	t.Setenv("AUDITLOG_SIGNING_KEY", testSigningKey)
	addr := freeAddr(t)
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--opensearch-url", node.URL, "--opensearch-prefix", prefix}, io.Discard, logs)
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	base := "http://" + addr

	waitStatus(t, base+"/healthz", http.StatusOK, done)
	if status, _ := httpGet(t, base+"/readyz"); status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with no node: %d, want 503", status)
	}
	resp, body := postGraphQL(t, base, "al_notakeyyet", `{ viewer { tenant } }`)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, `"code":"UNAVAILABLE"`) {
		t.Errorf("GraphQL with no node: %d, Retry-After %q, %s; want 503 UNAVAILABLE", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}

	node.Start()
	t.Cleanup(func() { _ = opensearchtest.Cleanup(context.Background(), node.URL, prefix) })
	waitStatus(t, base+"/readyz", http.StatusOK, done)
	out := runCmd(t, "keys", "create", "--opensearch-url", node.URL, "--opensearch-prefix", prefix,
		"--tenant", "acme", "--role", "viewer", "--user-id", "u-1", "--user-name", "Ann", "--user-email", "ann@acme.example")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	resp, body = postGraphQL(t, base, lines[len(lines)-1], `{ viewer { tenant } }`)
	if resp.StatusCode != http.StatusOK || body != `{"data":{"viewer":{"tenant":"acme"}}}` {
		t.Errorf("once the node is up: %d %s", resp.StatusCode, body)
	}
	stop()
	log := logs.String()
	if n := strings.Count(log, `msg="store unavailable`); n != 1 {
		t.Errorf("%d 'store unavailable' lines while waiting for the node; want 1:\n%s", n, log)
	}
	if n := strings.Count(log, `msg="store available`); n != 1 {
		t.Errorf("%d lines saying the store became available; want 1:\n%s", n, log)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitStatus polls url until it answers status; up to three minutes, far
// beyond a node's start, and not past serve's end.
func waitStatus(t *testing.T, url string, status int, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case err := <-done:
			t.Fatalf("serve ended while waiting for %s: %v", url, err)
		default:
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == status {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not %d after three minutes (%v)", url, status, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func postGraphQL(t *testing.T, base, key, query string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"`+query+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, strings.TrimSpace(string(b))
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
