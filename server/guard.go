package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/auditlog/auditlog/auth"
)

// rootTypes are the types whose fields are operations.
var rootTypes = map[string]bool{"Query": true, "Mutation": true, "Subscription": true}

// guardOperations checks the role matrix (auth.OperationAction) before the
// resolver of every operation runs. The resolvers check their action too,
// since they need the principal; this makes the matrix hold even for an
// operation whose resolver forgot, and keeps unknown operations closed.
func guardOperations(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !rootTypes[fc.Object] || strings.HasPrefix(fc.Field.Name, "__") {
		return next(ctx)
	}
	op := fc.Object + "." + fc.Field.Name
	action, ok := auth.OperationAction(op)
	if !ok {
		return nil, fmt.Errorf("operation %s is in no row of the role matrix: %w", op, auth.ErrForbidden)
	}
	if _, err := auth.Require(ctx, action); err != nil {
		return nil, err
	}
	return next(ctx)
}
