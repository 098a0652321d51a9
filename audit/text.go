package audit

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TextTerm is one clause of a full-text query: a single word or a phrase of
// consecutive words, as Words splits them. With Prefix, the last word
// matches any word it begins.
type TextTerm struct {
	Words  []string
	Prefix bool
	// Accented holds the words with their accents, when folding changed
	// them (else nil), for text indexed before Words folded accents.
	Accented []string
}

// TextQuery is an analyst's full-text query in structured form. An event
// matches when every Must term and no MustNot term occurs in its searchable
// text (description or event type name).
type TextQuery struct {
	Must    []TextTerm
	MustNot []TextTerm
}

// Empty reports whether the query constrains nothing.
func (q TextQuery) Empty() bool { return len(q.Must) == 0 && len(q.MustNot) == 0 }

// MaxTextTerms bounds how many clauses a text query keeps, so that a huge
// query cannot become a huge engine query.
const MaxTextTerms = 32

// ParseText turns an analyst's query into a TextQuery. It accepts any input
// and never fails: words are required, "quoted phrases" must occur as
// written, word* (also "a phrase end*" or "a phrase end"*) matches words
// that begin with it, and -word or -"phrase" excludes. Words are runs of
// letters and numbers; anything else separates them, so a bare "user-group"
// is the phrase "user group", as both stores tokenize it.
func ParseText(s string) TextQuery {
	var q TextQuery
	add := func(t TextTerm, negate bool) {
		if len(t.Words) == 0 || len(q.Must)+len(q.MustNot) >= MaxTextTerms {
			return
		}
		if negate {
			q.MustNot = append(q.MustNot, t)
		} else {
			q.Must = append(q.Must, t)
		}
	}
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		negate := false
		if rs[i] == '-' && i+1 < len(rs) && (rs[i+1] == '"' || isWordRune(rs[i+1])) {
			negate = true
			i++
		}
		if rs[i] == '"' {
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			inner := string(rs[i+1 : j])
			t := newTextTerm(inner)
			i = j + 1
			if i < len(rs) && rs[i] == '*' {
				t.Prefix = true
				i++
			}
			add(t, negate)
			continue
		}
		j := i
		for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '"' {
			j++
		}
		chunk := string(rs[i:j])
		i = j
		add(newTextTerm(chunk), negate)
	}
	return q
}

func newTextTerm(s string) TextTerm {
	t := TextTerm{Words: Words(s), Prefix: endsWithStar(s)}
	if accented := split(strings.ToLower(s)); !slices.Equal(accented, t.Words) {
		t.Accented = accented
	}
	return t
}

// Words splits s into lower-cased runs of letters and numbers, the way both
// stores index searchable text and the query parser splits queries, with
// the accents of Latin letters folded: "Chloé", "CHLOE" and "chloe" are
// the same word. Other scripts keep their marks (か and が differ).
func Words(s string) []string {
	return split(foldLatin(strings.ToLower(s)))
}

// split returns the runs of letters and numbers of s; nil when it has none.
func split(s string) []string {
	words := strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
	if len(words) == 0 {
		return nil
	}
	return words
}

// foldLatin replaces each accented Latin letter of s by its base letters:
// é → e (by its canonical decomposition, without the marks), and the
// letters that have none by their usual spelling (ø → o, ß → ss).
func foldLatin(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		if r < utf8.RuneSelf || !unicode.Is(unicode.Latin, r) {
			b.WriteRune(r)
			continue
		}
		// ǿ decomposes to ø and a mark, and ø is then spelled o.
		for _, d := range norm.NFD.String(string(r)) {
			switch {
			case unicode.Is(unicode.Mn, d):
			case latinSpelled(d) != "":
				b.WriteString(latinSpelled(d))
			default:
				b.WriteRune(d)
			}
		}
	}
	return b.String()
}

// latinSpelled spells the lower-case Latin letters that have no canonical
// decomposition into a base letter and marks; "" for the others.
func latinSpelled(r rune) string {
	switch r {
	case 'ø':
		return "o"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ß':
		return "ss"
	case 'ł':
		return "l"
	case 'đ', 'ð':
		return "d"
	case 'þ':
		return "th"
	case 'ı':
		return "i"
	case 'ħ':
		return "h"
	}
	return ""
}

// endsWithStar reports whether s ends with a word directly followed by '*'
// (trailing space aside), as in word* or "a phrase pre*".
func endsWithStar(s string) bool {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	if !strings.HasSuffix(s, "*") {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, "*"))
	return isWordRune(r)
}

// isWordRune reports whether r belongs to a word: letters and numbers of
// any script, as the stores' tokenizers see them (FTS5 unicode61 and the
// OpenSearch pattern tokenizer [^\p{L}\p{N}]+). Combining marks separate.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }
