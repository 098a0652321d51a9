package sqlite

import (
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
