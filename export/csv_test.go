package export_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/export"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1:A9)":    "'=SUM(A1:A9)",
		"+1":             "'+1",
		"-5":             "'-5",
		"@cmd":           "'@cmd",
		"\tx":            "'\tx",
		"\rx":            "'\rx",
		"＝1+1":           "'＝1+1",
		"＋1":             "'＋1",
		"－1":             "'－1",
		"＠x":             "'＠x",
		"":               "",
		"plain":          "plain",
		"a=b":            "a=b",
		" =x":            " =x",
		`{"delta":-5}`:   `{"delta":-5}`,
		"2026-01-01T00Z": "2026-01-01T00Z",
		"'quoted":        "'quoted",
	} {
		if got := export.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteForTheCommandLine(t *testing.T) {
	st := openSQLite(t)
	var events []audit.Event
	for i := range 6 {
		events = append(events, event(tenant, "ev-"+string(rune('a'+i)), "KMS", t0.Add(time.Duration(i)*time.Minute)))
	}
	events = append(events, event("globex", "theirs", "KMS", t0))
	writeEvents(t, st, events)

	var buf bytes.Buffer
	var progress []int64
	q := audit.Query{Tenant: tenant, Order: audit.OldestFirst, Limit: 3}
	n, err := export.Write(ctx(t), &buf, st, q, func(rows int64) { progress = append(progress, rows) })
	if err != nil || n != 6 {
		t.Fatalf("Write = %d, %v; want 6 rows", n, err)
	}
	if !slices.Equal(progress, []int64{3, 6}) {
		t.Errorf("progress reported %v, want [3 6]", progress)
	}
	rows, complete, err := export.Verify(bytes.NewReader(buf.Bytes()))
	if rows != 6 || !complete || err != nil {
		t.Fatalf("Verify = %d, %v, %v", rows, complete, err)
	}
	if got := ids(parseRows(t, buf.Bytes())); !slices.Equal(got, []string{"ev-a", "ev-b", "ev-c", "ev-d", "ev-e", "ev-f"}) {
		t.Fatalf("rows %q", got)
	}
	if !strings.Contains(buf.String(), "\r\n") || strings.Contains(strings.ReplaceAll(buf.String(), "\r\n", ""), "\n") {
		t.Errorf("lines must end in CRLF: %q", buf.String())
	}

	// A count that is not a multiple of the page size reports the rest too.
	progress = nil
	q.Limit = 4
	n, err = export.Write(ctx(t), io.Discard, st, q, func(rows int64) { progress = append(progress, rows) })
	if err != nil || n != 6 || !slices.Equal(progress, []int64{4, 6}) {
		t.Errorf("page size 4: Write = %d, %v, progress %v; want 6 rows, progress [4 6]", n, err, progress)
	}
}

func TestWriteFailureLeavesNoTrailer(t *testing.T) {
	st := openSQLite(t)
	var events []audit.Event
	for i := range 10 {
		events = append(events, event(tenant, "ev-"+string(rune('a'+i)), "KMS", t0.Add(time.Duration(i)*time.Minute)))
	}
	writeEvents(t, st, events)

	// A writer that fails after some rows, like a full disk.
	w := &failingWriter{budget: 1500}
	n, err := export.Write(ctx(t), w, st, audit.Query{Tenant: tenant, Limit: 2}, nil)
	if err == nil {
		t.Fatalf("Write to a failing writer returned no error after %d rows", n)
	}
	rows, complete, verr := export.Verify(bytes.NewReader(w.buf.Bytes()))
	if complete {
		t.Fatalf("a failed export verifies complete (%d rows, %v)", rows, verr)
	}
}

type failingWriter struct {
	buf    bytes.Buffer
	budget int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.budget {
		return 0, errors.New("disk full")
	}
	return w.buf.Write(p)
}

func TestVerify(t *testing.T) {
	header := strings.Join(quoteAll(export.Columns), ",") + "\r\n"
	row := func(id string) string {
		cells := make([]string, len(export.Columns))
		cells[0] = id
		cells[5] = "multi\r\nline, \"quoted\""
		return strings.Join(quoteAll(cells), ",") + "\r\n"
	}
	whole := header + row("a") + row("b") + "# complete: 2 rows\r\n"
	for _, tc := range []struct {
		name     string
		in       string
		rows     int
		complete bool
		err      bool
	}{
		{"complete", whole, 2, true, false},
		{"empty export", header + "# complete: 0 rows\r\n", 0, true, false},
		{"cut after a row", header + row("a") + row("b"), 2, false, false},
		{"cut inside the trailer", whole[:len(whole)-8], 2, false, true},
		{"cut inside a quoted cell", whole[:len(header)+20], 0, false, true},
		{"wrong count", header + row("a") + "# complete: 2 rows\r\n", 1, false, true},
		{"rows after trailer", whole + row("c"), 2, false, true},
		{"not an export", "a,b\r\n1,2\r\n", 0, false, true},
		{"nothing", "", 0, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, complete, err := export.Verify(strings.NewReader(tc.in))
			if rows != tc.rows || complete != tc.complete || (err != nil) != tc.err {
				t.Fatalf("Verify = %d, %v, %v; want %d, %v, err %v", rows, complete, err, tc.rows, tc.complete, tc.err)
			}
		})
	}
}

func quoteAll(cells []string) []string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	out := make([]string, len(cells))
	for i, c := range cells {
		b.Reset()
		_ = w.Write([]string{c})
		w.Flush()
		out[i] = strings.TrimSuffix(b.String(), "\n")
	}
	return out
}

func TestFilename(t *testing.T) {
	jan, feb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	noon := time.Date(2026, 1, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		req  export.Request
		want string
	}{
		{export.Request{Filter: &audit.Filter{Components: []string{"KMS"}, From: &jan, To: &feb}}, "auditlog-KMS-20260101-20260201.csv"},
		{export.Request{Filter: &audit.Filter{}}, "auditlog-all-start-20260304T150000Z.csv"},
		{export.Request{Filter: &audit.Filter{Components: []string{"CMS", "SET"}, From: &noon}}, "auditlog-CMS_SET-20260101T113000Z-20260304T150000Z.csv"},
		{export.Request{Filter: &audit.Filter{Components: []string{`../"evil"; x=y`}}}, "auditlog-..__evil___x_y-start-20260304T150000Z.csv"},
		{export.Request{IDs: []string{"01HV0Z"}}, "auditlog-event-01HV0Z.csv"},
		{export.Request{IDs: []string{"a", "b", "c"}}, "auditlog-selected-3-20260304T150000Z.csv"},
	} {
		if got := export.Filename(tc.req, now); got != tc.want {
			t.Errorf("Filename(%+v) = %q, want %q", tc.req, got, tc.want)
		}
	}
}
