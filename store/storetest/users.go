package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

func testUsers(t *testing.T, newStore Factory) {
	t.Run("Suggestions", func(t *testing.T) { testUserSuggestions(t, newStore) })
	t.Run("LatestAccountStatus", func(t *testing.T) { testLatestAccountStatus(t, newStore) })
}

// testUserSuggestions: users are suggested by a case-insensitive prefix of
// their id, email, name or a later word of the name, in one role, most
// events first, counting only the tenant's visible events.
func testUserSuggestions(t *testing.T, newStore Factory) {
	s := newStore(t)
	ana := audit.User{Type: audit.UserDashboard, ID: "u-ana", Name: "Ana Müller", Email: "Ana@Acme.test", IPAddress: "10.0.0.1"}
	anabot := audit.User{Type: audit.UserBot, Name: "Anabel Bot"}
	sys := audit.User{Type: audit.UserSystem, ID: "a-sys"}
	bob := audit.User{Type: audit.UserDashboard, ID: "U-Bob", Name: "Bob Stone", Email: "bob@acme.test"}
	carl := audit.User{Type: audit.UserDashboard, Name: "Carl Anders", Email: "carl@acme.test"}
	dora := audit.User{Type: audit.UserDashboard, ID: "u-dora", Name: "Dora Ánh", Email: "dora@acme.test"}
	anatoly := audit.User{Type: audit.UserDashboard, ID: "u-anatoly", Name: "Anatoly", Email: "anatoly@globex.test"}

	var events []audit.Event
	add := func(tenant, component string, action audit.User, target *audit.User) {
		e := minimalEvent(tenant, fmt.Sprintf("sg-%02d", len(events)), component, baseTime.Add(time.Duration(len(events))*time.Minute))
		e.ActionUser, e.TargetUser = action, target
		events = append(events, e)
	}
	for range 3 {
		add("acme", "SET", ana, nil)
	}
	add("acme", "KMS", ana, nil) // expires with KMS
	add("acme", "SET", anabot, &carl)
	add("acme", "SET", sys, &carl)
	add("acme", "SET", bob, nil)
	add("acme", "CMS", bob, &bob)
	add("acme", "KMS", dora, nil) // expires with KMS
	for range 5 {
		add("globex", "SET", anatoly, nil)
	}
	writeEvents(t, s, events...)
	refresh(t, s)

	// KMS events expire; the cutoff lies after every event.
	cutoffs := map[string]time.Time{"KMS": baseTime.Add(time.Hour)}
	sg := func(u audit.User, n int64) audit.UserSuggestion {
		return audit.UserSuggestion{User: audit.User{Type: u.Type, ID: u.ID, Name: u.Name, Email: u.Email}, Events: n}
	}
	cases := []struct {
		name    string
		q       audit.UserQuery
		cutoffs bool
		want    []audit.UserSuggestion
	}{
		{"NamePrefix", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "an", Limit: 10}, true,
			[]audit.UserSuggestion{sg(ana, 3), sg(anabot, 1)}},
		{"ExpiredCountedWithoutCutoffs", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "AN", Limit: 10}, false,
			[]audit.UserSuggestion{sg(ana, 4), sg(anabot, 1)}},
		{"TiesByTypeThenID", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "a", Limit: 10}, true,
			[]audit.UserSuggestion{sg(ana, 3), sg(anabot, 1), sg(sys, 1)}},
		{"Limit", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "a", Limit: 2}, true,
			[]audit.UserSuggestion{sg(ana, 3), sg(anabot, 1)}},
		{"LaterWordOfName", audit.UserQuery{Tenant: "acme", Role: audit.TargetUserRole, Prefix: "And", Limit: 10}, true,
			[]audit.UserSuggestion{sg(carl, 2)}},
		{"LaterWordNonASCII", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "MÜLL", Limit: 10}, true,
			[]audit.UserSuggestion{sg(ana, 3)}},
		{"IDPrefixIgnoresCase", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "u-b", Limit: 10}, true,
			[]audit.UserSuggestion{sg(bob, 2)}},
		{"TargetRoleOnly", audit.UserQuery{Tenant: "acme", Role: audit.TargetUserRole, Prefix: "u-b", Limit: 10}, true,
			[]audit.UserSuggestion{sg(bob, 1)}},
		{"EmailPrefixIgnoresCase", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "ana@ACME", Limit: 10}, true,
			[]audit.UserSuggestion{sg(ana, 3)}},
		{"RoleMatters", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "carl", Limit: 10}, true,
			[]audit.UserSuggestion{}},
		{"MidWordIsNoMatch", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "üller", Limit: 10}, true,
			[]audit.UserSuggestion{}},
		{"OnlyExpiredEvents", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "dora", Limit: 10}, true,
			[]audit.UserSuggestion{}},
		{"OnlyExpiredEventsWithoutCutoffs", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "dora", Limit: 10}, false,
			[]audit.UserSuggestion{sg(dora, 1)}},
		{"WildcardCharactersAreLiteral", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "*", Limit: 10}, false,
			[]audit.UserSuggestion{}},
		{"LikeCharactersAreLiteral", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "%", Limit: 10}, false,
			[]audit.UserSuggestion{}},
		{"OtherTenantNeverSuggested", audit.UserQuery{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "anat", Limit: 10}, false,
			[]audit.UserSuggestion{}},
		{"OtherTenantsOwn", audit.UserQuery{Tenant: "globex", Role: audit.ActionUserRole, Prefix: "anat", Limit: 10}, false,
			[]audit.UserSuggestion{sg(anatoly, 5)}},
		{"UnknownTenant", audit.UserQuery{Tenant: "initech", Role: audit.ActionUserRole, Prefix: "a", Limit: 10}, false,
			[]audit.UserSuggestion{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := c.q
			if c.cutoffs {
				q.Cutoffs = cutoffs
			}
			got, err := s.SuggestUsers(ctx(t), q)
			if err != nil {
				t.Fatalf("SuggestUsers(%+v): %v", q, err)
			}
			sameJSON(t, "suggestions for "+q.Prefix, c.want, got)
		})
	}
}

// testLatestAccountStatus: a user's current account status is the one the
// newest visible event naming them as target user records, by occurrence
// (not by when it was written); by id, or by email for a user without one.
func testLatestAccountStatus(t *testing.T, newStore Factory) {
	s := newStore(t)
	tom := audit.User{Type: audit.UserDashboard, ID: "u-tom", Name: "Tom", Email: "tom@acme.test"}
	carl := audit.User{Type: audit.UserDashboard, Name: "Carl", Email: "Carl@Acme.test"}
	actor := audit.User{Type: audit.UserSystem, ID: "hr-sync"}
	at := func(h int) time.Time { return baseTime.Add(time.Duration(h) * time.Hour) }
	ev := func(tenant, id, component string, when time.Time, target audit.User, status audit.AccountStatus) audit.Event {
		e := minimalEvent(tenant, id, component, when)
		e.ActionUser = actor
		target.AccountStatus = status
		e.TargetUser = &target
		return e
	}
	imposter := audit.User{Type: audit.UserDashboard, ID: "u-other", Email: tom.Email}
	// Written newest first: the order of writing must not matter.
	writeEvents(t, s,
		ev("acme", "tom-3", "SET", at(3), tom, ""), // newest, records no status
		ev("acme", "tom-2", "SET", at(2), tom, audit.AccountTerminated),
		ev("acme", "tom-1", "SET", at(1), tom, audit.AccountActive),
		ev("acme", "tom-other", "SET", at(4), imposter, audit.AccountActive), // Tom's email, another id
		ev("globex", "tom-globex", "SET", at(5), tom, audit.AccountActive),
		ev("acme", "carl-2", "KMS", at(2), carl, audit.AccountTerminated), // expires with KMS
		ev("acme", "carl-1", "SET", at(1), carl, audit.AccountActive),
	)
	refresh(t, s)
	expired := map[string]time.Time{"KMS": at(10)}
	cases := []struct {
		name    string
		tenant  string
		user    audit.User
		cutoffs map[string]time.Time
		want    audit.AccountStatus
	}{
		{"NewestByOccurrence", "acme", audit.User{ID: "u-tom"}, nil, audit.AccountTerminated},
		{"OtherTenant", "globex", audit.User{ID: "u-tom"}, nil, audit.AccountActive},
		{"ByEmailIgnoringCase", "acme", audit.User{Email: "carl@acme.TEST"}, nil, audit.AccountTerminated},
		{"ExpiredEventsIgnored", "acme", audit.User{Email: "carl@acme.test"}, expired, audit.AccountActive},
		{"IDDecides", "acme", audit.User{ID: "u-nobody", Email: tom.Email}, nil, ""},
		{"Unknown", "acme", audit.User{ID: "u-ghost"}, nil, ""},
		{"NoIDNoEmail", "acme", audit.User{Name: "Tom"}, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.LatestAccountStatus(ctx(t), c.tenant, c.user, c.cutoffs)
			if err != nil {
				t.Fatalf("LatestAccountStatus: %v", err)
			}
			if got != c.want {
				t.Errorf("LatestAccountStatus(%s, %+v) = %q, want %q", c.tenant, c.user, got, c.want)
			}
		})
	}
}
