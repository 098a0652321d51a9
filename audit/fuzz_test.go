package audit

import (
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// eventPaths are the JSON paths validation may name.
var eventPaths = []string{
	"id", "tenant", "componentId", "submodule", "eventType", "eventTypeName", "area", "description",
	"priority", "status", "occurredAt", "redirectUrl", "details",
	"actionUser.type", "actionUser.id", "actionUser.name", "actionUser.email", "actionUser.ipAddress",
	"actionUser.userAgent", "actionUser.accountStatus",
	"targetUser.type", "targetUser.id", "targetUser.name", "targetUser.email", "targetUser.ipAddress",
	"targetUser.userAgent", "targetUser.accountStatus",
}

// FuzzValidateEvent feeds events with arbitrary field values to the
// validator: it never panics, refuses only with an InvalidError naming
// known fields, and what it accepts is within every documented bound.
func FuzzValidateEvent(f *testing.F) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	v := NewValidator()
	f.Add("evt-1", "KMS", "ARTICLE_PUBLISHED", "Published", "priya@example.com", "10.0.0.1", "https://example.com/kb/1", `{"a":1}`, int64(-3600))
	f.Add("", "kms", "bad type!", strings.Repeat("d", 8193), "not-an-email", "999.1.1.1", "javascript:alert(1)", `{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}`, int64(90000))
	f.Add("x", "A", "a", "", "", "::1", "HTTP://x", `[1]`, int64(-1<<40))
	f.Fuzz(func(t *testing.T, id, component, eventType, description, email, ip, redirect, details string, offset int64) {
		ev := validEvent(now)
		ev.ID, ev.ComponentID, ev.EventType, ev.Description, ev.RedirectURL = id, component, eventType, description, redirect
		ev.ActionUser.Email, ev.ActionUser.IPAddress = email, ip
		ev.OccurredAt = now.Add(time.Duration(offset) * time.Second)
		ev.Details = nil
		var d map[string]any
		if json.Unmarshal([]byte(details), &d) == nil {
			ev.Details = d
		}
		err := v.Event(&ev, now)
		if again := v.Event(&ev, now); (err == nil) != (again == nil) {
			t.Fatalf("validation is not deterministic: %v, then %v", err, again)
		}
		if err != nil {
			ie, ok := AsInvalid(err)
			if !ok || len(ie.Fields) == 0 {
				t.Fatalf("refused with %v, want an InvalidError", err)
			}
			for _, fe := range ie.Fields {
				if !slices.Contains(eventPaths, fe.Field) || fe.Message == "" {
					t.Fatalf("refusal names %+v", fe)
				}
			}
			return
		}
		if redirect != "" {
			u, err := url.Parse(redirect)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("accepted redirect URL %q", redirect)
			}
		}
		if b, _ := json.Marshal(ev.Details); len(b) > MaxDetailsBytes {
			t.Fatalf("accepted %d bytes of details", len(b))
		}
		if !eventIDPattern.MatchString(id) || !ValidComponentID(component) || !eventTypePattern.MatchString(eventType) {
			t.Fatalf("accepted id %q, component %q, event type %q", id, component, eventType)
		}
		if utf8.RuneCountInString(description) > 8192 {
			t.Fatalf("accepted a description of %d characters", utf8.RuneCountInString(description))
		}
		if ev.OccurredAt.After(now.Add(MaxClockSkew)) || ev.OccurredAt.Before(EarliestOccurredAt) {
			t.Fatalf("accepted occurredAt %v", ev.OccurredAt)
		}
	})
}

// FuzzParseText feeds arbitrary queries to ParseText: it never panics,
// keeps at most MaxTextTerms terms of lower-case words that tokenize to
// themselves, and the query it returns, written back in the syntax,
// parses to itself.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{
		"", "user group", `"user group" -sync pass*`, `-"a b"* "unterminated`, "NEAR(user, group) AND OR NOT",
		"café Zürich ZÜRICH", "v2.1 docs.example.com", `"(]*-"`, strings.Repeat("a ", 40), "\xff\xfe", "İstanbul",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := ParseText(s)
		if n := len(q.Must) + len(q.MustNot); n > MaxTextTerms {
			t.Fatalf("%d terms", n)
		}
		for _, term := range slices.Concat(q.Must, q.MustNot) {
			if len(term.Words) == 0 {
				t.Fatalf("empty term in %+v", q)
			}
			for _, w := range term.Words {
				if got := Words(w); len(got) != 1 || got[0] != w {
					t.Fatalf("word %q of %q tokenizes to %q", w, s, got)
				}
			}
		}
		// Written back, the words are folded: Accented cannot survive.
		if again := ParseText(render(q)); !reflect.DeepEqual(withoutAccents(again), withoutAccents(q)) {
			t.Fatalf("%q parses to %+v; written back as %q it parses to %+v", s, q, render(q), again)
		}
	})
}

// render writes q in the query syntax: every term as a quoted phrase.
func render(q TextQuery) string {
	var parts []string
	term := func(t TextTerm, not bool) {
		p := `"` + strings.Join(t.Words, " ") + `"`
		if not {
			p = "-" + p
		}
		if t.Prefix {
			p += "*"
		}
		parts = append(parts, p)
	}
	for _, t := range q.Must {
		term(t, false)
	}
	for _, t := range q.MustNot {
		term(t, true)
	}
	return strings.Join(parts, " ")
}

// withoutAccents is q without the accented forms of its terms.
func withoutAccents(q TextQuery) TextQuery {
	strip := func(ts []TextTerm) []TextTerm {
		out := slices.Clone(ts)
		for i := range out {
			out[i].Accented = nil
		}
		return out
	}
	return TextQuery{Must: strip(q.Must), MustNot: strip(q.MustNot)}
}
