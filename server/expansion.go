package server

import (
	"context"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// expansionLimit refuses an operation whose selections, every fragment
// spread expanded, hold more fields than the complexity limit allows. It
// runs before the complexity limit, whose calculation walks a fragment
// anew at every spread: under a kilobyte of fragments that each spread
// the next one twice is 2^n fields, and gqlgen would count them all
// (minutes at 30 fragments) before refusing the operation. This count
// looks into each fragment once, so it takes time linear in the document.
//
// It refuses nothing the complexity limit would let through: every field
// costs at least 1 plus what it selects (graph's costs and gqlgen's
// default), and fields under __schema, which gqlgen's calculation skips,
// are skipped here too. So an operation with more fields than the limit
// costs more than the limit, and is refused with the same reason.
type expansionLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = expansionLimit{}

func (expansionLimit) ExtensionName() string                   { return "ExpansionLimit" }
func (expansionLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (l expansionLimit) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	if expandedFields(opCtx.Operation.SelectionSet, l.max) > l.max {
		err := gqlerror.Errorf("operation selects more than %d fields once its fragments are expanded, which exceeds the complexity limit of %d", l.max, l.max)
		errcode.Set(err, ReasonTooComplex)
		return err
	}
	return nil
}

// expandedFields returns how many fields set selects with every fragment
// spread expanded, or limit+1 when that is more than limit. Fragment
// cycles were refused by validation before this runs; one met anyway
// counts as too many.
func expandedFields(set ast.SelectionSet, limit int) int {
	over := min(limit, math.MaxInt32) + 1
	perFragment := map[string]int{}
	var count func(ast.SelectionSet) int
	count = func(set ast.SelectionSet) int {
		n := 0
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Definition != nil && s.Definition.Type.Name() == "__Schema" {
					continue // as in gqlgen's complexity calculation
				}
				n += 1 + count(s.SelectionSet)
			case *ast.InlineFragment:
				n += count(s.SelectionSet)
			case *ast.FragmentSpread:
				c, seen := perFragment[s.Name]
				if !seen {
					perFragment[s.Name] = over // while counting it: a cycle
					c = 0
					if s.Definition != nil {
						c = count(s.Definition.SelectionSet)
					}
					perFragment[s.Name] = c
				}
				n += c
			}
			if n >= over {
				return over
			}
		}
		return n
	}
	return count(set)
}
