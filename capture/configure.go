package capture

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/store"
)

// ConfigInput is a component configuration as an admin saves it.
type ConfigInput struct {
	LoggingEnabled bool
	// Activities selects the captured activities; nil captures all,
	// including ones registered later. An empty list captures none.
	Activities         *[]string
	MinPriority        *audit.Priority
	LoggingPeriod      *audit.Period
	CaptureDescription bool
	Statuses           []audit.Status
	CaptureIPAddress   bool
	Retention          *audit.Retention
	// Version is the version the admin read; nil means none was read (0).
	// A stale version is a conflict, so concurrent saves cannot silently
	// overwrite each other.
	Version *int64
}

// maxRetention is the longest retention per unit. "At most 5 years" is
// judged with years of 365.25 days and months of a twelfth of that, so the
// rule does not depend on the day the admin saves: 1826 days, 260 weeks,
// 60 months, 5 years.
var maxRetention = map[audit.RetentionUnit]int{
	audit.Days:   1826,
	audit.Weeks:  260,
	audit.Months: 60,
	audit.Years:  5,
}

// ValidateRetention checks a retention period; field names the input field
// for the error (e.g. "config.retention").
func ValidateRetention(field string, r audit.Retention) error {
	var fields []audit.FieldError
	max, ok := maxRetention[r.Unit]
	if !ok {
		fields = append(fields, audit.FieldError{Field: field + ".unit", Message: fmt.Sprintf("must be one of DAYS, WEEKS, MONTHS, YEARS, got %q", r.Unit)})
	}
	switch {
	case r.Value <= 0:
		fields = append(fields, audit.FieldError{Field: field + ".value", Message: "must be a positive number"})
	case ok && r.Value > max:
		fields = append(fields, audit.FieldError{Field: field + ".value", Message: fmt.Sprintf("exceeds the maximum retention of 5 years (%d %s)", max, r.Unit)})
	}
	if len(fields) > 0 {
		return &audit.InvalidError{Fields: fields}
	}
	return nil
}

// Configure stores a component's capture configuration on behalf of the
// principal's tenant and returns the new card. Bad input is an
// *audit.InvalidError naming the field ("id", "config.<field>") and stores
// nothing; a stale Version is a store.ErrConflict. The change takes effect
// at once on this replica.
func (s *Service) Configure(ctx context.Context, p audit.Principal, id string, in ConfigInput) (ComponentView, error) {
	tenant := p.Tenant
	configs, registered, err := s.fresh(ctx, tenant)
	if err != nil {
		return ComponentView{}, fmt.Errorf("configure %s: %w", id, err)
	}
	_, inCatalog := s.cat.Component(id)
	old, configured := configs[id]
	if !inCatalog && !configured && len(registered[id]) == 0 {
		return ComponentView{}, audit.Invalid("id", "unknown component %q", id)
	}
	known := func(code string) bool {
		if _, ok := s.cat.Activity(id, code); ok {
			return true
		}
		_, ok := registered[id][code]
		return ok
	}
	criteria, err := criteriaOf(in, known)
	if err != nil {
		return ComponentView{}, err
	}
	if id == catalog.ServiceComponent {
		if err := onlyRetention(in); err != nil {
			return ComponentView{}, err
		}
	}

	var expected int64
	if in.Version != nil {
		expected = *in.Version
	}
	if !configured {
		old = audit.DefaultConfig(tenant, id)
	}
	if old.Version != expected {
		return ComponentView{}, fmt.Errorf("configure %s: read version %d, stored version is %d: %w", id, expected, old.Version, store.ErrConflict)
	}
	cfg := audit.ComponentConfig{
		Tenant:         tenant,
		ComponentID:    id,
		LoggingEnabled: in.LoggingEnabled,
		Criteria:       criteria,
		UpdatedAt:      s.clock().UTC().Truncate(time.Millisecond),
		UpdatedBy:      p.User,
	}
	saved, err := s.st.PutComponentConfig(ctx, cfg, expected)
	if err != nil {
		return ComponentView{}, fmt.Errorf("configure %s: %w", id, err)
	}
	s.remember(tenant, saved)
	if s.onConfigured != nil {
		s.onConfigured(ctx, old, saved)
	}
	v, err := s.Component(ctx, tenant, id)
	if err != nil {
		return ComponentView{}, fmt.Errorf("configure %s: read back: %w", id, err)
	}
	return v, nil
}

// minServiceRetention is the shortest retention of the service's own trail
// in unit: about a year, so that an admin cannot erase the record of their
// own actions by shortening it. Zero for an unknown unit.
func minServiceRetention(unit audit.RetentionUnit) int {
	switch unit {
	case audit.Days:
		return 365
	case audit.Weeks:
		return 52
	case audit.Months:
		return 12
	case audit.Years:
		return 1
	}
	return 0
}

// onlyRetention rejects any narrowing of the service's own trail: its
// retention, of at least a year, is the one criterion an admin may set.
func onlyRetention(in ConfigInput) error {
	var fields []audit.FieldError
	bad := func(field string) {
		fields = append(fields, audit.FieldError{Field: field, Message: "cannot be changed: " + catalog.ServiceComponent + " is auditlog's own trail and always captures everything; only its retention can be set"})
	}
	if r := in.Retention; r != nil && r.Value < minServiceRetention(r.Unit) {
		fields = append(fields, audit.FieldError{Field: "config.retention.value", Message: fmt.Sprintf(
			"must be at least 1 year for %s, auditlog's own trail, so that nobody can erase the record of their actions: at least %d %s (365 DAYS, 52 WEEKS, 12 MONTHS or 1 YEARS)",
			catalog.ServiceComponent, minServiceRetention(r.Unit), r.Unit)})
	}
	if !in.LoggingEnabled {
		bad("config.loggingEnabled")
	}
	if in.Activities != nil {
		bad("config.activities")
	}
	if in.MinPriority != nil {
		bad("config.minPriority")
	}
	if in.LoggingPeriod != nil {
		bad("config.loggingPeriod")
	}
	if !in.CaptureDescription {
		bad("config.captureDescription")
	}
	if len(in.Statuses) > 0 {
		bad("config.statuses")
	}
	if !in.CaptureIPAddress {
		bad("config.captureIpAddress")
	}
	if len(fields) > 0 {
		return &audit.InvalidError{Fields: fields}
	}
	return nil
}

// remember puts a configuration saved here into the cache, so that it
// decides the next event without waiting for the cache to expire.
func (s *Service) remember(tenant string, cfg audit.ComponentConfig) {
	tc := s.tenant(tenant)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if cur, ok := tc.configs[cfg.ComponentID]; ok && cur.Version >= cfg.Version {
		return
	}
	m := maps.Clone(tc.configs) // copy on write: readers hold the old map
	if m == nil {
		m = map[string]audit.ComponentConfig{}
	}
	m[cfg.ComponentID] = cfg
	tc.configs = m
}

// criteriaOf validates the input and returns the criteria to store. Every
// bad field is reported at once.
func criteriaOf(in ConfigInput, known func(code string) bool) (audit.Criteria, error) {
	var fields []audit.FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, audit.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	c := audit.Criteria{CaptureDescription: in.CaptureDescription, CaptureIPAddress: in.CaptureIPAddress}

	if in.Activities != nil {
		c.Activities = []string{} // an empty selection captures nothing, unlike nil
		for i, code := range *in.Activities {
			switch {
			case !known(code):
				bad(fmt.Sprintf("config.activities[%d]", i), "unknown activity %q", code)
			case !slices.Contains(c.Activities, code):
				c.Activities = append(c.Activities, code)
			}
		}
		slices.Sort(c.Activities)
	}
	if in.MinPriority != nil {
		if !in.MinPriority.Valid() {
			bad("config.minPriority", "must be one of LOW, MEDIUM, HIGH, CRITICAL, got %q", *in.MinPriority)
		}
		c.MinPriority = *in.MinPriority
	}
	if p := in.LoggingPeriod; p != nil {
		switch {
		case p.Start.IsZero():
			bad("config.loggingPeriod.start", "is required")
		case p.End.IsZero():
			bad("config.loggingPeriod.end", "is required")
		case p.End.Before(p.Start):
			bad("config.loggingPeriod.end", "is before start")
		}
		c.LoggingPeriod = &audit.Period{Start: p.Start.UTC(), End: p.End.UTC()}
	}
	if in.Statuses != nil && len(in.Statuses) == 0 {
		// An empty selection would read as "no constraint" and capture
		// every outcome, the opposite of what ticking Status means.
		bad("config.statuses", "must name at least one of SUCCESS, FAILED, IN_PROGRESS, or be null for every status")
	}
	for i, st := range in.Statuses {
		switch {
		case !st.Valid():
			bad(fmt.Sprintf("config.statuses[%d]", i), "must be one of SUCCESS, FAILED, IN_PROGRESS, got %q", st)
		case !slices.Contains(c.Statuses, st):
			c.Statuses = append(c.Statuses, st)
		}
	}
	if in.Retention != nil {
		if err := ValidateRetention("config.retention", *in.Retention); err != nil {
			var ie *audit.InvalidError
			if errors.As(err, &ie) {
				fields = append(fields, ie.Fields...)
			}
		}
		r := *in.Retention
		c.Retention = &r
	}
	if len(fields) > 0 {
		return audit.Criteria{}, &audit.InvalidError{Fields: fields}
	}
	return c, nil
}
