package app_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/selfaudit"
	"github.com/auditlog/auditlog/store"
)

// failingNotifications is a store whose next AddNotifications fail.
type failingNotifications struct {
	store.Store
	failures atomic.Int32
}

func (s *failingNotifications) AddNotifications(ctx context.Context, ns []audit.Notification) error {
	if s.failures.Add(-1) >= 0 {
		return errors.New("notifications index unavailable")
	}
	return s.Store.AddNotifications(ctx, ns)
}

// onEachStore runs fn against an App over each backend.
func onEachStore(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite(t)) })
	t.Run("opensearch", func(t *testing.T) { fn(t, openOpenSearch(t)) })
}

func refresh(t *testing.T, st store.Store) {
	t.Helper()
	if r, ok := st.(store.Refresher); ok {
		if err := r.Refresh(context.Background()); err != nil {
			t.Fatalf("refresh: %v", err)
		}
	}
}

// TestFlagCompletesAfterFailedNotifications: when the flags are stored but
// the notifications are not, the flag is still in the service's own trail,
// and retrying the call stores the missing notifications — once, however
// often it is retried — without recording the flag twice.
func TestFlagCompletesAfterFailedNotifications(t *testing.T) {
	onEachStore(t, func(t *testing.T, raw store.Store) {
		ctx := context.Background()
		fn := &failingNotifications{Store: raw}
		core, err := app.New(fn, app.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { core.Close(ctx) })

		priya := audit.User{Type: audit.UserDashboard, ID: "u-priya", Name: "Priya"}
		emitter := audit.Principal{Tenant: "acme", Role: audit.RoleEmitter, User: audit.User{Type: audit.UserSystem, ID: "svc-acme"}}
		var evs []audit.Event
		for _, id := range []string{"evt-1", "evt-2"} {
			evs = append(evs, audit.Event{ID: id, ComponentID: "KMS", EventType: "ARTICLE_PUBLISHED", Status: audit.StatusSuccess,
				OccurredAt: time.Now().UTC().Add(-time.Hour), ActionUser: priya, Description: "published an article"})
		}
		for i, r := range core.Indexer().Ingest(ctx, emitter, evs) {
			if !r.Captured {
				t.Fatalf("event %d not captured: %+v", i, r)
			}
		}
		refresh(t, raw)
		trail := func() []audit.Event {
			t.Helper()
			refresh(t, raw)
			page, err := raw.SearchEvents(ctx, audit.Query{Tenant: "acme", Order: audit.OldestFirst, Limit: 100,
				Filter: audit.Filter{Components: []string{catalog.ServiceComponent}, EventTypes: []string{selfaudit.EventsFlagged}}})
			if err != nil {
				t.Fatal(err)
			}
			return page.Events
		}
		reviewer := audit.Principal{Tenant: "acme", Role: audit.RoleViewer, User: audit.User{Type: audit.UserDashboard, ID: "u-rev", Name: "Rev"}}
		flag := func() error {
			_, err := core.Flag(ctx, reviewer, []string{"evt-1", "evt-2"}, "look", time.Now())
			return err
		}

		fn.failures.Store(1)
		if err := flag(); err == nil {
			t.Fatal("Flag succeeded although the notifications were not stored")
		}
		if tr := trail(); len(tr) != 1 || !slices.Equal(tr[0].Details["eventIds"].([]any), []any{"evt-1", "evt-2"}) {
			t.Fatalf("AUDITLOG flag records after the failed notifications: %+v, want the flag of both events", tr)
		}

		for range 2 { // the retry, and one more
			if err := flag(); err != nil {
				t.Fatal(err)
			}
		}
		ns, err := raw.ListNotifications(ctx, "acme", priya, store.NotificationQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range ns {
			got = append(got, n.EventID)
			if n.FlaggedBy.ID != "u-rev" || n.Note != "look" {
				t.Errorf("notification %+v", n)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"evt-1", "evt-2"}) {
			t.Errorf("Priya's notifications are of %v, want one of evt-1 and one of evt-2", got)
		}
		if tr := trail(); len(tr) != 1 {
			t.Errorf("%d AUDITLOG flag records after the retries, want the first only", len(tr))
		}
	})
}
