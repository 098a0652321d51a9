package app

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/auditlog/auditlog/audit"
)

// Bounds on a filter, so that one request cannot become a huge store query
// (or a saved filter, or an export link, too large to use).
const (
	MaxFilterValues = 100
	// MaxFilterValue bounds each value of a list: components, event types
	// and submodules are at most 128 characters long.
	MaxFilterValue = 128
	// MaxFilterUser fits any user field: an email address is at most 320.
	MaxFilterUser = 320
	MaxFilterText = 1024
)

// CheckFilter validates a filter before any store reads it, for every
// caller (the API, the CLI export); field is its path in the caller's
// input ("filter"), put before each invalid field's name.
func CheckFilter(field string, f audit.Filter) error {
	var fields []audit.FieldError
	bad := func(name, format string, args ...any) {
		fields = append(fields, audit.FieldError{Field: field + "." + name, Message: fmt.Sprintf(format, args...)})
	}
	for name, list := range map[string][]string{
		"components": f.Components, "eventTypes": f.EventTypes, "submodules": f.Submodules,
	} {
		if n := len(list); n > MaxFilterValues {
			bad(name, "has %d values, at most %d are allowed", n, MaxFilterValues)
			continue
		}
		for i, v := range list {
			switch {
			case v == "":
				// No event has an empty component, type or submodule
				// (events without a submodule have none at all).
				bad(fmt.Sprintf("%s[%d]", name, i), "is empty")
			case utf8.RuneCountInString(v) > MaxFilterValue:
				bad(fmt.Sprintf("%s[%d]", name, i), "is longer than %d characters", MaxFilterValue)
			}
		}
	}
	for name, s := range map[string]string{"actionUser": f.ActionUser, "targetUser": f.TargetUser} {
		if utf8.RuneCountInString(s) > MaxFilterUser {
			bad(name, "is longer than %d characters", MaxFilterUser)
		}
	}
	if utf8.RuneCountInString(f.Text) > MaxFilterText {
		bad("text", "is longer than %d characters", MaxFilterText)
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		bad("to", "must be after from")
	}
	if len(fields) > 0 {
		// Map iteration above is random; report fields in a stable order.
		slices.SortFunc(fields, func(a, b audit.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return &audit.InvalidError{Fields: fields}
	}
	return nil
}
