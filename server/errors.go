package server

import (
	"context"
	"errors"
	"mime"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph"
)

// Reasons of a request refused before any resolver ran, in
// extensions.reason beside code BAD_USER_INPUT.
const (
	ReasonParseFailed      = errcode.ParseFailed      // not GraphQL, or over the token limit
	ReasonValidationFailed = errcode.ValidationFailed // not valid against the schema
	ReasonTooComplex       = "COMPLEXITY_LIMIT_EXCEEDED"
	ReasonTooDeep          = "DEPTH_LIMIT_EXCEEDED"
	// Refused by HTTP, before GraphQL: a method /graphql does not answer
	// (405), a mutation by GET (405), a body that is not JSON (415).
	ReasonMethodNotAllowed = "METHOD_NOT_ALLOWED"
	ReasonContentType      = "UNSUPPORTED_CONTENT_TYPE"
)

// graphQLMethods are the methods /graphql answers, for Allow headers.
const graphQLMethods = "GET, POST, OPTIONS"

// refuseUnsupported answers, with a GraphQL error body and a code, two
// refusals gqlgen makes without one: a POST body that is not JSON
// (gqlgen: 400 "transport not supported") and a mutation by GET (gqlgen:
// 406 and a bare message; found only once the query is parsed, so its
// answer is replaced as it is written).
func refuseUnsupported(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
				writeGraphQLError(w, http.StatusUnsupportedMediaType, graph.CodeBadUserInput,
					"Content-Type must be application/json", "reason", ReasonContentType)
				return
			}
		case http.MethodGet:
			w = &getOnlyQueries{ResponseWriter: w}
		}
		next.ServeHTTP(w, r)
	})
}

// getOnlyQueries turns gqlgen's 406 for a mutation sent by GET into 405
// with Allow: POST and a coded GraphQL error, dropping gqlgen's body.
type getOnlyQueries struct {
	http.ResponseWriter
	refused bool
}

func (g *getOnlyQueries) WriteHeader(status int) {
	if status == http.StatusNotAcceptable {
		g.refused = true
		g.Header().Set("Allow", "POST")
		writeGraphQLError(g.ResponseWriter, http.StatusMethodNotAllowed, graph.CodeBadUserInput,
			"GET may only run queries; send mutations by POST", "reason", ReasonMethodNotAllowed)
		return
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *getOnlyQueries) Write(b []byte) (int, error) {
	if g.refused {
		return len(b), nil
	}
	return g.ResponseWriter.Write(b)
}

func (g *getOnlyQueries) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// refusedRequest lists gqlgen's codes for requests refused before
// execution. Clients see them as BAD_USER_INPUT, the one code of the API
// for "fix your request", with gqlgen's code kept as extensions.reason.
var refusedRequest = map[string]bool{
	ReasonParseFailed: true, ReasonValidationFailed: true, ReasonTooComplex: true, ReasonTooDeep: true,
}

// presentErrors wraps the resolvers' error presenter: requests refused by
// gqlgen get our codes, and an error of a request that ran out of time is
// UNAVAILABLE, retryable, whatever the store made of its cancellation.
func presentErrors(inner graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		e := inner(ctx, err)
		code, _ := e.Extensions["code"].(string)
		switch {
		case refusedRequest[code]:
			e.Extensions["code"] = graph.CodeBadUserInput
			e.Extensions["reason"] = code
		case code == graph.CodeInternal && errors.Is(ctx.Err(), context.DeadlineExceeded),
			code == graph.CodeUnavailable && errors.Is(ctx.Err(), context.DeadlineExceeded):
			e.Extensions["code"] = graph.CodeUnavailable
			e.Message = "the request did not finish in time; narrow it or retry (request id " + RequestID(ctx) + ")"
		}
		return e
	}
}

// noIntrospection refuses operations that ask for the schema (__schema,
// __type) when introspection is off, before anything is executed. gqlgen
// alone would run the operation and fail those fields one by one.
type noIntrospection struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = noIntrospection{}

func (noIntrospection) ExtensionName() string                   { return "NoIntrospection" }
func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

func (noIntrospection) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil || !asksSchema(opCtx.Operation.SelectionSet) {
		return nil
	}
	err := gqlerror.Errorf("introspection is disabled on this server")
	errcode.Set(err, graph.CodeForbidden)
	return err
}

// anonymousIntrospectionOnly refuses, before execution, an operation of a
// caller without a valid API key that selects anything but __schema,
// __type and __typename. It is used when introspection is on, where
// requireKey lets such callers through (the playground fetches the schema
// without a key); they get the schema and nothing else, not even a
// partial answer beside it.
type anonymousIntrospectionOnly struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = anonymousIntrospectionOnly{}

func (anonymousIntrospectionOnly) ExtensionName() string                   { return "AnonymousIntrospectionOnly" }
func (anonymousIntrospectionOnly) Validate(graphql.ExecutableSchema) error { return nil }

func (anonymousIntrospectionOnly) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	_, authErr := auth.FromContext(ctx)
	if authErr == nil || opCtx.Operation == nil {
		return nil
	}
	if !anyRootField(opCtx.Operation.SelectionSet, func(name string) bool {
		return name != "__schema" && name != "__type" && name != "__typename"
	}) {
		return nil
	}
	err := gqlerror.Errorf("%s", authErr.Error())
	errcode.Set(err, graph.CodeUnauthenticated)
	return err
}

// asksSchema reports whether a root selection set selects __schema or
// __type, directly or through fragments. Only the root type has them. Each
// fragment is looked into once however often it is spread (see
// selectionDepth).
func asksSchema(set ast.SelectionSet) bool {
	return anyRootField(set, func(name string) bool { return name == "__schema" || name == "__type" })
}

// anyRootField reports whether match holds for the name of a field of the
// root selection set, directly or through fragments; each fragment is
// looked into once.
func anyRootField(set ast.SelectionSet, match func(name string) bool) bool {
	seen := map[string]bool{}
	var walk func(ast.SelectionSet) bool
	walk = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if match(s.Name) {
					return true
				}
			case *ast.InlineFragment:
				if walk(s.SelectionSet) {
					return true
				}
			case *ast.FragmentSpread:
				// A fragment already looked into matched nothing, or the
				// walk would have ended there.
				if s.Definition != nil && !seen[s.Name] {
					seen[s.Name] = true
					if walk(s.Definition.SelectionSet) {
						return true
					}
				}
			}
		}
		return false
	}
	return walk(set)
}
