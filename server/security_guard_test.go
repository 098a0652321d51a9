package server

import (
	"context"
	"errors"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
)

// TestGuardChecksTheMatrixBeforeResolvers calls the guard as gqlgen does
// for a root field: a role outside the operation's row, or an operation
// outside the matrix, never reaches the resolver.
func TestGuardChecksTheMatrixBeforeResolvers(t *testing.T) {
	cases := []struct {
		object, field string
		role          audit.Role
		allowed       bool
	}{
		{"Query", "events", audit.RoleViewer, true},
		{"Query", "events", audit.RoleEmitter, false},
		{"Mutation", "ingestEvents", audit.RoleEmitter, true},
		{"Mutation", "ingestEvents", audit.RoleViewer, false},
		{"Mutation", "configureComponent", audit.RoleViewer, false},
		{"Mutation", "configureComponent", audit.RoleAdmin, true},
		{"Mutation", "dropEverything", audit.RoleAdmin, false}, // not in the matrix
		{"Event", "description", audit.RoleEmitter, true},      // not an operation
		{"Query", "__schema", audit.RoleEmitter, true},         // introspection has its own switch
	}
	for _, c := range cases {
		ctx := auth.WithPrincipal(context.Background(), audit.Principal{Tenant: "acme", Role: c.role, KeyID: "key_1"})
		ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: c.object, Field: graphql.CollectedField{Field: &ast.Field{Name: c.field}}})
		ran := false
		_, err := guardOperations(ctx, func(context.Context) (any, error) { ran = true; return "ok", nil })
		if ran != c.allowed || (err == nil) != c.allowed || (err != nil && !errors.Is(err, auth.ErrForbidden)) {
			t.Errorf("%s.%s as %s: resolver ran %v, err %v; want allowed=%v", c.object, c.field, c.role, ran, err, c.allowed)
		}
	}
	// Without a key: UNAUTHENTICATED, not FORBIDDEN.
	ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{Object: "Query", Field: graphql.CollectedField{Field: &ast.Field{Name: "viewer"}}})
	if _, err := guardOperations(ctx, func(context.Context) (any, error) { return nil, nil }); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("no key: %v", err)
	}
}
