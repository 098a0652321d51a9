package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/auditlog/auditlog/errs"
)

// Limits on what an event may carry, so that one event cannot exhaust the
// store or a dashboard.
const (
	MaxDetailsBytes = 16 << 10
	MaxDetailsDepth = 5
	MaxDetailsKeys  = 256
	// MaxClockSkew is how far in the future an event may claim to have occurred.
	MaxClockSkew = 24 * time.Hour
)

// EarliestOccurredAt is the earliest occurrence time an event may claim.
var EarliestOccurredAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	eventIDPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	tenantPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	componentPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,31}$`)
	eventTypePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)
)

// ValidTenant reports whether s can name a tenant. Tenants become part of
// index names, hence the narrow alphabet.
func ValidTenant(s string) bool { return tenantPattern.MatchString(s) }

// ValidComponentID reports whether s can name a component: an upper-case word.
func ValidComponentID(s string) bool { return componentPattern.MatchString(s) }

// FieldError and InvalidError are errs' types, named here too because
// the vocabulary's validation is where most of them arise.
type (
	FieldError   = errs.FieldError
	InvalidError = errs.InvalidError
)

// Invalid returns an InvalidError for one field.
func Invalid(field, format string, args ...any) error {
	return errs.InvalidField(field, format, args...)
}

// AsInvalid returns the InvalidError in err's chain, if any.
func AsInvalid(err error) (*InvalidError, bool) { return errs.AsInvalid(err) }

// Validator checks events. It is safe for concurrent use.
type Validator struct {
	v *validator.Validate
}

// NewValidator builds a Validator with auditlog's rules.
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	mustRegister(v, "eventid", func(fl validator.FieldLevel) bool { return eventIDPattern.MatchString(fl.Field().String()) })
	mustRegister(v, "tenant", func(fl validator.FieldLevel) bool { return ValidTenant(fl.Field().String()) })
	mustRegister(v, "component", func(fl validator.FieldLevel) bool { return ValidComponentID(fl.Field().String()) })
	mustRegister(v, "eventtype", func(fl validator.FieldLevel) bool { return eventTypePattern.MatchString(fl.Field().String()) })
	mustRegister(v, "httpurl", func(fl validator.FieldLevel) bool { return validHTTPURL(fl.Field().String()) })
	mustRegister(v, "details", func(fl validator.FieldLevel) bool {
		d, _ := fl.Field().Interface().(map[string]any)
		return checkDetails(d) == ""
	})
	return &Validator{v: v}
}

func mustRegister(v *validator.Validate, tag string, fn validator.Func) {
	if err := v.RegisterValidation(tag, fn); err != nil {
		panic(fmt.Sprintf("register validation %q: %v", tag, err)) // programming error
	}
}

// Event checks an event as it is about to be stored, at time now. The error,
// if any, is an *InvalidError naming every bad field by its JSON path.
func (v *Validator) Event(e *Event, now time.Time) error {
	var fields []FieldError
	if err := v.v.Struct(e); err != nil {
		var verrs validator.ValidationErrors
		if !errors.As(err, &verrs) {
			return fmt.Errorf("validate event: %w", err)
		}
		for _, fe := range verrs {
			fields = append(fields, FieldError{Field: fieldPath(fe.Namespace()), Message: describe(fe, e)})
		}
	}
	if !e.OccurredAt.IsZero() {
		if e.OccurredAt.After(now.Add(MaxClockSkew)) {
			fields = append(fields, FieldError{Field: "occurredAt", Message: "is more than 24h in the future"})
		} else if e.OccurredAt.Before(EarliestOccurredAt) {
			fields = append(fields, FieldError{Field: "occurredAt", Message: "is before 2000-01-01"})
		}
	}
	if len(fields) > 0 {
		return &InvalidError{Fields: fields}
	}
	return nil
}

// fieldPath turns validator's "Event.actionUser.email" into "actionUser.email".
func fieldPath(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

func describe(fe validator.FieldError, e *Event) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "max":
		return "is longer than " + fe.Param() + " characters"
	case "oneof":
		return fmt.Sprintf("must be one of %s, got %q", strings.ReplaceAll(fe.Param(), " ", ", "), fe.Value())
	case "email":
		return "is not an email address"
	case "ip":
		return "is not an IP address"
	case "eventid":
		return "must be 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit"
	case "tenant":
		return "must be lower-case letters, digits or '-'"
	case "component":
		return "must be an upper-case word (A-Z, 0-9, _), at most 32 characters"
	case "eventtype":
		return "must be 1-128 letters, digits, '.', '_', ':' or '-'"
	case "httpurl":
		return "must be an absolute http or https URL"
	case "details":
		return checkDetails(e.Details)
	}
	return "is invalid (" + fe.Tag() + ")"
}

func validHTTPURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkDetails returns why details are unacceptable, or "".
func checkDetails(d map[string]any) string {
	if d == nil {
		return ""
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "cannot be encoded as JSON"
	}
	if len(b) > MaxDetailsBytes {
		return fmt.Sprintf("is larger than %d bytes as JSON", MaxDetailsBytes)
	}
	keys := 0
	var walk func(v any, depth int) string
	walk = func(v any, depth int) string {
		if depth > MaxDetailsDepth {
			return fmt.Sprintf("is nested deeper than %d levels", MaxDetailsDepth)
		}
		switch t := v.(type) {
		case map[string]any:
			for k, c := range t {
				keys++
				if keys > MaxDetailsKeys {
					return fmt.Sprintf("has more than %d keys", MaxDetailsKeys)
				}
				if k == "" || len(k) > 128 {
					return "has an empty key or a key longer than 128 characters"
				}
				if msg := walk(c, depth+1); msg != "" {
					return msg
				}
			}
		case []any:
			for _, c := range t {
				if msg := walk(c, depth+1); msg != "" {
					return msg
				}
			}
		}
		return ""
	}
	return walk(d, 1)
}
