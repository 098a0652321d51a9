package graph_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/auditlog/auditlog/audit"
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

// TestFlagCompletesAfterFailedNotifications: when the flags are stored but
// the notifications are not, the flag is still in the service's own trail,
// and retrying the call stores the missing notifications — once, however
// often it is retried — without recording the flag twice.
func TestFlagCompletesAfterFailedNotifications(t *testing.T) {
	var fn *failingNotifications
	opts := envOptions{wrap: func(st store.Store) store.Store { fn = &failingNotifications{Store: st}; return fn }}
	onEachStore(t, opts, func(t *testing.T, e *env) {
		priya := audit.User{Type: audit.UserDashboard, ID: "u-priya", Name: "Priya"}
		e.ingest("acme", event("evt-1", priya), event("evt-2", priya))
		reviewer := e.key("acme", audit.RoleViewer, audit.User{Type: audit.UserDashboard, ID: "u-rev", Name: "Rev"})
		const flag = `mutation { flagEvents(ids: ["evt-1", "evt-2"], note: "look") { id flag { at } } }`

		fn.failures.Store(1)
		e.wantError(reviewer, flag, nil, "INTERNAL", "")
		trail := e.auditlogEvents("acme", selfaudit.EventsFlagged)
		if len(trail) != 1 || !slices.Equal(trail[0].Details["eventIds"].([]any), []any{"evt-1", "evt-2"}) {
			t.Fatalf("AUDITLOG flag records after the failed notifications: %+v, want the flag of both events", trail)
		}

		for range 2 { // the retry, and one more
			e.query(reviewer, flag, nil, nil)
		}
		ns, err := e.st.ListNotifications(context.Background(), "acme", priya, store.NotificationQuery{})
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
		if trail := e.auditlogEvents("acme", selfaudit.EventsFlagged); len(trail) != 1 {
			t.Errorf("%d AUDITLOG flag records after the retries, want the first only", len(trail))
		}
	})
}
