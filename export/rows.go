package export

import (
	"bytes"
	"fmt"

	"github.com/auditlog/auditlog/audit"
)

// RowEncoder renders the lines of an export exactly as Write writes them,
// one at a time, so that a file can be checked against the events it
// claims to hold (package exportproof).
type RowEncoder struct {
	buf bytes.Buffer
	enc *encoder
}

// NewRowEncoder returns a RowEncoder.
func NewRowEncoder() *RowEncoder {
	r := &RowEncoder{}
	r.enc = newEncoder(&r.buf)
	return r
}

func (r *RowEncoder) take() ([]byte, error) {
	if err := r.enc.flush(); err != nil {
		return nil, err
	}
	out := bytes.Clone(r.buf.Bytes())
	r.buf.Reset()
	return out, nil
}

// Header is the header line.
func (r *RowEncoder) Header() ([]byte, error) {
	if err := r.enc.header(); err != nil {
		return nil, err
	}
	return r.take()
}

// Row is the line of one event, formula-escaped as in every export.
func (r *RowEncoder) Row(ev audit.Event) ([]byte, error) {
	if err := r.enc.event(&ev); err != nil {
		return nil, err
	}
	return r.take()
}

// Trailer is the last line of a complete export of rows rows.
func Trailer(rows int64) []byte { return fmt.Appendf(nil, "%s%d rows\r\n", trailerPrefix, rows) }
