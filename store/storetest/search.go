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
	t.Run("ScanDuringIngest", func(t *testing.T) { testScanDuringIngest(t, newStore) })
	t.Run("BeyondTenThousand", func(t *testing.T) { testBeyondTenThousand(t, newStore) })
	t.Run("ExactBounds", func(t *testing.T) { testExactBounds(t, newStore) })
	t.Run("ExactWords", func(t *testing.T) { testExactWords(t, newStore) })
}

// expect says what a case's answer must look like, so that no case passes
// vacuously on an empty (or complete) answer.
type expect int

const (
	expectSome expect = iota // neither empty nor every event
	expectNone               // no event
	expectAll                // every event of the tenant
	expectAny                // at least one event
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
	case expectSome:
		ok = n > 0 && n < total
	case expectNone:
		ok = n == 0
	case expectAll:
		ok = n == total
	case expectAny:
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
		{"NoFilter", audit.Filter{}, expectAll},
		{"Component", audit.Filter{Components: []string{"CMS"}}, expectSome},
		{"Components", audit.Filter{Components: []string{"KMS", "ONBOARDING"}}, expectSome},
		{"UnknownComponent", audit.Filter{Components: []string{"OFFBOARDING"}}, expectNone},
		{"EventType", audit.Filter{EventTypes: []string{"article.published"}}, expectSome},
		{"EventTypesAcrossComponents", audit.Filter{EventTypes: []string{"user.login", "candidate.added", "custom.sync"}}, expectSome},
		{"Submodule", audit.Filter{Submodules: []string{"User Groups"}}, expectSome},
		{"Submodules", audit.Filter{Submodules: []string{"Article lifecycle", "Forms", "Access"}}, expectSome},
		{"Status", audit.Filter{Statuses: []audit.Status{audit.StatusFailed}}, expectSome},
		{"Statuses", audit.Filter{Statuses: []audit.Status{audit.StatusSuccess, audit.StatusInProgress}}, expectSome},
		{"Priority", audit.Filter{Priorities: []audit.Priority{audit.PriorityCritical}}, expectSome},
		{"Priorities", audit.Filter{Priorities: []audit.Priority{audit.PriorityLow, audit.PriorityHigh}}, expectSome},
		{"From", audit.Filter{From: &from}, expectSome},
		{"To", audit.Filter{To: &to}, expectSome},
		{"FromTo", audit.Filter{From: &from, To: &to}, expectSome},
		{"FromEqualsTo", audit.Filter{From: &from, To: &from}, expectNone},
		{"OneMillisecond", audit.Filter{From: &from, To: refTo(from.Add(time.Millisecond))}, expectSome},
		{"ActionUserID", audit.Filter{ActionUser: "u-1001"}, expectSome},
		{"ActionUserIDIsCaseSensitive", audit.Filter{ActionUser: "U-1002"}, expectSome},
		{"ActionUserIDOtherCase", audit.Filter{ActionUser: "u-1002"}, expectSome},
		{"ActionUserEmailAnyCase", audit.Filter{ActionUser: "alice.smith@EXAMPLE.COM"}, expectSome},
		{"ActionUserNameAnyCase", audit.Filter{ActionUser: "sam lee"}, expectSome},
		{"ActionUserNameUnicodeCase", audit.Filter{ActionUser: "ZOË MÜLLER"}, expectSome},
		{"ActionUserSystemByName", audit.Filter{ActionUser: "system"}, expectSome},
		{"ActionUserPartialNameMatchesNothing", audit.Filter{ActionUser: "Alice"}, expectNone},
		{"TargetUserEmail", audit.Filter{TargetUser: "PRIYA.RAMAN@example.com"}, expectSome},
		{"TargetUserID", audit.Filter{TargetUser: "bot-leena"}, expectSome},
		{"TargetUserName", audit.Filter{TargetUser: "bobby jones"}, expectSome},
		{"Flagged", audit.Filter{Flagged: refTo(true)}, expectSome},
		{"Unflagged", audit.Filter{Flagged: refTo(false)}, expectSome},
		{"IDs", audit.Filter{IDs: pickIDs(fx, 40)}, expectSome},
		{"IDsUnknownAndOtherTenant", audit.Filter{IDs: append(canaryOnlyIDs(fx, 5), "no-such-event")}, expectNone},
		{"Text", audit.Filter{Text: "user group"}, expectSome},
		{"ComponentAndStatus", audit.Filter{Components: []string{"SET"}, Statuses: []audit.Status{audit.StatusFailed}}, expectSome},
		{"EverythingAtOnce", audit.Filter{
			Components: []string{"CMS", "KMS"},
			EventTypes: []string{"user_group.create", "article.archived", "article.published"},
			Submodules: []string{"User Groups", "Article lifecycle"},
			Statuses:   []audit.Status{audit.StatusSuccess, audit.StatusFailed},
			Priorities: []audit.Priority{audit.PriorityMedium, audit.PriorityHigh},
			From:       refTo(hot[1]),
			To:         refTo(hot[len(hot)-2]),
			Text:       "user -sync",
		}, expectSome},
		{"UsersFlagAndText", audit.Filter{ActionUser: "sam lee", TargetUser: "u-1001", Flagged: refTo(false), Text: "-breach"}, expectAny},
		{"IDsAndComponent", audit.Filter{IDs: pickIDs(fx, 60), Components: []string{"SET"}}, expectSome},
	}
}

// textCases cover the full-text syntax of audit.ParseText; the vocabulary
// is fxPhrases plus the event type names of fxTypes.
func textCases() []searchCase {
	long := strings.Repeat("user ", 40) + "group"
	return []searchCase{
		{"Word", audit.Filter{Text: "approval"}, expectSome},
		{"WordsAreAnded", audit.Filter{Text: "user group"}, expectSome},
		{"CaseInsensitive", audit.Filter{Text: "SLA Policy"}, expectSome},
		{"Phrase", audit.Filter{Text: `"user group"`}, expectSome},
		{"PhraseOrderMatters", audit.Filter{Text: `"group user"`}, expectSome},
		{"UnterminatedPhrase", audit.Filter{Text: `"user group`}, expectSome},
		{"Prefix", audit.Filter{Text: "pass*"}, expectSome},
		{"PrefixPhrase", audit.Filter{Text: `"role gr*"`}, expectSome},
		{"Exclusion", audit.Filter{Text: "user -group"}, expectSome},
		{"ExcludePhrase", audit.Filter{Text: `user -"user group"`}, expectSome},
		{"ExcludePrefix", audit.Filter{Text: "sync -pass*"}, expectSome},
		{"OnlyExclusion", audit.Filter{Text: "-user"}, expectSome},
		{"OnlyExclusions", audit.Filter{Text: `-"user group" -sync -article`}, expectSome},
		{"EventTypeName", audit.Filter{Text: "deactivated"}, expectSome},
		{"EventTypeNamePhrase", audit.Filter{Text: `"candidate added"`}, expectSome},
		{"NameAndDescription", audit.Filter{Text: "login near"}, expectSome},
		// A phrase lies within the name or within the description, never
		// across them, whichever way a backend joins the two.
		{"PhraseDoesNotSpanNameToDescription", audit.Filter{Text: `"user login user"`}, expectNone},
		{"PhraseDoesNotSpanDescriptionToName", audit.Filter{Text: `"granted to user user login"`}, expectNone},
		{"OperatorWordsAreWords", audit.Filter{Text: "AND OR NOT NEAR("}, expectSome},
		{"NotIsAWord", audit.Filter{Text: "NOT"}, expectSome},
		{"JunkQuoteParens", audit.Filter{Text: `"(]*-`}, expectAll},
		{"JunkStar", audit.Filter{Text: "*"}, expectAll},
		{"JunkQuote", audit.Filter{Text: `"`}, expectAll},
		{"JunkDash", audit.Filter{Text: "- -- -*"}, expectAll},
		{"JunkBrackets", audit.Filter{Text: "[sync] {notify} (and) ^skip~ user:group"}, expectSome},
		{"Whitespace", audit.Filter{Text: " \t "}, expectAll},
		{"UnderscoreSeparates", audit.Filter{Text: "user_group"}, expectSome},
		{"DotSeparates", audit.Filter{Text: "example"}, expectSome},
		{"DottedQuery", audit.Filter{Text: "docs.example.com"}, expectSome},
		{"VersionNumber", audit.Filter{Text: "v2.1"}, expectSome},
		{"Apostrophe", audit.Filter{Text: "admin's"}, expectSome},
		{"ApostropheSeparates", audit.Filter{Text: "admin"}, expectSome},
		{"Digits", audit.Filter{Text: "ticket"}, expectSome},
		{"PrefixWithManyExpansions", audit.Filter{Text: "1*"}, expectSome},
		{"PhrasePrefixWithManyExpansions", audit.Filter{Text: `"ticket 1*"`}, expectSome},
		{"Diacritics", audit.Filter{Text: "café"}, expectSome},
		{"UnicodeCase", audit.Filter{Text: "ZÜRICH"}, expectSome},
		{"DiacriticsFolded", audit.Filter{Text: "cafe"}, expectSome},
		{"DiacriticsFoldedPrefix", audit.Filter{Text: "zuri*"}, expectSome},
		{"DiacriticsFoldedPhrase", audit.Filter{Text: `"CAFE IN ZURICH"`}, expectSome},
		{"DiacriticsFoldedExclusion", audit.Filter{Text: "-cafe"}, expectSome},
		{"CJK", audit.Filter{Text: "東京"}, expectSome},
		{"NotAPrefixWithoutStar", audit.Filter{Text: "pass"}, expectNone},
		{"ManyTerms", audit.Filter{Text: long}, expectSome},
		{"OtherTenantWords", audit.Filter{Text: canaryMark}, expectNone},
		{"TextAndFilters", audit.Filter{Text: "sync -failed", Components: []string{"KMS", "ONBOARDING"}, Statuses: []audit.Status{audit.StatusSuccess}}, expectSome},
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

// canaryOnlyIDs returns, for each canary tenant, n ids that exist in that
// tenant only.
func canaryOnlyIDs(fx *fixture, n int) []string {
	var ids []string
	per := map[string]int{}
	for _, e := range fx.canary {
		if _, shared := fx.main.byID(e.ID); !shared && per[e.Tenant] < n {
			per[e.Tenant]++
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// canaryEvents returns the events written for one canary tenant.
func canaryEvents(fx *fixture, tenant string) []audit.Event {
	var out []audit.Event
	for _, e := range fx.canary {
		if e.Tenant == tenant {
			out = append(out, e)
		}
	}
	return out
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
	q = audit.Query{Tenant: m.tenant, Filter: audit.Filter{Text: "xylophone"}, Order: audit.OldestFirst, Limit: 10}
	checkPage(t, m, q, searchPage(t, s, q))
	// Without the total: the same events and HasMore, and a total that is
	// 0 or exact.
	for _, limit := range []int{1, n} {
		q := audit.Query{Tenant: m.tenant, Filter: f, Order: audit.OldestFirst, Limit: limit}
		want := searchPage(t, s, q)
		q.SkipTotal = true
		got := searchPage(t, s, q)
		if !slices.EqualFunc(got.Events, want.Events, func(a, b audit.Event) bool { return a.ID == b.ID }) || got.HasMore != want.HasMore {
			t.Errorf("SkipTotal, limit %d: %d events (more: %v), want %d (more: %v)", limit, len(got.Events), got.HasMore, len(want.Events), want.HasMore)
		}
		if got.Total != 0 && got.Total != want.Total {
			t.Errorf("SkipTotal, limit %d: total %d, want 0 or %d", limit, got.Total, want.Total)
		}
	}
}

// testFacets checks multi-select facet semantics: a facet's counts ignore
// its own selection and respect every other filter.
func testFacets(t *testing.T, s store.Store, fx *fixture) {
	m := fx.main
	hot := sortedHot(fx)
	filters := []searchCase{
		{"NoFilter", audit.Filter{}, expectAll},
		{"OwnSelections", audit.Filter{
			EventTypes: []string{"article.published", "user.login"},
			Statuses:   []audit.Status{audit.StatusFailed},
			Priorities: []audit.Priority{audit.PriorityHigh, audit.PriorityLow},
			Submodules: []string{"Access", "Article lifecycle"},
		}, expectSome},
		{"EventTypeSelected", audit.Filter{EventTypes: []string{"role.changed"}}, expectSome},
		{"SubmoduleSelected", audit.Filter{Submodules: []string{"User Groups"}}, expectSome},
		{"OtherFilters", audit.Filter{Components: []string{"CMS", "SET"}, From: &hot[3], To: &hot[30], Flagged: refTo(true)}, expectSome},
		{"TextAndUser", audit.Filter{Text: "user -sync", ActionUser: "alice.smith@example.com"}, expectSome},
		{"IDs", audit.Filter{IDs: pickIDs(fx, 100), Statuses: []audit.Status{audit.StatusSuccess}}, expectSome},
		{"NoMatch", audit.Filter{Text: "xylophone"}, expectNone},
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
	// In time zones, on the fixture's events (a year around DST changes):
	// the model counts with audit.BucketStart, checked by testHistogramZone.
	for _, zone := range []string{"Europe/Paris", "America/New_York", "Asia/Kathmandu"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatalf("load zone %s: %v", zone, err)
		}
		for _, c := range cases {
			t.Run(zone+"/"+c.name, func(t *testing.T) {
				q := audit.Query{Tenant: m.tenant, Filter: c.filter, Order: audit.NewestFirst, Limit: 3, Histogram: c.width, HistogramZone: loc}
				checkPage(t, m, q, searchPage(t, s, q))
			})
		}
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
		{"All", audit.Filter{}, expectAll},
		{"Filtered", audit.Filter{Components: []string{"KMS", "SET"}, Statuses: []audit.Status{audit.StatusSuccess, audit.StatusFailed}, Text: "-article"}, expectSome},
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

// testIsolation looks for the canary tenants' data through every read: a
// tenant sees its own events only, whatever the filter, and whatever its
// name has in common with another tenant's.
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
		q.Limit = 50
		if got := scanAll(t, s, q); len(got) != 0 {
			t.Errorf("ScanEvents(%s) of %s returned %d events of other tenants, e.g. %s", describeQuery(q), m.tenant, len(got), eventJSON(got[0]))
		}
	}
	onlyCanary := canaryOnlyIDs(fx, 5)
	for _, id := range onlyCanary {
		if e, err := s.GetEvent(ctx(t), m.tenant, id, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetEvent(%s, %q) of another tenant's event = %s, %v; want ErrNotFound", m.tenant, id, eventJSON(e), err)
		}
	}
	// Flags: the main tenant can neither flag nor unflag another tenant's
	// events, also when it names their ids.
	var canaryFlagged []string
	for _, tenant := range canaryTenants {
		for _, id := range fx.flags[tenant] {
			if _, shared := m.byID(id); !shared {
				canaryFlagged = append(canaryFlagged, id)
			}
		}
	}
	if len(canaryFlagged) == 0 {
		t.Fatal("fixture problem: no flagged event of a canary tenant has an id of its own")
	}
	if got, err := s.FlagEvents(ctx(t), m.tenant, onlyCanary, audit.Flag{By: fxUsers[1], At: fx.flag.At.Add(time.Hour), Note: "leak"}); err != nil || len(got) != 0 {
		t.Errorf("FlagEvents(%s) of other tenants' ids = %d events, %v; want none", m.tenant, len(got), err)
	}
	if got, err := s.UnflagEvents(ctx(t), m.tenant, canaryFlagged); err != nil || len(got) != 0 {
		t.Errorf("UnflagEvents(%s) of other tenants' flagged ids = %d events, %v; want none", m.tenant, len(got), err)
	}
	refresh(t, s)
	for _, c := range fx.canary {
		if !slices.Contains(onlyCanary, c.ID) && !slices.Contains(canaryFlagged, c.ID) {
			continue
		}
		got, err := s.GetEvent(ctx(t), c.Tenant, c.ID, nil)
		if err != nil {
			t.Errorf("GetEvent(%s, %q): %v", c.Tenant, c.ID, err)
			continue
		}
		wantFlagged := slices.Contains(fx.flags[c.Tenant], c.ID)
		switch {
		case wantFlagged && (got.Flag == nil || got.Flag.Note != fx.flag.Note):
			t.Errorf("%s's event %q: flag %+v after the main tenant's flag calls, want its own flag", c.Tenant, c.ID, got.Flag)
		case !wantFlagged && got.Flag != nil:
			t.Errorf("%s's event %q was flagged through the main tenant: %+v", c.Tenant, c.ID, got.Flag)
		}
	}
	// Ids used by several tenants: each sees its own event.
	shared := map[string]int{}
	for _, c := range fx.canary {
		want, ok := m.byID(c.ID)
		if !ok {
			continue
		}
		shared[c.Tenant]++
		got, err := s.GetEvent(ctx(t), m.tenant, c.ID, nil)
		if err != nil {
			t.Errorf("GetEvent(%s, %q): %v", m.tenant, c.ID, err)
		} else if eventJSON(got) != eventJSON(want) {
			t.Errorf("GetEvent(%s, %q) = %s, want %s", m.tenant, c.ID, eventJSON(got), eventJSON(want))
		}
		got, err = s.GetEvent(ctx(t), c.Tenant, c.ID, nil)
		if err != nil {
			t.Errorf("GetEvent(%s, %q): %v", c.Tenant, c.ID, err)
		} else if got.Tenant != c.Tenant || !strings.Contains(got.Description, canaryMark) {
			t.Errorf("GetEvent(%s, %q) returned another tenant's event: %s", c.Tenant, c.ID, eventJSON(got))
		}
	}
	// Each canary tenant sees only its own events: listing, total, facets
	// and scan.
	for _, tenant := range canaryTenants {
		if shared[tenant] == 0 {
			t.Fatalf("fixture problem: no id of %s is also the main tenant's", tenant)
		}
		own := canaryEvents(fx, tenant)
		q := audit.Query{Tenant: tenant, Order: audit.OldestFirst, Limit: 10, Facets: audit.AllFacets}
		p := searchPage(t, s, q)
		if p.Total != int64(len(own)) {
			t.Errorf("%s tenant: Total = %d, want %d", tenant, p.Total, len(own))
		}
		for _, e := range p.Events {
			if e.Tenant != tenant {
				t.Errorf("%s tenant listing returned an event of tenant %q: %s", tenant, e.Tenant, e.ID)
			}
		}
		for _, c := range p.Facets[audit.FacetSubmodule] {
			if c.Value != "Zzcanary Sub" {
				t.Errorf("%s tenant: submodule facet has a value of another tenant: %+v", tenant, c)
			}
		}
		q.Limit = 100
		scanned := scanAll(t, s, q)
		if len(scanned) != len(own) {
			t.Errorf("%s tenant: ScanEvents returned %d events, want %d", tenant, len(scanned), len(own))
		}
		for _, e := range scanned {
			if e.Tenant != tenant {
				t.Errorf("%s tenant: ScanEvents returned an event of tenant %q: %s", tenant, e.Tenant, e.ID)
				break
			}
		}
	}
}
