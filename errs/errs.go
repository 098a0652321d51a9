// Package errs gives errors a kind (invalid input, not found, forbidden,
// …) that callers far from where an error arose can act on without
// knowing the package that made it: the GraphQL presenter maps kinds to
// codes, the CLI to messages. It imports nothing of the project, so every
// package may use it.
//
// A package keeps its own sentinel values (store.ErrNotFound,
// auth.ErrForbidden), made with New so they carry a kind; errors.Is on a
// sentinel works as before, and KindOf finds the kind through any
// fmt.Errorf("...: %w") wrapping.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is the class of an error, as a caller acts on it.
type Kind uint8

// The kinds. Other is the zero Kind: an error nobody classified, which
// callers treat as internal.
const (
	Other           Kind = iota
	Invalid              // the caller's input is wrong; see InvalidError
	NotFound             // no such record, or not visible to the caller
	Forbidden            // the caller may not do this
	Unauthenticated      // the caller is not known
	Conflict             // a concurrent change won, or a unique name is taken
	Unavailable          // a dependency is down or shutting down; retrying may help
	Internal             // a bug or a broken invariant
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Forbidden:
		return "forbidden"
	case Unauthenticated:
		return "unauthenticated"
	case Conflict:
		return "conflict"
	case Unavailable:
		return "unavailable"
	case Internal:
		return "internal"
	}
	return "other"
}

// kinded is any error that knows its kind.
type kinded interface {
	error
	ErrorKind() Kind
}

// Error is an error of a Kind.
type Error struct {
	Kind Kind
	Msg  string
	Err  error // the cause, if any
}

func (e *Error) Error() string {
	switch {
	case e.Err == nil:
		return e.Msg
	case e.Msg == "":
		return e.Err.Error()
	}
	return e.Msg + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorKind returns e's kind.
func (e *Error) ErrorKind() Kind { return e.Kind }

// New returns an error of kind with message msg; packages make their
// sentinel values with it.
func New(kind Kind, msg string) error { return &Error{Kind: kind, Msg: msg} }

// E returns err marked as kind, with msg (which may be empty) before it.
// It returns nil when err is nil.
func E(kind Kind, msg string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Msg: msg, Err: err}
}

// KindOf returns the kind of the first error in err's chain that has one,
// or Other (Invalid for an InvalidError).
func KindOf(err error) Kind {
	var k kinded
	if errors.As(err, &k) {
		return k.ErrorKind()
	}
	return Other
}

// Is reports whether err is of kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// FieldError is an invalid field of an input, named by its JSON path.
type FieldError struct {
	Field   string
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// InvalidError lists every invalid field of an input. Its kind is Invalid.
type InvalidError struct {
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// ErrorKind returns Invalid.
func (e *InvalidError) ErrorKind() Kind { return Invalid }

// InvalidField returns an InvalidError for one field.
func InvalidField(field, format string, args ...any) error {
	return &InvalidError{Fields: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// AsInvalid returns the InvalidError in err's chain, if any.
func AsInvalid(err error) (*InvalidError, bool) {
	var ie *InvalidError
	ok := errors.As(err, &ie)
	return ie, ok
}

// Prefixed returns ie with every field path put under prefix, e.g.
// "actionUser.email" → "events[3].actionUser.email".
func Prefixed(prefix string, ie *InvalidError) *InvalidError {
	out := &InvalidError{Fields: make([]FieldError, len(ie.Fields))}
	for i, f := range ie.Fields {
		out.Fields[i] = FieldError{Field: prefix + "." + f.Field, Message: f.Message}
	}
	return out
}
