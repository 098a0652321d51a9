package graph

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/auditlog/auditlog/errs"
	"github.com/auditlog/auditlog/live"
)

// Error codes, in extensions.code of every error a resolver returns.
const (
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
	CodeNotFound        = "NOT_FOUND"
	CodeInternal        = "INTERNAL"
	// CodeRateLimited refuses a live subscription over its bounds.
	CodeRateLimited = "RATE_LIMITED"
	// CodeUnavailable: the store could not be reached or did not answer in
	// time (or the server is shutting down). Retryable: the operation may
	// or may not have taken effect, and an ingest retried with the same
	// event ids stores each event once.
	CodeUnavailable = "UNAVAILABLE"
)

// codeOf returns the code of a resolver error by its kind (package errs).
// Only INTERNAL errors have their message hidden. An Unavailable error (the
// store could not be reached, the indexer is shutting down) and a deadline
// that passed while waiting for the store are UNAVAILABLE, the one
// retryable code. The schema has no code for a conflict: resolvers turn
// the ones a user can act on into BAD_USER_INPUT naming the field, and the
// rest are INTERNAL as any other failure. An Invalid error without its
// fields cannot name a field, so it is INTERNAL too.
func codeOf(err error) string {
	if errors.Is(err, live.ErrTooMany) {
		return CodeRateLimited
	}
	switch errs.KindOf(err) {
	case errs.Invalid:
		if _, ok := errs.AsInvalid(err); ok {
			return CodeBadUserInput
		}
	case errs.Unauthenticated:
		return CodeUnauthenticated
	case errs.Forbidden:
		return CodeForbidden
	case errs.NotFound:
		return CodeNotFound
	case errs.Unavailable:
		return CodeUnavailable
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return CodeUnavailable
	}
	return CodeInternal
}

// ErrorPresenter maps every error a resolver returns to a GraphQL error
// with extensions.code. Internal errors are logged with the request id and
// reach the client as a generic message quoting that id, never their text.
func (r *Resolver) ErrorPresenter() graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := r.presentError(ctx, err)
		var ee *eventError
		if errors.As(err, &ee) && ee.id != "" {
			gqlErr.Extensions["id"] = ee.id
		}
		return gqlErr
	}
}

// presentError is ErrorPresenter but for the event id of ingestEvent.
func (r *Resolver) presentError(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	if _, ok := gqlErr.Extensions["code"]; ok {
		return gqlErr // parse and validation errors of gqlgen itself
	}
	if !graphql.HasOperationContext(ctx) {
		// No operation yet: the transport could not read the request (not
		// JSON, a batch array, a query that is not a string). The client's
		// fault, not ours; gqlgen's message quotes the whole body (up to
		// the body limit), so neither the client nor the log gets it.
		r.log.DebugContext(ctx, "unreadable GraphQL request", "request_id", r.reqID(ctx), "err", requestErrorExcerpt(gqlErr.Message))
		return withCode(&gqlerror.Error{Message: unreadableRequest}, CodeBadUserInput)
	}
	if field, ok := argumentError(ctx, err); ok {
		gqlErr.Message = field + ": " + gqlErr.Message
		return withCode(gqlErr, CodeBadUserInput, "field", field)
	}
	code := codeOf(err)
	switch code {
	case CodeBadUserInput:
		ie, _ := errs.AsInvalid(err)
		gqlErr.Message = ie.Error()
		fields := make([]map[string]any, len(ie.Fields))
		for i, f := range ie.Fields {
			fields[i] = map[string]any{"field": f.Field, "message": f.Message}
		}
		return withCode(gqlErr, code, "field", ie.Fields[0].Field, "fields", fields)
	case CodeInternal:
		id := r.reqID(ctx)
		r.log.ErrorContext(ctx, "graphql resolver failed", "request_id", id, "path", gqlErr.Path.String(), "err", err)
		gqlErr.Message = internalMessage(id)
		return withCode(gqlErr, code, "requestId", id)
	case CodeUnavailable:
		id := r.reqID(ctx)
		r.logUnavailable(ctx, "graphql resolver: store unavailable", "request_id", id, "path", gqlErr.Path.String(), "err", err)
		gqlErr.Message = unavailableMessage(id)
		return withCode(gqlErr, code, "requestId", id)
	}
	return withCode(gqlErr, code)
}

// RecoverFunc turns a panic in a resolver into an INTERNAL error, logged
// with its request id.
func (r *Resolver) RecoverFunc() graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		id := r.reqID(ctx)
		r.log.ErrorContext(ctx, "graphql resolver panicked", "request_id", id, "panic", fmt.Sprint(v))
		return &gqlerror.Error{Message: internalMessage(id), Extensions: map[string]any{"code": CodeInternal, "requestId": id}}
	}
}

// unreadableRequest is the message of a request body that is not a
// GraphQL request.
const unreadableRequest = `request body is not a GraphQL request: a JSON object with "query" (a string), and optionally "operationName" (a string) and "variables" (an object)`

// requestErrorExcerpt returns gqlgen's reason for an unreadable request
// without the body it quotes, at most 200 bytes of it.
func requestErrorExcerpt(msg string) string {
	msg, _, _ = strings.Cut(msg, " body:")
	if len(msg) > 200 {
		msg = strings.ToValidUTF8(msg[:200], "") + "…"
	}
	return msg
}

func unavailableMessage(requestID string) string {
	msg := "the store could not be reached or did not answer in time; retry shortly (ingests with the same event ids)"
	if requestID != "" {
		msg += "; request id " + requestID
	}
	return msg
}

func internalMessage(requestID string) string {
	if requestID == "" {
		return "internal error"
	}
	return "internal error; quote request id " + requestID + " when reporting it"
}

func withCode(e *gqlerror.Error, code string, kv ...any) *gqlerror.Error {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
	for i := 0; i+1 < len(kv); i += 2 {
		e.Extensions[kv[i].(string)] = kv[i+1]
	}
	return e
}

// argumentError reports whether err arose decoding a field's arguments
// (an unparsable Time, a details value that is not an object) rather than
// in the resolver, and names the argument path. gqlgen leaves the field's
// Args unset when decoding them failed.
func argumentError(ctx context.Context, err error) (string, bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Args != nil || len(fc.Field.Arguments) == 0 {
		return "", false
	}
	var gqlErr *gqlerror.Error
	if !errors.As(err, &gqlErr) || len(gqlErr.Path) == 0 {
		return "", false
	}
	// The path starts with the field's place in the response; the rest
	// names the argument.
	path := gqlErr.Path
	if n := len(fc.Path()); len(path) > n {
		path = path[n:]
	}
	var b strings.Builder
	for _, el := range path {
		switch el := el.(type) {
		case ast.PathIndex:
			fmt.Fprintf(&b, "[%d]", int(el))
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(el))
		}
	}
	return b.String(), true
}

// invalid is a BAD_USER_INPUT error naming one input field.
func invalid(field, format string, args ...any) error {
	return errs.InvalidField(field, format, args...)
}

// prefixed returns ie with every field path put under prefix.
func prefixed(prefix string, ie *errs.InvalidError) *errs.InvalidError {
	return errs.Prefixed(prefix, ie)
}
