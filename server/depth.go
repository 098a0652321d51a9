package server

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// depthLimit refuses operations whose selections nest deeper than max.
// Introspection fields are not counted: the standard introspection query
// is deep by nature and its depth is bounded by the schema.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Doc.Operations.ForName(opCtx.OperationName)
	if op == nil {
		return nil
	}
	if depth := selectionDepth(op.SelectionSet); depth > d.max {
		err := gqlerror.Errorf("operation nests %d levels deep, at most %d are allowed", depth, d.max)
		errcode.Set(err, ReasonTooDeep)
		return err
	}
	return nil
}

// selectionDepth returns how deep fields nest in set. Each fragment is
// measured once however often it is spread: a fragment that spreads the
// next one twice, twenty fragments down, would otherwise be walked 2^20
// times. Fragment cycles were refused by validation before this runs.
func selectionDepth(set ast.SelectionSet) int {
	memo := map[string]int{}
	var depth func(ast.SelectionSet) int
	depth = func(set ast.SelectionSet) int {
		deepest := 0
		for _, sel := range set {
			var d int
			switch s := sel.(type) {
			case *ast.Field:
				if strings.HasPrefix(s.Name, "__") {
					continue
				}
				d = 1 + depth(s.SelectionSet)
			case *ast.InlineFragment:
				d = depth(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition == nil {
					continue
				}
				var seen bool
				if d, seen = memo[s.Name]; !seen {
					memo[s.Name] = 0 // ends a cycle, should validation ever let one through
					d = depth(s.Definition.SelectionSet)
					memo[s.Name] = d
				}
			}
			deepest = max(deepest, d)
		}
		return deepest
	}
	return depth(set)
}
