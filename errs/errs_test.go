package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/auditlog/auditlog/errs"
)

func TestKindOfFindsTheKindThroughWrapping(t *testing.T) {
	notFound := errs.New(errs.NotFound, "not found")
	wrapped := fmt.Errorf("saved filter 7: %w", notFound)
	if got := errs.KindOf(wrapped); got != errs.NotFound {
		t.Errorf("KindOf(%q) = %v, want not found", wrapped, got)
	}
	if !errors.Is(wrapped, notFound) {
		t.Errorf("errors.Is(%q, the sentinel) = false: sentinels must still compare", wrapped)
	}
	if wrapped.Error() != "saved filter 7: not found" {
		t.Errorf("message %q", wrapped)
	}
}

func TestEMarksACauseWithAKind(t *testing.T) {
	cause := errors.New("connection refused")
	err := errs.E(errs.Unavailable, "search", cause)
	if errs.KindOf(err) != errs.Unavailable || !errors.Is(err, cause) {
		t.Errorf("E: kind %v, Is(cause) %v", errs.KindOf(err), errors.Is(err, cause))
	}
	if err.Error() != "search: connection refused" {
		t.Errorf("message %q", err)
	}
	if errs.E(errs.Internal, "x", nil) != nil {
		t.Error("E of a nil error is not nil")
	}
}

func TestTheOutermostKindWins(t *testing.T) {
	inner := errs.New(errs.NotFound, "not found")
	err := errs.E(errs.Forbidden, "other tenant", inner)
	if got := errs.KindOf(err); got != errs.Forbidden {
		t.Errorf("KindOf = %v, want forbidden (the outer kind)", got)
	}
}

func TestUnclassifiedErrorsAreOther(t *testing.T) {
	for _, err := range []error{nil, errors.New("boom"), fmt.Errorf("x: %w", errors.New("y"))} {
		if got := errs.KindOf(err); got != errs.Other {
			t.Errorf("KindOf(%v) = %v, want other", err, got)
		}
	}
	if errs.Is(nil, errs.Other) {
		t.Error("Is(nil, Other) is true")
	}
}

func TestInvalidErrorsNameTheirFields(t *testing.T) {
	err := fmt.Errorf("ingest: %w", errs.InvalidField("actionUser.email", "is not an address: %q", "x"))
	if errs.KindOf(err) != errs.Invalid {
		t.Fatalf("KindOf = %v, want invalid", errs.KindOf(err))
	}
	ie, ok := errs.AsInvalid(err)
	if !ok || len(ie.Fields) != 1 || ie.Fields[0].Field != "actionUser.email" {
		t.Fatalf("AsInvalid = %+v, %v", ie, ok)
	}
	p := errs.Prefixed("events[3]", ie)
	if p.Error() != `invalid input: events[3].actionUser.email: is not an address: "x"` {
		t.Errorf("Prefixed: %q", p)
	}
	if ie.Fields[0].Field != "actionUser.email" {
		t.Error("Prefixed changed its argument")
	}
}

func TestKindNames(t *testing.T) {
	want := map[errs.Kind]string{errs.Other: "other", errs.Invalid: "invalid", errs.NotFound: "not found",
		errs.Forbidden: "forbidden", errs.Unauthenticated: "unauthenticated", errs.Conflict: "conflict",
		errs.Unavailable: "unavailable", errs.Internal: "internal"}
	for k, w := range want {
		if k.String() != w {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), w)
		}
	}
}
