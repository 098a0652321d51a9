package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/notify"
	"github.com/auditlog/auditlog/selfaudit"
)

// hookReceiver is a webhook endpoint that records the notifications it gets.
type hookReceiver struct {
	url string
	mu  sync.Mutex
	got []notify.Payload
}

func newHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	r := &hookReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var p notify.Payload
		body, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		r.mu.Lock()
		r.got = append(r.got, p)
		r.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hook"
	return r
}

func (r *hookReceiver) payloads() []notify.Payload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notify.Payload(nil), r.got...)
}

// TestServerWiresSelfAuditAndNotifier: the recorder and the notifier given
// to the server are the ones flags go through — the flag is recorded by
// that recorder (its clock dates the record) and its notification reaches
// that notifier's webhook, with no store wrapper in between.
func TestServerWiresSelfAuditAndNotifier(t *testing.T) {
	hook := newHookReceiver(t)
	hooks, err := notify.New(notify.Options{Default: notify.Target{URL: hook.url, Secret: []byte("0123456789abcdef0123456789abcdef")}})
	if err != nil {
		t.Fatal(err)
	}
	recordedAt := time.Now().UTC().Add(-42 * time.Minute).Truncate(time.Millisecond)
	e := newEnv(t, envOptions{app: func(o *app.Options) {
		o.AuditClock = func() time.Time { return recordedAt }
		o.Notifier = hooks
	}})
	priya := audit.User{Type: audit.UserDashboard, ID: "u-priya", Name: "Priya"}
	e.ingest("acme", event("evt-1", priya))
	reviewer := e.key("acme", audit.RoleViewer, audit.User{Type: audit.UserDashboard, ID: "u-rev", Name: "Rev"})
	e.query(reviewer, `mutation { flagEvents(ids: ["evt-1"], note: "look") { id } }`, nil, nil)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := hooks.Close(ctx); err != nil {
		t.Fatalf("drain webhooks: %v", err)
	}
	got := hook.payloads()
	if len(got) != 1 || got[0].Notification.EventID != "evt-1" || got[0].Notification.Recipient.ID != priya.ID {
		t.Errorf("webhook got %+v, want the one notification of evt-1 to %s", got, priya.ID)
	}
	trail := e.auditlogEvents("acme", selfaudit.EventsFlagged)
	if len(trail) != 1 || !trail[0].OccurredAt.Equal(recordedAt) {
		t.Errorf("AUDITLOG flag records %+v, want one dated %v by the recorder given to the server", trail, recordedAt)
	}
}
