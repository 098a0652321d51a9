package capture_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/store"
)

// An admin covering their tracks must not be able to narrow auditlog's own
// trail; only its retention may be set.
func TestServiceTrailCannotBeNarrowed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		field string
		edit  func(*capture.ConfigInput)
	}{
		{"config.loggingEnabled", func(in *capture.ConfigInput) { in.LoggingEnabled = false }},
		{"config.activities", func(in *capture.ConfigInput) { in.Activities = &[]string{"EVENTS_FLAGGED"} }},
		{"config.minPriority", func(in *capture.ConfigInput) { in.MinPriority = ptr(audit.PriorityCritical) }},
		{"config.statuses", func(in *capture.ConfigInput) { in.Statuses = []audit.Status{audit.StatusFailed} }},
		{"config.captureDescription", func(in *capture.ConfigInput) { in.CaptureDescription = false }},
		{"config.captureIpAddress", func(in *capture.ConfigInput) { in.CaptureIPAddress = false }},
	} {
		in := enabled()
		tc.edit(&in)
		_, err := f.svc.Configure(ctx, admin, catalog.ServiceComponent, in)
		ie, ok := audit.AsInvalid(err)
		if !ok || len(ie.Fields) != 1 || ie.Fields[0].Field != tc.field {
			t.Errorf("%s: Configure = %v, want an invalid-input error naming it", tc.field, err)
		}
		if _, err := f.st.GetComponentConfig(ctx, tenant, catalog.ServiceComponent); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: a configuration was stored: %v", tc.field, err)
		}
	}

	in := enabled()
	in.Retention = &audit.Retention{Value: 2, Unit: audit.Years}
	v := configure(t, f.svc, catalog.ServiceComponent, in)
	if v.Criteria.Retention == nil || *v.Criteria.Retention != *in.Retention {
		t.Fatalf("retention of the service trail = %v, want %v", v.Criteria.Retention, in.Retention)
	}

	// Even a configuration stored behind the service's back (an older
	// version, a direct write) does not suppress its own events.
	cfg, err := f.st.GetComponentConfig(ctx, tenant, catalog.ServiceComponent)
	if err != nil {
		t.Fatal(err)
	}
	cfg.LoggingEnabled = false
	if _, err := f.st.PutComponentConfig(ctx, cfg, cfg.Version); err != nil {
		t.Fatal(err)
	}
	other := f.replica(nil) // a fresh cache reads the stored configuration
	if d := decide(t, other, event(catalog.ServiceComponent, "COMPONENT_CONFIGURED")); !d.Captured {
		t.Errorf("the service's own event was suppressed: %+v", d)
	}
}

// An admin must not be able to erase their own trail by shortening its
// retention: AUDITLOG keeps at least a year, whatever the unit.
func TestServiceTrailKeepsAtLeastAYear(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, r := range []audit.Retention{
		{Value: 1, Unit: audit.Days}, {Value: 364, Unit: audit.Days}, {Value: 51, Unit: audit.Weeks}, {Value: 11, Unit: audit.Months},
	} {
		in := enabled()
		in.Retention = &r
		_, err := f.svc.Configure(ctx, admin, catalog.ServiceComponent, in)
		ie, ok := audit.AsInvalid(err)
		if !ok || len(ie.Fields) != 1 || ie.Fields[0].Field != "config.retention.value" || !strings.Contains(ie.Fields[0].Message, "at least 1 year") {
			t.Errorf("retention %d %s: Configure = %v, want an invalid-input error on config.retention.value saying at least 1 year", r.Value, r.Unit, err)
		}
		if _, err := f.st.GetComponentConfig(ctx, tenant, catalog.ServiceComponent); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("retention %d %s: a configuration was stored: %v", r.Value, r.Unit, err)
		}
	}
	// Other components may keep events a day.
	in := enabled()
	in.Retention = &audit.Retention{Value: 1, Unit: audit.Days}
	configure(t, f.svc, "KMS", in)

	version := int64(0)
	for _, r := range []*audit.Retention{
		{Value: 365, Unit: audit.Days}, {Value: 52, Unit: audit.Weeks}, {Value: 12, Unit: audit.Months}, {Value: 1, Unit: audit.Years}, nil,
	} {
		in := enabled()
		in.Retention, in.Version = r, ptr(version)
		v := configure(t, f.svc, catalog.ServiceComponent, in)
		version = v.Version
		if (r == nil) != (v.Criteria.Retention == nil) || (r != nil && *v.Criteria.Retention != *r) {
			t.Errorf("retention %v of the service trail stored as %v", r, v.Criteria.Retention)
		}
	}
}
