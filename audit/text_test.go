package audit

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseText(t *testing.T) {
	w := func(words ...string) TextTerm { return TextTerm{Words: words} }
	p := func(words ...string) TextTerm { return TextTerm{Words: words, Prefix: true} }
	cases := []struct {
		in            string
		must, mustNot []TextTerm
	}{
		{in: ""},
		{in: "   \t\n "},
		{in: "user", must: []TextTerm{w("user")}},
		{in: "User GROUP", must: []TextTerm{w("user"), w("group")}},
		{in: `"user group"`, must: []TextTerm{w("user", "group")}},
		{in: `"Group  User"`, must: []TextTerm{w("group", "user")}},
		{in: `"user group`, must: []TextTerm{w("user", "group")}}, // unterminated
		{in: `sync "user group" policy`, must: []TextTerm{w("sync"), w("user", "group"), w("policy")}},
		{in: `foo"bar baz"`, must: []TextTerm{w("foo"), w("bar", "baz")}},
		{in: "pass*", must: []TextTerm{p("pass")}},
		{in: "PASS**", must: []TextTerm{p("pass")}},
		{in: `"role gr"*`, must: []TextTerm{p("role", "gr")}},
		{in: `"role gr*"`, must: []TextTerm{p("role", "gr")}},
		{in: `"role gr* "`, must: []TextTerm{p("role", "gr")}},
		{in: "wo*rd", must: []TextTerm{w("wo", "rd")}},
		{in: "foo-*", must: []TextTerm{w("foo")}},
		{in: "user-group*", must: []TextTerm{p("user", "group")}},
		{in: "-user", mustNot: []TextTerm{w("user")}},
		{in: "sync -user", must: []TextTerm{w("sync")}, mustNot: []TextTerm{w("user")}},
		{in: `-"user group"`, mustNot: []TextTerm{w("user", "group")}},
		{in: `-"user gr"*`, mustNot: []TextTerm{p("user", "gr")}},
		{in: "-pass*", mustNot: []TextTerm{p("pass")}},
		{in: "-user-group", mustNot: []TextTerm{w("user", "group")}},
		{in: "user-group", must: []TextTerm{w("user", "group")}},
		{in: "user_group", must: []TextTerm{w("user", "group")}},
		{in: "docs.example.com", must: []TextTerm{w("docs", "example", "com")}},
		{in: "admin's", must: []TextTerm{w("admin", "s")}},
		{in: "v2.1", must: []TextTerm{w("v2", "1")}},
		{in: "--user", must: []TextTerm{w("user")}}, // only a dash before a word or quote negates
		{in: "- user", must: []TextTerm{w("user")}},
		{in: "-", must: nil},
		{in: "-*", must: nil},
		{in: "*"},
		{in: `"`},
		{in: `""`},
		{in: `""*`},
		{in: `-"`},
		{in: `"(]*-`},
		{in: `"(]*-"`},
		{in: "()[]{}^~:!&|\\/"},
		{in: "AND OR NOT NEAR(", must: []TextTerm{w("and"), w("or"), w("not"), w("near")}},
		{in: "NEAR(user, group)", must: []TextTerm{w("near", "user"), w("group")}},
		{in: "user:group", must: []TextTerm{w("user", "group")}},
		{in: "café Zürich", must: []TextTerm{accented(w("cafe"), "café"), accented(w("zurich"), "zürich")}},
		{in: "ZÜRICH", must: []TextTerm{accented(w("zurich"), "zürich")}},
		{in: `"Chloé Ørsted" -straße`, must: []TextTerm{accented(w("chloe", "orsted"), "chloé", "ørsted")},
			mustNot: []TextTerm{accented(w("strasse"), "straße")}},
		{in: "がか", must: []TextTerm{w("がか")}}, // marks of other scripts stay
		{in: "東京 office", must: []TextTerm{w("東京"), w("office")}},
		{in: "cafe\u0301", must: []TextTerm{w("cafe")}}, // decomposed é: the same word as café
		{in: "x² ½ Ⅻ", must: []TextTerm{w("x²"), w("½"), w("ⅻ")}},
		{in: "ÉCOLE*", must: []TextTerm{accented(p("ecole"), "école")}},
		{in: "\u00a0user\u2003group\u00a0", must: []TextTerm{w("user"), w("group")}}, // unicode spaces
		{in: "user\x00group", must: []TextTerm{w("user", "group")}},
		{in: "\xff\xfeuser", must: []TextTerm{w("user")}}, // invalid UTF-8
	}
	for _, c := range cases {
		got := ParseText(c.in)
		want := TextQuery{Must: c.must, MustNot: c.mustNot}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseText(%q) = %+v, want %+v", c.in, got, want)
		}
		if got.Empty() != (len(c.must)+len(c.mustNot) == 0) {
			t.Errorf("ParseText(%q).Empty() = %v", c.in, got.Empty())
		}
	}
}

func TestParseTextBoundsTerms(t *testing.T) {
	q := ParseText(strings.Repeat("a -b ", MaxTextTerms))
	if n := len(q.Must) + len(q.MustNot); n != MaxTextTerms {
		t.Fatalf("ParseText kept %d terms of %d, want %d", n, 2*MaxTextTerms, MaxTextTerms)
	}
	// The first terms are kept, in order.
	if q.Must[0].Words[0] != "a" || q.MustNot[0].Words[0] != "b" {
		t.Errorf("ParseText kept %+v", q)
	}
}

func TestParseTextNeverFails(t *testing.T) {
	// Every word of the result is a non-empty run of word runes, whatever the input.
	inputs := []string{`"(]*-`, `AND OR NOT NEAR(`, `*"*"*`, `-"-"-`, `"a" "b`, strings.Repeat(`"`, 101), "\"\xff*", "-\"\u0301\"*"}
	for _, in := range inputs {
		for _, terms := range [][]TextTerm{ParseText(in).Must, ParseText(in).MustNot} {
			for _, term := range terms {
				if len(term.Words) == 0 {
					t.Errorf("ParseText(%q) kept a term without words", in)
				}
				for _, word := range term.Words {
					if word == "" || strings.IndexFunc(word, func(r rune) bool { return !isWordRune(r) }) >= 0 {
						t.Errorf("ParseText(%q) kept word %q", in, word)
					}
				}
			}
		}
	}
}

func TestWords(t *testing.T) {
	cases := map[string][]string{
		"":                           nil,
		"  ":                         nil,
		"Article published":          {"article", "published"},
		"Candidate added (single)":   {"candidate", "added", "single"},
		"NOT approved AND escalated": {"not", "approved", "and", "escalated"},
		"see docs.example.com":       {"see", "docs", "example", "com"},
		"admin's user_group":         {"admin", "s", "user", "group"},
		"WorkLM v2.1":                {"worklm", "v2", "1"},
		"café in Zürich":             {"cafe", "in", "zurich"},
		"Chloé Ørsted, Straße, ŁÓDŹ": {"chloe", "orsted", "strasse", "lodz"},
		"cafe\u0301 cafe":            {"cafe", "cafe"},
		"がが ĞİŞ":                     {"がが", "gis"},
		"東京 office":                  {"東京", "office"},
		"ticket #4821":               {"ticket", "4821"},
	}
	for in, want := range cases {
		if got := Words(in); !reflect.DeepEqual(got, want) {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}

// accented is t with the words as written, before folding.
func accented(t TextTerm, words ...string) TextTerm {
	t.Accented = words
	return t
}
