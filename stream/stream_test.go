package stream_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/stream"
)

func events(n int) []audit.Event {
	out := make([]audit.Event, n)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = audit.Event{
			ID: fmt.Sprintf("e%04d", i), Tenant: "acme", ComponentID: "KMS", EventType: "article.published",
			Description: "Published “Leave policy”", Priority: audit.PriorityHigh, Status: audit.StatusSuccess,
			ActionUser: audit.User{Type: audit.UserDashboard, ID: "u-1", Email: "ann@acme.example"},
			OccurredAt: at.Add(time.Duration(i) * time.Millisecond), IngestedAt: at.Add(time.Second),
		}
	}
	return out
}

// receiver records the event ids a test receiver accepted.
type receiver struct {
	mu       sync.Mutex
	ids      []string
	requests int
	// fail answers the first fail requests with 503.
	fail int
}

func (r *receiver) take(w http.ResponseWriter) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if r.fail > 0 {
		r.fail--
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return false
	}
	return true
}

func (r *receiver) add(ids ...string) {
	r.mu.Lock()
	r.ids = append(r.ids, ids...)
	r.mu.Unlock()
}

func (r *receiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids)
}

// httpsReceiver checks the signature and its timestamp as a receiver must.
func httpsReceiver(t *testing.T, secret string) (*httptest.Server, *receiver) {
	rec := &receiver{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := stream.Verify([]byte(secret), r.Header.Get(stream.TimestampHeader), r.Header.Get(stream.SignatureHeader), body, time.Now(), 5*time.Minute)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if !rec.take(w) {
			return
		}
		var batch struct{ Events []audit.Event }
		if err := json.Unmarshal(body, &batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, e := range batch.Events {
			rec.add(e.ID)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

// splunkReceiver speaks HEC's JSON event protocol: /services/collector/event,
// "Authorization: Splunk <token>", event objects one after another, each
// with its event and time; it answers {"text":"Success","code":0}.
func splunkReceiver(t *testing.T, token string) (*httptest.Server, *receiver) {
	rec := &receiver{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/services/collector/event" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"text":"The requested URL was not found on this server.","code":404}`)
			return
		}
		if r.Header.Get("Authorization") != "Splunk "+token {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"text":"Invalid token","code":4}`)
			return
		}
		if !rec.take(w) {
			return
		}
		dec := json.NewDecoder(r.Body)
		var ids []string
		for {
			var ev struct {
				Time       string          `json:"time"`
				Sourcetype string          `json:"sourcetype"`
				Event      json.RawMessage `json:"event"`
			}
			if err := dec.Decode(&ev); errors.Is(err, io.EOF) {
				break
			} else if err != nil || len(ev.Event) == 0 || ev.Time == "" {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"text":"Invalid data format","code":6}`)
				return
			}
			var e audit.Event
			if err := json.Unmarshal(ev.Event, &e); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"text":"Invalid data format","code":6}`)
				return
			}
			ids = append(ids, e.ID)
		}
		rec.add(ids...)
		io.WriteString(w, `{"text":"Success","code":0}`)
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

// datadogReceiver speaks the logs intake: POST /api/v2/logs with DD-API-KEY,
// a JSON array of at most 1,000 logs and 5 MB; 202 on success, 403 for a
// wrong key, 413 beyond the size.
func datadogReceiver(t *testing.T, apiKey string) (*httptest.Server, *receiver) {
	rec := &receiver{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/logs" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("DD-API-KEY") != apiKey {
			http.Error(w, `{"errors":["Forbidden"]}`, http.StatusForbidden)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 5<<20+1))
		if len(body) > 5<<20 {
			http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
			return
		}
		if !rec.take(w) {
			return
		}
		var logs []struct{ Message, Ddsource, Ddtags, Service string }
		if err := json.Unmarshal(body, &logs); err != nil || len(logs) > 1000 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var ids []string
		for _, l := range logs {
			var e audit.Event
			if err := json.Unmarshal([]byte(l.Message), &e); err != nil || l.Ddsource == "" {
				http.Error(w, "bad log", http.StatusBadRequest)
				return
			}
			ids = append(ids, e.ID)
		}
		rec.add(ids...)
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "{}")
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

func ids(es []audit.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// TestDeliveryFormats: each kind of destination delivers batches its
// receiver, speaking the documented format, accepts; a wrong secret is
// rejected and not retried.
func TestDeliveryFormats(t *testing.T) {
	all := events(2500)
	for _, c := range []struct {
		kind     stream.Kind
		receiver func(*testing.T, string) (*httptest.Server, *receiver)
	}{
		{stream.HTTPS, httpsReceiver},
		{stream.SplunkHEC, splunkReceiver},
		{stream.Datadog, datadogReceiver},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			srv, rec := c.receiver(t, "s3cret-of-the-destination")
			s := &stream.Sender{Client: srv.Client(), Attempts: 3, BaseDelay: time.Millisecond}
			d := stream.Destination{Kind: c.kind, URL: srv.URL, Secret: "s3cret-of-the-destination"}
			for b := 0; b < len(all); b += stream.MaxBatch {
				batch := all[b:min(b+stream.MaxBatch, len(all))]
				if err := s.Send(t.Context(), d, batch); err != nil {
					t.Fatalf("batch at %d: %v", b, err)
				}
			}
			if got := rec.got(); !slices.Equal(got, ids(all)) {
				t.Errorf("receiver got %d events, want all %d in order", len(got), len(all))
			}

			d.Secret = "wrong"
			before := rec.requests
			err := s.Send(t.Context(), d, all[:1])
			if !errors.Is(err, stream.ErrRejected) {
				t.Errorf("wrong secret: %v, want ErrRejected", err)
			}
			if c.kind != stream.HTTPS && rec.requests != before {
				t.Errorf("a rejected batch reached the receiver's handler")
			}
		})
	}
}

// TestRetriesUntilTheReceiverIsBack: 503s are retried with backoff; the
// batch arrives once the receiver accepts.
func TestRetriesUntilTheReceiverIsBack(t *testing.T) {
	srv, rec := httpsReceiver(t, "k")
	rec.fail = 3
	s := &stream.Sender{Client: srv.Client(), Attempts: 5, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}
	if err := s.Send(t.Context(), stream.Destination{Kind: stream.HTTPS, URL: srv.URL, Secret: "k"}, events(3)); err != nil {
		t.Fatal(err)
	}
	if rec.requests != 4 || len(rec.got()) != 3 {
		t.Errorf("%d requests, %d events; want 4 and 3", rec.requests, len(rec.got()))
	}
	rec.fail = 10
	err := s.Send(t.Context(), stream.Destination{Kind: stream.HTTPS, URL: srv.URL, Secret: "k"}, events(1))
	if err == nil || errors.Is(err, stream.ErrRejected) || !strings.Contains(err.Error(), "503") {
		t.Errorf("receiver down for every attempt: %v, want the last 503", err)
	}
}

// TestSignatureIsReplaySafe: a captured request is refused once its
// timestamp is old, and any change of body or timestamp breaks it.
func TestSignatureIsReplaySafe(t *testing.T) {
	secret, body, now := []byte("k"), []byte(`{"events":[]}`), time.Now()
	ts := fmt.Sprint(now.Unix())
	sig := stream.Sign(secret, ts, body)
	if err := stream.Verify(secret, ts, sig, body, now, 5*time.Minute); err != nil {
		t.Fatalf("fresh request: %v", err)
	}
	if err := stream.Verify(secret, ts, sig, body, now.Add(10*time.Minute), 5*time.Minute); err == nil {
		t.Error("replayed 10 minutes later: accepted")
	}
	if err := stream.Verify(secret, fmt.Sprint(now.Unix()+1), sig, body, now, 5*time.Minute); err == nil {
		t.Error("timestamp changed: accepted")
	}
	if err := stream.Verify(secret, ts, sig, []byte(`{"events":[{}]}`), now, 5*time.Minute); err == nil {
		t.Error("body changed: accepted")
	}
	if err := stream.Verify([]byte("other"), ts, sig, body, now, 5*time.Minute); err == nil {
		t.Error("other secret: accepted")
	}
}

// TestBackoff: full jitter under base·2^(n-1), capped.
func TestBackoff(t *testing.T) {
	base, maxDelay := 100*time.Millisecond, 5*time.Second
	for n := 1; n <= 40; n++ {
		ceiling := min(base<<min(n-1, 30), maxDelay)
		for range 200 {
			if d := stream.Backoff(n, base, maxDelay); d <= 0 || d > ceiling {
				t.Fatalf("attempt %d: %v, want in (0, %v]", n, d, ceiling)
			}
		}
	}
}

// TestFilter: Match and the store filter of Query select the same events.
func TestFilter(t *testing.T) {
	f := stream.Filter{Components: []string{"KMS"}, MinPriority: audit.PriorityHigh, Statuses: []audit.Status{audit.StatusFailed}}
	q := f.Query()
	if !slices.Equal(q.Priorities, []audit.Priority{audit.PriorityHigh, audit.PriorityCritical}) {
		t.Errorf("priorities %v", q.Priorities)
	}
	e := events(1)[0]
	e.Status = audit.StatusFailed
	if !f.Match(e) {
		t.Error("KMS, HIGH, FAILED not matched")
	}
	for _, change := range []func(*audit.Event){
		func(e *audit.Event) { e.ComponentID = "CMS" },
		func(e *audit.Event) { e.Priority = audit.PriorityMedium },
		func(e *audit.Event) { e.Status = audit.StatusSuccess },
	} {
		other := e
		change(&other)
		if f.Match(other) {
			t.Errorf("matched %+v", other)
		}
	}
	if !(stream.Filter{}).Match(e) {
		t.Error("the empty filter does not match")
	}
}
