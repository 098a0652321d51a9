package storetest

import (
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// TestSearchCasesAreNotVacuous checks, without a backend, that every search
// case of the suite has the kind of answer it claims over the fixture, so a
// backend cannot pass a case by returning nothing (or everything).
func TestSearchCasesAreNotVacuous(t *testing.T) {
	fx := newFixture(1, searchFixtureSize)
	cases := append(filterCases(fx), textCases()...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkExpect(t, c, len(fx.main.matching(c.filter, nil, audit.NewestFirst)), len(fx.main.events))
		})
	}
}

func TestFixtureIsDeterministic(t *testing.T) {
	a, b := newFixture(1, 500), newFixture(1, 500)
	if len(a.write) != len(b.write) {
		t.Fatalf("two fixtures from one seed have %d and %d events", len(a.write), len(b.write))
	}
	for i := range a.write {
		if eventJSON(a.write[i]) != eventJSON(b.write[i]) {
			t.Fatalf("event %d differs between two fixtures from one seed:\n%s\n%s", i, eventJSON(a.write[i]), eventJSON(b.write[i]))
		}
	}
}

func TestFixtureHasTiesAndBoundaries(t *testing.T) {
	fx := newFixture(1, searchFixtureSize)
	at := map[time.Time]int{}
	midnight := 0
	for _, e := range fx.main.events {
		at[e.OccurredAt]++
		if e.OccurredAt.Equal(e.OccurredAt.Truncate(24 * time.Hour)) {
			midnight++
		}
	}
	big := 0
	for _, n := range at {
		if n >= 10 {
			big++
		}
	}
	if big < 20 || midnight < 50 {
		t.Errorf("fixture has %d instants shared by 10+ events and %d events at midnight; want many of both", big, midnight)
	}
}

func TestHistogramBucketsAlignToEpoch(t *testing.T) {
	week := 7 * 24 * time.Hour
	events := []audit.Event{
		{OccurredAt: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},                    // a Thursday
		{OccurredAt: time.Date(1970, 1, 7, 23, 59, 59, 999e6, time.UTC)},             // same week
		{OccurredAt: time.Date(1970, 1, 8, 0, 0, 0, 0, time.UTC)},                    // next week
		{OccurredAt: time.Date(1969, 12, 31, 23, 59, 59, 999e6, time.UTC)},           // week before
		{OccurredAt: time.Date(2025, 3, 13, 0, 0, 0, 0, time.UTC)},                   // a Thursday
		{OccurredAt: time.Date(2025, 3, 12, 23, 0, 0, 0, time.FixedZone("X", 3600))}, // 22:00 UTC, Wednesday
	}
	got := histogram(events, week, nil)
	want := []audit.Bucket{
		{Start: time.Date(1969, 12, 25, 0, 0, 0, 0, time.UTC), Count: 1},
		{Start: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), Count: 2},
		{Start: time.Date(1970, 1, 8, 0, 0, 0, 0, time.UTC), Count: 1},
		{Start: time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC), Count: 1},
		{Start: time.Date(2025, 3, 13, 0, 0, 0, 0, time.UTC), Count: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("histogram = %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || got[i].Count != want[i].Count {
			t.Errorf("bucket %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestModelText(t *testing.T) {
	e := audit.Event{Description: "Admin's user_group renamed. see docs.example.com", EventTypeName: "User login"}
	for q, want := range map[string]bool{
		"user group":             true,
		`"user group"`:           true,
		`"group user"`:           false,
		`"user gr*"`:             true,
		`"login admin"`:          false, // no phrase across fields
		"login -renamed":         false,
		"login -renamedx":        true,
		`-"see docs"`:            false,
		"ren* example":           true,
		"admin's":                true,
		"admins":                 false,
		"":                       true,
		`"(]*-`:                  true,
		"AND OR NOT NEAR(":       false,
		"docs.example.com login": true,
	} {
		if got := textMatches(audit.ParseText(q), &e); got != want {
			t.Errorf("text %q matches %v, want %v", q, got, want)
		}
	}
}

func TestFixtureExercisesEngineLimits(t *testing.T) {
	fx := newFixture(1, searchFixtureSize)
	// A prefix expanding to more than 50 distinct words.
	words := map[string]bool{}
	for _, e := range fx.main.events {
		for _, w := range audit.Words(e.Description) {
			if w[0] == '1' {
				words[w] = true
			}
		}
	}
	if len(words) <= 50 {
		t.Errorf("prefix 1* expands to %d words; want more than 50", len(words))
	}
	// Facet counts with ties, so that the value order of ties is checked.
	q := audit.Query{Tenant: fxTenant, Filter: audit.Filter{IDs: pickIDs(fx, 100), Statuses: []audit.Status{audit.StatusSuccess}}, Facets: audit.AllFacets}
	ties := 0
	for _, counts := range fx.main.page(q).Facets {
		for i := 1; i < len(counts); i++ {
			if counts[i].Count == counts[i-1].Count {
				ties++
			}
		}
	}
	if ties == 0 {
		t.Error("no facet of the IDs facet case has two values with the same count")
	}
	// Events exactly at the bounds of the FromTo case.
	hot := sortedHot(fx)
	for _, at := range []time.Time{hot[8], hot[25]} {
		if n := len(fx.main.matching(audit.Filter{From: &at, To: refTo(at.Add(time.Millisecond))}, nil, audit.OldestFirst)); n < 2 {
			t.Errorf("only %d events at bound %s", n, at)
		}
	}
}
