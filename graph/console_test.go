package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// The API additions the console needs: histograms in the browser's time
// zone, facet labels, user suggestions and a user's current account status.

var (
	ada   = audit.User{Type: audit.UserDashboard, ID: "u-ada", Name: "Ada Admin", Email: "ada@acme.test"}
	viola = audit.User{Type: audit.UserDashboard, ID: "u-viola", Name: "Viola Viewer", Email: "viola@acme.test"}
)

// TestHistogramInTimeZone: in America/New_York, the day clocks go forward
// (9 March 2025) starts at its midnight and lasts 23 hours; a zone that
// does not exist is BAD_USER_INPUT naming timeZone, as are two histograms
// of one listing in different zones.
func TestHistogramInTimeZone(t *testing.T) {
	onEachStore(t, envOptions{}, func(t *testing.T, e *env) {
		at := func(v string) map[string]any {
			ev := event("ny-"+strings.NewReplacer(":", "", "-", "").Replace(v), ada)
			ev["occurredAt"] = v
			return ev
		}
		// 04:30Z is 23:30 EST on 8 March; 05:30Z 00:30 EST on 9 March;
		// 2025-03-10T03:30Z is 23:30 EDT on 9 March.
		e.ingest("acme", at("2025-03-09T04:30:00Z"), at("2025-03-09T05:30:00Z"), at("2025-03-10T03:30:00Z"))
		key := e.key("acme", audit.RoleViewer, viola)
		const q = `query($tz: String) { events(filter: {from: "2025-03-01T00:00:00Z", to: "2025-03-20T00:00:00Z"}, first: 1) {
			facets { histogram(interval: DAY, timeZone: $tz) { start end count } } } }`
		type bucket struct {
			Start, End time.Time
			Count      int
		}
		var got struct {
			Events struct{ Facets struct{ Histogram []bucket } }
		}
		e.query(key, q, map[string]any{"tz": "America/New_York"}, &got)
		want := []bucket{
			{time.Date(2025, 3, 8, 5, 0, 0, 0, time.UTC), time.Date(2025, 3, 9, 5, 0, 0, 0, time.UTC), 1},
			{time.Date(2025, 3, 9, 5, 0, 0, 0, time.UTC), time.Date(2025, 3, 10, 4, 0, 0, 0, time.UTC), 2},
		}
		if len(got.Events.Facets.Histogram) != len(want) {
			t.Fatalf("histogram %+v, want %+v", got.Events.Facets.Histogram, want)
		}
		for i, b := range got.Events.Facets.Histogram {
			if !b.Start.Equal(want[i].Start) || !b.End.Equal(want[i].End) || b.Count != want[i].Count {
				t.Errorf("bucket %d = %+v, want %+v", i, b, want[i])
			}
		}
		// Without a zone, UTC days: 9 March holds the first two.
		e.query(key, q, nil, &got)
		if h := got.Events.Facets.Histogram; len(h) != 2 || h[0].Count != 2 || !h[0].Start.Equal(time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC)) ||
			h[0].End.Sub(h[0].Start) != 24*time.Hour {
			t.Errorf("UTC histogram %+v", h)
		}
		for _, tz := range []string{"Mars/Olympus_Mons", "Local", "", "europe/paris", "../../etc/passwd", strings.Repeat("A", 200)} {
			e.wantError(key, q, map[string]any{"tz": tz}, "BAD_USER_INPUT", "facets.histogram.timeZone")
		}
		e.wantError(key, `{ events(filter: {}) { facets { a: histogram(timeZone: "Europe/Paris") { count } b: histogram(timeZone: "Asia/Tokyo") { count } } } }`,
			nil, "BAD_USER_INPUT", "facets.histogram.timeZone")
	})
}

// TestFacetLabels: facet values come with the names a person reads.
func TestFacetLabels(t *testing.T) {
	onEachStore(t, envOptions{}, func(t *testing.T, e *env) {
		published := event("lbl-1", ada)
		published["priority"] = "CRITICAL"
		published["submodule"] = "Article lifecycle"
		custom := event("lbl-2", ada)
		custom["eventType"] = "REPORT_EXPORTED" // not in the catalog: registered
		custom["status"] = "IN_PROGRESS"
		e.ingest("acme", published, custom)
		var got struct {
			Events struct {
				Facets map[string][]struct {
					Value, Label string
					Count        int
				}
			}
		}
		e.query(e.key("acme", audit.RoleViewer, viola), `{ events(filter: {}) { facets {
			eventType { value label count } status { value label count } priority { value label count } submodule { value label count } } } }`, nil, &got)
		labels := map[string]string{}
		for facet, counts := range got.Events.Facets {
			for _, c := range counts {
				labels[facet+"/"+c.Value] = c.Label
			}
		}
		want := map[string]string{
			"eventType/ARTICLE_PUBLISHED": "Article published",
			"eventType/REPORT_EXPORTED":   "Report exported",
			"status/SUCCESS":              "Success",
			"status/IN_PROGRESS":          "In progress",
			"priority/CRITICAL":           "Critical",
			"priority/MEDIUM":             "Medium",
			"submodule/Article lifecycle": "Article lifecycle",
		}
		for k, v := range want {
			if labels[k] != v {
				t.Errorf("label of %s = %q, want %q (all: %v)", k, labels[k], v, labels)
			}
		}
	})
}

// TestUserSuggestions: viewers and admins get the users of their own
// tenant's visible events; emitters are refused; bad arguments name the
// field.
func TestUserSuggestions(t *testing.T) {
	onEachStore(t, envOptions{}, func(t *testing.T, e *env) {
		ana := audit.User{Type: audit.UserDashboard, ID: "u-ana", Name: "Ana Lima", Email: "ana@acme.test"}
		old := audit.User{Type: audit.UserDashboard, ID: "u-anton", Name: "Anton Old", Email: "anton@acme.test"}
		other := audit.User{Type: audit.UserDashboard, ID: "u-anais", Name: "Anaïs Globex", Email: "anais@globex.test"}
		withTarget := func(id string, actor audit.User, target map[string]any) map[string]any {
			ev := event(id, actor)
			ev["targetUser"] = target
			return ev
		}
		expired := event("sg-old", old)
		expired["occurredAt"] = time.Now().UTC().Add(-72 * time.Hour).Format(time.RFC3339)
		e.ingest("acme", event("sg-1", ana), event("sg-2", ana), expired,
			withTarget("sg-3", ana, map[string]any{"type": "DASHBOARD", "name": "Andrea Target", "email": "andrea@acme.test"}))
		e.ingest("globex", event("sg-g", other))
		admin := e.key("acme", audit.RoleAdmin, ada)
		// KMS keeps a day: the event of three days ago expires.
		e.query(admin, `mutation { configureComponent(id: "KMS", config: {loggingEnabled: true, retention: {value: 1, unit: DAYS}}) { id } }`, nil, nil)

		const q = `query($role: UserRole!, $prefix: String!, $first: Int) { userSuggestions(role: $role, prefix: $prefix, first: $first) { id name email type events } }`
		type suggestion struct {
			ID, Name, Email *string
			Type            string
			Events          int
		}
		var got struct{ UserSuggestions []suggestion }
		for _, key := range []string{admin, e.key("acme", audit.RoleViewer, viola)} {
			e.query(key, q, map[string]any{"role": "ACTION_USER", "prefix": "AN"}, &got)
			if s := got.UserSuggestions; len(s) != 1 || *s[0].ID != "u-ana" || s[0].Events != 3 || *s[0].Name != "Ana Lima" || s[0].Type != "DASHBOARD" {
				t.Errorf("action users for AN: %+v, want Ana with 3 events (not Anton, expired, nor Anaïs of globex)", s)
			}
		}
		e.query(admin, q, map[string]any{"role": "TARGET_USER", "prefix": "targ"}, &got)
		if s := got.UserSuggestions; len(s) != 1 || s[0].ID != nil || *s[0].Email != "andrea@acme.test" || s[0].Events != 1 {
			t.Errorf("target users for targ: %+v, want Andrea without an id", s)
		}
		e.wantError(e.key("acme", audit.RoleEmitter, audit.User{Type: audit.UserSystem, ID: "svc"}), q,
			map[string]any{"role": "ACTION_USER", "prefix": "an"}, "FORBIDDEN", "")
		e.wantError(admin, q, map[string]any{"role": "ACTION_USER", "prefix": ""}, "BAD_USER_INPUT", "prefix")
		e.wantError(admin, q, map[string]any{"role": "ACTION_USER", "prefix": strings.Repeat("é", 321)}, "BAD_USER_INPUT", "prefix")
		e.wantError(admin, q, map[string]any{"role": "ACTION_USER", "prefix": "an", "first": 0}, "BAD_USER_INPUT", "first")
		e.wantError(admin, q, map[string]any{"role": "ACTION_USER", "prefix": "an", "first": 51}, "BAD_USER_INPUT", "first")
	})
}

// TestCurrentAccountStatus: beside the status recorded with an event, a
// target user's newest recorded status; emitters reading their own user
// through viewer are refused it.
func TestCurrentAccountStatus(t *testing.T) {
	onEachStore(t, envOptions{}, func(t *testing.T, e *env) {
		target := func(id, status string, ago time.Duration) map[string]any {
			ev := event(id, ada)
			ev["occurredAt"] = time.Now().UTC().Add(-ago).Format(time.RFC3339)
			ev["targetUser"] = map[string]any{"type": "DASHBOARD", "id": "u-tom", "name": "Tom", "accountStatus": status}
			return ev
		}
		e.ingest("acme", target("st-old", "ACTIVE", 3*time.Hour), target("st-new", "TERMINATED", 2*time.Hour))
		key := e.key("acme", audit.RoleViewer, viola)
		var got struct {
			Event struct {
				TargetUser struct{ AccountStatus, CurrentAccountStatus *string }
				ActionUser struct{ CurrentAccountStatus *string }
			}
		}
		e.query(key, `{ event(id: "st-old") { targetUser { accountStatus currentAccountStatus } actionUser { currentAccountStatus } } }`, nil, &got)
		if tu := got.Event.TargetUser; tu.AccountStatus == nil || *tu.AccountStatus != "ACTIVE" || tu.CurrentAccountStatus == nil || *tu.CurrentAccountStatus != "TERMINATED" {
			t.Errorf("target user of the older event: %+v, want ACTIVE then, TERMINATED now", tu)
		}
		if got.Event.ActionUser.CurrentAccountStatus != nil {
			t.Errorf("Ada was never a target user, yet has status %v", *got.Event.ActionUser.CurrentAccountStatus)
		}
		e.wantError(e.key("acme", audit.RoleEmitter, audit.User{Type: audit.UserSystem, ID: "u-tom"}),
			`{ viewer { user { currentAccountStatus } } }`, nil, "FORBIDDEN", "")
	})
}
