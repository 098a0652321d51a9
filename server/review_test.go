package server_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/notify"
)

// The people of the review tests, all of tenant acme unless said.
var (
	reviewer = audit.User{Type: audit.UserDashboard, ID: "u-rev", Name: "Rita Reviewer", Email: "rita@acme.example"}
	admin2   = audit.User{Type: audit.UserDashboard, ID: "u-adm", Name: "Adam Admin", Email: "adam@acme.example"}
	priya    = audit.User{Type: audit.UserDashboard, ID: "u-7", Name: "Priya Raman", Email: "priya@acme.example"}
	omar     = audit.User{Type: audit.UserDashboard, ID: "u-8", Name: "Omar Haddad", Email: "omar@acme.example"}
	// carl is known to the emitting module by email only; he signs in to
	// the dashboard with an id.
	carlAsActor = audit.User{Type: audit.UserBot, Email: "carl@acme.example"}
	carl        = audit.User{Type: audit.UserDashboard, ID: "u-carl", Name: "Carl", Email: "carl@acme.example"}
)

// reviewInput is an event of the KMS module done by actor.
func reviewInput(id string, at time.Time, actor audit.User) map[string]any {
	au := map[string]any{"type": string(actor.Type)}
	for k, v := range map[string]string{"id": actor.ID, "name": actor.Name, "email": actor.Email} {
		if v != "" {
			au[k] = v
		}
	}
	status := "SUCCESS"
	if strings.HasSuffix(id, "7") {
		status = "FAILED"
	}
	return map[string]any{
		"id": id, "componentId": "KMS", "submodule": "Article lifecycle", "eventType": "ARTICLE_PUBLISHED",
		"description": "Published article " + id, "status": status, "occurredAt": at.Format(time.RFC3339Nano),
		"actionUser": au,
	}
}

// ingest records events through the API and makes them searchable.
func (e *reviewEnv) ingest(key string, events []any) {
	e.t.Helper()
	var res struct{ IngestEvents []ingestResult }
	e.query(key, ingestMany, map[string]any{"es": events}, &res)
	for i, r := range res.IngestEvents {
		if !r.Captured || r.Error != nil {
			e.t.Fatalf("event %d not captured: %+v", i, r)
		}
	}
	e.refresh()
}

type flagJSON struct {
	By   audit.User `json:"by"`
	At   time.Time  `json:"at"`
	Note *string    `json:"note"`
}

type flaggedEvent struct {
	ID   string    `json:"id"`
	Flag *flagJSON `json:"flag"`
}

type notificationJSON struct {
	ID        string     `json:"id"`
	EventID   string     `json:"eventId"`
	EventType string     `json:"eventType"`
	FlaggedBy audit.User `json:"flaggedBy"`
	FlaggedAt time.Time  `json:"flaggedAt"`
	Note      *string    `json:"note"`
	ReadAt    *time.Time `json:"readAt"`
}

const notificationsQuery = `query($unread: Boolean) { notifications(unreadOnly: $unread) {
  id eventId eventType flaggedBy { type id name email } flaggedAt note readAt } }`

func (e *reviewEnv) notifications(key string, unreadOnly bool) []notificationJSON {
	e.t.Helper()
	var out struct{ Notifications []notificationJSON }
	e.query(key, notificationsQuery, map[string]any{"unread": unreadOnly}, &out)
	return out.Notifications
}

func (e *reviewEnv) count(key string, filter map[string]any) int {
	e.t.Helper()
	var out struct{ Events struct{ TotalCount int } }
	e.query(key, `query($f: EventFilter!) { events(filter: $f) { totalCount } }`, map[string]any{"f": filter}, &out)
	return out.Events.TotalCount
}

type auditlogEvent struct {
	EventType   string         `json:"eventType"`
	Description string         `json:"description"`
	Status      string         `json:"status"`
	ActionUser  audit.User     `json:"actionUser"`
	Details     map[string]any `json:"details"`
}

// auditlogEvents lists the tenant's AUDITLOG events through the API, as an
// admin searching the service's own trail would, oldest first.
func (e *reviewEnv) auditlogEvents(key string, filter map[string]any) []auditlogEvent {
	e.t.Helper()
	e.refresh()
	f := map[string]any{"components": []string{"AUDITLOG"}}
	maps.Copy(f, filter)
	var out struct {
		Events struct {
			Edges []struct{ Node auditlogEvent }
		}
	}
	e.query(key, `query($f: EventFilter!) { events(filter: $f, first: 500, order: OLDEST_FIRST) { edges { node {
	  eventType description status actionUser { type id name email } details } } } }`, map[string]any{"f": f}, &out)
	var evs []auditlogEvent
	for _, edge := range out.Events.Edges {
		evs = append(evs, edge.Node)
	}
	return evs
}

// TestReviewBulkFlag flags 100 events in one call together with 3 ids that
// match none of the caller's events, and follows the flags through the
// drawer, the flagged filter, unflagging, the action users' notifications,
// the webhook and the service's own trail.
func TestReviewBulkFlag(t *testing.T) {
	onEachStore(t, func(t *testing.T, e *reviewEnv) {
		emitter := e.key("acme", audit.RoleEmitter)
		rev := e.keyFor("acme", audit.RoleViewer, reviewer)
		adm := e.keyFor("acme", audit.RoleAdmin, admin2)

		actors := []audit.User{priya, omar, carlAsActor}
		actorOf := map[string]audit.User{}
		var events []any
		var ids []string
		for i := range 100 {
			id := fmt.Sprintf("bulk-%03d", i)
			actorOf[id] = actors[i%3]
			ids = append(ids, id)
			events = append(events, reviewInput(id, base.Add(time.Duration(i)*time.Minute), actors[i%3]))
		}
		e.ingest(emitter, events)
		// globex has an event with an id acme also flags: it stays untouched.
		e.ingest(e.key("globex", audit.RoleEmitter), []any{reviewInput("globex-only", base, priya), reviewInput("bulk-000", base, priya)})

		// Newest first, as a dashboard's selection would be, with the unknown ids in between.
		asked := slices.Clone(ids)
		slices.Reverse(asked)
		asked = slices.Insert(asked, 50, "nope-1", "globex-only")
		asked = append(asked, "bulk-999", "bulk-050") // and one id twice
		unknown := []string{"nope-1", "globex-only", "bulk-999"}

		before := time.Now().UTC().Truncate(time.Millisecond)
		var flagged struct{ FlagEvents []flaggedEvent }
		e.query(rev, `mutation($ids: [ID!]!, $note: String) { flagEvents(ids: $ids, note: $note) {
		  id flag { by { type id name email } at note } } }`,
			map[string]any{"ids": asked, "note": "quarterly RBAC review"}, &flagged)
		after := time.Now().UTC()

		var got []string
		for _, ev := range flagged.FlagEvents {
			got = append(got, ev.ID)
			if ev.Flag == nil || ev.Flag.By != reviewer || ev.Flag.Note == nil || *ev.Flag.Note != "quarterly RBAC review" ||
				ev.Flag.At.Before(before) || ev.Flag.At.After(after) {
				t.Errorf("flag of %s: %+v, want by %+v between %v and %v", ev.ID, ev.Flag, reviewer, before, after)
			}
		}
		wantIDs := slices.Clone(ids)
		slices.Reverse(wantIDs)
		if !slices.Equal(got, wantIDs) {
			t.Fatalf("flagEvents returned %d events %v…, want the 100 found, in the order asked, each once", len(got), got[:min(5, len(got))])
		}
		for _, id := range unknown {
			if slices.Contains(got, id) {
				t.Errorf("unknown id %s in the result", id)
			}
		}

		// The drawer shows who flagged, when and why.
		var drawer struct{ Event flaggedEvent }
		e.query(rev, `{ event(id: "bulk-042") { id flag { by { type id name email } at note } } }`, nil, &drawer)
		if f := drawer.Event.Flag; f == nil || f.By != reviewer || *f.Note != "quarterly RBAC review" || !f.At.Equal(flagged.FlagEvents[0].Flag.At) {
			t.Errorf("event(bulk-042).flag = %+v", f)
		}
		// The other tenant's event with a flagged id is not flagged.
		var theirs struct{ Event flaggedEvent }
		e.query(e.key("globex", audit.RoleViewer), `{ event(id: "bulk-000") { id flag { at } } }`, nil, &theirs)
		if theirs.Event.ID != "bulk-000" || theirs.Event.Flag != nil {
			t.Errorf("globex's bulk-000 after acme's flag: %+v", theirs.Event)
		}

		// The flagged filter and the flag marker in results follow at once.
		if n := e.count(rev, map[string]any{"flagged": true}); n != 100 {
			t.Errorf("flagged: true counts %d, want 100", n)
		}
		if n := e.count(rev, map[string]any{"components": []string{"KMS"}, "flagged": false}); n != 0 {
			t.Errorf("KMS events not flagged: %d, want 0", n)
		}
		var page struct {
			Events struct {
				Edges []struct{ Node flaggedEvent }
			}
		}
		e.query(rev, `{ events(filter: {components: ["KMS"]}, first: 3) { edges { node { id flag { by { id } } } } } }`, nil, &page)
		for _, edge := range page.Events.Edges {
			if edge.Node.Flag == nil || edge.Node.Flag.By.ID != reviewer.ID {
				t.Errorf("listed %s without its flag marker", edge.Node.ID)
			}
		}

		// Flagging again, by someone else, keeps the first flag and notifies nobody.
		e.query(adm, `mutation { flagEvents(ids: ["bulk-042", "bulk-043"], note: "me too") { id } }`, nil, &struct{}{})
		e.query(rev, `{ event(id: "bulk-042") { id flag { by { type id name email } at note } } }`, nil, &drawer)
		if f := drawer.Event.Flag; f == nil || f.By != reviewer || *f.Note != "quarterly RBAC review" {
			t.Errorf("after a second flag: %+v, want the first flag kept", f)
		}

		// Each action user is notified of their own flagged events, and nobody else is.
		keyOf := map[string]string{
			priya.ID: e.keyFor("acme", audit.RoleViewer, priya),
			omar.ID:  e.keyFor("acme", audit.RoleViewer, omar),
			carl.ID:  e.keyFor("acme", audit.RoleViewer, carl), // found by email: the events name no id
		}
		recipientOf := map[string]string{priya.Email: priya.ID, omar.Email: omar.ID, carlAsActor.Email: carl.ID}
		for _, who := range []audit.User{priya, omar, carl} {
			var want []string
			for id, actor := range actorOf {
				if recipientOf[actor.Email] == who.ID {
					want = append(want, id)
				}
			}
			ns := e.notifications(keyOf[who.ID], false)
			var gotIDs []string
			for _, n := range ns {
				gotIDs = append(gotIDs, n.EventID)
				if n.FlaggedBy != reviewer || n.Note == nil || *n.Note != "quarterly RBAC review" || n.EventType != "ARTICLE_PUBLISHED" ||
					n.ReadAt != nil || n.FlaggedAt.Before(before) || n.FlaggedAt.After(after) {
					t.Errorf("%s's notification %+v", who.Name, n)
				}
			}
			slices.Sort(want)
			slices.Sort(gotIDs)
			if !slices.Equal(gotIDs, want) {
				t.Errorf("%s is notified of %d events, want their %d", who.Name, len(gotIDs), len(want))
			}
		}
		for name, key := range map[string]string{
			"the reviewer":              rev,
			"an admin of the tenant":    adm,
			"u-7 of another tenant":     e.keyFor("globex", audit.RoleViewer, priya),
			"priya's email, another id": e.keyFor("acme", audit.RoleViewer, audit.User{Type: audit.UserDashboard, ID: "u-impostor", Email: priya.Email}),
		} {
			if ns := e.notifications(key, false); len(ns) != 0 {
				t.Errorf("%s sees %d notifications, want none", name, len(ns))
			}
		}

		// Priya pages through hers, 7 at a time: the same list, newest
		// first, each once; and asks for pages that cannot be.
		all := e.notifications(keyOf[priya.ID], false)
		var paged []string
		vars := map[string]any{"first": 7}
		for range len(all) + 1 {
			var page struct {
				Notifications []struct{ ID, Cursor string }
			}
			e.query(keyOf[priya.ID], `query($first: Int, $after: String) { notifications(first: $first, after: $after) { id cursor } }`, vars, &page)
			for _, n := range page.Notifications {
				paged = append(paged, n.ID)
			}
			if len(page.Notifications) < 7 {
				break
			}
			vars["after"] = page.Notifications[6].Cursor
		}
		var allIDs []string
		for i, n := range all {
			allIDs = append(allIDs, n.ID)
			if i > 0 && n.FlaggedAt.After(all[i-1].FlaggedAt) {
				t.Errorf("notification %d is newer than the one before it", i)
			}
		}
		if len(all) < 8 || !slices.Equal(paged, allIDs) {
			t.Errorf("Priya's notifications in pages of 7: %v, want %v (at least 8)", paged, allIDs)
		}
		for _, c := range []struct {
			vars  map[string]any
			field string
		}{
			{map[string]any{"first": 0}, "first"},
			{map[string]any{"first": 501}, "first"},
			{map[string]any{"after": "not-a-cursor"}, "after"},
			// A time no store can compare: year 10000.
			{map[string]any{"after": base64.RawURLEncoding.EncodeToString([]byte("253402300800000:ntf_x"))}, "after"},
		} {
			e.wantError(keyOf[priya.ID], `query($first: Int, $after: String) { notifications(first: $first, after: $after) { id } }`,
				c.vars, "BAD_USER_INPUT", c.field)
		}

		// Priya reads two; nobody else can mark hers read.
		mine := e.notifications(keyOf[priya.ID], true)
		var marked struct{ MarkNotificationsRead int }
		e.query(keyOf[omar.ID], `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`,
			map[string]any{"ids": []string{mine[0].ID, mine[1].ID}}, &marked)
		if marked.MarkNotificationsRead != 0 {
			t.Errorf("Omar marked %d of Priya's notifications read", marked.MarkNotificationsRead)
		}
		e.query(keyOf[priya.ID], `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`,
			map[string]any{"ids": []string{mine[0].ID, mine[1].ID, "n-unknown"}}, &marked)
		if marked.MarkNotificationsRead != 2 {
			t.Errorf("markNotificationsRead = %d, want 2", marked.MarkNotificationsRead)
		}
		if unread := e.notifications(keyOf[priya.ID], true); len(unread) != len(mine)-2 {
			t.Errorf("Priya has %d unread after reading 2 of %d", len(unread), len(mine))
		}

		// Unflag ten, with an unknown id among them.
		var unflagged struct{ UnflagEvents []flaggedEvent }
		e.query(rev, `mutation($ids: [ID!]!) { unflagEvents(ids: $ids) { id flag { at } } }`,
			map[string]any{"ids": append(slices.Clone(ids[:10]), "nope-1")}, &unflagged)
		if len(unflagged.UnflagEvents) != 10 {
			t.Errorf("unflagEvents returned %d events, want 10", len(unflagged.UnflagEvents))
		}
		for _, ev := range unflagged.UnflagEvents {
			if ev.Flag != nil {
				t.Errorf("unflagged %s still has %+v", ev.ID, ev.Flag)
			}
		}
		if n := e.count(rev, map[string]any{"flagged": true}); n != 90 {
			t.Errorf("flagged after unflagging 10: %d, want 90", n)
		}
		e.query(rev, `{ event(id: "bulk-003") { id flag { by { type id name email } at note } } }`, nil, &drawer)
		if drawer.Event.Flag != nil {
			t.Errorf("event(bulk-003).flag after unflag = %+v", drawer.Event.Flag)
		}

		// The webhook got each notification once, signed, the first after a 500 and a retry.
		reqs := e.deliveries()
		if len(reqs) != 101 {
			t.Errorf("webhook requests: %d, want 101 (100 notifications, one retried after a 500)", len(reqs))
		}
		delivered := map[string]notify.Payload{}
		for i, r := range reqs {
			if !r.signedBy(e.hook.secret) {
				t.Errorf("request %d: signature %q does not verify", i, r.signature)
			}
			var p notify.Payload
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			if r.status == http.StatusOK {
				delivered[p.Notification.EventID] = p
			}
		}
		if reqs[0].status != http.StatusInternalServerError || len(reqs) < 2 {
			t.Fatalf("the receiver's first answer was %d", reqs[0].status)
		}
		retried := reqs[0].delivery
		if n := len(slices.DeleteFunc(slices.Clone(reqs), func(r hookRequest) bool { return r.delivery != retried })); n != 2 {
			t.Errorf("delivery %s was sent %d times, want 2 (a 500, then success)", retried, n)
		}
		if len(delivered) != 100 {
			t.Errorf("%d events delivered, want 100", len(delivered))
		}
		for id, p := range delivered {
			n := p.Notification
			if p.Tenant != "acme" || n.Recipient != actorOf[id] || n.FlaggedBy != reviewer || n.Note != "quarterly RBAC review" || n.EventType != "ARTICLE_PUBLISHED" {
				t.Errorf("delivery for %s: %+v", id, p)
			}
		}

		// The service's own trail: who flagged and unflagged what; the second,
		// changeless flag is not there.
		trail := e.auditlogEvents(adm, map[string]any{"eventTypes": []string{"EVENTS_FLAGGED", "EVENTS_UNFLAGGED"}})
		if len(trail) != 2 {
			t.Fatalf("AUDITLOG flag events: %+v, want one flag and one unflag", trail)
		}
		if f := trail[0]; f.EventType != "EVENTS_FLAGGED" || f.ActionUser != reviewer || f.Details["count"] != float64(100) ||
			f.Details["note"] != "quarterly RBAC review" || !strings.Contains(f.Description, "Flagged 100 events") {
			t.Errorf("flag record %+v", f)
		}
		if u := trail[1]; u.EventType != "EVENTS_UNFLAGGED" || u.ActionUser != reviewer || u.Details["count"] != float64(10) {
			t.Errorf("unflag record %+v", u)
		}
		// Searchable like any module's events: by text, and by the reviewer.
		if got := e.auditlogEvents(adm, map[string]any{"text": "quarterly", "actionUser": reviewer.Email}); len(got) != 1 {
			t.Errorf("text search of the trail found %d events, want the flag", len(got))
		}
	})
}

const savedFilterFields = `id name description createdAt updatedAt
  filter { components eventTypes submodules statuses priorities from to actionUser targetUser flagged text }`

type savedFilterJSON struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description *string        `json:"description"`
	Filter      map[string]any `json:"filter"`
}

func (e *reviewEnv) savedFilters(key string) []savedFilterJSON {
	e.t.Helper()
	var out struct{ SavedFilters []savedFilterJSON }
	e.query(key, `{ savedFilters { `+savedFilterFields+` } }`, nil, &out)
	return out.SavedFilters
}

// listing returns the ids of the events matching filter, newest first.
func (e *reviewEnv) listing(key string, filter map[string]any) []string {
	e.t.Helper()
	var out struct {
		Events struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID string } }
		}
	}
	e.query(key, `query($f: EventFilter!) { events(filter: $f, first: 500) { totalCount edges { node { id } } } }`,
		map[string]any{"f": filter}, &out)
	ids := []string{}
	for _, edge := range out.Events.Edges {
		ids = append(ids, edge.Node.ID)
	}
	return ids
}

// TestReviewSavedFilters saves, lists, applies, edits and deletes a filter,
// and checks that another user of the tenant, even an admin, can neither
// see, edit nor delete it.
func TestReviewSavedFilters(t *testing.T) {
	onEachStore(t, func(t *testing.T, e *reviewEnv) {
		ann := e.keyFor("acme", audit.RoleViewer, reviewer)
		bob := e.keyFor("acme", audit.RoleViewer, omar)
		boss := e.keyFor("acme", audit.RoleAdmin, admin2)
		var events []any
		for i := range 30 {
			events = append(events, reviewInput(fmt.Sprintf("sf-%02d", i), base.Add(time.Duration(i)*time.Hour), []audit.User{priya, omar}[i%2]))
		}
		e.ingest(e.key("acme", audit.RoleEmitter), events)

		filter := map[string]any{"components": []string{"KMS"}, "actionUser": priya.Email,
			"from": base.Add(4 * time.Hour).Format(time.RFC3339), "to": base.Add(24 * time.Hour).Format(time.RFC3339)}
		input := map[string]any{"name": "Monthly KM access audit", "description": "Priya's KM publications", "filter": filter}
		var saved struct{ SaveFilter savedFilterJSON }
		e.query(ann, `mutation($in: SavedFilterInput!) { saveFilter(input: $in) { `+savedFilterFields+` } }`,
			map[string]any{"in": input}, &saved)
		sf := saved.SaveFilter
		if sf.ID == "" || sf.Name != "Monthly KM access audit" || sf.Description == nil || *sf.Description != "Priya's KM publications" {
			t.Fatalf("saveFilter returned %+v", sf)
		}

		// Listed for its owner; applying it lists what the filter itself lists.
		list := e.savedFilters(ann)
		if len(list) != 1 || list[0].ID != sf.ID {
			t.Fatalf("savedFilters = %+v", list)
		}
		want := e.listing(ann, filter)
		if len(want) != 10 {
			t.Fatalf("the filter itself lists %d events, want 10 (a fixture problem)", len(want))
		}
		if got := e.listing(ann, list[0].Filter); !slices.Equal(got, want) {
			t.Errorf("applying the saved filter lists %v, want %v", got, want)
		}

		// A second filter with the same name is refused, naming the field.
		e.wantError(ann, `mutation($in: SavedFilterInput!) { saveFilter(input: $in) { id } }`,
			map[string]any{"in": input}, "BAD_USER_INPUT", "input.name")

		// Nobody else sees, edits or deletes it, not even an admin of the tenant.
		hijack := map[string]any{"name": "Hijacked", "filter": map[string]any{}}
		for name, key := range map[string]string{"another viewer": bob, "an admin": boss} {
			if got := e.savedFilters(key); len(got) != 0 {
				t.Errorf("%s sees %+v", name, got)
			}
			e.wantError(key, `mutation($id: ID!, $in: SavedFilterInput!) { updateSavedFilter(id: $id, input: $in) { id } }`,
				map[string]any{"id": sf.ID, "in": hijack}, "NOT_FOUND", "")
			var del struct{ DeleteSavedFilter bool }
			e.query(key, `mutation($id: ID!) { deleteSavedFilter(id: $id) }`, map[string]any{"id": sf.ID}, &del)
			if del.DeleteSavedFilter {
				t.Errorf("%s deleted the filter", name)
			}
		}
		if got := e.savedFilters(ann); len(got) != 1 || got[0].Name != "Monthly KM access audit" || !sameFilter(got[0].Filter, list[0].Filter) {
			t.Errorf("the owner's filter after others' attempts: %+v", got)
		}
		// The same name is free for another user.
		e.query(bob, `mutation($in: SavedFilterInput!) { saveFilter(input: $in) { id } }`, map[string]any{"in": input}, &struct{}{})

		// Edit: new name and filter; applying follows.
		failed := map[string]any{"components": []string{"KMS"}, "statuses": []string{"FAILED"}}
		var updated struct{ UpdateSavedFilter savedFilterJSON }
		e.query(ann, `mutation($id: ID!, $in: SavedFilterInput!) { updateSavedFilter(id: $id, input: $in) { `+savedFilterFields+` } }`,
			map[string]any{"id": sf.ID, "in": map[string]any{"name": "Failed KM actions", "filter": failed}}, &updated)
		if u := updated.UpdateSavedFilter; u.ID != sf.ID || u.Name != "Failed KM actions" || u.Description != nil {
			t.Errorf("updateSavedFilter returned %+v", u)
		}
		list = e.savedFilters(ann)
		if len(list) != 1 || list[0].Name != "Failed KM actions" {
			t.Fatalf("after the edit: %+v", list)
		}
		want = e.listing(ann, failed)
		if got := e.listing(ann, list[0].Filter); len(want) != 3 || !slices.Equal(got, want) {
			t.Errorf("the edited filter lists %v, the filter itself %v (want 3 events)", got, want)
		}

		// A filter saved by an older version (no field added since) or a
		// newer one (a field this version does not know) still loads and applies.
		e.rewriteSavedFilterJSON(sf.ID, `{"components":["KMS"],"statuses":["FAILED"],"severityAtLeast":"HIGH","pinned":{"by":"u-rev"}}`)
		list = e.savedFilters(ann)
		if len(list) != 1 || list[0].Filter["text"] != nil || list[0].Filter["flagged"] != nil {
			t.Fatalf("filter with unknown and missing fields read back as %+v", list)
		}
		if got := e.listing(ann, list[0].Filter); !slices.Equal(got, want) {
			t.Errorf("the stored filter with unknown fields lists %v, want %v", got, want)
		}

		// Delete: gone for its owner, and a second delete says so.
		var del struct{ DeleteSavedFilter bool }
		e.query(ann, `mutation($id: ID!) { deleteSavedFilter(id: $id) }`, map[string]any{"id": sf.ID}, &del)
		if !del.DeleteSavedFilter {
			t.Error("the owner could not delete the filter")
		}
		if got := e.savedFilters(ann); len(got) != 0 {
			t.Errorf("after delete: %+v", got)
		}
		e.query(ann, `mutation($id: ID!) { deleteSavedFilter(id: $id) }`, map[string]any{"id": sf.ID}, &del)
		if del.DeleteSavedFilter {
			t.Error("a second delete reported true")
		}
		if got := e.savedFilters(bob); len(got) != 1 {
			t.Errorf("the other user's filter of the same name: %+v", got)
		}

		// The owner's changes are in the service's own trail, in order,
		// naming the filter by id only: every viewer reads the trail.
		var trail []string
		for _, ev := range e.auditlogEvents(boss, map[string]any{"actionUser": reviewer.ID}) {
			trail = append(trail, ev.EventType+" "+fmt.Sprint(ev.Details["savedFilterId"]))
			if b, _ := json.Marshal(ev); strings.Contains(string(b), "KM access") || strings.Contains(string(b), "Failed KM actions") {
				t.Errorf("the trail shows the owner's filter to others: %s", b)
			}
		}
		if want := []string{"SAVED_FILTER_CREATED " + sf.ID, "SAVED_FILTER_UPDATED " + sf.ID, "SAVED_FILTER_DELETED " + sf.ID}; !slices.Equal(trail, want) {
			t.Errorf("trail of the owner's saved filters: %q, want %q", trail, want)
		}
	})
}

// sameFilter compares two filters as returned by the API.
func sameFilter(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestReviewConfigurationChangeIsAudited: saving a capture configuration
// records an AUDITLOG event with the admin as action user and the change in
// its details; so does an export, with its filter and row count.
func TestReviewConfigurationChangeIsAudited(t *testing.T) {
	onEachStore(t, func(t *testing.T, e *reviewEnv) {
		boss := e.keyFor("acme", audit.RoleAdmin, admin2)
		e.query(boss, `mutation($c: ComponentConfigInput!) { configureComponent(id: "KMS", config: $c) { version } }`,
			map[string]any{"c": map[string]any{"loggingEnabled": true, "minPriority": "HIGH", "statuses": []string{"FAILED", "SUCCESS"},
				"retention": map[string]any{"value": 90, "unit": "DAYS"}, "version": 0}}, &struct{}{})

		trail := e.auditlogEvents(boss, map[string]any{"eventTypes": []string{"COMPONENT_CONFIGURED"}})
		if len(trail) != 1 {
			t.Fatalf("COMPONENT_CONFIGURED events: %+v, want 1", trail)
		}
		ev := trail[0]
		if ev.ActionUser != admin2 || ev.Status != "SUCCESS" {
			t.Errorf("recorded by %+v (%s), want the admin %+v", ev.ActionUser, ev.Status, admin2)
		}
		changes, _ := json.Marshal(ev.Details["changes"])
		if want := `{"minPriority":{"after":"HIGH","before":null},"retention":{"after":{"unit":"DAYS","value":90},"before":null},` +
			`"statuses":{"after":["FAILED","SUCCESS"],"before":"ALL"}}`; string(changes) != want {
			t.Errorf("changes\n got %s\nwant %s", changes, want)
		}
		if ev.Details["componentId"] != "KMS" || ev.Details["version"] != float64(1) ||
			!strings.Contains(ev.Description, "minPriority, statuses and retention changed") {
			t.Errorf("record %q %v", ev.Description, ev.Details)
		}
		// An admin of another tenant does not see it.
		if got := e.auditlogEvents(e.key("globex", audit.RoleAdmin), nil); len(got) != 0 {
			t.Errorf("globex sees %d AUDITLOG events", len(got))
		}

		// An export of the filtered log is recorded with its filter and rows
		// (recent events: KMS now keeps 90 days).
		recent := time.Now().Add(-time.Hour)
		e.ingest(e.key("acme", audit.RoleEmitter), []any{
			reviewInput("x-1", recent, priya), reviewInput("x-2", recent.Add(time.Minute), omar)})
		viewer := e.keyFor("acme", audit.RoleViewer, reviewer)
		var link struct{ ExportEvents struct{ URL string } }
		e.query(viewer, `mutation { exportEvents(filter: {components: ["KMS"], flagged: false}) { url } }`, nil, &link)
		if status, body := e.get(link.ExportEvents.URL); status != http.StatusOK || !strings.Contains(body, "x-2") {
			t.Fatalf("download: %d\n%s", status, body)
		}
		exports := e.auditlogEvents(boss, map[string]any{"eventTypes": []string{"EVENTS_EXPORTED"}})
		if len(exports) != 1 {
			t.Fatalf("EVENTS_EXPORTED events: %+v", exports)
		}
		filter, _ := json.Marshal(exports[0].Details["filter"])
		if x := exports[0]; x.ActionUser != reviewer || x.Details["rows"] != float64(2) || x.Details["complete"] != true ||
			string(filter) != `{"components":["KMS"],"flagged":false}` {
			t.Errorf("export record %+v (filter %s)", x, filter)
		}
	})
}

// TestReviewFlagInRolledOverIndex flags an event that lives in an older
// index of its series: the flag lands on that document, found by a search
// of the tenant's indices, and no second copy appears in the write index.
func TestReviewFlagInRolledOverIndex(t *testing.T) {
	e := newReviewEnv(t, "opensearch")
	emitter := e.key("acme", audit.RoleEmitter)
	e.ingest(emitter, []any{reviewInput("old-1", base, priya)})
	series := e.osPrefix + "-events-acme-kms"
	e.rest(http.MethodPost, "/"+series+"/_rollover", nil, nil)
	e.ingest(emitter, []any{reviewInput("new-1", base.Add(time.Hour), priya)})

	rev := e.keyFor("acme", audit.RoleViewer, reviewer)
	var flagged struct{ FlagEvents []flaggedEvent }
	e.query(rev, `mutation { flagEvents(ids: ["old-1", "new-1"]) { id flag { by { type id name email } at note } } }`, nil, &flagged)
	if len(flagged.FlagEvents) != 2 {
		t.Fatalf("flagEvents returned %+v", flagged.FlagEvents)
	}
	e.refresh()
	for id, index := range map[string]string{"old-1": series + "-000001", "new-1": series + "-000002"} {
		var found struct {
			Hits struct {
				Hits []struct {
					Index  string `json:"_index"`
					Source struct {
						Flag *flagJSON `json:"flag"`
					} `json:"_source"`
				} `json:"hits"`
			} `json:"hits"`
		}
		e.rest(http.MethodPost, "/"+e.osPrefix+"-events-*/_search",
			map[string]any{"query": map[string]any{"ids": map[string]any{"values": []string{id}}}}, &found)
		hits := found.Hits.Hits
		if len(hits) != 1 {
			t.Fatalf("%s: %d documents across the series, want 1", id, len(hits))
		}
		if hits[0].Index != index || hits[0].Source.Flag == nil || hits[0].Source.Flag.By != reviewer {
			t.Errorf("%s: in %s with flag %+v, want in %s flagged by %+v", id, hits[0].Index, hits[0].Source.Flag, index, reviewer)
		}
	}
	if n := e.count(rev, map[string]any{"flagged": true}); n != 2 {
		t.Errorf("flagged: true counts %d, want 2", n)
	}
}
