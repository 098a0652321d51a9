package exportproof_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/checkpointer"
	"github.com/auditlog/auditlog/exportproof"
	"github.com/auditlog/auditlog/store/sqlite"
)

var base = time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC)

type fixture struct {
	st   *sqlite.Store
	keys *checkpoint.Keyring
	// public verifies with the public keys alone, as a third party does.
	public *checkpoint.Keyring
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	seed, err := checkpoint.GenerateSeed()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := checkpoint.ParseKeyring(seed)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, keys: keys, public: checkpoint.NewVerifier(keys.PublicKeys()...)}
}

// seed writes n events over several windows of two components, some with
// cells a spreadsheet would run as formulas, and checkpoints them all.
func (f *fixture) seed(t *testing.T, n int) {
	t.Helper()
	var events []audit.Event
	for i := range n {
		at := base.Add(time.Duration(i) * 17 * time.Second)
		e := audit.Event{
			ID: fmt.Sprintf("e-%03d", i), Tenant: "acme", ComponentID: []string{"CMS", "KMS"}[i%2],
			EventType: "CASE_UPDATED", Description: fmt.Sprintf("Case %d updated, by \"Ana\"\r\nsecond line", i),
			Priority: audit.PriorityMedium, Status: audit.StatusSuccess,
			ActionUser: audit.User{Type: audit.UserDashboard, ID: "u-ana", Name: "Ana Müller", Email: "ana@acme.test"},
			OccurredAt: at.Add(-time.Minute), IngestedAt: at, Details: map[string]any{"n": i, "ratio": 0.5},
		}
		if i%5 == 0 {
			e.Description = "=HYPERLINK(\"http://evil\")"
			e.ActionUser.Name = "+cmd|' /C calc'!A0"
		}
		events = append(events, e)
	}
	if _, err := f.st.WriteEvents(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.FlagEvents(context.Background(), "acme", []string{"e-003"}, audit.Flag{By: audit.User{Type: audit.UserDashboard, ID: "rev"}, At: base, Note: "check"}); err != nil {
		t.Fatal(err)
	}
	f.checkpoint(t, base.Add(time.Duration(n)*17*time.Second+time.Minute))
}

func (f *fixture) checkpoint(t *testing.T, until time.Time) {
	t.Helper()
	clock := func() time.Time { return until.Add(checkpointer.DefaultMargin + time.Minute) }
	if _, err := checkpointer.New(f.st, f.keys, checkpointer.Options{Clock: clock}).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) export(t *testing.T, filter audit.Filter) ([]byte, []byte) {
	t.Helper()
	var csv bytes.Buffer
	q := audit.Query{Tenant: "acme", Filter: filter, Order: audit.NewestFirst}
	_, m, err := exportproof.Write(context.Background(), &csv, f.st, f.keys, q, base.Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return csv.Bytes(), manifest
}

func describe(rep exportproof.Report) []string {
	var out []string
	for _, p := range rep.Problems {
		out = append(out, fmt.Sprintf("%s row %d %s", p.Kind, p.Row, p.EventID))
	}
	return out
}

func check(t *testing.T, what string, csv, manifest []byte, keys *checkpoint.Keyring, want []string) exportproof.Report {
	t.Helper()
	rep, err := exportproof.Verify(csv, manifest, keys)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got := describe(rep); !slices.Equal(got, want) {
		t.Errorf("%s: problems\n got  %q\n want %q", what, got, want)
	}
	return rep
}

// lines splits a file at CRLF that ends a record (descriptions hold a
// CRLF of their own, inside quotes).
func lines(csv []byte) [][]byte {
	var out [][]byte
	inQuotes, start := false, 0
	for i := 0; i < len(csv); i++ {
		switch {
		case csv[i] == '"':
			inQuotes = !inQuotes
		case !inQuotes && csv[i] == '\n':
			out = append(out, csv[start:i+1])
			start = i + 1
		}
	}
	return out
}

// TestRoundTrip: intact → ok with every row proven; one character changed
// → that row; a row dropped → that row; the manifest's own bytes changed
// or another key → refused.
func TestRoundTrip(t *testing.T) {
	f := newFixture(t)
	f.seed(t, 40)
	csv, manifest := f.export(t, audit.Filter{})
	rep := check(t, "intact export", csv, manifest, f.public, nil)
	if rep.Rows != 40 || rep.Proven != 40 {
		t.Errorf("intact export: %d rows, %d proven; want 40 and 40", rep.Rows, rep.Proven)
	}
	ls := lines(csv)
	if len(ls) != 42 { // header, 40 rows, trailer
		t.Fatalf("%d lines in the export", len(ls))
	}

	// Newest first: data row 6 is e-034.
	edited := bytes.Replace(csv, ls[6], bytes.Replace(ls[6], []byte("Ana Müller"), []byte("Ana Mülle_"), 1), 1)
	if bytes.Equal(edited, csv) {
		t.Fatal("test problem: nothing edited")
	}
	check(t, "one character changed", edited, manifest, f.public, []string{"ROW_ALTERED row 6 e-034"})

	dropped := bytes.Replace(csv, ls[12], nil, 1)
	check(t, "a row dropped", dropped, manifest, f.public, []string{"ROW_MISSING row 12 e-028"})

	last := bytes.Replace(csv, ls[40], nil, 1)
	check(t, "the last row dropped", last, manifest, f.public, []string{"ROW_MISSING row 40 e-000"})

	added := bytes.Replace(csv, ls[8], append(append([]byte(nil), ls[3]...), ls[8]...), 1)
	check(t, "a row copied in", added, manifest, f.public, []string{"FILE_ALTERED row 8 "})

	// Formula escaping is as exported: the escaped cell verifies, the
	// unescaped one would not.
	if !bytes.Contains(csv, []byte("'=HYPERLINK")) {
		t.Fatal("test problem: no escaped formula in the export")
	}
	unescaped := bytes.Replace(csv, []byte("'=HYPERLINK"), []byte("=HYPERLINK"), 1)
	check(t, "formula unescaped", unescaped, manifest, f.public, []string{"ROW_ALTERED row 5 e-035"})

	var m exportproof.Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		t.Fatal(err)
	}
	m.Body = bytes.Replace(m.Body, []byte(`"rows":40`), []byte(`"rows":39`), 1)
	forged, _ := json.Marshal(m)
	if _, err := exportproof.Verify(csv, forged, f.public); err == nil {
		t.Error("a manifest whose body was changed verifies")
	}
	other := newFixture(t)
	if _, err := exportproof.Verify(csv, manifest, other.public); err == nil {
		t.Error("a manifest verifies with a key that did not sign it")
	}
}

// TestUnprovenRows: an event not checkpointed when exported, and one
// written behind the API into a checkpointed window, are reported.
func TestUnprovenRows(t *testing.T) {
	f := newFixture(t)
	f.seed(t, 6)
	late := audit.Event{ID: "late", Tenant: "acme", ComponentID: "CMS", EventType: "X", Priority: audit.PriorityLow,
		Status: audit.StatusSuccess, ActionUser: audit.User{Type: audit.UserSystem}, OccurredAt: base.Add(time.Hour), IngestedAt: base.Add(time.Hour)}
	forged := late
	forged.ID, forged.OccurredAt, forged.IngestedAt = "forged", base.Add(-time.Hour), base.Add(20*time.Second)
	if _, err := f.st.WriteEvents(context.Background(), []audit.Event{late, forged}); err != nil {
		t.Fatal(err)
	}
	csv, manifest := f.export(t, audit.Filter{Components: []string{"CMS"}})
	check(t, "export with unproven rows", csv, manifest, f.public, []string{
		"ROW_UNPROVEN row 1 late",
		"PROOF_INVALID row 5 forged",
	})
	if strings.Count(string(csv), "\r\n") < 5 {
		t.Errorf("short export:\n%s", csv)
	}
}
