package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// searchFixtureSize is large enough for ties, many pages and every value
// combination, small enough to load quickly into a real OpenSearch node.
const searchFixtureSize = 3000

// testSearch is the contract of the Explore view: every case compares the
// backend's answer with the reference model (search_model.go) over one
// generated data set (search_fixture.go), loaded once; the cases only read.
func testSearch(t *testing.T, newStore Factory) {
	s := newStore(t)
	fx := newFixture(1, searchFixtureSize)
	fx.load(t, s)
	m := fx.main

	t.Run("Filters", func(t *testing.T) { runCases(t, s, m, filterCases(fx)) })
	t.Run("Text", func(t *testing.T) { runCases(t, s, m, textCases()) })
	t.Run("Order", func(t *testing.T) { testOrder(t, s, fx) })
	t.Run("HasMore", func(t *testing.T) { testHasMore(t, s, fx) })
	t.Run("Facets", func(t *testing.T) { testFacets(t, s, fx) })
	t.Run("Histogram", func(t *testing.T) { testHistogram(t, s, fx) })
	t.Run("Walk", func(t *testing.T) { testWalk(t, s, fx) })
	t.Run("Scan", func(t *testing.T) { testScan(t, s, fx) })
	t.Run("Isolation", func(t *testing.T) { testIsolation(t, s, fx) })
	t.Run("WalkDuringIngest", func(t *testing.T) { testWalkDuringIngest(t, newStore) })
	t.Run("BeyondTenThousand", func(t *testing.T) { testBeyondTenThousand(t, newStore) })
}

// expect says what a case's answer must look like, so that no case passes
// vacuously on an empty (or complete) answer.
type expect int

const (
	some     expect = iota // neither empty nor every event
	none                   // no event
	every                  // every event of the tenant
	nonEmpty               // at least one event
)

type searchCase struct {
	name   string
	filter audit.Filter
	expect expect
}

// runCases checks each case's first page in both orders and its full
// listing against the model.
func runCases(t *testing.T, s store.Store, m *model, cases []searchCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			all := m.matching(c.filter, nil, audit.NewestFirst)
			checkExpect(t, c, len(all), len(m.events))
			for _, order := range []audit.Order{audit.NewestFirst, audit.OldestFirst} {
				q := audit.Query{Tenant: m.tenant, Filter: c.filter, Order: order, Limit: 25}
				checkPage(t, m, q, searchPage(t, s, q))
			}
			q := audit.Query{Tenant: m.tenant, Filter: c.filter, Order: audit.NewestFirst, Limit: 500}
			if msg := diffSequences(all, collectAll(t, s, q)); msg != "" {
				t.Errorf("full listing of %s: %s", describeQuery(q), msg)
			}
		})
	}
}

func checkExpect(t *testing.T, c searchCase, n, total int) {
	t.Helper()
	ok := true
	switch c.expect {
	case some:
		ok = n > 0 && n < total
	case none:
		ok = n == 0
	case every:
		ok = n == total
	case nonEmpty:
		ok = n > 0
	}
	if !ok {
		t.Fatalf("fixture problem: case %q matches %d of %d events in the reference model; fix the case or the fixture", c.name, n, total)
	}
}

func refTo[T any](v T) *T { return &v }

// sortedHot returns the fixture's shared instants, oldest first.
func sortedHot(fx *fixture) []time.Time {
	h := slices.Clone(fx.hot)
	slices.SortFunc(h, time.Time.Compare)
	return slices.Compact(h)
}

func filterCases(fx *fixture) []searchCase {
	hot := sortedHot(fx)
	from, to := hot[8], hot[25] // both carry many events: one exactly at each bound
	return []searchCase{
		{"NoFilter", audit.Filter{}, every},
		{"Component", audit.Filter{Components: []string{"CMS"}}, some},
		{"Components", audit.Filter{Components: []string{"KMS", "ONBOARDING"}}, some},
		{"UnknownComponent", audit.Filter{Components: []string{"OFFBOARDING"}}, none},
		{"EventType", audit.Filter{EventTypes: []string{"article.published"}}, some},
		{"EventTypesAcrossComponents", audit.Filter{EventTypes: []string{"user.login", "candidate.added", "custom.sync"}}, some},
		{"Submodule", audit.Filter{Submodules: []string{"User Groups"}}, some},
		{"Submodules", audit.Filter{Submodules: []string{"Article lifecycle", "Forms", "Access"}}, some},
		{"Status", audit.Filter{Statuses: []audit.Status{audit.StatusFailed}}, some},
		{"Statuses", audit.Filter{Statuses: []audit.Status{audit.StatusSuccess, audit.StatusInProgress}}, some},
		{"Priority", audit.Filter{Priorities: []audit.Priority{audit.PriorityCritical}}, some},
		{"Priorities", audit.Filter{Priorities: []audit.Priority{audit.PriorityLow, audit.PriorityHigh}}, some},
		{"From", audit.Filter{From: &from}, some},
		{"To", audit.Filter{To: &to}, some},
		{"FromTo", audit.Filter{From: &from, To: &to}, some},
		{"FromEqualsTo", audit.Filter{From: &from, To: &from}, none},
		{"OneMillisecond", audit.Filter{From: &from, To: refTo(from.Add(time.Millisecond))}, some},
		{"ActionUserID", audit.Filter{ActionUser: "u-1001"}, some},
		{"ActionUserIDIsCaseSensitive", audit.Filter{ActionUser: "U-1002"}, some},
		{"ActionUserIDOtherCase", audit.Filter{ActionUser: "u-1002"}, some},
		{"ActionUserEmailAnyCase", audit.Filter{ActionUser: "alice.smith@EXAMPLE.COM"}, some},
		{"ActionUserNameAnyCase", audit.Filter{ActionUser: "sam lee"}, some},
		{"ActionUserNameUnicodeCase", audit.Filter{ActionUser: "ZOË MÜLLER"}, some},
		{"ActionUserSystemByName", audit.Filter{ActionUser: "system"}, some},
		{"ActionUserPartialNameMatchesNothing", audit.Filter{ActionUser: "Alice"}, none},
		{"TargetUserEmail", audit.Filter{TargetUser: "PRIYA.RAMAN@example.com"}, some},
		{"TargetUserID", audit.Filter{TargetUser: "bot-leena"}, some},
		{"TargetUserName", audit.Filter{TargetUser: "bobby jones"}, some},
		{"Flagged", audit.Filter{Flagged: refTo(true)}, some},
		{"Unflagged", audit.Filter{Flagged: refTo(false)}, some},
		{"IDs", audit.Filter{IDs: pickIDs(fx, 40)}, some},
		{"IDsUnknownAndOtherTenant", audit.Filter{IDs: append(canaryOnlyIDs(fx, 5), "no-such-event")}, none},
		{"Text", audit.Filter{Text: "user group"}, some},
		{"ComponentAndStatus", audit.Filter{Components: []string{"SET"}, Statuses: []audit.Status{audit.StatusFailed}}, some},
		{"EverythingAtOnce", audit.Filter{
			Components: []string{"CMS", "KMS"},
			EventTypes: []string{"user_group.create", "article.archived", "article.published"},
			Submodules: []string{"User Groups", "Article lifecycle"},
			Statuses:   []audit.Status{audit.StatusSuccess, audit.StatusFailed},
			Priorities: []audit.Priority{audit.PriorityMedium, audit.PriorityHigh},
			From:       refTo(hot[1]),
			To:         refTo(hot[len(hot)-2]),
			Text:       "user -sync",
		}, some},
		{"UsersFlagAndText", audit.Filter{ActionUser: "sam lee", TargetUser: "u-1001", Flagged: refTo(false), Text: "-breach"}, nonEmpty},
		{"IDsAndComponent", audit.Filter{IDs: pickIDs(fx, 60), Components: []string{"SET"}}, some},
	}
}

// textCases cover the full-text syntax of audit.ParseText; the vocabulary
// is fxPhrases plus the event type names of fxTypes.
func textCases() []searchCase {
	long := strings.Repeat("user ", 40) + "group"
	return []searchCase{
		{"Word", audit.Filter{Text: "approval"}, some},
		{"WordsAreAnded", audit.Filter{Text: "user group"}, some},
		{"CaseInsensitive", audit.Filter{Text: "SLA Policy"}, some},
		{"Phrase", audit.Filter{Text: `"user group"`}, some},
		{"PhraseOrderMatters", audit.Filter{Text: `"group user"`}, some},
		{"UnterminatedPhrase", audit.Filter{Text: `"user group`}, some},
		{"Prefix", audit.Filter{Text: "pass*"}, some},
		{"PrefixPhrase", audit.Filter{Text: `"role gr*"`}, some},
		{"Exclusion", audit.Filter{Text: "user -group"}, some},
		{"ExcludePhrase", audit.Filter{Text: `user -"user group"`}, some},
		{"ExcludePrefix", audit.Filter{Text: "sync -pass*"}, some},
		{"OnlyExclusion", audit.Filter{Text: "-user"}, some},
		{"OnlyExclusions", audit.Filter{Text: `-"user group" -sync -article`}, some},
		{"EventTypeName", audit.Filter{Text: "deactivated"}, some},
		{"EventTypeNamePhrase", audit.Filter{Text: `"candidate added"`}, some},
		{"NameAndDescription", audit.Filter{Text: "login near"}, some},
		// A phrase lies within the name or within the description, never
		// across them, whichever way a backend joins the two.
		{"PhraseDoesNotSpanNameToDescription", audit.Filter{Text: `"user login user"`}, none},
		{"PhraseDoesNotSpanDescriptionToName", audit.Filter{Text: `"granted to user user login"`}, none},
		{"OperatorWordsAreWords", audit.Filter{Text: "AND OR NOT NEAR("}, some},
		{"NotIsAWord", audit.Filter{Text: "NOT"}, some},
		{"JunkQuoteParens", audit.Filter{Text: `"(]*-`}, every},
		{"JunkStar", audit.Filter{Text: "*"}, every},
		{"JunkQuote", audit.Filter{Text: `"`}, every},
		{"JunkDash", audit.Filter{Text: "- -- -*"}, every},
		{"JunkBrackets", audit.Filter{Text: "[sync] {notify} (and) ^skip~ user:group"}, some},
		{"Whitespace", audit.Filter{Text: " \t "}, every},
		{"UnderscoreSeparates", audit.Filter{Text: "user_group"}, some},
		{"DotSeparates", audit.Filter{Text: "example"}, some},
		{"DottedQuery", audit.Filter{Text: "docs.example.com"}, some},
		{"VersionNumber", audit.Filter{Text: "v2.1"}, some},
		{"Apostrophe", audit.Filter{Text: "admin's"}, some},
		{"ApostropheSeparates", audit.Filter{Text: "admin"}, some},
		{"Digits", audit.Filter{Text: "ticket"}, some},
		{"PrefixWithManyExpansions", audit.Filter{Text: "1*"}, some},
		{"PhrasePrefixWithManyExpansions", audit.Filter{Text: `"ticket 1*"`}, some},
		{"Diacritics", audit.Filter{Text: "café"}, some},
		{"UnicodeCase", audit.Filter{Text: "ZÜRICH"}, some},
		{"NoDiacriticFolding", audit.Filter{Text: "cafe"}, none},
		{"CJK", audit.Filter{Text: "東京"}, some},
		{"NotAPrefixWithoutStar", audit.Filter{Text: "pass"}, none},
		{"ManyTerms", audit.Filter{Text: long}, some},
		{"OtherTenantWords", audit.Filter{Text: canaryMark}, none},
		{"TextAndFilters", audit.Filter{Text: "sync -failed", Components: []string{"KMS", "ONBOARDING"}, Statuses: []audit.Status{audit.StatusSuccess}}, some},
	}
}

// pickIDs returns a deterministic sample of n main-tenant ids.
func pickIDs(fx *fixture, n int) []string {
	var ids []string
	step := len(fx.main.events) / n
	for i := 0; i < len(fx.main.events) && len(ids) < n; i += step {
		ids = append(ids, fx.main.events[i].ID)
	}
	return ids
}

// canaryOnlyIDs returns ids that exist only in the canary tenant.
func canaryOnlyIDs(fx *fixture, n int) []string {
	var ids []string
	for _, e := range fx.canary {
		if _, shared := fx.main.byID(e.ID); !shared && len(ids) < n {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// testOrder checks the tie break: within one millisecond events are ordered
// by id in the direction of the listing.
func testOrder(t *testing.T, s store.Store, fx *fixture) {
	m := fx.main
	for _, at := range sortedHot(fx)[:5] {
		f := audit.Filter{From: &at, To: refTo(at.Add(time.Millisecond))}
		if n := len(m.matching(f, nil, audit.OldestFirst)); n < 3 {
			t.Fatalf("fixture problem: only %d events at shared instant %s", n, at)
		}
		for _, order := range []audit.Order{audit.NewestFirst, audit.OldestFirst} {
			q := audit.Query{Tenant: m.tenant, Filter: f, Order: order, Limit: 1000}
			checkPage(t, m, q, searchPage(t, s, q))
		}
	}
	for _, order := range []audit.Order{audit.NewestFirst, audit.OldestFirst} {
		q := audit.Query{Tenant: m.tenant, Order: order, Limit: 100}
		checkPage(t, m, q, searchPage(t, s, q))
	}
}

// testHasMore checks HasMore and Total at the edges of a listing.
func testHasMore(t *testing.T, s store.Store, fx *fixture) {
	m := fx.main
	f := audit.Filter{Components: []string{"SET"}, Statuses: []audit.Status{audit.StatusFailed}, Flagged: refTo(false)}
	all := m.matching(f, nil, audit.NewestFirst)
	n := len(all)
	if n < 3 {
		t.Fatalf("fixture problem: %d events match %+v", n, f)
	}
	for _, limit := range []int{1, n - 1, n, n + 1} {
		q := audit.Query{Tenant: m.tenant, Filter: f, Order: audit.NewestFirst, Limit: limit}
		checkPage(t, m, q, searchPage(t, s, q))
	}
	// After the last event: an empty page that still counts every event.
	last := all[n-1].Key()
	q := audit.Query{Tenant: m.tenant, Filter: f, Order: audit.NewestFirst, Limit: 10, After: &last}
	checkPage(t, m, q, searchPage(t, s, q))
	// After a position that is no event's: the page starts right after it.
	for _, order := range []audit.Order{audit.NewestFirst, audit.OldestFirst} {
		at := sortedHot(fx)[10]
		q := audit.Query{Tenant: m.tenant, Order: order, Limit: 10, After: &audit.SortKey{OccurredAt: at, ID: "M"}}
		checkPage(t, m, q, searchPage(t, s, q))
	}
	// No match at all.
	q = audit.Query{Tenant: m.tenant, Filter: audit.Filter{Text: "cafe"}, Order: audit.OldestFirst, Limit: 10}
	checkPage(t, m, q, searchPage(t, s, q))
}

// testFacets checks multi-select facet semantics: a facet's counts ignore
// its own selection and respect every other filter.
func testFacets(t *testing.T, s store.Store, fx *fixture) {
	m := fx.main
	hot := sortedHot(fx)
	filters := []searchCase{
		{"NoFilter", audit.Filter{}, every},
		{"OwnSelections", audit.Filter{
			EventTypes: []string{"article.published", "user.login"},
			Statuses:   []audit.Status{audit.StatusFailed},
			Priorities: []audit.Priority{audit.PriorityHigh, audit.PriorityLow},
			Submodules: []string{"Access", "Article lifecycle"},
		}, some},
		{"EventTypeSelected", audit.Filter{EventTypes: []string{"role.changed"}}, some},
		{"SubmoduleSelected", audit.Filter{Submodules: []string{"User Groups"}}, some},
		{"OtherFilters", audit.Filter{Components: []string{"CMS", "SET"}, From: &hot[3], To: &hot[30], Flagged: refTo(true)}, some},
		{"TextAndUser", audit.Filter{Text: "user -sync", ActionUser: "alice.smith@example.com"}, some},
		{"IDs", audit.Filter{IDs: pickIDs(fx, 100), Statuses: []audit.Status{audit.StatusSuccess}}, some},
		{"NoMatch", audit.Filter{Text: "cafe"}, none},
	}
	for _, c := range filters {
		t.Run(c.name, func(t *testing.T) {
			checkExpect(t, c, len(m.matching(c.filter, nil, audit.NewestFirst)), len(m.events))
			q := audit.Query{Tenant: m.tenant, Filter: c.filter, Order: audit.NewestFirst, Limit: 5, Facets: audit.AllFacets}
			checkPage(t, m, q, searchPage(t, s, q))
		})
	}
	t.Run("OnlyRequested", func(t *testing.T) {
		q := audit.Query{Tenant: m.tenant, Order: audit.NewestFirst, Limit: 5, Facets: []audit.Facet{audit.FacetStatus, audit.FacetSubmodule}}
		checkPage(t, m, q, searchPage(t, s, q))
	})
	t.Run("IndependentOfPage", func(t *testing.T) {
		// Facets describe the whole listing, not the page shown.
		f := audit.Filter{Statuses: []audit.Status{audit.StatusSuccess}}
		q := audit.Query{Tenant: m.tenant, Filter: f, Order: audit.OldestFirst, Limit: 5, Facets: audit.AllFacets, Histogram: 24 * time.Hour}
		first := searchPage(t, s, q)
		checkPage(t, m, q, first)
		k := first.Events[len(first.Events)-1].Key()
		q.After = &k
		checkPage(t, m, q, searchPage(t, s, q))
	})
	t.Run("NoEmptySubmoduleBucket", func(t *testing.T) {
		q := audit.Query{Tenant: m.tenant, Order: audit.NewestFirst, Limit: 1, Facets: []audit.Facet{audit.FacetSubmodule}}
		for _, c := range searchPage(t, s, q).Facets[audit.FacetSubmodule] {
			if c.Value == "" {
				t.Errorf("submodule facet has a bucket for events without submodule: %+v", c)
			}
		}
	})
}

// testHistogram checks epoch-aligned buckets of several widths, with filters.
func testHistogram(t *testing.T, s store.Store, fx *fixture) {
	m := fx.main
	hot := sortedHot(fx)
	cases := []struct {
		name   string
		width  time.Duration
		filter audit.Filter
	}{
		{"Day", 24 * time.Hour, audit.Filter{}},
		{"Week", 7 * 24 * time.Hour, audit.Filter{}},
		{"HourFiltered", time.Hour, audit.Filter{Components: []string{"SET"}, From: &hot[5], To: &hot[12]}},
		{"DayFiltered", 24 * time.Hour, audit.Filter{Text: "sync", Statuses: []audit.Status{audit.StatusFailed}, Flagged: refTo(true)}},
		{"WeekFiltered", 7 * 24 * time.Hour, audit.Filter{EventTypes: []string{"user.deactivated"}, ActionUser: "u-1003"}},
		{"NoMatch", 24 * time.Hour, audit.Filter{Components: []string{"OFFBOARDING"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := audit.Query{Tenant: m.tenant, Filter: c.filter, Order: audit.NewestFirst, Limit: 3, Histogram: c.width}
			checkPage(t, m, q, searchPage(t, s, q))
		})
	}
	t.Run("NotRequested", func(t *testing.T) {
		q := audit.Query{Tenant: m.tenant, Order: audit.NewestFirst, Limit: 3}
		checkPage(t, m, q, searchPage(t, s, q))
	})
}

// testWalk pages through whole listings with a small page size: every
// matching event exactly once, in order, with a steady total.
func testWalk(t *testing.T, s store.Store, fx *fixture) {
	m := fx.main
	filters := []searchCase{
		{"All", audit.Filter{}, every},
		{"Filtered", audit.Filter{Components: []string{"KMS", "SET"}, Statuses: []audit.Status{audit.StatusSuccess, audit.StatusFailed}, Text: "-article"}, some},
	}
	for _, c := range filters {
		for _, order := range []audit.Order{audit.NewestFirst, audit.OldestFirst} {
			t.Run(c.name+"/"+string(order), func(t *testing.T) {
				want := m.matching(c.filter, nil, order)
				checkExpect(t, c, len(want), len(m.events))
				got := walkPages(t, s, m, audit.Query{Tenant: m.tenant, Filter: c.filter, Order: order, Limit: 7})
				if msg := diffSequences(want, got); msg != "" {
					t.Errorf("walk: %s", msg)
				}
			})
		}
	}
}

// testScan checks ScanEvents: exactly the matching events, in order.
func testScan(t *testing.T, s store.Store, fx *fixture) {
	m := fx.main
	hot := sortedHot(fx)
	cases := []struct {
		name string
		q    audit.Query
	}{
		{"AllNewestFirst", audit.Query{Order: audit.NewestFirst}},
		{"AllOldestFirst", audit.Query{Order: audit.OldestFirst}},
		{"Filtered", audit.Query{Order: audit.OldestFirst, Filter: audit.Filter{Components: []string{"CMS", "ONBOARDING"}, Text: "user", Flagged: refTo(false)}}},
		{"After", audit.Query{Order: audit.NewestFirst, After: &audit.SortKey{OccurredAt: hot[20], ID: "M"}}},
		{"FacetsIgnored", audit.Query{Order: audit.NewestFirst, Filter: audit.Filter{Priorities: []audit.Priority{audit.PriorityHigh}}, Facets: audit.AllFacets, Histogram: time.Hour}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := c.q
			q.Tenant, q.Limit = m.tenant, 50
			want := m.page(audit.Query{Tenant: m.tenant, Filter: q.Filter, Order: q.Order, After: q.After, Limit: len(m.events)}).Events
			if len(want) == 0 {
				t.Fatalf("fixture problem: nothing matches %s", describeQuery(q))
			}
			checkEvents(t, m, "ScanEvents("+describeQuery(q)+")", want, scanAll(t, s, q))
		})
	}
	t.Run("StopsAtError", func(t *testing.T) {
		stop := errors.New("enough")
		calls := 0
		q := audit.Query{Tenant: m.tenant, Order: audit.NewestFirst, Limit: 50}
		err := s.ScanEvents(ctx(t), q, func(audit.Event) error {
			calls++
			if calls == 60 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) {
			t.Errorf("ScanEvents returned %v, want the callback's error", err)
		}
		if calls != 60 {
			t.Errorf("ScanEvents called back %d times after the callback failed on call 60", calls)
		}
	})
}

// testIsolation looks for the canary tenant's data through every read.
func testIsolation(t *testing.T, s store.Store, fx *fixture) {
	m := fx.main
	for _, f := range []audit.Filter{
		{Text: canaryMark},
		{Components: []string{canaryComponent}},
		{EventTypes: []string{canaryMark + ".type"}},
		{Submodules: []string{"Zzcanary Sub"}},
		{ActionUser: canaryUser.ID},
		{ActionUser: canaryUser.Email},
		{TargetUser: "Zzcanary Target"},
		{IDs: canaryOnlyIDs(fx, 20)},
	} {
		q := audit.Query{Tenant: m.tenant, Filter: f, Order: audit.NewestFirst, Limit: 10, Facets: audit.AllFacets, Histogram: 24 * time.Hour}
		checkPage(t, m, q, searchPage(t, s, q))
	}
	for _, id := range canaryOnlyIDs(fx, 5) {
		if e, err := s.GetEvent(ctx(t), m.tenant, id, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetEvent(%s, %q) of another tenant's event = %s, %v; want ErrNotFound", m.tenant, id, eventJSON(e), err)
		}
	}
	// Ids used by both tenants: each sees its own event.
	shared := 0
	for _, c := range fx.canary {
		want, ok := m.byID(c.ID)
		if !ok {
			continue
		}
		shared++
		got, err := s.GetEvent(ctx(t), m.tenant, c.ID, nil)
		if err != nil {
			t.Errorf("GetEvent(%s, %q): %v", m.tenant, c.ID, err)
		} else if eventJSON(got) != eventJSON(want) {
			t.Errorf("GetEvent(%s, %q) = %s, want %s", m.tenant, c.ID, eventJSON(got), eventJSON(want))
		}
		got, err = s.GetEvent(ctx(t), canaryTenant, c.ID, nil)
		if err != nil {
			t.Errorf("GetEvent(%s, %q): %v", canaryTenant, c.ID, err)
		} else if got.Tenant != canaryTenant || !strings.Contains(got.Description, canaryMark) {
			t.Errorf("GetEvent(%s, %q) returned the other tenant's event: %s", canaryTenant, c.ID, eventJSON(got))
		}
	}
	if shared == 0 {
		t.Fatal("fixture problem: no id is used by both tenants")
	}
	// The canary tenant sees only its own events.
	q := audit.Query{Tenant: canaryTenant, Order: audit.OldestFirst, Limit: 10, Facets: audit.AllFacets}
	p := searchPage(t, s, q)
	if p.Total != int64(len(fx.canary)) {
		t.Errorf("%s tenant: Total = %d, want %d", canaryTenant, p.Total, len(fx.canary))
	}
	for _, e := range p.Events {
		if e.Tenant != canaryTenant {
			t.Errorf("%s tenant listing returned an event of tenant %q: %s", canaryTenant, e.Tenant, e.ID)
		}
	}
	for _, c := range p.Facets[audit.FacetSubmodule] {
		if c.Value != "Zzcanary Sub" {
			t.Errorf("%s tenant: submodule facet has a value of another tenant: %+v", canaryTenant, c)
		}
	}
}
