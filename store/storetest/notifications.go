package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

func testNotifications(t *testing.T, newStore Factory) {
	ana := audit.User{Type: audit.UserDashboard, ID: "u-ana", Name: "Ana", Email: "ana@acme.test"}
	bob := audit.User{Type: audit.UserDashboard, ID: "u-bob", Name: "Bob", Email: "bob@acme.test"}
	// carl is known to the emitting module only by email.
	carl := audit.User{Type: audit.UserBot, Email: "carl@acme.test"}
	flagger := audit.User{Type: audit.UserDashboard, ID: "u-admin", Name: "Ada Admin", Email: "ada@acme.test"}

	notif := func(tenant, id string, to audit.User, at time.Time) audit.Notification {
		return audit.Notification{
			ID: id, Tenant: tenant, Recipient: to,
			EventID: "evt-" + id, EventType: "role.changed", ComponentID: "SET",
			FlaggedBy: flagger, FlaggedAt: at, Note: "please explain",
		}
	}
	asStored := func(n audit.Notification) audit.Notification {
		n.FlaggedAt = msUTC(n.FlaggedAt)
		if n.ReadAt != nil {
			r := msUTC(*n.ReadAt)
			n.ReadAt = &r
		}
		return n
	}
	all := []audit.Notification{
		notif("acme", "n-ana-old", ana, baseTime),
		notif("acme", "n-ana-new", ana, baseTime.Add(time.Hour)),
		notif("acme", "n-bob", bob, baseTime.Add(30*time.Minute)),
		notif("acme", "n-carl", carl, baseTime.Add(10*time.Minute)),
		notif("globex", "n-ana-globex", ana, baseTime.Add(2*time.Hour)),
	}
	setup := func(t *testing.T) store.Store {
		t.Helper()
		s := newStore(t)
		if err := s.AddNotifications(ctx(t), all); err != nil {
			t.Fatalf("AddNotifications: %v", err)
		}
		return s
	}
	list := func(t *testing.T, s store.Store, tenant string, u audit.User, unreadOnly bool) []audit.Notification {
		t.Helper()
		ns, err := s.ListNotifications(ctx(t), tenant, u, store.NotificationQuery{UnreadOnly: unreadOnly})
		if err != nil {
			t.Fatalf("ListNotifications(%s, %s/%s): %v", tenant, u.ID, u.Email, err)
		}
		return ns
	}
	ids := func(ns []audit.Notification) []string {
		out := []string{}
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}

	t.Run("ListByRecipientID", func(t *testing.T) {
		s := setup(t)
		got := list(t, s, "acme", ana, false)
		sameJSON(t, "Ana's notifications, newest first", []audit.Notification{asStored(all[1]), asStored(all[0])}, got)
		if got := ids(list(t, s, "acme", bob, false)); !slices.Equal(got, []string{"n-bob"}) {
			t.Errorf("Bob's notifications = %v, want [n-bob]", got)
		}
		// The id decides: the same email under another id is someone else.
		impostor := audit.User{Type: audit.UserDashboard, ID: "u-other", Email: ana.Email}
		if got := ids(list(t, s, "acme", impostor, false)); len(got) != 0 {
			t.Errorf("user with Ana's email but another id sees %v", got)
		}
	})

	t.Run("FallbackByEmailWithoutRecipientID", func(t *testing.T) {
		s := setup(t)
		// Carl signs in to the dashboard with an id; the module knew only his email.
		signedIn := audit.User{Type: audit.UserDashboard, ID: "u-carl", Name: "Carl", Email: carl.Email}
		sameJSON(t, "Carl's notifications", []audit.Notification{asStored(all[3])}, list(t, s, "acme", signedIn, false))
		if got := ids(list(t, s, "acme", audit.User{Type: audit.UserDashboard, ID: "u-dan", Email: "dan@acme.test"}, false)); len(got) != 0 {
			t.Errorf("user with another email sees %v", got)
		}
	})

	t.Run("OtherTenantIsolated", func(t *testing.T) {
		s := setup(t)
		if got := ids(list(t, s, "globex", ana, false)); !slices.Equal(got, []string{"n-ana-globex"}) {
			t.Errorf("Ana's notifications in globex = %v, want [n-ana-globex]", got)
		}
		if got := ids(list(t, s, "initech", ana, false)); len(got) != 0 {
			t.Errorf("Ana's notifications in a tenant with none = %v", got)
		}
	})

	t.Run("AddAgainKeepsTheStoredOne", func(t *testing.T) {
		s := setup(t)
		at := baseTime.Add(3 * time.Hour)
		if n, err := s.MarkNotificationsRead(ctx(t), "acme", ana, []string{"n-ana-new"}, at); err != nil || n != 1 {
			t.Fatalf("MarkNotificationsRead = %d, %v; want 1", n, err)
		}
		// The flag path sends the same notification again (same id), as
		// when a user flags an event already flagged; a retry, with it a
		// new one.
		again := all[1]
		again.Note = "sent again"
		fresh := notif("acme", "n-ana-fresh", ana, baseTime.Add(2*time.Hour))
		if err := s.AddNotifications(ctx(t), []audit.Notification{again, fresh}); err != nil {
			t.Fatalf("AddNotifications of a stored id: %v", err)
		}
		read := all[1]
		read.ReadAt = &at
		sameJSON(t, "Ana's notifications after adding a read one again",
			[]audit.Notification{asStored(fresh), asStored(read), asStored(all[0])}, list(t, s, "acme", ana, false))
		if got := ids(list(t, s, "acme", ana, true)); !slices.Equal(got, []string{"n-ana-fresh", "n-ana-old"}) {
			t.Errorf("Ana's unread = %v, want [n-ana-fresh n-ana-old]", got)
		}
	})

	t.Run("MarkReadAndUnreadOnly", func(t *testing.T) {
		s := setup(t)
		at := baseTime.Add(3 * time.Hour)
		// Ana names her own notification, other users' ones, another
		// tenant's and an unknown id: only hers change.
		n, err := s.MarkNotificationsRead(ctx(t), "acme", ana,
			[]string{"n-ana-new", "n-bob", "n-carl", "n-ana-globex", "n-missing"}, at)
		if err != nil {
			t.Fatalf("MarkNotificationsRead: %v", err)
		}
		if n != 1 {
			t.Errorf("MarkNotificationsRead changed %d, want 1", n)
		}
		if got := ids(list(t, s, "acme", ana, true)); !slices.Equal(got, []string{"n-ana-old"}) {
			t.Errorf("Ana's unread = %v, want [n-ana-old]", got)
		}
		read := all[1]
		read.ReadAt = &at
		sameJSON(t, "Ana's notifications after reading one",
			[]audit.Notification{asStored(read), asStored(all[0])}, list(t, s, "acme", ana, false))
		for _, c := range []struct {
			tenant string
			u      audit.User
			want   string
		}{{"acme", bob, "n-bob"}, {"acme", audit.User{Type: audit.UserDashboard, ID: "u-carl", Email: carl.Email}, "n-carl"}, {"globex", ana, "n-ana-globex"}} {
			if got := ids(list(t, s, c.tenant, c.u, true)); !slices.Equal(got, []string{c.want}) {
				t.Errorf("unread of %s/%s = %v, want [%s]", c.tenant, c.u.ID, got, c.want)
			}
		}

		n, err = s.MarkNotificationsRead(ctx(t), "acme", ana, []string{"n-ana-new"}, at.Add(time.Hour))
		if err != nil {
			t.Fatalf("MarkNotificationsRead again: %v", err)
		}
		if n != 0 {
			t.Errorf("marking a read notification again changed %d, want 0", n)
		}
	})

	t.Run("PagesNewestFirst", func(t *testing.T) {
		s := setup(t)
		// Seven more of Ana's, three of them flagged at the same moment
		// (the id orders those), one read; and one of Bob's among them.
		same := baseTime.Add(20 * time.Minute)
		more := []audit.Notification{
			notif("acme", "n-ana-a", ana, same), notif("acme", "n-ana-c", ana, same), notif("acme", "n-ana-b", ana, same),
			notif("acme", "n-ana-d", ana, baseTime.Add(5*time.Minute)), notif("acme", "n-ana-e", ana, baseTime.Add(50*time.Minute)),
			notif("acme", "n-ana-f", ana, baseTime.Add(-time.Hour)), notif("acme", "n-ana-g", ana, baseTime.Add(40*time.Minute)),
			notif("acme", "n-bob-2", bob, same),
		}
		if err := s.AddNotifications(ctx(t), more); err != nil {
			t.Fatalf("AddNotifications: %v", err)
		}
		if _, err := s.MarkNotificationsRead(ctx(t), "acme", ana, []string{"n-ana-e"}, baseTime.Add(3*time.Hour)); err != nil {
			t.Fatalf("MarkNotificationsRead: %v", err)
		}
		want := []string{"n-ana-new", "n-ana-e", "n-ana-g", "n-ana-c", "n-ana-b", "n-ana-a", "n-ana-d", "n-ana-old", "n-ana-f"}
		if got := ids(list(t, s, "acme", ana, false)); !slices.Equal(got, want) {
			t.Fatalf("all of Ana's = %v, want %v", got, want)
		}
		walk := func(unreadOnly bool, limit int) []string {
			var got []string
			q := store.NotificationQuery{UnreadOnly: unreadOnly, Limit: limit}
			for range 20 {
				page, err := s.ListNotifications(ctx(t), "acme", ana, q)
				if err != nil {
					t.Fatalf("ListNotifications(%+v): %v", q, err)
				}
				if len(page) > limit {
					t.Fatalf("ListNotifications(%+v) returned %d", q, len(page))
				}
				if len(page) == 0 {
					return got
				}
				got = append(got, ids(page)...)
				last := page[len(page)-1]
				q.After = &store.NotificationKey{FlaggedAt: last.FlaggedAt, ID: last.ID}
			}
			t.Fatalf("the walk with limit %d did not end", limit)
			return nil
		}
		for _, limit := range []int{1, 2, 3, 4, 100} {
			if got := walk(false, limit); !slices.Equal(got, want) {
				t.Errorf("pages of %d = %v, want %v", limit, got, want)
			}
		}
		unread := slices.DeleteFunc(slices.Clone(want), func(id string) bool { return id == "n-ana-e" })
		if got := walk(true, 2); !slices.Equal(got, unread) {
			t.Errorf("unread pages of 2 = %v, want %v", got, unread)
		}
	})
}
