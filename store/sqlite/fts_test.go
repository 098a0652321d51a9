package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

func TestFTSExprQuotesEveryTerm(t *testing.T) {
	for _, c := range []struct {
		text       string
		must, not_ string
	}{
		{`approved`, `"approved"`, ``},
		{`"user group" publ*`, `"user group" AND "publ"*`, ``},
		{`-draft`, ``, `"draft"`},
		{`AND OR NOT NEAR(`, `"and" AND "or" AND "not" AND "near"`, ``},
		{`"(]*-`, ``, ``},
		{`a -"b c" -d*`, `"a"`, `"b c" OR "d"*`},
	} {
		q := audit.ParseText(c.text)
		if got := ftsExpr(q.Must, " AND "); got != c.must {
			t.Errorf("%q: must = %s, want %s", c.text, got, c.must)
		}
		if got := ftsExpr(q.MustNot, " OR "); got != c.not_ {
			t.Errorf("%q: must not = %s, want %s", c.text, got, c.not_)
		}
	}
	// A quote inside a word cannot come from ParseText, but must still
	// stay inside its string.
	if got := ftsExpr([]audit.TextTerm{{Words: []string{`a"b`}}}, " AND "); got != `"a""b"` {
		t.Errorf("embedded quote: %s", got)
	}
}

// TestJunkTextNeverFails runs text that is FTS5 syntax, or broken syntax,
// through the store: every query answers, and FTS5 keywords are words.
func TestJunkTextNeverFails(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	plain := sampleEvent("acme", "plain", at)
	keywords := sampleEvent("acme", "keywords", at.Add(time.Second))
	keywords.Description = "NOT approved AND escalated OR near breach"
	if _, err := s.WriteEvents(ctx, []audit.Event{plain, keywords}); err != nil {
		t.Fatalf("WriteEvents: %v", err)
	}
	for _, c := range []struct {
		text string
		want []string // ids, oldest first
	}{
		{`"(]*-`, []string{"plain", "keywords"}},
		{`AND OR NOT NEAR(`, []string{"keywords"}},
		{`NEAR(approved breach)`, nil}, // the phrase "near approved" and "breach"
		{`near(breach)`, []string{"keywords"}},
		{`not`, []string{"keywords"}},
		{`-not`, []string{"plain"}},
		{`-"not approved"`, []string{"plain"}},
		{`-"approved not"`, []string{"plain", "keywords"}},
		{`description:support`, nil}, // a phrase, not a column filter
		{`{description}: x`, nil},
		{`^support`, []string{"plain"}},
		{`*`, []string{"plain", "keywords"}},
		{`-`, []string{"plain", "keywords"}},
		{`"`, []string{"plain", "keywords"}},
		{`""*`, []string{"plain", "keywords"}},
		{`-*`, []string{"plain", "keywords"}},
		{`sup* -"`, []string{"plain"}},
		{`'; DROP TABLE events; --`, nil},
		{"\x00\uFFFD", []string{"plain", "keywords"}},
	} {
		p, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10, Order: audit.OldestFirst, Filter: audit.Filter{Text: c.text}})
		if err != nil {
			t.Errorf("text %q: %v", c.text, err)
			continue
		}
		var got []string
		for _, e := range p.Events {
			got = append(got, e.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("text %q: got %v, want %v", c.text, got, c.want)
		}
	}
}

// TestTokensAreAuditWords: the index splits text exactly where audit.Words
// does (letters and numbers; symbols, emoji and combining marks separate),
// so a word the analyst sees in a description finds it.
func TestTokensAreAuditWords(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	e := sampleEvent("acme", "symbols", time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	e.Description = "cost $100+fee, deploy🚀now, cafe\u0301 ok, a|b ©2024 x^2"
	if _, err := s.WriteEvents(ctx, []audit.Event{e}); err != nil {
		t.Fatalf("WriteEvents: %v", err)
	}
	for _, w := range audit.Words(e.Description) {
		p, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 1, Filter: audit.Filter{Text: w}})
		if err != nil {
			t.Fatalf("text %q: %v", w, err)
		}
		if p.Total != 1 {
			t.Errorf("word %q of %q found %d events, want 1", w, e.Description, p.Total)
		}
	}
	for _, text := range []string{`"100 fee"`, `"deploy now"`, `"b 2024 x 2"`, `-"$100"`} {
		p, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 1, Filter: audit.Filter{Text: text}})
		if err != nil {
			t.Fatalf("text %q: %v", text, err)
		}
		want := int64(1)
		if text[0] == '-' {
			want = 0
		}
		if p.Total != want {
			t.Errorf("text %q found %d events, want %d", text, p.Total, want)
		}
	}
}

// TestIndexKeepsAuditWordsAsTheyAre: the index holds the words of
// audit.Words unchanged, as OpenSearch does: no letter is folded again (ς
// stays apart from σ, ſ from s) and no letter of audit.Words separates
// words (New Tai Lue vowel signs, letters since Unicode 8).
func TestIndexKeepsAuditWordsAsTheyAre(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	texts := map[string]string{"upper": "ΟΔΟΣ closed", "final": "οδος closed", "long-s": "ſtatus closed", "tai-lue": "ᦀᦰᦀ closed"}
	var events []audit.Event
	for id, text := range texts {
		e := sampleEvent("acme", id, at)
		e.Description = text
		events = append(events, e)
	}
	if _, err := s.WriteEvents(ctx, events); err != nil {
		t.Fatalf("WriteEvents: %v", err)
	}
	for text, want := range map[string][]string{
		"οδος": {"final"}, "ΟΔΟΣ": {"upper"}, "οδοσ": {"upper"}, "ſtatus": {"long-s"}, "status": nil,
		"ᦀᦰᦀ": {"tai-lue"}, "ᦀ": nil, "closed": {"final", "long-s", "tai-lue", "upper"},
	} {
		p, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10, Order: audit.OldestFirst, Filter: audit.Filter{Text: text}})
		if err != nil {
			t.Fatalf("text %q: %v", text, err)
		}
		var got []string
		for _, e := range p.Events {
			got = append(got, e.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("text %q finds %v, want %v", text, got, want)
		}
	}
}
