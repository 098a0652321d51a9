package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/notify"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/sqlite"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// received is one request a receiver got.
type received struct {
	body                           []byte
	signature, timestamp, delivery string
	contentType                    string
}

// receiver is a webhook endpoint on 127.0.0.1 that answers with the
// statuses given, in turn (the last one repeats), and records every request.
type receiver struct {
	url string
	mu  sync.Mutex
	got []received
	// answers are the statuses to answer with, in turn.
	answers []int
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	t.Helper()
	r := &receiver{answers: answers}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{
			body: body, signature: req.Header.Get("X-Auditlog-Signature"),
			timestamp: req.Header.Get("X-Auditlog-Timestamp"), delivery: req.Header.Get("X-Auditlog-Delivery"),
			contentType: req.Header.Get("Content-Type"),
		})
		status := r.answers[min(len(r.got), len(r.answers))-1]
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hooks/audit"
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// validSignature checks a signature as a receiver would, independently of
// the package: hex HMAC-SHA256 of the raw body.
func validSignature(secret, body []byte, header string) bool {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(header))
}

var (
	flaggedAt = time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)
	flagger   = audit.User{Type: audit.UserDashboard, ID: "u-admin", Name: "Ada Admin", Email: "ada@acme.test"}
	actor     = audit.User{Type: audit.UserDashboard, ID: "u-7", Name: "Priya Raman", Email: "priya@acme.test"}
)

func notification(tenant, id string) audit.Notification {
	return audit.Notification{
		ID: id, Tenant: tenant, Recipient: actor, EventID: "evt-" + id, EventType: "role.changed",
		ComponentID: "SET", FlaggedBy: flagger, FlaggedAt: flaggedAt, Note: "please explain",
	}
}

func newWebhooks(t *testing.T, opts notify.Options) *notify.Webhooks {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	if opts.BaseDelay == 0 {
		opts.BaseDelay, opts.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	}
	w, err := notify.New(opts)
	if err != nil {
		t.Fatalf("notify.New: %v", err)
	}
	t.Cleanup(func() { w.Close(context.Background()) })
	return w
}

// closeDrained closes w, which waits until every delivery is done.
func closeDrained(t *testing.T, w *notify.Webhooks) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestDeliverySignedAndRetriedAfter500(t *testing.T) {
	r := newReceiver(t, http.StatusInternalServerError, http.StatusOK)
	secret := []byte("a-secret-of-32-bytes-for-signing")
	w := newWebhooks(t, notify.Options{Default: notify.Target{URL: r.url, Secret: secret}})

	n := notification("acme", "n-1")
	w.Notify(context.Background(), []audit.Notification{n})
	closeDrained(t, w)

	got := r.requests()
	if len(got) != 2 {
		t.Fatalf("receiver got %d requests, want 2 (a 500, then the retry)", len(got))
	}
	for i, req := range got {
		if !validSignature(secret, req.body, req.signature) {
			t.Errorf("attempt %d: signature %q does not verify", i+1, req.signature)
		}
		if validSignature([]byte("another-secret-of-32-bytes-long!"), req.body, req.signature) {
			t.Errorf("attempt %d: signature verifies with another secret", i+1)
		}
		if req.contentType != "application/json" {
			t.Errorf("attempt %d: Content-Type %q", i+1, req.contentType)
		}
		if req.delivery != "n-1" {
			t.Errorf("attempt %d: delivery id %q, want n-1 on every attempt", i+1, req.delivery)
		}
		var p notify.Payload
		if err := json.Unmarshal(req.body, &p); err != nil {
			t.Fatalf("attempt %d: body is not JSON: %v\n%s", i+1, err, req.body)
		}
		if p.Type != "event.flagged" || p.Tenant != "acme" || p.DeliveryID != "n-1" || p.Attempt != i+1 {
			t.Errorf("attempt %d: payload %+v", i+1, p)
		}
		if ts, err := strconv.ParseInt(req.timestamp, 10, 64); err != nil || ts != p.SentAt.Unix() {
			t.Errorf("attempt %d: timestamp header %q, body sentAt %v", i+1, req.timestamp, p.SentAt)
		}
		want, _ := json.Marshal(n)
		if gotN, _ := json.Marshal(p.Notification); string(gotN) != string(want) {
			t.Errorf("attempt %d: notification\n got %s\nwant %s", i+1, gotN, want)
		}
	}
	// The body names who flagged what, with the note, as a user would read it.
	for _, s := range []string{`"flaggedBy":{"type":"DASHBOARD","id":"u-admin","name":"Ada Admin","email":"ada@acme.test"}`,
		`"eventId":"evt-n-1"`, `"note":"please explain"`, `"flaggedAt":"2024-05-01T09:30:00Z"`} {
		if !strings.Contains(string(got[1].body), s) {
			t.Errorf("body lacks %s:\n%s", s, got[1].body)
		}
	}
}

func TestRetriesStopAtMaxAttemptsAndOnRefusal(t *testing.T) {
	down := newReceiver(t, http.StatusServiceUnavailable)
	refusing := newReceiver(t, http.StatusBadRequest)
	throttling := newReceiver(t, http.StatusTooManyRequests, http.StatusNoContent)
	secret := []byte("0123456789abcdef")
	w := newWebhooks(t, notify.Options{
		MaxAttempts: 3,
		Tenants: map[string]notify.Target{
			"down":       {URL: down.url, Secret: secret},
			"refusing":   {URL: refusing.url, Secret: secret},
			"throttling": {URL: throttling.url, Secret: secret},
		},
	})
	w.Notify(context.Background(), []audit.Notification{
		notification("down", "n-down"), notification("refusing", "n-refused"), notification("throttling", "n-throttled"),
	})
	closeDrained(t, w)
	if n := len(down.requests()); n != 3 {
		t.Errorf("receiver answering 503: %d attempts, want MaxAttempts (3)", n)
	}
	if n := len(refusing.requests()); n != 1 {
		t.Errorf("receiver answering 400: %d attempts, want 1 (not retried)", n)
	}
	if n := len(throttling.requests()); n != 2 {
		t.Errorf("receiver answering 429 then 204: %d attempts, want 2", n)
	}
}

func TestTargetsPerTenant(t *testing.T) {
	acme, shared := newReceiver(t, http.StatusOK), newReceiver(t, http.StatusOK)
	acmeSecret, sharedSecret := []byte("acme-secret-0123456789"), []byte("shared-secret-0123456789")
	w := newWebhooks(t, notify.Options{
		Default: notify.Target{URL: shared.url, Secret: sharedSecret},
		Tenants: map[string]notify.Target{"acme": {URL: acme.url, Secret: acmeSecret}},
	})
	w.Notify(context.Background(), []audit.Notification{notification("acme", "n-a"), notification("globex", "n-g")})
	closeDrained(t, w)

	check := func(name string, r *receiver, secret []byte, wantTenant string) {
		got := r.requests()
		if len(got) != 1 {
			t.Fatalf("%s receiver got %d requests, want 1", name, len(got))
		}
		var p notify.Payload
		if err := json.Unmarshal(got[0].body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Tenant != wantTenant || p.Notification.Tenant != wantTenant {
			t.Errorf("%s receiver got tenant %s's notification, want only %s's", name, p.Tenant, wantTenant)
		}
		if !validSignature(secret, got[0].body, got[0].signature) {
			t.Errorf("%s receiver: not signed with its own secret", name)
		}
	}
	check("acme's", acme, acmeSecret, "acme")
	check("shared", shared, sharedSecret, "globex")
}

func TestTenantWithoutReceiverIsSkipped(t *testing.T) {
	acme := newReceiver(t, http.StatusOK)
	w := newWebhooks(t, notify.Options{Tenants: map[string]notify.Target{"acme": {URL: acme.url, Secret: []byte("0123456789abcdef")}}})
	w.Notify(context.Background(), []audit.Notification{notification("globex", "n-g")})
	closeDrained(t, w)
	if n := len(acme.requests()); n != 0 {
		t.Errorf("acme's receiver got %d of globex's notifications", n)
	}
}

// TestNotifyNeverBlocks fills the queue behind a receiver that does not
// answer: Notify still returns, dropping what does not fit.
func TestNotifyNeverBlocks(t *testing.T) {
	arrived, release := make(chan string, 10), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		arrived <- req.Header.Get("X-Auditlog-Delivery")
		<-release
	}))
	defer srv.Close()
	w := newWebhooks(t, notify.Options{Queue: 1, Workers: 1,
		Default: notify.Target{URL: srv.URL, Secret: []byte("0123456789abcdef")}})

	w.Notify(context.Background(), []audit.Notification{notification("acme", "n-1")})
	if id := <-arrived; id != "n-1" {
		t.Fatalf("first delivery %q", id)
	}
	// The worker is busy with n-1: n-2 takes the one queue slot, n-3 is dropped.
	w.Notify(context.Background(), []audit.Notification{notification("acme", "n-2"), notification("acme", "n-3")})
	close(release)
	closeDrained(t, w)
	close(arrived)
	var rest []string
	for id := range arrived {
		rest = append(rest, id)
	}
	if strings.Join(rest, ",") != "n-2" {
		t.Errorf("deliveries after the first: %v, want [n-2] (n-3 dropped on a full queue)", rest)
	}
}

// logBuffer keeps what a text logger wrote, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Close does not wait for a retry an hour away: it reports the notification
// undelivered once its ctx ends; later notifications are dropped, and logged.
func TestCloseGivesUpOnPendingRetries(t *testing.T) {
	arrived := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		arrived <- req.Header.Get("X-Auditlog-Delivery")
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	logs := &logBuffer{}
	w := newWebhooks(t, notify.Options{BaseDelay: time.Hour, MaxDelay: time.Hour, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Default: notify.Target{URL: srv.URL, Secret: []byte("0123456789abcdef")}})
	w.Notify(context.Background(), []audit.Notification{notification("acme", "n-1")})
	if id := <-arrived; id != "n-1" {
		t.Fatalf("first attempt delivered %q", id)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := w.Close(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "1 notifications undelivered") {
		t.Errorf("Close with a retry an hour away: %v, want 1 undelivered and context.Canceled", err)
	}

	w.Notify(context.Background(), []audit.Notification{notification("acme", "n-2")})
	dropped := false
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, `msg="webhook: closed, notification dropped"`) && strings.Contains(line, "notification_id=n-2") {
			dropped = true
		}
	}
	if !dropped {
		t.Errorf("no log of n-2 dropped after Close; logged:\n%s", logs)
	}
}

func TestNewChecksTargets(t *testing.T) {
	good := []byte("0123456789abcdef")
	for name, opts := range map[string]notify.Options{
		"relative URL":       {Default: notify.Target{URL: "/hooks", Secret: good}},
		"ftp URL":            {Default: notify.Target{URL: "ftp://example.com/x", Secret: good}},
		"short secret":       {Default: notify.Target{URL: "https://example.com/x", Secret: []byte("short")}},
		"tenant without key": {Tenants: map[string]notify.Target{"acme": {URL: "https://example.com/x"}}},
		"bad tenant":         {Tenants: map[string]notify.Target{"Acme Inc": {URL: "https://example.com/x", Secret: good}}},
	} {
		if w, err := notify.New(opts); err == nil {
			w.Close(context.Background())
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestStoredNotificationsAreDelivered checks the store wrapper: what the
// store accepted is delivered, what it refused is not.
func TestStoredNotificationsAreDelivered(t *testing.T) {
	r := newReceiver(t, http.StatusOK)
	secret := []byte("0123456789abcdef")
	w := newWebhooks(t, notify.Options{Default: notify.Target{URL: r.url, Secret: secret}})
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "auditlog.db"), sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	s := notify.WithWebhooks(st, w)
	if err := s.AddNotifications(context.Background(), []audit.Notification{notification("acme", "n-stored")}); err != nil {
		t.Fatalf("AddNotifications: %v", err)
	}
	listed, err := s.ListNotifications(context.Background(), "acme", actor, store.NotificationQuery{})
	if err != nil || len(listed) != 1 {
		t.Fatalf("ListNotifications: %v, %d", err, len(listed))
	}
	st.Close()
	if err := s.AddNotifications(context.Background(), []audit.Notification{notification("acme", "n-lost")}); err == nil {
		t.Fatal("AddNotifications on a closed store succeeded")
	}
	closeDrained(t, w)
	got := r.requests()
	if len(got) != 1 || got[0].delivery != "n-stored" {
		t.Errorf("deliveries %d (%v), want only n-stored", len(got), got)
	}
}

// bodyTracker is an http.RoundTripper that records, for each response,
// whether its body had been read to the end when it was closed: only then
// can the client put the connection back for reuse.
type bodyTracker struct {
	rt     http.RoundTripper
	mu     sync.Mutex
	closes []bool
}

func (b *bodyTracker) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &trackedBody{ReadCloser: resp.Body, tracker: b}
	return resp, nil
}

func (b *bodyTracker) closedAtEOF() []bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]bool(nil), b.closes...)
}

type trackedBody struct {
	io.ReadCloser
	tracker *bodyTracker
	eof     bool
}

func (tb *trackedBody) Read(p []byte) (int, error) {
	n, err := tb.ReadCloser.Read(p)
	if err == io.EOF {
		tb.eof = true
	}
	return n, err
}

func (tb *trackedBody) Close() error {
	tb.tracker.mu.Lock()
	tb.tracker.closes = append(tb.tracker.closes, tb.eof)
	tb.tracker.mu.Unlock()
	return tb.ReadCloser.Close()
}

// A receiver's answer is read to its end, whatever its status, so that the
// next delivery can reuse the connection instead of opening a new one.
func TestAnswersAreReadSoConnectionsAreReused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		if req.Header.Get("X-Auditlog-Delivery") == "n-refused" {
			http.Error(w, "unknown tenant", http.StatusBadRequest)
			return
		}
		io.WriteString(w, `{"received":true}`)
	}))
	defer srv.Close()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	tracker := &bodyTracker{rt: transport}
	w := newWebhooks(t, notify.Options{Workers: 1, Client: &http.Client{Transport: tracker},
		Default: notify.Target{URL: srv.URL, Secret: []byte("0123456789abcdef")}})

	w.Notify(context.Background(), []audit.Notification{notification("acme", "n-1"), notification("acme", "n-refused")})
	closeDrained(t, w)
	got := tracker.closedAtEOF()
	if len(got) != 2 {
		t.Fatalf("%d answers closed, want 2", len(got))
	}
	for i, eof := range got {
		if !eof {
			t.Errorf("answer %d closed before its end: its connection cannot be reused", i+1)
		}
	}
}
