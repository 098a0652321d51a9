package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/health"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
)

// TestFrozenNodeRequestsRefusedFast freezes the test's own OpenSearch node
// (SIGSTOP) and sends a burst of requests with keys never looked up yet, and
// ingest batches: every request is answered, as 503 or a GraphQL error with
// the retryable code UNAVAILABLE (never INTERNAL); goroutines and
// connections to the node stay bounded by the concurrency limit, not the
// burst. Once thawed (SIGCONT), the server is ready again by itself, the
// same keys work, and the batches retried with the same ids are stored
// exactly once.
func TestFrozenNodeRequestsRefusedFast(t *testing.T) {
	node := opensearchtest.PrivateNode(t, "server-faults")
	const (
		maxConcurrent = 8
		burst         = 200
		batches       = 4
		perBatch      = 50
		timeout       = 3 * time.Second
	)
	var logs bytes.Buffer
	var logsMu sync.Mutex
	e := newEnvWith(t, server.Config{MaxConcurrent: maxConcurrent, QueueWait: 200 * time.Millisecond, RequestTimeout: timeout},
		envOptions{
			open:   func(t testing.TB) store.Store { return openPrivate(t, node.URL) },
			health: &health.Options{Interval: 500 * time.Millisecond, Timeout: time.Second, MaxBackoff: time.Second},
			logs:   lockedWriter{&logsMu, &logs},
		})
	waitReady(t, e)
	admin := e.key("acme", audit.RoleAdmin)
	emitter := e.key("acme", audit.RoleEmitter)
	e.query(emitter, `{ viewer { tenant } }`, nil, &map[string]any{}) // the emitter's key is cached
	fresh := make([]string, 3)                                        // keys nobody has used: a look-up each
	for i := range fresh {
		fresh[i] = e.key("acme", audit.RoleViewer)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	baseGoroutines := runtime.NumGoroutine()
	baseConns := connsTo(t, node.Port())

	node.Freeze()
	at := time.Now().Add(-time.Hour)
	batch := func(b int) []any {
		events := make([]any, perBatch)
		for i := range events {
			events[i] = fullEvent(fmt.Sprintf("frozen-%d-%d", b, i), at)
		}
		return events
	}
	type answer struct {
		status     int
		retryAfter string
		codes      []string
	}
	answers := make(chan answer, burst+batches)
	var peakConns, peakGoroutines int
	var wg sync.WaitGroup
	send := func(key, query string, vars map[string]any) {
		defer wg.Done()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, e.url+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("request during the freeze: %v", err)
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		answers <- answer{resp.StatusCode, resp.Header.Get("Retry-After"), codesOf(raw)}
	}
	start := time.Now()
	for b := range batches {
		wg.Add(1)
		go send(emitter, `mutation($es: [EventInput!]!) { ingestEvents(events: $es) { id captured error { code } } }`,
			map[string]any{"es": batch(b)})
	}
	for i := range burst {
		wg.Add(1)
		go send(fresh[i%len(fresh)], `{ viewer { tenant } }`, nil)
	}
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-answersDone(&wg):
				return
			case <-time.After(100 * time.Millisecond):
				peakConns = max(peakConns, connsTo(t, node.Port()))
				peakGoroutines = max(peakGoroutines, runtime.NumGoroutine())
			}
		}
	}()
	wg.Wait()
	<-sampled
	took := time.Since(start)
	close(answers)
	// Still frozen: what is left running of auditlog's own code is its
	// background work, not the burst (every uncached key's look-up, each
	// request's store call, as before).
	left := goroutinesOf("github.com/auditlog/auditlog/")

	// Generous: fails only if requests hang (the issue saw 41s of nothing
	// with a 30s timeout); each request waits at most its timeout.
	if took > 3*timeout+10*time.Second {
		t.Errorf("the burst took %v to be answered with a %v request timeout", took, timeout)
	}
	counts := map[string]int{}
	for a := range answers {
		switch {
		case a.status == http.StatusServiceUnavailable && a.retryAfter != "" && len(a.codes) == 1 && a.codes[0] == "UNAVAILABLE":
			counts["503"]++
		case a.status == http.StatusOK && len(a.codes) > 0 && allEqual(a.codes, "UNAVAILABLE"):
			counts["200 UNAVAILABLE"]++
			if a.retryAfter == "" {
				t.Errorf("UNAVAILABLE in a 200 answer without Retry-After")
			}
		default:
			t.Errorf("during the freeze: HTTP %d, Retry-After %q, codes %v; want UNAVAILABLE", a.status, a.retryAfter, a.codes)
		}
	}
	t.Logf("frozen node: %d requests answered in %v: %v; connections to the node %d → peak %d; goroutines %d → peak %d (with the clients'); of auditlog's code %d left after the burst",
		burst+batches, took.Round(time.Millisecond), counts, baseConns, peakConns, baseGoroutines, peakGoroutines, left)
	if left > maxConcurrent+6 {
		t.Errorf("%d goroutines of auditlog's code still running after the burst was answered; want at most the %d slots and background work", left, maxConcurrent)
	}
	// The server holds at most maxConcurrent requests on the store, plus the
	// health probe, the indexer's writer and its stats flush.
	if peakConns > baseConns+maxConcurrent+4 {
		t.Errorf("connections to the node rose from %d to %d with at most %d requests at once", baseConns, peakConns, maxConcurrent)
	}
	if counts["503"] == 0 {
		t.Errorf("no request was refused with 503 while the node was frozen")
	}
	logsMu.Lock()
	errorLines := strings.Count(logs.String(), "level=ERROR")
	logsMu.Unlock()
	if errorLines > 10 {
		t.Errorf("%d ERROR lines logged for one outage; want a few", errorLines)
	}

	node.Thaw()
	waitReady(t, e)
	for _, k := range fresh {
		e.query(k, `{ viewer { tenant } }`, nil, &map[string]any{})
	}
	for b := range batches {
		retryIngest(t, e, emitter, b, batch(b))
	}
	e.refresh()
	var got struct{ Events struct{ TotalCount int } }
	e.query(admin, `{ events(filter: {}) { totalCount } }`, nil, &got)
	if got.Events.TotalCount != batches*perBatch {
		t.Errorf("after the retries %d events are stored, want %d: each once", got.Events.TotalCount, batches*perBatch)
	}
}

// retryIngest sends a batch as a client does: again while the answer is
// UNAVAILABLE (a node just thawed may still be slow), at most 20 times;
// every item must end captured.
func retryIngest(t *testing.T, e *env, key string, b int, events []any) {
	t.Helper()
	const query = `mutation($es: [EventInput!]!) { ingestEvents(events: $es) { captured error { code } } }`
	for attempt := 1; ; attempt++ {
		status, raw := e.post(key, query, map[string]any{"es": events})
		codes := codesOf(raw)
		if len(codes) > 0 && allEqual(codes, "UNAVAILABLE") && attempt < 20 {
			time.Sleep(time.Second)
			continue
		}
		var resp struct {
			Data struct {
				IngestEvents []struct{ Captured bool }
			}
		}
		if status != http.StatusOK || len(codes) > 0 || json.Unmarshal(raw, &resp) != nil {
			t.Fatalf("batch %d retried after the thaw (attempt %d): HTTP %d %s", b, attempt, status, raw)
		}
		for i, r := range resp.Data.IngestEvents {
			if !r.Captured {
				t.Errorf("batch %d item %d not captured after the thaw", b, i)
			}
		}
		return
	}
}

func openPrivate(t testing.TB, url string) store.Store {
	t.Helper()
	st, err := opensearch.New(context.Background(), opensearch.Config{
		URLs: []string{url}, Prefix: opensearchtest.Prefix(t, url), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("open store on the private node: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// waitReady waits until /readyz says 200; a minute is far beyond what a
// node that answers needs.
func waitReady(t *testing.T, e *env) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		status, _ := e.get("/readyz")
		if status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after a minute", status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func answersDone(wg *sync.WaitGroup) <-chan struct{} {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}

// codesOf returns the extensions.code of every error of a GraphQL answer,
// and of every failed item of ingestEvents.
func codesOf(raw []byte) []string {
	var resp struct {
		Data struct {
			IngestEvents []struct {
				Error *struct{ Code string }
			}
		}
		Errors []gqlError
	}
	if json.Unmarshal(raw, &resp) != nil {
		return []string{"not JSON: " + string(raw)}
	}
	var codes []string
	for _, e := range resp.Errors {
		codes = append(codes, fmt.Sprint(e.Extensions["code"]))
	}
	for _, it := range resp.Data.IngestEvents {
		if it.Error != nil {
			codes = append(codes, it.Error.Code)
		}
	}
	return codes
}

func allEqual(codes []string, want string) bool {
	for _, c := range codes {
		if c != want {
			return false
		}
	}
	return true
}

// connsTo counts this process's established TCP connections to a port on
// the loopback (Linux /proc/net/tcp).
func connsTo(t *testing.T, port int) int {
	t.Helper()
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		t.Fatalf("count connections: %v", err)
	}
	defer f.Close()
	want := fmt.Sprintf(":%04X", port)
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// local_address rem_address st ...; 01 is ESTABLISHED.
		if len(fields) > 3 && strings.HasSuffix(fields[2], want) && fields[3] == "01" {
			n++
		}
	}
	return n
}

// goroutinesOf counts the goroutines running code of packages under prefix,
// the tests' own excepted.
func goroutinesOf(prefix string) int {
	var b bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&b, 2)
	n := 0
	for _, g := range strings.Split(b.String(), "\n\n") {
		if strings.Contains(g, prefix) && !strings.Contains(g, "_test.") {
			n++
		}
	}
	return n
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
