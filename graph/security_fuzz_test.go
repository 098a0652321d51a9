package graph

import (
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/graph/model"
	"github.com/auditlog/auditlog/token"
)

// fuzzNow is the fixed clock of the fuzz targets, so that the signed
// cursors of the seed corpus stay valid.
var fuzzNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func fuzzResolver(tb testing.TB) *Resolver {
	tb.Helper()
	s, err := token.NewSigner([]byte("auditlog fuzz secret, 32 bytes or more"), token.WithClock(func() time.Time { return fuzzNow }))
	if err != nil {
		tb.Fatal(err)
	}
	return NewResolver(Deps{Signer: s, Clock: func() time.Time { return fuzzNow }})
}

// FuzzCursor feeds arbitrary strings to the decoding of events(after:):
// it never panics, refuses with BAD_USER_INPUT on "after", and accepts only
// cursors this server signed for this listing, unaltered.
func FuzzCursor(f *testing.F) {
	r := fuzzResolver(f)
	listing, err := listingHash("acme", audit.Filter{}, audit.NewestFirst)
	if err != nil {
		f.Fatal(err)
	}
	other, err := listingHash("globex", audit.Filter{}, audit.NewestFirst)
	if err != nil {
		f.Fatal(err)
	}
	for _, k := range []audit.SortKey{
		{OccurredAt: fuzzNow.Add(-time.Hour), ID: "01J0000000000000000000000"},
		{OccurredAt: time.Unix(0, 0).UTC(), ID: "a"},
	} {
		for _, l := range []string{listing, other} {
			c, err := r.encodeCursor(k, l)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(c)
		}
	}
	f.Fuzz(func(t *testing.T, after string) {
		key, err := r.decodeCursor(after, listing)
		if err != nil {
			ie, ok := audit.AsInvalid(err)
			if !ok || len(ie.Fields) != 1 || ie.Fields[0].Field != "after" {
				t.Fatalf("cursor %q refused with %v, want BAD_USER_INPUT on after", after, err)
			}
			return
		}
		again, err := r.encodeCursor(*key, listing)
		if err != nil {
			t.Fatal(err)
		}
		if again != after {
			t.Fatalf("accepted a cursor this server did not make for this listing: %q (decodes to %+v)", after, key)
		}
	})
}

// FuzzEventFilter feeds arbitrary filters through the conversion and
// checks every listing runs: the result is valid or a BAD_USER_INPUT
// error naming fields under "filter.", and a valid filter's listing hash
// is stable and differs between tenants.
func FuzzEventFilter(f *testing.F) {
	f.Add("user group -sync \"pass*", "priya@acme.example", "KMS,CMS", int64(0), int64(3600), byte(1))
	f.Add(strings.Repeat("x", 1025), "", "", int64(10), int64(5), byte(2))
	f.Add("", strings.Repeat("é", 600), strings.Repeat("A,", 101), int64(-1), int64(-1), byte(0))
	f.Fuzz(func(t *testing.T, text, user, components string, from, to int64, flags byte) {
		in := model.EventFilter{Text: &text, ActionUser: &user, TargetUser: &user}
		if components != "" {
			in.Components = strings.Split(components, ",")
		}
		if from >= 0 {
			t := time.Unix(from, 0).In(time.FixedZone("x", 3600))
			in.From = &t
		}
		if to >= 0 {
			t := time.Unix(to, 0)
			in.To = &t
		}
		if flags&1 != 0 {
			b := flags&2 != 0
			in.Flagged = &b
		}
		fl := filterFromInput(in)
		if err := app.CheckFilter("filter", fl); err != nil {
			ie, ok := audit.AsInvalid(err)
			if !ok || len(ie.Fields) == 0 {
				t.Fatalf("refused with %v, want BAD_USER_INPUT", err)
			}
			for _, fe := range ie.Fields {
				if !strings.HasPrefix(fe.Field, "filter.") || fe.Message == "" {
					t.Fatalf("refusal names %+v", fe)
				}
			}
			return
		}
		if q := audit.ParseText(fl.Text); len(q.Must)+len(q.MustNot) > audit.MaxTextTerms {
			t.Fatalf("text %q makes %d terms", fl.Text, len(q.Must)+len(q.MustNot))
		}
		h1, err := listingHash("acme", fl, audit.NewestFirst)
		if err != nil {
			t.Fatal(err)
		}
		h2, _ := listingHash("acme", filterFromInput(in), audit.NewestFirst)
		h3, _ := listingHash("globex", fl, audit.NewestFirst)
		if h1 != h2 || h1 == h3 {
			t.Fatalf("listing hash unstable or shared across tenants: %s %s %s", h1, h2, h3)
		}
	})
}
