package storetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// The search cases run read-only over one deterministic data set per store:
// a main tenant whose answers the reference model computes, and canary
// tenants whose strings must never surface in the main tenant's answers.
// One canary's name extends the main tenant's ("acme-x"), as a store that
// selects a tenant's data by name prefix (an index pattern "acme-*") would
// also select it; the other's shares nothing with it.
const (
	fxTenant           = "acme"
	canaryTenant       = "globex"
	prefixCanaryTenant = fxTenant + "-x"
	// canaryMark is in every string of the canary tenant and in none of the
	// main tenant's.
	canaryMark      = "zzcanary"
	canaryComponent = "ZZCANARY"
)

// fxEnd is the end of the 90 days the fixture's events occurred in. It is
// a fixed instant so that runs are reproducible.
var fxEnd = time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC)

// fxType is an activity the fixture emits.
type fxType struct {
	component  string
	code       string
	name       string
	submodules []string // "" means no submodule
	priority   audit.Priority
}

// fxTypes has more than ten event types and submodules so that a backend
// cutting facets at an engine default (terms size 10) is caught.
var fxTypes = []fxType{
	{"CMS", "user_group.create", "Create user group", []string{"User Groups", ""}, audit.PriorityMedium},
	{"CMS", "user_group.update", "Update user group", []string{"User Groups"}, audit.PriorityMedium},
	{"CMS", "department.update", "Update department", []string{"Departments", ""}, audit.PriorityMedium},
	{"CMS", "sla_policy.create", "Create SLA policy", []string{"SLA Policies"}, audit.PriorityMedium},
	{"KMS", "article.published", "Article published", []string{"Article lifecycle"}, audit.PriorityHigh},
	{"KMS", "article.archived", "Article archived", []string{"Article lifecycle", ""}, audit.PriorityHigh},
	{"KMS", "connector.connected", "Connector connected", []string{"Connectors and sync"}, audit.PriorityHigh},
	{"KMS", "tag.created", "Tag created", []string{"KM settings", ""}, audit.PriorityLow},
	{"SET", "user.login", "User login", []string{""}, audit.PriorityLow},
	{"SET", "password.changed", "Password changed", []string{"", "Access"}, audit.PriorityHigh},
	{"SET", "role.changed", "Role changed", []string{"Access"}, audit.PriorityHigh},
	{"SET", "user.deactivated", "User deactivated", []string{"Access"}, audit.PriorityCritical},
	{"ONBOARDING", "candidate.added", "Candidate added (single)", []string{"Candidate lifecycle"}, audit.PriorityMedium},
	{"ONBOARDING", "form.approved", "Form approved", []string{"Forms"}, audit.PriorityMedium},
	{"ONBOARDING", "task.trigger.completed", "Task trigger completed", []string{"Tasks and triggers", ""}, audit.PriorityMedium},
	// An activity the catalog does not know: no display name.
	{"ONBOARDING", "custom.sync", "", []string{""}, audit.PriorityLow},
}

// fxPhrases make up descriptions. Their words are known, so text queries
// have known answers; some are tricky for tokenizers on purpose (operator
// words, '_', '.', apostrophes, diacritics, CJK, mixed case). No phrase
// contains "deactivated", "login" or "single", which only event type names
// carry.
var fxPhrases = []string{
	"user group created",
	"group user removed",
	"approval not required",
	"sync and notify",
	"retry or skip",
	"near expiry",
	"NOT approved AND escalated OR near breach",
	"café in Zürich",
	"admin's user_group renamed",
	"see docs.example.com",
	"WorkLM v2.1 configured",
	"東京 office",
	"SLA policy breached",
	"password reset requested",
	"role granted to user",
	"article review pending",
	"connector sync failed",
	"passport verified",
}

// fxUsers are the action and target users; ids, names and emails in mixed
// case, two ids differing only by case, two users sharing a name, users
// without id or email.
var fxUsers = []audit.User{
	{Type: audit.UserDashboard, ID: "u-1001", Name: "Alice Smith", Email: "Alice.Smith@Example.com", IPAddress: "10.0.0.1"},
	{Type: audit.UserDashboard, ID: "U-1002", Name: "Bob Jones", Email: "bob.jones@example.com", IPAddress: "10.0.0.2"},
	{Type: audit.UserDashboard, ID: "u-1002", Name: "Bobby Jones", Email: "BOBBY@example.com"},
	{Type: audit.UserDashboard, ID: "u-1003", Name: "Sam Lee", Email: "sam.lee@example.com"},
	{Type: audit.UserDashboard, ID: "u-1004", Name: "Sam Lee", Email: "sam.lee2@example.com"},
	{Type: audit.UserDashboard, ID: "u-1005", Name: "Zoë Müller", Email: "zoe.mueller@example.de", IPAddress: "2001:db8::5"},
	{Type: audit.UserDashboard, ID: "u-1006", Name: "Priya Raman", Email: "Priya.Raman@Example.com", UserAgent: "Mozilla/5.0"},
	{Type: audit.UserBot, ID: "bot-leena", Name: "Leena Bot"},
	{Type: audit.UserSystem, Name: "System"},
}

var canaryUser = audit.User{Type: audit.UserDashboard, ID: canaryMark + "-user", Name: "Zzcanary Person", Email: "Zzcanary@globex.test"}

// fixture is a generated data set and the reference model of its main tenant.
type fixture struct {
	// main holds the main tenant's events as stored, flags included.
	main *model
	// canary holds the canary tenants' events as written (without flags).
	canary []audit.Event
	// write is every event in the order it is written (every tenant).
	write []audit.Event
	// flags lists the ids to flag per tenant, with the flag to set.
	flags map[string][]string
	flag  audit.Flag
	// hot are instants shared by many events, to exercise the id tiebreak.
	hot []time.Time
}

// canaryTenants are the tenants whose data must never leak into the main
// tenant's answers.
var canaryTenants = []string{canaryTenant, prefixCanaryTenant}

// newFixture generates n main-tenant events and n/10 events of each canary
// tenant from seed.
func newFixture(seed uint64, n int) *fixture {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	start := fxEnd.Add(-90 * 24 * time.Hour)
	fx := &fixture{
		main:  &model{tenant: fxTenant},
		flags: map[string][]string{},
		flag: audit.Flag{
			By:   fxUsers[0],
			At:   time.Date(2025, 4, 1, 9, 30, 0, 123_000_000, time.UTC),
			Note: "review",
		},
	}
	// Instants shared by many events: random milliseconds, and midnights
	// (day and, since 1970-01-01 was a Thursday, week histogram boundaries).
	for range 30 {
		fx.hot = append(fx.hot, start.Add(time.Duration(r.Int64N(int64(90*24*time.Hour)))).Truncate(time.Millisecond))
	}
	for d := 3; d < 90; d += 11 {
		fx.hot = append(fx.hot, start.AddDate(0, 0, d))
	}
	ids := map[string]bool{}
	newID := func() string {
		for {
			id := randomID(r)
			if !ids[id] {
				ids[id] = true
				return id
			}
		}
	}
	occurred := func() time.Time {
		if r.IntN(4) == 0 {
			return fx.hot[r.IntN(len(fx.hot))]
		}
		return start.Add(time.Duration(r.Int64N(int64(90 * 24 * time.Hour)))).Truncate(time.Millisecond)
	}
	for range n {
		e := fx.event(r, newID(), occurred())
		fx.main.events = append(fx.main.events, e)
		if r.IntN(7) == 0 {
			fx.flags[fxTenant] = append(fx.flags[fxTenant], e.ID)
		}
	}
	// Canary events: some reuse main-tenant ids (the same in every canary
	// tenant) and instants, every string carries the canary mark; half are
	// of the main tenant's components.
	for _, tenant := range canaryTenants {
		for i := range n / 10 {
			id := newID()
			if i%3 == 0 {
				id = fx.main.events[i*7%n].ID // distinct for i < n/7
			}
			e := fx.event(r, id, occurred())
			e.Tenant = tenant
			e.Description = canaryMark + " secret " + e.Description
			e.ActionUser = canaryUser
			e.TargetUser = &audit.User{Type: audit.UserDashboard, ID: canaryMark + "-target", Name: "Zzcanary Target", Email: "target@" + canaryMark + ".test"}
			e.EventTypeName = "Zzcanary " + e.EventTypeName
			e.Submodule = "Zzcanary Sub"
			if i%2 == 0 {
				e.ComponentID = canaryComponent
				e.EventType = canaryMark + ".type"
			}
			fx.canary = append(fx.canary, e)
			if i%4 == 0 {
				fx.flags[tenant] = append(fx.flags[tenant], e.ID)
			}
		}
	}
	// Interleave the tenants' writes so that batches mix them.
	fx.write = make([]audit.Event, 0, len(fx.main.events)+len(fx.canary))
	c := 0
	for i, e := range fx.main.events {
		fx.write = append(fx.write, e)
		if i%5 == 4 && c < len(fx.canary) {
			fx.write = append(fx.write, fx.canary[c])
			c++
		}
	}
	fx.write = append(fx.write, fx.canary[c:]...)
	for _, id := range fx.flags[fxTenant] {
		fx.main.setFlag(id, fx.flag)
	}
	return fx
}

// event generates one main-tenant event.
func (fx *fixture) event(r *rand.Rand, id string, at time.Time) audit.Event {
	ty := fxTypes[r.IntN(len(fxTypes))]
	e := audit.Event{
		ID:            id,
		Tenant:        fxTenant,
		ComponentID:   ty.component,
		Submodule:     ty.submodules[r.IntN(len(ty.submodules))],
		EventType:     ty.code,
		EventTypeName: ty.name,
		Priority:      audit.Priorities[r.IntN(len(audit.Priorities))],
		Status:        audit.Statuses[r.IntN(len(audit.Statuses))],
		ActionUser:    fxUsers[r.IntN(len(fxUsers))],
		OccurredAt:    at,
		IngestedAt:    at.Add(time.Duration(r.IntN(5000)) * time.Millisecond),
	}
	if r.IntN(3) > 0 {
		e.Priority = ty.priority // mostly the catalog's priority
	}
	if r.IntN(10) > 0 { // some events were captured without a description
		var parts []string
		for range 1 + r.IntN(3) {
			parts = append(parts, fxPhrases[r.IntN(len(fxPhrases))])
		}
		e.Description = strings.Join(parts, ". ")
		if r.IntN(4) == 0 {
			// Many distinct numbers: a prefix like 1* expands to more
			// terms than an engine's default expansion limit (50).
			e.Description += fmt.Sprintf(" (ticket %d)", 1000+r.IntN(9000))
		}
	}
	if r.IntN(10) < 7 {
		u := fxUsers[r.IntN(len(fxUsers))]
		u.IPAddress, u.UserAgent = "", ""
		u.AccountStatus = audit.AccountActive
		if r.IntN(5) == 0 {
			u.AccountStatus = audit.AccountTerminated
		}
		e.TargetUser = &u
	}
	if r.IntN(4) == 0 {
		e.RedirectURL = "https://admin.example.com/config/" + strings.ToLower(ty.component)
	}
	if r.IntN(5) == 0 {
		e.Details = map[string]any{"field": "name", "old": "Before", "new": "After"}
	}
	return e
}

// randomID returns a valid event id whose order is unrelated to time, in
// mixed case so that a case-insensitive id order is caught.
func randomID(r *rand.Rand) string {
	const first = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	const rest = first + "._:-"
	b := make([]byte, 6+r.IntN(10))
	b[0] = first[r.IntN(len(first))]
	for i := 1; i < len(b); i++ {
		b[i] = rest[r.IntN(len(rest))]
	}
	return string(b)
}

// load writes the fixture into s in batches, flags its events and makes
// everything visible to searches.
func (fx *fixture) load(t *testing.T, s store.Store) {
	t.Helper()
	writeAll(t, s, fx.write, 500)
	refresh(t, s)
	for _, tenant := range append([]string{fxTenant}, canaryTenants...) {
		ids := fx.flags[tenant]
		for i := 0; i < len(ids); i += 100 {
			batch := ids[i:min(i+100, len(ids))]
			got, err := s.FlagEvents(ctx(t), tenant, batch, fx.flag)
			if err != nil {
				t.Fatalf("FlagEvents(%s): %v", tenant, err)
			}
			for _, id := range batch {
				if _, ok := got[id]; !ok {
					t.Fatalf("FlagEvents(%s) did not return flagged event %q", tenant, id)
				}
			}
		}
	}
	refresh(t, s)
}

// writeAll writes events in batches of size and fails the test unless every
// event was newly stored.
func writeAll(t *testing.T, s store.Store, events []audit.Event, size int) {
	t.Helper()
	for i := 0; i < len(events); i += size {
		batch := events[i:min(i+size, len(events))]
		res, err := s.WriteEvents(ctx(t), batch)
		if err != nil {
			t.Fatalf("WriteEvents(%d events): %v", len(batch), err)
		}
		if len(res) != len(batch) {
			t.Fatalf("WriteEvents returned %d results for %d events", len(res), len(batch))
		}
		for j, r := range res {
			if r.Err != nil || r.Duplicate {
				t.Fatalf("WriteEvents item %d (tenant %s id %q): err %v duplicate %v", i+j, batch[j].Tenant, batch[j].ID, r.Err, r.Duplicate)
			}
		}
	}
}
