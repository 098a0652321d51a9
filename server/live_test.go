package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/live"
	"github.com/auditlog/auditlog/live/livetest"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
)

const eventsAdded = `subscription($f: EventFilter) { eventsAdded(filter: $f) { id tenant componentId status } }`

// fastLive polls often, so tests wait little.
var fastLive = live.Config{PollInterval: 50 * time.Millisecond}

// newLiveEnv is a server over the backend ("sqlite" or "opensearch").
func newLiveEnv(t testing.TB, backend string, cfg server.Config, lc live.Config) *env {
	t.Helper()
	opts := envOptions{live: lc}
	if backend == "opensearch" {
		opts.open = func(t testing.TB) store.Store {
			url := opensearchtest.URL(t)
			st, err := opensearch.New(context.Background(), opensearch.Config{
				URLs: []string{url}, Prefix: opensearchtest.Prefix(t, url), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			})
			if err != nil {
				t.Fatalf("open store: %v", err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}
	}
	return newEnvWith(t, cfg, opts)
}

func onEachBackend(t *testing.T, test func(t *testing.T, backend string)) {
	for _, backend := range []string{"sqlite", "opensearch"} {
		t.Run(backend, func(t *testing.T) { test(t, backend) })
	}
}

// liveEvent is an ingest input of the component with this id.
func liveEvent(id, component, status string) map[string]any {
	return map[string]any{
		"id": id, "componentId": component, "eventType": "LIVE_TEST", "status": status,
		"occurredAt": time.Now().UTC().Format(time.RFC3339Nano),
		"actionUser": map[string]any{"type": "SYSTEM"},
	}
}

// ingest ingests events with the emitter key; every one must be captured.
func (e *env) ingest(key string, events ...map[string]any) {
	e.t.Helper()
	var out struct{ IngestEvents []ingestResult }
	e.query(key, ingestMany, map[string]any{"es": events}, &out)
	for i, r := range out.IngestEvents {
		if !r.Captured || r.Error != nil {
			e.t.Fatalf("event %d not captured: %+v", i, r)
		}
	}
}

// subscriber follows eventsAdded on its own connection.
type subscriber struct {
	t  *testing.T
	cl *livetest.Client
}

func (e *env) subscribe(t *testing.T, key string, filter map[string]any) *subscriber {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cl, err := livetest.Dial(ctx, e.url, key, livetest.Options{})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(cl.Close)
	cl.Background()
	if err := cl.Subscribe(ctx, "1", eventsAdded, map[string]any{"f": filter}); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	return &subscriber{t: t, cl: cl}
}

type addedEvent struct {
	ID, Tenant, ComponentID, Status string
}

// next returns the next event, failing on anything else.
func (s *subscriber) next(ctx context.Context) addedEvent {
	s.t.Helper()
	m, err := s.cl.Next(ctx)
	if err != nil {
		s.t.Fatalf("next message: %v", err)
	}
	if m.Type != "next" {
		s.t.Fatalf("got %s %s, want next", m.Type, m.Payload)
	}
	var p struct {
		Data   struct{ EventsAdded addedEvent }
		Errors []gqlError
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		s.t.Fatalf("payload %s: %v", m.Payload, err)
	}
	return p.Data.EventsAdded
}

// until returns the ids of the events received up to and including the
// one with id last.
func (s *subscriber) until(last string) []string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.t.Context(), 60*time.Second)
	defer cancel()
	var ids []string
	for {
		ev := s.next(ctx)
		ids = append(ids, ev.ID)
		if ev.ID == last {
			return ids
		}
	}
}

// expect reads events until it has received every one of ids, failing on
// any other event; the order may differ where the store showed an event
// late (OpenSearch's refresh of a new index).
func (s *subscriber) expect(what string, ids ...string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.t.Context(), 60*time.Second)
	defer cancel()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for len(want) > 0 {
		ev := s.next(ctx)
		if !want[ev.ID] {
			s.t.Fatalf("%s: got event %+v, want only %v", what, ev, ids)
		}
		delete(want, ev.ID)
	}
}

// TestLiveTailFollowsTheCallersEvents: subscribers see the events ingested
// after they subscribed that match their filter, in ingest order, and none
// of another tenant's (including a tenant whose name extends theirs).
func TestLiveTailFollowsTheCallersEvents(t *testing.T) {
	onEachBackend(t, func(t *testing.T, backend string) {
		e := newLiveEnv(t, backend, server.Config{}, fastLive)
		acmeEmit, acmeXEmit, globexEmit := e.key("acme", audit.RoleEmitter), e.key("acme-x", audit.RoleEmitter), e.key("globex", audit.RoleEmitter)
		all := e.subscribe(t, e.key("acme", audit.RoleViewer), nil)
		cms := e.subscribe(t, e.key("acme", audit.RoleAdmin), map[string]any{"components": []string{"CMS"}, "statuses": []string{"FAILED"}})
		globex := e.subscribe(t, e.key("globex", audit.RoleViewer), map[string]any{})
		// The subscriptions poll from when they were made; let them start.
		time.Sleep(200 * time.Millisecond)

		e.ingest(acmeEmit, liveEvent("a1", "KMS", "SUCCESS"), liveEvent("a2", "CMS", "FAILED"), liveEvent("a3", "CMS", "SUCCESS"))
		e.ingest(globexEmit, liveEvent("g1", "CMS", "FAILED"))
		e.ingest(acmeXEmit, liveEvent("x1", "CMS", "FAILED"))
		e.ingest(acmeEmit, liveEvent("a4", "SET", "FAILED"), liveEvent("a5", "CMS", "FAILED"))
		e.ingest(globexEmit, liveEvent("g2", "KMS", "SUCCESS"))

		all.expect("acme viewer, no filter", "a1", "a2", "a3", "a4", "a5")
		cms.expect("acme admin, CMS and FAILED", "a2", "a5")
		globex.expect("globex viewer", "g1", "g2")
		// Anything else would have come before a last event ingested now.
		e.ingest(acmeEmit, liveEvent("a6", "CMS", "FAILED"))
		e.ingest(globexEmit, liveEvent("g3", "CMS", "FAILED"))
		all.expect("acme viewer, at last", "a6")
		cms.expect("acme admin, at last", "a6")
		globex.expect("globex viewer, at last", "g3")
	})
}

// TestLiveTailAuthentication: the key comes in connection_init; without a
// valid one the connection is closed with 4403, and an emitter may not
// subscribe.
func TestLiveTailAuthentication(t *testing.T) {
	e := newLiveEnv(t, "sqlite", server.Config{}, fastLive)
	ctx := t.Context()
	for name, init := range map[string]map[string]any{
		"no key":     {},
		"wrong key":  {"Authorization": "Bearer al_" + strings.Repeat("x", 43)},
		"not bearer": {"Authorization": e.key("acme", audit.RoleViewer)},
	} {
		_, err := livetest.Dial(ctx, e.url, "", livetest.Options{Init: init})
		if code, _, ok := livetest.CloseError(err); !ok || code != 4403 {
			t.Errorf("%s: %v, want close 4403", name, err)
		}
	}

	cl, err := livetest.Dial(ctx, e.url, e.key("acme", audit.RoleEmitter), livetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Subscribe(ctx, "1", eventsAdded, nil); err != nil {
		t.Fatal(err)
	}
	m, err := cl.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != "error" && m.Type != "next" || !strings.Contains(string(m.Payload), `"FORBIDDEN"`) {
		t.Errorf("emitter subscribing: %s %s, want FORBIDDEN", m.Type, m.Payload)
	}

	// Over HTTP a subscription would hold a worker: refused, naming it.
	e.wantError(e.key("acme", audit.RoleViewer), eventsAdded, nil, "BAD_USER_INPUT", "eventsAdded")
}

// TestLiveTailBadFilter: a bad filter is BAD_USER_INPUT naming the field.
func TestLiveTailBadFilter(t *testing.T) {
	e := newLiveEnv(t, "sqlite", server.Config{}, fastLive)
	cl, err := livetest.Dial(t.Context(), e.url, e.key("acme", audit.RoleViewer), livetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	long := strings.Repeat("x", 10000)
	if err := cl.Subscribe(t.Context(), "1", eventsAdded, map[string]any{"f": map[string]any{"text": long}}); err != nil {
		t.Fatal(err)
	}
	m, err := cl.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m.Payload), `"BAD_USER_INPUT"`) || !strings.Contains(string(m.Payload), `"filter.text"`) {
		t.Errorf("text of 10,000 characters: %s %s, want BAD_USER_INPUT on filter.text", m.Type, m.Payload)
	}
}

// TestLiveTailBounds: subscriptions per key and per server are bounded
// (RATE_LIMITED), and a slot frees when a subscription ends.
func TestLiveTailBounds(t *testing.T) {
	e := newLiveEnv(t, "sqlite", server.Config{}, live.Config{PollInterval: 50 * time.Millisecond, MaxPerKey: 2, MaxTotal: 3})
	ctx := t.Context()
	viewer, other := e.key("acme", audit.RoleViewer), e.key("acme", audit.RoleAdmin)
	cl, err := livetest.Dial(ctx, e.url, viewer, livetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	want := func(id, code string) {
		t.Helper()
		if err := cl.Subscribe(ctx, id, eventsAdded, nil); err != nil {
			t.Fatal(err)
		}
		if code == "" {
			// Subscriptions start concurrently: let this one take its slot.
			time.Sleep(100 * time.Millisecond)
			return
		}
		m, err := cl.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.ID != id || !strings.Contains(string(m.Payload), `"`+code+`"`) {
			t.Fatalf("subscription %s: %s %s %s, want %s", id, m.ID, m.Type, m.Payload, code)
		}
	}
	want("1", "")
	want("2", "")
	want("3", "RATE_LIMITED") // a third of the key
	// A third of the server, by another key; then the server is full.
	e.subscribe(t, other, nil)
	time.Sleep(100 * time.Millisecond)
	e2 := e.subscribe(t, other, nil)
	m, err := e2.cl.Next(ctx)
	if err != nil || !strings.Contains(string(m.Payload), "RATE_LIMITED") {
		t.Fatalf("fourth subscription of the server: %v %s %s, want RATE_LIMITED", err, m.Type, m.Payload)
	}
	// Ending one frees its slot.
	if err := cl.Send(ctx, livetest.Message{Type: "complete", ID: "1"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for attempt := 4; ; attempt++ {
		id := fmt.Sprint(attempt)
		if err := cl.Subscribe(ctx, id, eventsAdded, nil); err != nil {
			t.Fatal(err)
		}
		refused := false
		for {
			next, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			m, err := cl.Next(next)
			cancel()
			if err != nil {
				break // quiet: subscribed
			}
			if m.ID == id {
				refused = true
				break
			}
		}
		if !refused {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the slot of the ended subscription was not freed")
		}
	}
}

// TestLiveTailOrigin: a browser page of another origin may not open the
// WebSocket unless the server allows that origin.
func TestLiveTailOrigin(t *testing.T) {
	e := newLiveEnv(t, "sqlite", server.Config{Live: server.LiveConfig{Origins: []string{"console.example.com"}}}, fastLive)
	key := e.key("acme", audit.RoleViewer)
	if _, err := livetest.Dial(t.Context(), e.url, key, livetest.Options{Origin: "https://evil.example"}); err == nil || !strings.Contains(err.Error(), "HTTP 403") {
		t.Errorf("origin evil.example: %v, want HTTP 403", err)
	}
	for _, origin := range []string{"https://console.example.com", e.url, ""} {
		cl, err := livetest.Dial(t.Context(), e.url, key, livetest.Options{Origin: origin})
		if err != nil {
			t.Errorf("origin %q: %v", origin, err)
			continue
		}
		cl.Close()
	}
}

// TestLiveTailDropsASlowSubscriber: a subscriber that takes events slower
// than they come is disconnected with a close reason saying why, while
// ingest goes on and another subscriber gets every event.
func TestLiveTailDropsASlowSubscriber(t *testing.T) {
	onEachBackend(t, func(t *testing.T, backend string) {
		e := newLiveEnv(t, backend, server.Config{Live: server.LiveConfig{SendBuffer: 4096}},
			live.Config{PollInterval: 50 * time.Millisecond, Buffer: 16, Patience: 500 * time.Millisecond})
		ctx := t.Context()
		viewer := e.key("acme", audit.RoleViewer)
		slow, err := livetest.Dial(ctx, e.url, viewer, livetest.Options{ReceiveBuffer: 4096})
		if err != nil {
			t.Fatal(err)
		}
		defer slow.Close()
		if err := slow.Subscribe(ctx, "1", eventsAdded, nil); err != nil {
			t.Fatal(err)
		}
		fast := e.subscribe(t, viewer, nil)
		time.Sleep(200 * time.Millisecond)

		const n = 600
		var (
			wg       sync.WaitGroup
			received []string
			slowGot  int
			slowErr  error
		)
		wg.Add(2)
		go func() {
			defer wg.Done()
			received = fast.until(fmt.Sprintf("e%04d", n-1))
		}()
		go func() {
			// Twenty events a second, far slower than they come.
			defer wg.Done()
			for {
				time.Sleep(50 * time.Millisecond)
				next, cancel := context.WithTimeout(ctx, 30*time.Second)
				m, err := slow.Next(next)
				cancel()
				if err != nil {
					slowErr = err
					return
				}
				if m.Type != "next" {
					slowErr = fmt.Errorf("got %s %s", m.Type, m.Payload)
					return
				}
				slowGot++
			}
		}()
		emitter := e.key("acme", audit.RoleEmitter)
		for b := 0; b < n; b += 100 {
			var batch []map[string]any
			for i := b; i < b+100; i++ {
				ev := liveEvent(fmt.Sprintf("e%04d", i), "KMS", "SUCCESS")
				ev["description"] = strings.Repeat("padding ", 40) // about 0.5 kB a message
				batch = append(batch, ev)
			}
			e.ingest(emitter, batch...)
		}
		wg.Wait()
		if len(received) != n {
			t.Errorf("the reading subscriber got %d events, want %d", len(received), n)
		}
		code, reason, ok := livetest.CloseError(slowErr)
		if !ok || code != 1008 || !strings.Contains(reason, "slow subscriber") {
			t.Fatalf("slow subscriber, after %d events: %v, want close 1008 saying slow subscriber", slowGot, slowErr)
		}
		if slowGot >= n {
			t.Errorf("the slow subscriber got all %d events before it was dropped", slowGot)
		}
		t.Logf("dropped after %d events: %d %q", slowGot, code, reason)
	})
}

// TestLiveTailUpgradeOnlyOnGET: a WebSocket upgrade is a GET; the other
// routes of /graphql are unchanged.
func TestLiveTailUpgradeOnlyOnGET(t *testing.T) {
	e := newLiveEnv(t, "sqlite", server.Config{}, fastLive)
	req, _ := http.NewRequest(http.MethodGet, e.url+"/graphql?query={viewer{tenant}}", nil)
	req.Header.Set("Authorization", "Bearer "+e.key("acme", audit.RoleViewer))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"acme"`) {
		t.Errorf("GET query: %d %s", resp.StatusCode, body)
	}
}

// TestLiveTailEndsWhenTheKeyIsRevoked: a subscription does not outlive its
// key: once revoked, the connection is closed saying so.
func TestLiveTailEndsWhenTheKeyIsRevoked(t *testing.T) {
	e := newLiveEnv(t, "sqlite", server.Config{}, live.Config{PollInterval: 50 * time.Millisecond, LookbackEvery: 200 * time.Millisecond})
	plain, key, err := e.keys.Create(t.Context(), audit.Principal{Tenant: "acme", Role: audit.RoleViewer,
		User: audit.User{Type: audit.UserDashboard, ID: "u-rev", Email: "rev@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	sub := e.subscribe(t, plain, nil)
	time.Sleep(200 * time.Millisecond)
	emitter := e.key("acme", audit.RoleEmitter)
	e.ingest(emitter, liveEvent("before", "KMS", "SUCCESS"))
	sub.expect("before the revocation", "before")

	if err := e.keys.Revoke(t.Context(), "acme", key.ID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err = sub.cl.Next(ctx)
	code, reason, ok := livetest.CloseError(err)
	if !ok || code != 1008 || !strings.Contains(reason, "no longer valid") {
		t.Fatalf("after the revocation: %v, want close 1008 saying the key is no longer valid", err)
	}
}
