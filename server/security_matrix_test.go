package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph/generated"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
)

// The isolation matrix runs every operation of the schema with a key of
// every role of tenant acme, once on acme's own data and once aimed at
// tenant globex's (its ids, names, components), and checks that:
//   - a role outside the operation's row gets FORBIDDEN and no data;
//   - an allowed call does what it should on acme's data, and finds,
//     counts, changes and exports nothing of globex's: no response body,
//     export download included, contains any of globex's canary strings,
//     and globex's stored data is the same after the calls as before.
// On SQLite each operation gets a fresh server and fixture; on OpenSearch,
// where creating a tenant's indices takes seconds, the rows share one, so
// reads run before writes and each write uses data of its own.

const (
	acme   = "acme"
	globex = "globex"
)

// canaries occur only in globex's data. A response may show one only if
// the request itself carried it (an id or name echoed back).
var canaries = []string{"canary", "198.51.100.77", "globexonly"}

var roles = []audit.Role{audit.RoleEmitter, audit.RoleViewer, audit.RoleAdmin}

// acmeEventIDs are acme's events; s-1 exists in both tenants.
var acmeEventIDs = []string{"a-1", "a-2", "a-3", "s-1"}

// globexEventIDs are globex's events; odd ones are of its own component
// GLOBEXONLY, which acme never saw.
var globexEventIDs = []string{"g-1", "g-2", "g-3", "g-4", "g-5", "g-6", "g-7", "g-8", "s-1"}

// globexIngested are the ids of globex's events that acme's ingest calls
// reuse, by role (the viewer's are refused); the other rows aim at g-1 and
// g-2, which acme never has.
var globexIngested = map[audit.Role][]string{
	audit.RoleEmitter: {"g-3", "g-4", "g-5"}, audit.RoleViewer: {"g-3", "g-4", "g-5"}, audit.RoleAdmin: {"g-6", "g-7", "g-8"},
}

// acmeWindow is when acme's seeded events occurred; events ingested by the
// matrix occur later.
const acmeWindow = `from: "2024-05-01T09:00:00Z", to: "2024-05-01T09:10:00Z"`

var later = base.Add(time.Hour)

// fixture is the data of both tenants, made through the API where the API
// can make it.
type fixture struct {
	e      *env
	acme   map[audit.Role]string // API keys
	globex map[audit.Role]string
	// globexFilter is a saved filter of globex's viewer (user id u-viewer,
	// as acme's viewer); globexNotes are globex notifications of users
	// whose ids acme's users share.
	globexFilter string
	globexNotes  []string
}

// Every acme user has two saved filters: one the matrix updates, one it deletes.
func acmeFilterID(r audit.Role) string  { return "sf-acme-" + string(r) }
func acmeFilter2ID(r audit.Role) string { return "sf-acme-" + string(r) + "-2" }
func acmeNoteID(r audit.Role) string    { return "n-acme-" + string(r) }

func globexEvent(id string, i int) map[string]any {
	ev := fullEvent(id, base.Add(time.Duration(i)*time.Minute))
	ev["description"] = "Canary secret of globex " + id
	ev["submodule"] = "Canary submodule"
	ev["redirectUrl"] = "https://globex.example/canary/" + id
	ev["details"] = map[string]any{"canary": "canary detail"}
	ev["actionUser"] = map[string]any{"type": "DASHBOARD", "id": "u-viewer", "name": "Canary Actor",
		"email": "actor@globex.example", "ipAddress": "198.51.100.77", "userAgent": "CanaryAgent/1.0"}
	ev["targetUser"] = map[string]any{"type": "DASHBOARD", "id": "u-admin", "name": "Canary Target",
		"email": "target@canary.example", "accountStatus": "ACTIVE"}
	if i%2 == 1 {
		ev["componentId"], ev["eventType"] = "GLOBEXONLY", "canary.activity"
	}
	return ev
}

func seed(t *testing.T, e *env) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{e: e, acme: map[audit.Role]string{}, globex: map[audit.Role]string{}}
	for _, r := range roles {
		f.acme[r] = e.key(acme, r)
		// Same user ids as acme's, so only the tenant tells them apart.
		key, _, err := e.keys.Create(ctx, audit.Principal{Tenant: globex, Role: r, User: audit.User{
			Type: audit.UserDashboard, ID: "u-" + string(r), Name: "Canary Globex " + string(r), Email: string(r) + "@canary.example",
		}})
		if err != nil {
			t.Fatalf("create globex key: %v", err)
		}
		f.globex[r] = key
	}

	var ingested struct{ IngestEvents []ingestResult }
	var in []any
	for i, id := range acmeEventIDs {
		in = append(in, fullEvent(id, base.Add(time.Duration(i)*time.Minute)))
	}
	e.query(f.acme[audit.RoleEmitter], ingestMany, map[string]any{"es": in}, &ingested)
	in = nil
	for i, id := range globexEventIDs {
		in = append(in, globexEvent(id, i))
	}
	e.query(f.globex[audit.RoleEmitter], ingestMany, map[string]any{"es": in}, &ingested)
	for _, r := range ingested.IngestEvents {
		if !r.Captured {
			t.Fatalf("globex seed event not captured: %+v", r)
		}
	}
	e.refresh()

	e.query(f.acme[audit.RoleViewer], `mutation { flagEvents(ids: ["a-3"], note: "acme review") { id } }`, nil, &struct{}{})
	e.query(f.globex[audit.RoleViewer], `mutation { flagEvents(ids: ["g-1"], note: "canary note") { id } }`, nil, &struct{}{})
	var saved struct{ SaveFilter struct{ ID string } }
	e.query(f.globex[audit.RoleViewer], `mutation { saveFilter(input: {name: "Canary filter", description: "canary", filter: {text: "canary"}}) { id } }`, nil, &saved)
	f.globexFilter = saved.SaveFilter.ID
	e.query(f.globex[audit.RoleAdmin], `mutation { configureComponent(id: "KMS", config: {loggingEnabled: true, minPriority: LOW, statuses: [SUCCESS, FAILED], version: 0}) { version } }`, nil, &struct{}{})

	var notes []audit.Notification
	for _, r := range roles {
		u := audit.User{Type: audit.UserDashboard, ID: "u-" + string(r)}
		flagger := audit.User{Type: audit.UserDashboard, ID: "u-x", Name: "Flagger"}
		notes = append(notes,
			audit.Notification{ID: acmeNoteID(r), Tenant: acme, Recipient: u, EventID: "a-1", EventType: "ARTICLE_PUBLISHED",
				ComponentID: "KMS", FlaggedBy: flagger, FlaggedAt: base, Note: "acme note"},
			audit.Notification{ID: "n-globex-" + string(r), Tenant: globex, Recipient: u, EventID: "g-2", EventType: "ARTICLE_PUBLISHED",
				ComponentID: "KMS", FlaggedBy: flagger, FlaggedAt: base, Note: "canary note"})
		f.globexNotes = append(f.globexNotes, "n-globex-"+string(r))
		for _, id := range []string{acmeFilterID(r), acmeFilter2ID(r)} {
			err := e.st.CreateSavedFilter(ctx, audit.SavedFilter{ID: id, Tenant: acme, OwnerID: "u-" + string(r),
				Name: id, CreatedAt: base, UpdatedAt: base})
			if err != nil {
				t.Fatalf("create saved filter: %v", err)
			}
		}
	}
	if err := e.st.AddNotifications(ctx, notes); err != nil {
		t.Fatalf("add notifications: %v", err)
	}
	// The notification flagging g-1 sent to globex's u-viewer.
	ns, err := e.st.ListNotifications(ctx, globex, audit.User{ID: "u-viewer"}, store.NotificationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if !slices.Contains(f.globexNotes, n.ID) {
			f.globexNotes = append(f.globexNotes, n.ID)
		}
	}
	// Capture counts reach the store at the indexer's next flush (every
	// second): wait for globex's, or a flush during a row would look like a
	// change made through acme's keys.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var captured int64
		for _, c := range []string{"KMS", "GLOBEXONLY"} {
			for v := range int64(3) {
				st, err := e.st.GetCaptureStats(ctx, globex, c, v)
				if err != nil {
					t.Fatalf("read globex capture stats: %v", err)
				}
				captured += st.Captured
			}
		}
		if captured >= int64(len(globexEventIDs)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("globex's capture counts show %d of its %d seed events", captured, len(globexEventIDs))
		}
	}
	e.refresh()
	return f
}

// globexState is everything stored for globex, to compare before and after.
func (f *fixture) globexState(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	f.e.refresh()
	st := f.e.st
	var state []any
	add := func(v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("read globex state: %v", err)
		}
		state = append(state, v)
	}
	add(st.SearchEvents(ctx, audit.Query{Tenant: globex, Order: audit.NewestFirst, Limit: 100, Facets: audit.AllFacets}))
	add(st.ListComponentConfigs(ctx, globex))
	add(st.ListActivities(ctx, globex))
	for _, c := range []string{"KMS", "GLOBEXONLY", "SET"} {
		for v := range int64(3) {
			add(st.GetCaptureStats(ctx, globex, c, v))
		}
	}
	for _, r := range roles {
		add(st.ListSavedFilters(ctx, globex, "u-"+string(r)))
		add(st.ListNotifications(ctx, globex, audit.User{ID: "u-" + string(r)}, store.NotificationQuery{}))
	}
	b, err := json.MarshalIndent(state, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// call is one GraphQL request.
type call struct {
	query string
	vars  map[string]any
}

// reply is what the server answered to a call.
type reply struct {
	status int
	body   string
	resp   gqlResponse
}

// opCase is one row of the matrix.
type opCase struct {
	// allowed are the roles that may run the operation.
	allowed []audit.Role
	// own aims the operation at acme's data; other at globex's, or, when
	// nothing in the operation can name another tenant's data, is nil and
	// own is checked for globex's data as well.
	own, other func(f *fixture, r audit.Role) call
	// check verifies the reply of an allowed call.
	check func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply)
}

var (
	readers  = []audit.Role{audit.RoleViewer, audit.RoleAdmin}
	emitters = []audit.Role{audit.RoleEmitter, audit.RoleAdmin}
	admins   = []audit.Role{audit.RoleAdmin}
	everyone = []audit.Role{audit.RoleEmitter, audit.RoleViewer, audit.RoleAdmin}
)

func q(query string) func(*fixture, audit.Role) call {
	return func(*fixture, audit.Role) call { return call{query: query} }
}

const connFields = `
fragment C on EventConnection {
  totalCount
  pageInfo { hasNextPage endCursor }
  edges { cursor node { ...E } }
  facets {
    eventType { value count } status { value count } priority { value count } submodule { value count }
    histogram { start count }
  }
}`

type connection struct {
	TotalCount int
	Edges      []struct{ Node map[string]any }
	Facets     map[string][]struct{ Count int }
}

// matrix has one row per operation of the schema, keyed "Type.field".
var matrix = map[string]opCase{
	"Query.events": {
		allowed: readers,
		// KMS only: acme's own AUDITLOG events (self-audit of the seed's
		// flag) are no business of this test.
		own: q(`{ events(filter: {components: ["KMS"], ` + acmeWindow + `}, first: 2) { ...C } }` + connFields + eventFields),
		other: q(`{
			text: events(filter: {text: "secret"}) { ...C }
			component: events(filter: {components: ["GLOBEXONLY"]}) { ...C }
			actor: events(filter: {actionUser: "actor@globex.example"}) { ...C }
		}` + connFields + eventFields),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got map[string]connection
			decode(t, rep, &got)
			want := len(acmeEventIDs)
			if other {
				want = 0
			}
			for alias, c := range got {
				if c.TotalCount != want {
					t.Errorf("%s: totalCount %d, want %d", alias, c.TotalCount, want)
				}
				if !other && len(c.Edges) != 2 {
					t.Errorf("%s: %d edges, want 2", alias, len(c.Edges))
				}
				if other && len(c.Edges) != 0 {
					t.Errorf("%s: %d edges, want none", alias, len(c.Edges))
				}
				for _, e := range c.Edges {
					if e.Node["tenant"] != acme {
						t.Errorf("%s: event of tenant %v", alias, e.Node["tenant"])
					}
				}
				for name, counts := range c.Facets {
					sum := 0
					for _, n := range counts {
						sum += n.Count
					}
					if sum != want {
						t.Errorf("%s: facet %s counts %d events, want %d", alias, name, sum, want)
					}
				}
			}
		},
	},
	"Query.event": {
		allowed: readers,
		own:     q(`{ a: event(id: "a-1") { ...E } s: event(id: "s-1") { ...E } }` + eventFields),
		other:   q(`{ g: event(id: "g-1") { ...E } o: event(id: "g-2") { ...E } }` + eventFields),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got map[string]map[string]any
			decode(t, rep, &got)
			for alias, ev := range got {
				switch {
				case other && ev != nil:
					t.Errorf("%s: other tenant's event returned: %v", alias, ev)
				case !other && (ev == nil || ev["tenant"] != acme || ev["description"] != fullEvent("", base)["description"]):
					t.Errorf("%s: own event %v", alias, ev)
				}
			}
		},
	},
	"Query.components": {
		allowed: readers,
		own:     q(`{ components { id version updatedBy { name } activities { code } criteria { minPriority statuses } stats { captured } } }`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct {
				Components []struct {
					ID        string
					Version   int
					UpdatedBy *struct{ Name string }
				}
			}
			decode(t, rep, &got)
			found := false
			for _, c := range got.Components {
				if c.ID != "KMS" {
					continue
				}
				found = true
				if c.Version != 0 || c.UpdatedBy != nil {
					t.Errorf("acme's KMS card shows %+v, want version 0, never saved", c)
				}
			}
			if !found {
				t.Error("no KMS card")
			}
		},
	},
	"Query.component": {
		allowed: readers,
		own:     q(`{ component(id: "KMS") { id version updatedBy { name } activities { code } criteria { statuses } stats { captured } } }`),
		other:   q(`{ component(id: "GLOBEXONLY") { id version activities { code } stats { captured } } }`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct {
				Component *struct {
					Version   int
					UpdatedBy *struct{ Name string }
				}
			}
			decode(t, rep, &got)
			switch c := got.Component; {
			case other && c != nil:
				t.Errorf("globex's own component shown to acme: %+v", c)
			case !other && (c == nil || c.Version != 0 || c.UpdatedBy != nil):
				t.Errorf("acme's KMS shows %+v, want version 0, never saved", c)
			}
		},
	},
	"Query.savedFilters": {
		allowed: readers,
		own:     q(`{ savedFilters { id name description filter { text } } }`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct{ SavedFilters []struct{ ID string } }
			decode(t, rep, &got)
			if len(got.SavedFilters) != 2 || got.SavedFilters[0].ID != acmeFilterID(r) || got.SavedFilters[1].ID != acmeFilter2ID(r) {
				t.Errorf("saved filters %+v, want only %s and %s", got.SavedFilters, acmeFilterID(r), acmeFilter2ID(r))
			}
		},
	},
	"Query.notifications": {
		allowed: readers,
		own:     q(`{ notifications { id eventId eventType note flaggedBy { name } } }`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct{ Notifications []struct{ ID string } }
			decode(t, rep, &got)
			if len(got.Notifications) != 1 || got.Notifications[0].ID != acmeNoteID(r) {
				t.Errorf("notifications %+v, want only %s", got.Notifications, acmeNoteID(r))
			}
		},
	},
	"Query.userSuggestions": {
		allowed: readers,
		own: q(`{ a: userSuggestions(role: ACTION_USER, prefix: "priya") { ...S } t: userSuggestions(role: TARGET_USER, prefix: "tom@") { ...S } }
			fragment S on UserSuggestion { id name email type events }`),
		// globex's users, by name, id and email, in both roles (acme has a
		// u-viewer of its own: its self-audit's flagger).
		other: q(`{
			name: userSuggestions(role: ACTION_USER, prefix: "canary") { id name events }
			email: userSuggestions(role: ACTION_USER, prefix: "actor@globex") { id name events }
			target: userSuggestions(role: TARGET_USER, prefix: "canary") { id name events }
			targetID: userSuggestions(role: TARGET_USER, prefix: "u-admin") { id name events }
		}`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got map[string][]struct {
				ID     string
				Events int
			}
			decode(t, rep, &got)
			for alias, sg := range got {
				switch {
				case other && len(sg) != 0:
					t.Errorf("%s: globex's users suggested to acme: %+v", alias, sg)
				case !other && (len(sg) != 1 || sg[0].Events != len(acmeEventIDs)):
					t.Errorf("%s: %+v, want acme's one user with %d events", alias, sg, len(acmeEventIDs))
				}
			}
		},
	},
	"Query.viewer": {
		allowed: everyone,
		own:     q(`{ viewer { tenant role keyId components user { id name email } } }`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct {
				Viewer struct {
					Tenant string
					Role   audit.Role
					User   struct{ ID string }
				}
			}
			decode(t, rep, &got)
			if v := got.Viewer; v.Tenant != acme || v.Role != r || v.User.ID != "u-"+string(r) {
				t.Errorf("viewer %+v", v)
			}
		},
	},

	"Mutation.ingestEvent": {
		allowed: emitters,
		own: func(f *fixture, r audit.Role) call {
			return call{ingestOne, map[string]any{"e": fullEvent("i-"+string(r), later)}}
		},
		// globex's ids are free in acme: the same id is another event.
		other: func(f *fixture, r audit.Role) call {
			return call{ingestOne, map[string]any{"e": fullEvent(globexIngested[r][0], later)}}
		},
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct{ IngestEvent ingestResult }
			decode(t, rep, &got)
			if res := got.IngestEvent; !res.Captured || res.Duplicate || res.Error != nil {
				t.Errorf("ingest: %+v", res)
			}
		},
	},
	"Mutation.ingestEvents": {
		allowed: emitters,
		own: func(f *fixture, r audit.Role) call {
			return call{ingestMany, map[string]any{"es": []any{fullEvent("b1-"+string(r), later), fullEvent("b2-"+string(r), later)}}}
		},
		other: func(f *fixture, r audit.Role) call {
			ids := globexIngested[r]
			return call{ingestMany, map[string]any{"es": []any{fullEvent(ids[1], later), fullEvent(ids[2], later)}}}
		},
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct{ IngestEvents []ingestResult }
			decode(t, rep, &got)
			if len(got.IngestEvents) != 2 {
				t.Fatalf("results %+v", got.IngestEvents)
			}
			for _, res := range got.IngestEvents {
				if !res.Captured || res.Duplicate || res.Error != nil {
					t.Errorf("ingest: %+v", res)
				}
			}
		},
	},
	"Mutation.flagEvents": {
		allowed: readers,
		own:     q(`mutation { flagEvents(ids: ["a-1", "a-2"], note: "acme review") { id tenant flag { by { id } note } } }`),
		other:   q(`mutation { flagEvents(ids: ["g-1", "g-2", "g-3"], note: "mine now") { id tenant flag { by { id } note } } }`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct {
				FlagEvents []struct {
					Tenant string
					Flag   *struct{}
				}
			}
			decode(t, rep, &got)
			want := 2
			if other {
				want = 0
			}
			if len(got.FlagEvents) != want {
				t.Errorf("flagged %+v, want %d events", got.FlagEvents, want)
			}
			for _, ev := range got.FlagEvents {
				if ev.Tenant != acme || ev.Flag == nil {
					t.Errorf("flagged %+v", ev)
				}
			}
		},
	},
	"Mutation.unflagEvents": {
		allowed: readers,
		own:     q(`mutation { unflagEvents(ids: ["a-3"]) { id tenant flag { at } } }`),
		other:   q(`mutation { unflagEvents(ids: ["g-1"]) { id tenant flag { at } } }`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct {
				UnflagEvents []struct {
					ID   string
					Flag *struct{}
				}
			}
			decode(t, rep, &got)
			switch {
			case other && len(got.UnflagEvents) != 0:
				t.Errorf("unflagged globex's events: %+v", got.UnflagEvents)
			case !other && (len(got.UnflagEvents) != 1 || got.UnflagEvents[0].ID != "a-3" || got.UnflagEvents[0].Flag != nil):
				t.Errorf("unflag a-3: %+v", got.UnflagEvents)
			}
		},
	},
	"Mutation.configureComponent": {
		allowed: admins,
		own:     q(`mutation { configureComponent(id: "SET", config: {loggingEnabled: true, minPriority: HIGH, version: 0}) { id version updatedBy { id } stats { captured } } }`),
		// Globex saved KMS once (version 1); acme's KMS is still at
		// version 0, so saving over version 0 is no conflict.
		other: q(`mutation { configureComponent(id: "KMS", config: {loggingEnabled: true, version: 0}) { id version updatedBy { id } stats { captured } } }`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct {
				ConfigureComponent *struct {
					Version   int
					UpdatedBy struct{ ID string }
				}
			}
			decode(t, rep, &got)
			if c := got.ConfigureComponent; c == nil || c.Version != 1 || c.UpdatedBy.ID != "u-admin" {
				t.Errorf("configured %+v, want version 1 by u-admin", c)
			}
		},
	},
	"Mutation.saveFilter": {
		allowed: readers,
		own: func(f *fixture, r audit.Role) call {
			return call{`mutation($name: String!) { saveFilter(input: {name: $name, filter: {}}) { id name } }`, map[string]any{"name": "new-" + string(r)}}
		},
		// Names are unique per user within a tenant: globex's user of the
		// same id has this name already.
		other: q(`mutation { saveFilter(input: {name: "Canary filter", filter: {text: "canary"}}) { id name } }`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct{ SaveFilter struct{ ID, Name string } }
			decode(t, rep, &got)
			if got.SaveFilter.ID == "" || got.SaveFilter.ID == f.globexFilter {
				t.Errorf("saved %+v", got.SaveFilter)
			}
		},
	},
	"Mutation.updateSavedFilter": {
		allowed: readers,
		own: func(f *fixture, r audit.Role) call {
			return call{`mutation($id: ID!) { updateSavedFilter(id: $id, input: {name: "renamed", filter: {}}) { id name } }`,
				map[string]any{"id": acmeFilterID(r)}}
		},
		other: func(f *fixture, r audit.Role) call {
			return call{`mutation($id: ID!) { updateSavedFilter(id: $id, input: {name: "stolen", filter: {}}) { id name description } }`,
				map[string]any{"id": f.globexFilter}}
		},
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			if other {
				wantCode(t, rep, "NOT_FOUND")
				return
			}
			var got struct{ UpdateSavedFilter struct{ ID, Name string } }
			decode(t, rep, &got)
			if got.UpdateSavedFilter.ID != acmeFilterID(r) || got.UpdateSavedFilter.Name != "renamed" {
				t.Errorf("updated %+v", got.UpdateSavedFilter)
			}
		},
	},
	"Mutation.deleteSavedFilter": {
		allowed: readers,
		own: func(f *fixture, r audit.Role) call {
			return call{`mutation($id: ID!) { deleteSavedFilter(id: $id) }`, map[string]any{"id": acmeFilter2ID(r)}}
		},
		other: func(f *fixture, r audit.Role) call {
			return call{`mutation($id: ID!) { deleteSavedFilter(id: $id) }`, map[string]any{"id": f.globexFilter}}
		},
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct{ DeleteSavedFilter bool }
			decode(t, rep, &got)
			if got.DeleteSavedFilter == other {
				t.Errorf("deleteSavedFilter = %v", got.DeleteSavedFilter)
			}
		},
	},
	"Mutation.exportEvents": {
		allowed: readers,
		own:     q(`mutation { exportEvents(filter: {components: ["KMS"], ` + acmeWindow + `}) { url expiresAt } }`),
		other: q(`mutation {
			ids: exportEvents(ids: ["g-1", "g-2"]) { url expiresAt }
			component: exportEvents(filter: {components: ["GLOBEXONLY"]}) { url expiresAt }
		}`),
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got map[string]struct{ URL string }
			decode(t, rep, &got)
			for alias, link := range got {
				rows := f.download(t, link.URL)
				want := len(acmeEventIDs)
				if other {
					want = 0
				}
				if len(rows) != want {
					t.Errorf("%s: export has %d rows, want %d: %v", alias, len(rows), want, rows)
				}
			}
		},
	},
	"Mutation.markNotificationsRead": {
		allowed: readers,
		own: func(f *fixture, r audit.Role) call {
			return call{`mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`, map[string]any{"ids": []string{acmeNoteID(r)}}}
		},
		other: func(f *fixture, r audit.Role) call {
			return call{`mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`, map[string]any{"ids": f.globexNotes}}
		},
		check: func(t *testing.T, f *fixture, r audit.Role, other bool, rep reply) {
			var got struct{ MarkNotificationsRead int }
			decode(t, rep, &got)
			want := 1
			if other {
				want = 0
			}
			if got.MarkNotificationsRead != want {
				t.Errorf("marked %d read, want %d", got.MarkNotificationsRead, want)
			}
		},
	},
}

func TestMatrixCoversEverySchemaOperation(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	var ops []string
	for _, typ := range []*ast.Definition{schema.Query, schema.Mutation, schema.Subscription} {
		if typ == nil {
			continue
		}
		for _, f := range typ.Fields {
			if !strings.HasPrefix(f.Name, "__") {
				ops = append(ops, typ.Name+"."+f.Name)
			}
		}
	}
	for _, op := range ops {
		row, ok := matrix[op]
		if !ok {
			t.Errorf("operation %s has no row in the security matrix: say which roles may run it and how it stays in its tenant", op)
			continue
		}
		// The server enforces auth's matrix; it must say what this row says.
		action, ok := auth.OperationAction(op)
		if !ok {
			t.Errorf("operation %s is not in auth's role matrix (auth/operations.go)", op)
			continue
		}
		for _, r := range roles {
			if auth.Allowed(r, action) != slices.Contains(row.allowed, r) {
				t.Errorf("%s as %s: auth allows %v, the matrix says %v", op, r, auth.Allowed(r, action), slices.Contains(row.allowed, r))
			}
		}
	}
	for op := range matrix {
		if !slices.Contains(ops, op) {
			t.Errorf("matrix row %s is not an operation of the schema", op)
		}
	}
}

func TestTenantIsolationMatrix(t *testing.T) {
	runMatrix(t, envOptions{}, false)
}

func TestTenantIsolationMatrixOpenSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("OpenSearch matrix skipped in -short mode")
	}
	url := opensearchtest.URL(t)
	runMatrix(t, envOptions{open: func(t testing.TB) store.Store {
		st, err := opensearch.New(context.Background(), opensearch.Config{
			URLs: []string{url}, Prefix: opensearchtest.Prefix(t, url), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Fatalf("open OpenSearch store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}}, true)
}

// runMatrix runs every row, each on a fresh fixture unless shared.
func runMatrix(t *testing.T, opts envOptions, shared bool) {
	names := make([]string, 0, len(matrix))
	for name := range matrix {
		names = append(names, name)
	}
	// Reads first: on a shared fixture they must see it as seeded.
	sort.Slice(names, func(i, j int) bool {
		qi, qj := strings.HasPrefix(names[i], "Query."), strings.HasPrefix(names[j], "Query.")
		if qi != qj {
			return qi
		}
		return names[i] < names[j]
	})
	var sharedFixture *fixture
	if shared {
		sharedFixture = seed(t, newEnvWith(t, server.Config{}, opts))
	}
	for _, name := range names {
		row := matrix[name]
		t.Run(name, func(t *testing.T) {
			f := sharedFixture
			if f == nil {
				f = seed(t, newEnvWith(t, server.Config{}, opts))
			}
			before := f.globexState(t)
			for _, r := range roles {
				for _, other := range []bool{false, true} {
					mk := row.own
					if other {
						if row.other == nil {
							continue // nothing to aim at globex: own was checked for its data
						}
						mk = row.other
					}
					c := mk(f, r)
					t.Run(fmt.Sprintf("%s/%s", r, map[bool]string{false: "own", true: "other"}[other]), func(t *testing.T) {
						rep := f.do(t, r, c)
						if !slices.Contains(row.allowed, r) {
							wantCode(t, rep, "FORBIDDEN")
							if !noData(rep.resp.Data) {
								t.Errorf("refused, yet returned data %s", rep.resp.Data)
							}
							return
						}
						if other && row.check == nil {
							return
						}
						row.check(t, f, r, other, rep)
					})
					f.e.refresh()
				}
			}
			if after := f.globexState(t); after != before {
				t.Errorf("globex's data changed through acme's keys:\nbefore %s\nafter %s", before, after)
			}
		})
	}
}

// do runs c with acme's key of role r and checks the body for canaries.
func (f *fixture) do(t *testing.T, r audit.Role, c call) reply {
	t.Helper()
	status, raw := f.e.post(f.acme[r], c.query, c.vars)
	rep := reply{status: status, body: string(raw)}
	if err := json.Unmarshal(raw, &rep.resp); err != nil {
		t.Fatalf("decode response (%d): %v\n%s", status, err, raw)
	}
	vars, _ := json.Marshal(c.vars)
	noCanary(t, c.query+string(vars), rep.body)
	return rep
}

// download fetches an export link and returns its data rows, checking the
// file for canaries.
func (f *fixture) download(t *testing.T, url string) [][]string {
	t.Helper()
	status, body := f.e.get(url)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, status, body)
	}
	noCanary(t, "", body)
	r := csv.NewReader(strings.NewReader(body))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read CSV: %v", err)
	}
	var data [][]string
	for _, row := range rows[1:] { // header first; a complete file ends with a one-cell trailer
		if len(row) > 1 {
			data = append(data, row)
		}
	}
	return data
}

// noCanary fails when body shows a canary that request did not carry.
func noCanary(t *testing.T, request, body string) {
	t.Helper()
	lb, lr := strings.ToLower(body), strings.ToLower(request)
	for _, c := range canaries {
		if strings.Contains(lb, c) && !strings.Contains(lr, c) {
			t.Errorf("response shows globex's %q:\n%s", c, body)
		}
	}
}

func decode(t *testing.T, rep reply, out any) {
	t.Helper()
	if rep.status != http.StatusOK || len(rep.resp.Errors) > 0 {
		t.Fatalf("status %d, errors %+v", rep.status, rep.resp.Errors)
	}
	if err := json.Unmarshal(rep.resp.Data, out); err != nil {
		t.Fatalf("decode data: %v\n%s", err, rep.resp.Data)
	}
}

func wantCode(t *testing.T, rep reply, code string) {
	t.Helper()
	if len(rep.resp.Errors) == 0 {
		t.Fatalf("no error, data %s; want %s", rep.resp.Data, code)
	}
	for _, e := range rep.resp.Errors {
		if e.Extensions["code"] != code {
			t.Errorf("error %q has code %v, want %s", e.Message, e.Extensions["code"], code)
		}
	}
}
