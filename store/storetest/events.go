package storetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

func testEvents(t *testing.T, newStore Factory) {
	t.Run("CountIngested", func(t *testing.T) {
		s := newStore(t)
		var events []audit.Event
		// acme KMS: 5 ingested an hour apart; acme CMS: 2; globex KMS: 3.
		for i := range 5 {
			e := minimalEvent("acme", fmt.Sprintf("k-%d", i), "KMS", baseTime)
			e.IngestedAt = baseTime.Add(time.Duration(i) * time.Hour)
			events = append(events, e)
		}
		for i := range 2 {
			e := minimalEvent("acme", fmt.Sprintf("c-%d", i), "CMS", baseTime)
			e.IngestedAt = baseTime.Add(time.Duration(i) * time.Hour)
			events = append(events, e)
		}
		for i := range 3 {
			e := minimalEvent("globex", fmt.Sprintf("g-%d", i), "KMS", baseTime)
			e.IngestedAt = baseTime
			events = append(events, e)
		}
		writeEvents(t, s, events...)
		// A duplicate id written again is one event.
		writeEvents(t, s, events[0])
		refresh(t, s)
		for _, c := range []struct {
			tenant, component string
			since             time.Time
			want              int64
		}{
			{"acme", "KMS", time.Time{}, 5},
			{"acme", "KMS", baseTime.Add(2 * time.Hour), 3}, // at or after: 2h, 3h, 4h
			{"acme", "KMS", baseTime.Add(2*time.Hour + time.Millisecond), 2},
			{"acme", "CMS", time.Time{}, 2},
			{"globex", "KMS", time.Time{}, 3},
			{"acme", "SET", time.Time{}, 0},
			{"nobody", "KMS", time.Time{}, 0},
		} {
			got, err := s.CountIngested(ctx(t), c.tenant, c.component, c.since)
			if err != nil || got != c.want {
				t.Errorf("CountIngested(%s, %s, %v) = %d, %v; want %d", c.tenant, c.component, c.since, got, err, c.want)
			}
		}
	})
	t.Run("RoundTripEveryField", func(t *testing.T) {
		s := newStore(t)
		full := fullEvent("acme", "evt-full", baseTime)
		minimal := minimalEvent("acme", "evt-min", "SET", baseTime.Add(time.Hour))
		res := writeEvents(t, s, full, minimal)
		for i, r := range res {
			if r.Duplicate {
				t.Errorf("new event %d reported Duplicate", i)
			}
		}
		refresh(t, s)

		got := getEvent(t, s, "acme", "evt-full")
		sameJSON(t, "GetEvent(evt-full)", stored(t, full), got)
		if got.OccurredAt.Location() != time.UTC {
			t.Errorf("OccurredAt is in %v, want UTC", got.OccurredAt.Location())
		}
		if want := baseTime.Truncate(time.Millisecond); !got.OccurredAt.Equal(want) {
			t.Errorf("OccurredAt = %v, want %v", got.OccurredAt, want)
		}
		if got.Flag != nil {
			t.Errorf("new event has flag %+v, want none", got.Flag)
		}

		got = getEvent(t, s, "acme", "evt-min")
		sameJSON(t, "GetEvent(evt-min)", stored(t, minimal), got)
		if got.TargetUser != nil {
			t.Errorf("event written without target user has target user %+v", got.TargetUser)
		}
		if len(got.Details) != 0 {
			t.Errorf("event written without details has details %v", got.Details)
		}
	})

	t.Run("DuplicateInLaterBatchKeepsFirst", func(t *testing.T) {
		s := newStore(t)
		first := fullEvent("acme", "evt-1", baseTime)
		writeEvents(t, s, first)
		refresh(t, s)

		again := fullEvent("acme", "evt-1", baseTime.Add(time.Minute))
		again.Description = "a retry that must not overwrite the first"
		again.Status = audit.StatusFailed
		other := minimalEvent("acme", "evt-2", "SET", baseTime)
		res := writeEvents(t, s, again, other)
		if !res[0].Duplicate {
			t.Errorf("repeated id: Duplicate = false, want true")
		}
		if res[1].Duplicate {
			t.Errorf("new id in the same batch: Duplicate = true, want false")
		}
		refresh(t, s)
		sameJSON(t, "event after a duplicate write", stored(t, first), getEvent(t, s, "acme", "evt-1"))
		getEvent(t, s, "acme", "evt-2")
	})

	t.Run("DuplicateWithinBatchFirstWins", func(t *testing.T) {
		s := newStore(t)
		first := fullEvent("acme", "evt-1", baseTime)
		second := fullEvent("acme", "evt-1", baseTime.Add(time.Hour))
		second.Description = "second copy in the same batch"
		res := writeEvents(t, s, first, second)
		if res[0].Duplicate || !res[1].Duplicate {
			t.Errorf("Duplicate flags = [%v %v], want [false true]", res[0].Duplicate, res[1].Duplicate)
		}
		refresh(t, s)
		sameJSON(t, "event written twice in one batch", stored(t, first), getEvent(t, s, "acme", "evt-1"))
		p, err := s.SearchEvents(ctx(t), audit.Query{Tenant: "acme", Limit: 10})
		if err != nil {
			t.Fatalf("SearchEvents: %v", err)
		}
		if p.Total != 1 || len(p.Events) != 1 {
			t.Errorf("listing after a duplicate within a batch: total %d, %d events; want 1 event", p.Total, len(p.Events))
		}
	})

	t.Run("DuplicateInOtherComponentWithoutRefresh", func(t *testing.T) {
		s := newStore(t)
		first := fullEvent("acme", "same-2", baseTime)
		first.ComponentID = "KMS"
		writeEvents(t, s, first)
		// No refresh: the id was stored a moment ago, under another
		// component of the tenant, and a search would not see it yet.
		again := minimalEvent("acme", "same-2", "CMS", baseTime.Add(time.Minute))
		if res := writeEvents(t, s, again); !res[0].Duplicate {
			t.Errorf("same id for another component of the tenant: Duplicate = false, want true")
		}
		// The same id is another tenant's own, also for tenants whose
		// names extend acme's, or that acme's name extends.
		others := []audit.Event{
			minimalEvent("acme-x", "same-2", "CMS", baseTime),
			minimalEvent("globex", "same-2", "KMS", baseTime),
			minimalEvent("acme-x", "same-3", "KMS", baseTime),
		}
		for i, r := range writeEvents(t, s, others...) {
			if r.Duplicate {
				t.Errorf("%s's event %s reported Duplicate of another tenant's", others[i].Tenant, others[i].ID)
			}
		}
		// And acme, after acme-x stored same-3 (no refresh either).
		if res := writeEvents(t, s, minimalEvent("acme", "same-3", "SET", baseTime)); res[0].Duplicate {
			t.Errorf("acme's same-3 reported Duplicate of acme-x's")
		}
		// A batch mixing both: the repeated id of acme in a third component.
		res := writeEvents(t, s, minimalEvent("acme", "same-2", "ONBOARDING", baseTime), minimalEvent("acme", "same-4", "ONBOARDING", baseTime))
		if !res[0].Duplicate || res[1].Duplicate {
			t.Errorf("batch: Duplicate = [%v %v], want [true false]", res[0].Duplicate, res[1].Duplicate)
		}
		refresh(t, s)
		sameJSON(t, "the first event of the id", stored(t, first), getEvent(t, s, "acme", "same-2"))
		for tenant, want := range map[string][]string{
			"acme":   {"same-2", "same-3", "same-4"},
			"acme-x": {"same-2", "same-3"},
			"globex": {"same-2"},
		} {
			p, err := s.SearchEvents(ctx(t), audit.Query{Tenant: tenant, Limit: 10, Order: audit.OldestFirst})
			if err != nil {
				t.Fatalf("SearchEvents(%s): %v", tenant, err)
			}
			got := eventIDs(p.Events)
			slices.Sort(got)
			if !slices.Equal(got, want) || p.Total != int64(len(want)) {
				t.Errorf("listing of %s = %v (total %d), want %v", tenant, got, p.Total, want)
			}
		}
	})

	t.Run("SameIDInTwoTenants", func(t *testing.T) {
		s := newStore(t)
		a := fullEvent("acme", "shared-id", baseTime)
		g := minimalEvent("globex", "shared-id", "CMS", baseTime.Add(time.Minute))
		res := writeEvents(t, s, a, g)
		if res[0].Duplicate || res[1].Duplicate {
			t.Errorf("same id in two tenants reported Duplicate: %+v", res)
		}
		refresh(t, s)
		sameJSON(t, "acme's event", stored(t, a), getEvent(t, s, "acme", "shared-id"))
		sameJSON(t, "globex's event", stored(t, g), getEvent(t, s, "globex", "shared-id"))
	})

	t.Run("OtherTenantsEventNotFound", func(t *testing.T) {
		s := newStore(t)
		writeEvents(t, s, fullEvent("acme", "evt-1", baseTime))
		refresh(t, s)
		_, err := s.GetEvent(ctx(t), "globex", "evt-1", nil)
		wantErr(t, "GetEvent of another tenant's id", err, store.ErrNotFound)
		_, err = s.GetEvent(ctx(t), "acme", "no-such-event", nil)
		wantErr(t, "GetEvent of an unknown id", err, store.ErrNotFound)
	})

	t.Run("BatchOfSeveralTenantsAndComponents", func(t *testing.T) {
		s := newStore(t)
		batch := []audit.Event{
			minimalEvent("acme", "a-cms", "CMS", baseTime),
			minimalEvent("globex", "g-kms", "KMS", baseTime.Add(time.Second)),
			minimalEvent("acme", "a-kms", "KMS", baseTime.Add(2*time.Second)),
			minimalEvent("globex", "g-cms", "CMS", baseTime.Add(3*time.Second)),
			minimalEvent("acme", "a-onb", "ONBOARDING", baseTime.Add(4*time.Second)),
		}
		for i, r := range writeEvents(t, s, batch...) {
			if r.Duplicate {
				t.Errorf("event %d reported Duplicate", i)
			}
		}
		refresh(t, s)
		for _, e := range batch {
			sameJSON(t, "GetEvent("+e.Tenant+", "+e.ID+")", stored(t, e), getEvent(t, s, e.Tenant, e.ID))
		}
		for tenant, want := range map[string][]string{
			"acme":   {"a-onb", "a-kms", "a-cms"},
			"globex": {"g-cms", "g-kms"},
		} {
			p, err := s.SearchEvents(ctx(t), audit.Query{Tenant: tenant, Limit: 10, Order: audit.NewestFirst})
			if err != nil {
				t.Fatalf("SearchEvents(%s): %v", tenant, err)
			}
			if got := eventIDs(p.Events); !slices.Equal(got, want) {
				t.Errorf("listing of %s = %v, want %v", tenant, got, want)
			}
		}
	})

	t.Run("FlagAndUnflag", func(t *testing.T) {
		s := newStore(t)
		writeEvents(t, s,
			minimalEvent("acme", "a", "CMS", baseTime),
			minimalEvent("acme", "b", "CMS", baseTime.Add(time.Second)),
			minimalEvent("acme", "c", "CMS", baseTime.Add(2*time.Second)),
			minimalEvent("globex", "g", "CMS", baseTime),
		)
		refresh(t, s)
		admin := audit.User{Type: audit.UserDashboard, ID: "u-admin", Name: "Ada Admin", Email: "ada@acme.test"}
		first := audit.Flag{By: admin, At: baseTime.Add(time.Hour), Note: "check this"}

		got, err := s.FlagEvents(ctx(t), "acme", []string{"a", "b", "missing", "g"}, first)
		if err != nil {
			t.Fatalf("FlagEvents: %v", err)
		}
		if ids := slices.Sorted(maps.Keys(got)); !slices.Equal(ids, []string{"a", "b"}) {
			t.Errorf("FlagEvents returned %v, want [a b] (unknown and other tenant's ids absent)", ids)
		}
		wantFlag := stored(t, audit.Event{Flag: &first}).Flag
		for id, e := range got {
			sameJSON(t, "flag returned for "+id, wantFlag, e.Flag)
		}
		refresh(t, s)
		sameJSON(t, "flag read back", wantFlag, getEvent(t, s, "acme", "a").Flag)
		if f := getEvent(t, s, "globex", "g").Flag; f != nil {
			t.Errorf("other tenant's event with a flagged id got flag %+v", f)
		}
		if f := getEvent(t, s, "acme", "c").Flag; f != nil {
			t.Errorf("event not named got flag %+v", f)
		}

		second := audit.Flag{By: audit.User{Type: audit.UserDashboard, ID: "u-other"}, At: baseTime.Add(2 * time.Hour), Note: "again"}
		got, err = s.FlagEvents(ctx(t), "acme", []string{"a", "c"}, second)
		if err != nil {
			t.Fatalf("FlagEvents again: %v", err)
		}
		sameJSON(t, "flagging a flagged event keeps the first flag", wantFlag, got["a"].Flag)
		sameJSON(t, "flag of an event flagged later", stored(t, audit.Event{Flag: &second}).Flag, got["c"].Flag)
		refresh(t, s)
		sameJSON(t, "first flag read back", wantFlag, getEvent(t, s, "acme", "a").Flag)

		flagged := true
		p, err := s.SearchEvents(ctx(t), audit.Query{Tenant: "acme", Limit: 10, Order: audit.OldestFirst, Filter: audit.Filter{Flagged: &flagged}})
		if err != nil {
			t.Fatalf("SearchEvents(flagged): %v", err)
		}
		if ids := eventIDs(p.Events); !slices.Equal(ids, []string{"a", "b", "c"}) {
			t.Errorf("flagged listing = %v, want [a b c]", ids)
		}

		got, err = s.UnflagEvents(ctx(t), "acme", []string{"a", "missing", "g"})
		if err != nil {
			t.Fatalf("UnflagEvents: %v", err)
		}
		if ids := slices.Sorted(maps.Keys(got)); !slices.Equal(ids, []string{"a"}) {
			t.Errorf("UnflagEvents returned %v, want [a]", ids)
		}
		if got["a"].Flag != nil {
			t.Errorf("UnflagEvents returned a with flag %+v", got["a"].Flag)
		}
		refresh(t, s)
		if f := getEvent(t, s, "acme", "a").Flag; f != nil {
			t.Errorf("unflagged event read back with flag %+v", f)
		}
		sameJSON(t, "event not unflagged keeps its flag", wantFlag, getEvent(t, s, "acme", "b").Flag)

		// An unflagged event can be flagged anew, with the new flag.
		got, err = s.FlagEvents(ctx(t), "acme", []string{"a"}, second)
		if err != nil {
			t.Fatalf("FlagEvents after unflag: %v", err)
		}
		sameJSON(t, "flag after unflag", stored(t, audit.Event{Flag: &second}).Flag, got["a"].Flag)
	})

	t.Run("DetailNumbersExact", func(t *testing.T) {
		s := newStore(t)
		// Numbers beyond float64 (integers past 2^53, decimals it cannot
		// hold) and in every notation a client may send.
		const sent = `{"big":12345678901234567890,"odd":9007199254740993,"tenth":0.1,"neg":-5,"tiny":1e-7,` +
			`"neg_big":-12345678901234567890123,"pi":3.14159265358979323846264338327950288,"exp":6.02214076E+23,` +
			`"nested":{"list":[12345678901234567890,0.1,1e-7,{"deep":9007199254740993}]}}`
		details, err := decodeDetails([]byte(sent))
		if err != nil {
			t.Fatal(err)
		}
		want := asJSON(t, details)
		e := minimalEvent("acme", "numbers", "CMS", baseTime)
		e.Details = details
		other := minimalEvent("acme", "other", "CMS", baseTime.Add(time.Second))
		writeEvents(t, s, e, other)
		refresh(t, s)
		check := func(what string, got audit.Event) {
			t.Helper()
			if g := asJSON(t, got.Details); g != want {
				t.Errorf("details read back by %s:\n got  %s\n want %s", what, g, want)
			}
		}
		check("GetEvent", getEvent(t, s, "acme", "numbers"))
		p, err := s.SearchEvents(ctx(t), audit.Query{Tenant: "acme", Limit: 10, Order: audit.OldestFirst, Facets: audit.AllFacets})
		if err != nil || len(p.Events) != 2 {
			t.Fatalf("SearchEvents = %d events, %v; want 2", len(p.Events), err)
		}
		check("SearchEvents", p.Events[0])
		var scanned []audit.Event
		if err := s.ScanEvents(ctx(t), audit.Query{Tenant: "acme", Order: audit.OldestFirst}, func(e audit.Event) error {
			scanned = append(scanned, e)
			return nil
		}); err != nil || len(scanned) != 2 {
			t.Fatalf("ScanEvents = %d events, %v; want 2", len(scanned), err)
		}
		check("ScanEvents", scanned[0])
		// Flagging and unflagging rewrite the stored event; its details
		// stay as they were.
		flag := audit.Flag{By: audit.User{Type: audit.UserDashboard, ID: "u-admin"}, At: baseTime.Add(time.Hour)}
		flagged, err := s.FlagEvents(ctx(t), "acme", []string{"numbers"}, flag)
		if err != nil {
			t.Fatalf("FlagEvents: %v", err)
		}
		check("FlagEvents", flagged["numbers"])
		refresh(t, s)
		check("GetEvent after a flag", getEvent(t, s, "acme", "numbers"))
		unflagged, err := s.UnflagEvents(ctx(t), "acme", []string{"numbers"})
		if err != nil {
			t.Fatalf("UnflagEvents: %v", err)
		}
		check("UnflagEvents", unflagged["numbers"])
		refresh(t, s)
		check("GetEvent after unflagging", getEvent(t, s, "acme", "numbers"))
	})

	t.Run("GetEventHiddenByCutoff", func(t *testing.T) {
		s := newStore(t)
		e := minimalEvent("acme", "old", "CMS", baseTime)
		writeEvents(t, s, e)
		refresh(t, s)
		at := msUTC(baseTime)
		_, err := s.GetEvent(ctx(t), "acme", "old", map[string]time.Time{"CMS": at.Add(time.Millisecond)})
		wantErr(t, "GetEvent of an event older than its component's cutoff", err, store.ErrNotFound)
		for _, cutoffs := range []map[string]time.Time{
			{"CMS": at},                     // occurred exactly at the cutoff: kept
			{"KMS": at.Add(24 * time.Hour)}, // another component's cutoff
			{"CMS": at.Add(-24 * time.Hour), "SET": at.Add(time.Hour)},
		} {
			got, err := s.GetEvent(ctx(t), "acme", "old", cutoffs)
			if err != nil {
				t.Errorf("GetEvent with cutoffs %v: %v", cutoffs, err)
				continue
			}
			sameJSON(t, "event under a cutoff", stored(t, e), got)
		}
	})
}
