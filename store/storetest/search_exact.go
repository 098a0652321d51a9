package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// testExactBounds: From, To and cutoffs finer than the stored millisecond
// compare with the events' own times, not with the bounds truncated.
func testExactBounds(t *testing.T, newStore Factory) {
	s := newStore(t)
	at := time.Date(2025, 5, 2, 9, 30, 0, 0, time.UTC)
	var events []audit.Event
	for i, id := range []string{"ms0", "ms1", "ms2"} {
		e := fullEvent("acme", id, at.Add(time.Duration(i)*time.Millisecond))
		events = append(events, e)
	}
	writeAll(t, s, events, len(events))
	refresh(t, s)
	half := 500 * time.Microsecond
	from, to, cutoff := at.Add(half), at.Add(time.Millisecond+half), at.Add(time.Millisecond+half)
	for _, c := range []struct {
		name string
		q    audit.Query
		want []string
	}{
		{"FromBetweenMilliseconds", audit.Query{Filter: audit.Filter{From: &from}}, []string{"ms1", "ms2"}},
		{"ToBetweenMilliseconds", audit.Query{Filter: audit.Filter{To: &to}}, []string{"ms0", "ms1"}},
		{"CutoffBetweenMilliseconds", audit.Query{Cutoffs: map[string]time.Time{"KMS": cutoff}}, []string{"ms2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.q.Tenant, c.q.Limit, c.q.Order = "acme", 10, audit.OldestFirst
			if got := searchIDs(t, s, c.q); !slices.Equal(got, c.want) {
				t.Errorf("found %v, want %v", got, c.want)
			}
		})
	}
	t.Run("GetEventPastCutoff", func(t *testing.T) {
		if _, err := s.GetEvent(ctx(t), "acme", "ms1", map[string]time.Time{"KMS": cutoff}); err == nil {
			t.Error("GetEvent returned an event 0.5 ms past its cutoff")
		}
	})
}

// testExactWords: text search matches the words of audit.Words as they
// are, on every backend alike: no letter is folded beyond them (a Greek
// final sigma stays apart from σ).
func testExactWords(t *testing.T, newStore Factory) {
	s := newStore(t)
	at := time.Date(2025, 5, 2, 9, 30, 0, 0, time.UTC)
	var events []audit.Event
	for i, c := range []struct{ id, text string }{
		{"upper", "ΟΔΟΣ closed"}, {"final", "οδος closed"}, {"tai-lue", "ᦀᦰᦀ closed"},
	} {
		e := fullEvent("acme", c.id, at.Add(time.Duration(i)*time.Second))
		e.Description = c.text
		events = append(events, e)
	}
	writeAll(t, s, events, len(events))
	refresh(t, s)
	for text, want := range map[string][]string{
		"οδος": {"final"}, "ΟΔΟΣ": {"upper"}, "ᦀᦰᦀ": {"tai-lue"}, "ᦀ": nil,
		"closed": {"final", "tai-lue", "upper"},
	} {
		got := searchIDs(t, s, audit.Query{Tenant: "acme", Limit: 10, Filter: audit.Filter{Text: text}})
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("text %q finds %v, want %v", text, got, want)
		}
	}
}

// searchIDs returns the ids of the first page of q.
func searchIDs(t *testing.T, s store.Store, q audit.Query) []string {
	t.Helper()
	p, err := s.SearchEvents(ctx(t), q)
	if err != nil {
		t.Fatalf("SearchEvents: %v", err)
	}
	var ids []string
	for _, e := range p.Events {
		ids = append(ids, e.ID)
	}
	return ids
}
