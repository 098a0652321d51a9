// Package export turns audit events into CSV: one event, a selection, or a
// whole filtered log, streamed from a store scan in constant memory. It
// serves signed, short-lived download links (Service) and writes the same
// CSV for the command line (Write).
package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// Columns is the header row of every export, in order.
var Columns = []string{
	"Event ID",
	"Component",
	"Submodule",
	"Event Type",
	"Event Type Name",
	"Description",
	"Priority",
	"Status",
	"Action User Type",
	"Action User ID",
	"Action User Name",
	"Action User Email",
	"Action User IP Address",
	"Action User Agent",
	"Target User Type",
	"Target User ID",
	"Target User Name",
	"Target User Email",
	"Target User Account Status",
	"Occurred At",
	"Ingested At",
	"Flagged",
	"Flagged By",
	"Flagged At",
	"Flag Note",
	"Redirect URL",
	"Details",
}

// DefaultPageSize is how many events a scan reads per page, and how many
// rows are written between flushes.
const DefaultPageSize = 500

// trailerPrefix starts the last line of a complete export. No data row can
// start with '#': the first cell is an event id, which starts with a letter
// or digit.
const trailerPrefix = "# complete: "

// timeLayout is RFC 3339 in UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// Write writes the events matching q as CSV to w: a header row, one row per
// event in q.Order, then the trailer line that marks the file complete. It
// reads with ScanEvents in pages of q.Limit (DefaultPageSize when 0), so
// memory stays flat, and calls progress, if not nil, after every page with
// the rows written so far. On error the trailer is not written, so the
// output cannot pass for a whole export. It returns the rows written.
func Write(ctx context.Context, w io.Writer, st store.EventStore, q audit.Query, progress func(rows int64)) (int64, error) {
	return stream(ctx, w, st, q, func(rows int64) error {
		if progress != nil {
			progress(rows)
		}
		return nil
	})
}

// stream is Write with a hook run after every page has been flushed to w;
// an error from afterPage stops the scan.
func stream(ctx context.Context, w io.Writer, st store.EventStore, q audit.Query, afterPage func(rows int64) error) (int64, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultPageSize
	}
	if q.Order == "" {
		q.Order = audit.NewestFirst
	}
	q.Facets, q.Histogram = nil, 0

	enc := newEncoder(w)
	if err := enc.header(); err != nil {
		return 0, err
	}
	err := st.ScanEvents(ctx, q, func(e audit.Event) error {
		if err := enc.event(&e); err != nil {
			return err
		}
		if enc.rows%int64(q.Limit) != 0 {
			return nil
		}
		if err := enc.flush(); err != nil {
			return err
		}
		return afterPage(enc.rows)
	})
	if err != nil {
		return enc.rows, fmt.Errorf("export after %d rows: %w", enc.rows, err)
	}
	if err := enc.trailer(); err != nil {
		return enc.rows, err
	}
	if enc.rows > 0 && enc.rows%int64(q.Limit) == 0 {
		return enc.rows, nil // the last page already reported these rows
	}
	return enc.rows, afterPage(enc.rows)
}

// encoder writes export rows. It reuses one record and one JSON buffer, so
// encoding allocates little per row, and holds at most one buffer of output
// before writing through to w.
//
// It writes CSV itself rather than with encoding/csv, whose CRLF mode drops
// a bare carriage return inside a cell: an audit export keeps cells verbatim.
type encoder struct {
	bw      *bufio.Writer
	rec     []string
	details bytes.Buffer
	rows    int64
}

func newEncoder(w io.Writer) *encoder {
	return &encoder{bw: bufio.NewWriterSize(w, 32<<10), rec: make([]string, len(Columns))}
}

func (e *encoder) header() error {
	if err := e.record(Columns); err != nil {
		return fmt.Errorf("write csv header: %w", err)
	}
	return nil
}

// record writes one RFC 4180 record: cells with a comma, quote, CR or LF
// (or leading space, which some readers trim) are quoted, quotes doubled,
// and the line ends in CRLF.
func (e *encoder) record(cells []string) error {
	for i, c := range cells {
		if i > 0 {
			e.bw.WriteByte(',')
		}
		if c == "" || (!strings.ContainsAny(c, ",\"\r\n") && c[0] != ' ') {
			e.bw.WriteString(c)
			continue
		}
		e.bw.WriteByte('"')
		for {
			j := strings.IndexByte(c, '"')
			if j < 0 {
				break
			}
			e.bw.WriteString(c[:j+1])
			e.bw.WriteByte('"')
			c = c[j+1:]
		}
		e.bw.WriteString(c)
		e.bw.WriteByte('"')
	}
	// bufio.Writer keeps its first error and returns it from every later call.
	_, err := e.bw.WriteString("\r\n")
	return err
}

func (e *encoder) event(ev *audit.Event) error {
	r := e.rec
	r[0] = ev.ID
	r[1] = ev.ComponentID
	r[2] = ev.Submodule
	r[3] = ev.EventType
	r[4] = ev.EventTypeName
	r[5] = ev.Description
	r[6] = string(ev.Priority)
	r[7] = string(ev.Status)
	a := &ev.ActionUser
	r[8], r[9], r[10], r[11], r[12], r[13] = string(a.Type), a.ID, a.Name, a.Email, a.IPAddress, a.UserAgent
	if t := ev.TargetUser; t != nil {
		r[14], r[15], r[16], r[17], r[18] = string(t.Type), t.ID, t.Name, t.Email, string(t.AccountStatus)
	} else {
		r[14], r[15], r[16], r[17], r[18] = "", "", "", "", ""
	}
	r[19] = formatTime(ev.OccurredAt)
	r[20] = formatTime(ev.IngestedAt)
	if f := ev.Flag; f != nil {
		r[21], r[22], r[23], r[24] = "true", userLabel(f.By), formatTime(f.At), f.Note
	} else {
		r[21], r[22], r[23], r[24] = "false", "", "", ""
	}
	r[25] = ev.RedirectURL
	details, err := e.detailsJSON(ev.Details)
	if err != nil {
		return fmt.Errorf("event %s: %w", ev.ID, err)
	}
	r[26] = details
	for i := range r {
		r[i] = Escape(r[i])
	}
	if err := e.record(r); err != nil {
		return fmt.Errorf("write csv row: %w", err)
	}
	e.rows++
	return nil
}

// detailsJSON renders details as compact JSON with sorted keys; "" when
// there are none. JSON of an object starts with '{', so Escape leaves it
// intact and a value such as -5 inside stays valid JSON.
func (e *encoder) detailsJSON(d map[string]any) (string, error) {
	if len(d) == 0 {
		return "", nil
	}
	e.details.Reset()
	je := json.NewEncoder(&e.details)
	je.SetEscapeHTML(false) // keep <, > and & readable in a spreadsheet
	if err := je.Encode(d); err != nil {
		return "", fmt.Errorf("encode details: %w", err)
	}
	return strings.TrimSuffix(e.details.String(), "\n"), nil
}

func (e *encoder) flush() error {
	if err := e.bw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func (e *encoder) trailer() error {
	if _, err := fmt.Fprintf(e.bw, "%s%d rows\r\n", trailerPrefix, e.rows); err != nil {
		return fmt.Errorf("write csv trailer: %w", err)
	}
	return e.flush()
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// userLabel renders a user as "name <email>", falling back to whichever of
// name, email and id is known.
func userLabel(u audit.User) string {
	switch {
	case u.Name != "" && u.Email != "":
		return u.Name + " <" + u.Email + ">"
	case u.Name != "":
		return u.Name
	case u.Email != "":
		return "<" + u.Email + ">"
	}
	return u.ID
}

// Escape makes a cell safe to open in a spreadsheet: a cell that begins
// with a formula trigger (=, +, -, @, tab, carriage return, or the
// full-width ＝ ＋ － ＠ that some spreadsheets normalise) is prefixed with
// a single quote, so it is shown as text and never evaluated.
func Escape(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	if strings.HasPrefix(cell, "＝") || strings.HasPrefix(cell, "＋") ||
		strings.HasPrefix(cell, "－") || strings.HasPrefix(cell, "＠") {
		return "'" + cell
	}
	return cell
}

// Verify reads an export and reports how many data rows it holds and
// whether it is complete: its last line is the trailer and the trailer's
// count matches the rows read. A file cut short (a failed or interrupted
// download) reports complete == false. err reports a read failure or
// content that is not an export; rows is then the count read before it.
func Verify(r io.Reader) (rows int, complete bool, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // the trailer has one field
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read csv header: %w", err)
	}
	if !slices.Equal(header, Columns) {
		return 0, false, errors.New("read csv header: not an auditlog export")
	}
	trailerRows := -1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rows, false, fmt.Errorf("read csv row %d: %w", rows+1, err)
		}
		if trailerRows >= 0 {
			return rows, false, fmt.Errorf("read csv: data after the trailer line")
		}
		if len(rec) == 1 && strings.HasPrefix(rec[0], trailerPrefix) {
			n, ok := strings.CutSuffix(strings.TrimPrefix(rec[0], trailerPrefix), " rows")
			if !ok {
				return rows, false, fmt.Errorf("read csv trailer %q: malformed", rec[0])
			}
			if trailerRows, err = strconv.Atoi(n); err != nil || trailerRows < 0 {
				return rows, false, fmt.Errorf("read csv trailer %q: malformed", rec[0])
			}
			continue
		}
		if len(rec) != len(Columns) {
			return rows, false, fmt.Errorf("read csv row %d: %d fields, want %d", rows+1, len(rec), len(Columns))
		}
		rows++
	}
	if trailerRows < 0 {
		return rows, false, nil
	}
	if trailerRows != rows {
		return rows, false, fmt.Errorf("read csv: trailer says %d rows, file has %d", trailerRows, rows)
	}
	return rows, true, nil
}
