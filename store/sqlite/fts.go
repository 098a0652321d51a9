package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/auditlog/auditlog/audit"
)

// ftsExpr renders text terms as an FTS5 expression joined by op. Every term
// becomes a quoted string, so no input can be read as FTS5 syntax: a phrase
// is "a b", a prefix "a b"*, and a double quote inside a word is doubled.
func ftsExpr(terms []audit.TextTerm, op string) string {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		quoted := `"` + strings.ReplaceAll(strings.Join(t.Words, " "), `"`, `""`) + `"`
		if t.Prefix {
			quoted += "*"
		}
		parts = append(parts, quoted)
	}
	return strings.Join(parts, op)
}

// searchText is text as the full-text index holds it: its words, as
// audit.Words splits them, separated by spaces.
func searchText(s string) string { return strings.Join(audit.Words(s), " ") }

// execer is what a write needs: a transaction or a prepared context.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// indexText adds the searchable text of the event stored at seq to the
// full-text index.
func indexText(ctx context.Context, tx execer, seq int64, description, eventTypeName string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO events_fts (rowid, description, event_type_name) VALUES (?, ?, ?)`,
		seq, searchText(description), searchText(eventTypeName)); err != nil {
		return fmt.Errorf("index text of event %d: %w", seq, err)
	}
	return nil
}
