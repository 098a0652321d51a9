package capture_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/sqlite"
)

const tenant = "acme"

var admin = audit.Principal{
	Tenant: tenant,
	User:   audit.User{Type: audit.UserDashboard, ID: "u-1", Name: "Priya Shah", Email: "priya.shah@acme.example"},
	Role:   audit.RoleAdmin,
}

// clock is a settable clock shared by a test and the services under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	st    *sqlite.Store
	cat   *catalog.Catalog
	clock *clock
	svc   *capture.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, cat: loadCatalog(t), clock: &clock{t: time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)}}
	f.svc = f.replica(nil)
	return f
}

// replica returns another Service over the same store, as a second
// auditlog process would have.
func (f *fixture) replica(onConfigured func(context.Context, audit.ComponentConfig, audit.ComponentConfig)) *capture.Service {
	return capture.NewService(f.st, f.cat, capture.Options{Clock: f.clock.Now, OnConfigured: onConfigured})
}

func event(comp, eventType string) *audit.Event {
	return &audit.Event{
		ID:          "e-1",
		Tenant:      tenant,
		ComponentID: comp,
		EventType:   eventType,
		Description: "Priya Shah published article 'VPN setup guide' in folder IT",
		Status:      audit.StatusSuccess,
		ActionUser:  audit.User{Type: audit.UserDashboard, Name: "Priya Shah", IPAddress: "203.0.113.7"},
		OccurredAt:  time.Date(2025, 6, 10, 11, 0, 0, 0, time.UTC),
	}
}

// decide runs an event through the service as the indexer does.
func decide(t *testing.T, svc *capture.Service, ev *audit.Event) capture.Decision {
	t.Helper()
	ctx := context.Background()
	if err := svc.Enrich(ctx, ev); err != nil {
		t.Fatalf("Enrich: %v", err)
	}
	d, err := svc.Decide(ctx, ev)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	return d
}

func configure(t *testing.T, svc *capture.Service, id string, in capture.ConfigInput) capture.ComponentView {
	t.Helper()
	v, err := svc.Configure(context.Background(), admin, id, in)
	if err != nil {
		t.Fatalf("Configure %s: %v", id, err)
	}
	return v
}

func ptr[T any](v T) *T { return &v }

// enabled is the input of a save that keeps the defaults.
func enabled() capture.ConfigInput {
	return capture.ConfigInput{LoggingEnabled: true, CaptureDescription: true, CaptureIPAddress: true}
}

func TestEnrichFillsFromCatalog(t *testing.T) {
	f := newFixture(t)
	ev := event("KMS", "ARTICLE_PUBLISHED")
	if err := f.svc.Enrich(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if ev.EventTypeName != "Article published" || ev.Area != "Article lifecycle" || ev.Priority != audit.PriorityHigh {
		t.Errorf("enriched = %q %q %s, want the catalog's name, area and HIGH", ev.EventTypeName, ev.Area, ev.Priority)
	}

	ev = event("KMS", "ARTICLE_PUBLISHED")
	ev.Priority = audit.PriorityLow
	if err := f.svc.Enrich(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if ev.Priority != audit.PriorityLow {
		t.Errorf("priority given by the emitter became %s", ev.Priority)
	}

	ev = event("KMS", "ARTICLE_TRANSLATED")
	ev.Submodule = "Translations"
	if err := f.svc.Enrich(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if ev.Priority != audit.PriorityMedium || ev.EventTypeName != "Article translated" || ev.Area != "Translations" {
		t.Errorf("unknown activity enriched to %q %q %s, want a readable name, its submodule and MEDIUM", ev.EventTypeName, ev.Area, ev.Priority)
	}
}

func TestDefaultConfigCapturesEverything(t *testing.T) {
	f := newFixture(t)
	ev := event("SET", "USER_LOGIN")
	d := decide(t, f.svc, ev)
	if !d.Captured || d.Reason != "" || d.ConfigVersion != 0 {
		t.Fatalf("decision = %+v, want captured under version 0", d)
	}
	if ev.Description == "" || ev.ActionUser.IPAddress == "" {
		t.Error("default configuration dropped description or IP address")
	}
}

// Each criterion: an event inside it is captured, one outside is not, with
// the reason.
func TestCriteria(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      capture.ConfigInput
		inside  func(*audit.Event)
		outside func(*audit.Event)
		clock   time.Duration // moves the clock before the outside event
		reason  audit.SuppressReason
	}{
		{
			name:    "logging disabled",
			in:      capture.ConfigInput{LoggingEnabled: false, CaptureDescription: true, CaptureIPAddress: true},
			outside: func(*audit.Event) {},
			reason:  audit.ReasonLoggingDisabled,
		},
		{
			name:    "activity not selected",
			in:      func() capture.ConfigInput { in := enabled(); in.Activities = &[]string{"ARTICLE_PUBLISHED"}; return in }(),
			inside:  func(e *audit.Event) { e.EventType = "ARTICLE_PUBLISHED" },
			outside: func(e *audit.Event) { e.EventType = "ARTICLE_CREATED" },
			reason:  audit.ReasonActivityNotSelected,
		},
		{
			name:    "no activity selected",
			in:      func() capture.ConfigInput { in := enabled(); in.Activities = &[]string{}; return in }(),
			outside: func(e *audit.Event) { e.EventType = "ARTICLE_PUBLISHED" },
			reason:  audit.ReasonActivityNotSelected,
		},
		{
			name:    "below minimum priority",
			in:      func() capture.ConfigInput { in := enabled(); in.MinPriority = ptr(audit.PriorityHigh); return in }(),
			inside:  func(e *audit.Event) { e.EventType = "ARTICLE_CREATED"; e.Priority = audit.PriorityCritical },
			outside: func(e *audit.Event) { e.EventType = "ARTICLE_CREATED" }, // catalog default MEDIUM
			reason:  audit.ReasonBelowMinPriority,
		},
		{
			name: "outside logging period",
			in: func() capture.ConfigInput {
				in := enabled()
				in.LoggingPeriod = &audit.Period{Start: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)}
				return in
			}(),
			inside: func(*audit.Event) {},
			// Judged at ingest time: the event occurred inside the period
			// but arrives after it ended.
			outside: func(*audit.Event) {},
			clock:   21 * 24 * time.Hour,
			reason:  audit.ReasonOutsidePeriod,
		},
		{
			name: "status not selected",
			in: func() capture.ConfigInput {
				in := enabled()
				in.Statuses = []audit.Status{audit.StatusFailed}
				return in
			}(),
			inside:  func(e *audit.Event) { e.Status = audit.StatusFailed },
			outside: func(e *audit.Event) { e.Status = audit.StatusSuccess },
			reason:  audit.ReasonStatusNotSelected,
		},
		{
			name: "past retention",
			in: func() capture.ConfigInput {
				in := enabled()
				in.Retention = &audit.Retention{Value: 30, Unit: audit.Days}
				return in
			}(),
			// Counted from when the event occurred, at ingest time.
			inside:  func(e *audit.Event) {},
			outside: func(e *audit.Event) {},
			clock:   31 * 24 * time.Hour,
			reason:  audit.ReasonExpired,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			v := configure(t, f.svc, "KMS", tc.in)
			if tc.inside != nil {
				ev := event("KMS", "ARTICLE_PUBLISHED")
				tc.inside(ev)
				if d := decide(t, f.svc, ev); !d.Captured || d.ConfigVersion != v.Version {
					t.Errorf("event inside the criterion: %+v, want captured under version %d", d, v.Version)
				}
			}
			f.clock.Add(tc.clock)
			ev := event("KMS", "ARTICLE_PUBLISHED")
			tc.outside(ev)
			d := decide(t, f.svc, ev)
			if d.Captured || d.Reason != tc.reason || d.ConfigVersion != v.Version {
				t.Errorf("event outside the criterion: %+v, want suppressed for %s under version %d", d, tc.reason, v.Version)
			}
		})
	}
}

func TestCaptureDescriptionAndIPAddress(t *testing.T) {
	f := newFixture(t)
	in := enabled()
	in.CaptureDescription = false
	configure(t, f.svc, "SET", in)
	in = enabled()
	in.CaptureIPAddress = false
	configure(t, f.svc, "KMS", in)

	ev := event("SET", "PASSWORD_CHANGED")
	if d := decide(t, f.svc, ev); !d.Captured {
		t.Fatalf("decision = %+v", d)
	}
	if ev.Description != "" || ev.ActionUser.IPAddress == "" {
		t.Errorf("SET without description: description %q, ip %q", ev.Description, ev.ActionUser.IPAddress)
	}
	ev = event("KMS", "ARTICLE_PUBLISHED")
	target := &audit.User{Type: audit.UserDashboard, ID: "u-2", IPAddress: "198.51.100.9"}
	ev.TargetUser = target
	if d := decide(t, f.svc, ev); !d.Captured {
		t.Fatalf("decision = %+v", d)
	}
	if ev.Description == "" || ev.ActionUser.IPAddress != "" {
		t.Errorf("KMS without IP address: description %q, ip %q", ev.Description, ev.ActionUser.IPAddress)
	}
	// "Capture IP address" off keeps no IP address of anyone in the event.
	if ev.TargetUser == nil || ev.TargetUser.IPAddress != "" || ev.TargetUser.ID != "u-2" {
		t.Errorf("KMS without IP address: target user %+v, want it without its IP address", ev.TargetUser)
	}
	if target.IPAddress != "198.51.100.9" {
		t.Errorf("the caller's target user was changed: %+v", target)
	}
}

func TestNewEventTypeIsRegisteredAndCaptured(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := event("KMS", "ARTICLE_TRANSLATED")
	ev.Submodule = "Translations"
	ev.Priority = audit.PriorityHigh
	if d := decide(t, f.svc, ev); !d.Captured {
		t.Fatalf("new event type: %+v, want captured", d)
	}
	// Another replica lists it without any configuration step.
	v, err := f.replica(nil).Component(ctx, tenant, "KMS")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(v.Activities, func(a capture.ActivityView) bool { return a.Code == "ARTICLE_TRANSLATED" })
	if i < 0 {
		t.Fatalf("ARTICLE_TRANSLATED not among KMS activities")
	}
	want := capture.ActivityView{Activity: audit.Activity{Code: "ARTICLE_TRANSLATED", Name: "Article translated", Area: "Translations", DefaultPriority: audit.PriorityHigh}, Captured: true}
	if v.Activities[i] != want {
		t.Errorf("registered activity = %+v, want %+v", v.Activities[i], want)
	}
	if i != len(v.Activities)-1 {
		t.Errorf("registered activity at %d of %d, want after the catalog's", i, len(v.Activities))
	}

	// It can be selected, and the next event of that type takes its name.
	in := enabled()
	in.Activities = &[]string{"ARTICLE_TRANSLATED"}
	in.Version = &v.Version
	configure(t, f.svc, "KMS", in)
	ev = event("KMS", "ARTICLE_TRANSLATED")
	if d := decide(t, f.svc, ev); !d.Captured || ev.Area != "Translations" {
		t.Errorf("selected registered activity: %+v, area %q", d, ev.Area)
	}
}

func TestNewComponentGetsACard(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Component(ctx, tenant, "PAYROLL"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown component: %v, want ErrNotFound", err)
	}
	if d := decide(t, f.svc, event("PAYROLL", "PAYSLIP_RELEASED")); !d.Captured {
		t.Fatalf("event of a new component: %+v", d)
	}
	cards, err := f.svc.Components(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cards {
		ids = append(ids, c.ID)
	}
	if want := []string{"CMS", "KMS", "SET", "ONBOARDING", "OFFBOARDING", "AUDITLOG", "PAYROLL"}; !slices.Equal(ids, want) {
		t.Errorf("cards = %v, want %v", ids, want)
	}
	v, err := f.svc.Component(ctx, tenant, "PAYROLL")
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "Payroll" || len(v.Activities) != 1 || v.Activities[0].Code != "PAYSLIP_RELEASED" {
		t.Errorf("PAYROLL card = %+v", v)
	}
	// Another tenant never sees it.
	if _, err := f.svc.Component(ctx, "globex", "PAYROLL"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other tenant sees PAYROLL: %v", err)
	}
}

func TestComponentsCardsAndStats(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cards, err := f.svc.Components(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 6 || cards[0].ID != "CMS" || cards[0].Name != "Case Management" {
		t.Fatalf("cards = %+v", cards)
	}
	for _, c := range cards {
		if !c.LoggingEnabled || c.UpdatedAt != nil || c.Version != 0 {
			t.Errorf("never configured %s: enabled %v, updatedAt %v, version %d", c.ID, c.LoggingEnabled, c.UpdatedAt, c.Version)
		}
	}

	// Two events under the default configuration.
	for range 2 {
		d := decide(t, f.svc, event("CMS", "CREATE_USER_GROUP"))
		f.svc.RecordDecision(tenant, "CMS", d)
	}
	in := enabled()
	in.Statuses = []audit.Status{audit.StatusFailed}
	v := configure(t, f.svc, "CMS", in)
	if v.UpdatedAt == nil || !v.UpdatedAt.Equal(f.clock.Now()) || v.UpdatedBy == nil || v.UpdatedBy.ID != admin.User.ID || v.Version != 1 {
		t.Errorf("configured card: updatedAt %v, updatedBy %+v, version %d", v.UpdatedAt, v.UpdatedBy, v.Version)
	}
	if v.Stats.Captured != 0 {
		t.Errorf("stats of the new version start at %d, want 0", v.Stats.Captured)
	}
	// Under version 1: one captured, two suppressed for their status.
	// Captured events count once stored (the counters could lose them).
	for i, st := range []audit.Status{audit.StatusFailed, audit.StatusSuccess, audit.StatusInProgress} {
		ev := event("CMS", "CREATE_USER_GROUP")
		ev.ID, ev.Status, ev.IngestedAt = fmt.Sprintf("v1-%d", i), st, f.clock.Now()
		d := decide(t, f.svc, ev)
		f.svc.RecordDecision(tenant, "CMS", d)
		if d.Captured {
			if res, err := f.st.WriteEvents(ctx, []audit.Event{*ev}); err != nil || res[0].Err != nil {
				t.Fatalf("store the captured event: %v %+v", err, res)
			}
		}
	}
	if err := f.svc.FlushStats(ctx); err != nil {
		t.Fatal(err)
	}
	v, err = f.svc.Component(ctx, tenant, "CMS")
	if err != nil {
		t.Fatal(err)
	}
	if v.Stats.Captured != 1 || v.Stats.Suppressed[audit.ReasonStatusNotSelected] != 2 {
		t.Errorf("stats since the change = %+v, want 1 captured, 2 suppressed for status", v.Stats)
	}
	old, err := f.st.GetCaptureStats(ctx, tenant, "CMS", 0)
	if err != nil || old.Captured != 2 {
		t.Errorf("stats of version 0 = %+v, %v; want 2 captured, kept apart", old, err)
	}
}

func TestComponentActivitiesShowSelection(t *testing.T) {
	f := newFixture(t)
	in := enabled()
	in.Activities = &[]string{"USER_LOGIN", "ROLE_CHANGED"}
	v := configure(t, f.svc, "SET", in)
	if len(v.Activities) != 7 {
		t.Fatalf("SET has %d activities, want 7", len(v.Activities))
	}
	for _, a := range v.Activities {
		want := a.Code == "USER_LOGIN" || a.Code == "ROLE_CHANGED"
		if a.Captured != want {
			t.Errorf("%s captured = %v, want %v", a.Code, a.Captured, want)
		}
	}
	if !slices.Equal(v.Criteria.Activities, []string{"ROLE_CHANGED", "USER_LOGIN"}) {
		t.Errorf("criteria activities = %v", v.Criteria.Activities)
	}
}

func TestConfigureRejectsBadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first := configure(t, f.svc, "KMS", enabled())
	stored, err := f.st.GetComponentConfig(ctx, tenant, "KMS")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, id, field string
		edit            func(*capture.ConfigInput)
	}{
		{"unknown component", "NOPE", "id", func(*capture.ConfigInput) {}},
		{"unknown activity", "KMS", "config.activities[1]", func(in *capture.ConfigInput) {
			in.Activities = &[]string{"ARTICLE_PUBLISHED", "CREATE_USER_GROUP"} // a CMS activity
		}},
		{"zero retention", "KMS", "config.retention.value", func(in *capture.ConfigInput) { in.Retention = &audit.Retention{Value: 0, Unit: audit.Days} }},
		{"negative retention", "KMS", "config.retention.value", func(in *capture.ConfigInput) { in.Retention = &audit.Retention{Value: -3, Unit: audit.Weeks} }},
		{"61 months", "KMS", "config.retention.value", func(in *capture.ConfigInput) { in.Retention = &audit.Retention{Value: 61, Unit: audit.Months} }},
		{"6 years", "KMS", "config.retention.value", func(in *capture.ConfigInput) { in.Retention = &audit.Retention{Value: 6, Unit: audit.Years} }},
		{"261 weeks", "KMS", "config.retention.value", func(in *capture.ConfigInput) { in.Retention = &audit.Retention{Value: 261, Unit: audit.Weeks} }},
		{"1827 days", "KMS", "config.retention.value", func(in *capture.ConfigInput) { in.Retention = &audit.Retention{Value: 1827, Unit: audit.Days} }},
		{"unknown unit", "KMS", "config.retention.unit", func(in *capture.ConfigInput) { in.Retention = &audit.Retention{Value: 2, Unit: "FORTNIGHTS"} }},
		{"period ends before start", "KMS", "config.loggingPeriod.end", func(in *capture.ConfigInput) {
			in.LoggingPeriod = &audit.Period{Start: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
		}},
		{"period without start", "KMS", "config.loggingPeriod.start", func(in *capture.ConfigInput) {
			in.LoggingPeriod = &audit.Period{End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
		}},
		{"bad priority", "KMS", "config.minPriority", func(in *capture.ConfigInput) { in.MinPriority = ptr(audit.Priority("URGENT")) }},
		{"bad status", "KMS", "config.statuses[1]", func(in *capture.ConfigInput) {
			in.Statuses = []audit.Status{audit.StatusFailed, "DONE"}
		}},
		{"no status selected", "KMS", "config.statuses", func(in *capture.ConfigInput) { in.Statuses = []audit.Status{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := enabled()
			in.LoggingEnabled = false // would be a visible change if stored
			in.Version = &first.Version
			tc.edit(&in)
			_, err := f.svc.Configure(ctx, admin, tc.id, in)
			ie, ok := audit.AsInvalid(err)
			if !ok {
				t.Fatalf("Configure = %v, want an invalid-input error", err)
			}
			if len(ie.Fields) != 1 || ie.Fields[0].Field != tc.field {
				t.Errorf("invalid fields = %+v, want %s", ie.Fields, tc.field)
			}
			got, err := f.st.GetComponentConfig(ctx, tenant, "KMS")
			if err != nil || got.Version != stored.Version || !got.LoggingEnabled {
				t.Errorf("stored config changed: %+v, %v", got, err)
			}
			if _, err := f.st.GetComponentConfig(ctx, tenant, tc.id); tc.id != "KMS" && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("config of %s stored: %v", tc.id, err)
			}
		})
	}
}

func TestConfigureAcceptsRetentionUpToFiveYears(t *testing.T) {
	f := newFixture(t)
	var version int64
	for _, r := range []audit.Retention{{Value: 1826, Unit: audit.Days}, {Value: 260, Unit: audit.Weeks}, {Value: 60, Unit: audit.Months}, {Value: 5, Unit: audit.Years}, {Value: 1, Unit: audit.Days}} {
		in := enabled()
		in.Retention = &r
		in.Version = &version
		v := configure(t, f.svc, "SET", in)
		if v.Criteria.Retention == nil || *v.Criteria.Retention != r {
			t.Errorf("stored retention = %v, want %v", v.Criteria.Retention, r)
		}
		version = v.Version
	}
}

func TestConfigureConflict(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first := configure(t, f.svc, "CMS", enabled())

	// A save from a version nobody holds any more is a conflict.
	in := enabled()
	if _, err := f.svc.Configure(ctx, admin, "CMS", in); !errors.Is(err, store.ErrConflict) {
		t.Errorf("save from version 0 over version 1: %v, want ErrConflict", err)
	}

	// Concurrent saves from the same version, through several replicas:
	// exactly one wins.
	const n = 8
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		wins      []bool
		conflicts int
		start     = make(chan struct{})
	)
	for i := range n {
		svc := f.replica(nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := enabled()
			in.LoggingEnabled = i%2 == 0
			in.Version = &first.Version
			<-start
			v, err := svc.Configure(ctx, admin, "CMS", in)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins = append(wins, v.LoggingEnabled)
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				t.Errorf("Configure: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(wins) != 1 || conflicts != n-1 {
		t.Fatalf("%d saves won, %d conflicted; want 1 and %d", len(wins), conflicts, n-1)
	}
	got, err := f.st.GetComponentConfig(ctx, tenant, "CMS")
	if err != nil || got.Version != 2 || got.LoggingEnabled != wins[0] {
		t.Errorf("stored = %+v, %v; want the winner's save at version 2", got, err)
	}
}

func TestChangeTakesEffectAtOnceHereAndWithinTTLElsewhere(t *testing.T) {
	f := newFixture(t)
	other := f.replica(nil)
	if d := decide(t, other, event("SET", "USER_LOGIN")); !d.Captured {
		t.Fatalf("before the change: %+v", d)
	}
	configure(t, f.svc, "SET", capture.ConfigInput{LoggingEnabled: false})

	if d := decide(t, f.svc, event("SET", "USER_LOGIN")); d.Reason != audit.ReasonLoggingDisabled {
		t.Errorf("replica that saved: %+v, want suppressed at once", d)
	}
	f.clock.Add(capture.DefaultConfigTTL)
	if d := decide(t, other, event("SET", "USER_LOGIN")); d.Reason != audit.ReasonLoggingDisabled {
		t.Errorf("other replica after the TTL: %+v, want suppressed", d)
	}
}

func TestTenantsAreIsolated(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	configure(t, f.svc, "SET", capture.ConfigInput{LoggingEnabled: false})
	ev := event("SET", "USER_LOGIN")
	ev.Tenant = "globex"
	if d := decide(t, f.svc, ev); !d.Captured {
		t.Errorf("other tenant's event: %+v, want captured", d)
	}
	v, err := f.svc.Component(ctx, "globex", "SET")
	if err != nil || v.Version != 0 || !v.LoggingEnabled {
		t.Errorf("other tenant's card = %+v, %v", v, err)
	}
}

func TestCutoffsAndHook(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var calls []struct{ old, new audit.ComponentConfig }
	svc := f.replica(func(_ context.Context, old, new audit.ComponentConfig) {
		calls = append(calls, struct{ old, new audit.ComponentConfig }{old, new})
	})
	in := enabled()
	in.Retention = &audit.Retention{Value: 30, Unit: audit.Days}
	if _, err := svc.Configure(ctx, admin, "KMS", in); err != nil {
		t.Fatal(err)
	}
	configure(t, svc, "CMS", enabled())

	cutoffs, err := svc.Cutoffs(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{"KMS": f.clock.Now().AddDate(0, 0, -30)}
	if len(cutoffs) != 1 || !cutoffs["KMS"].Equal(want["KMS"]) {
		t.Errorf("cutoffs = %v, want %v", cutoffs, want)
	}
	if len(calls) != 2 {
		t.Fatalf("hook called %d times, want 2", len(calls))
	}
	if c := calls[0]; c.old.Version != 0 || c.old.Criteria.Retention != nil || c.new.Version != 1 || c.new.Criteria.Retention == nil {
		t.Errorf("hook got old %+v new %+v", c.old, c.new)
	}
}

// An emitter inventing component ids cannot make the tenant's components
// (each an index series on OpenSearch) grow without bound: beyond the cap,
// an event of a new component is refused naming componentId, while
// components already registered and the catalog's keep being captured.
func TestRegisteredComponentsAreCapped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc := capture.NewService(f.st, f.cat, capture.Options{Clock: f.clock.Now, MaxComponents: 2})
	for _, comp := range []string{"PAYROLL", "TRAVEL"} {
		if d := decide(t, svc, event(comp, "THING_DONE")); !d.Captured {
			t.Fatalf("event of new component %s: %+v", comp, d)
		}
	}
	refused := func(svc *capture.Service, comp string) {
		t.Helper()
		ev := event(comp, "THING_DONE")
		if err := svc.Enrich(ctx, ev); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Decide(ctx, ev)
		ie, ok := audit.AsInvalid(err)
		if !ok || len(ie.Fields) != 1 || ie.Fields[0].Field != "componentId" || !strings.Contains(ie.Fields[0].Message, "2") {
			t.Errorf("event of a third new component %s: %v, want an invalid-input error naming componentId and the limit", comp, err)
		}
	}
	refused(svc, "EXPENSES")
	// Another replica counts what is stored.
	refused(capture.NewService(f.st, f.cat, capture.Options{Clock: f.clock.Now, MaxComponents: 2}), "EXPENSES")
	acts, err := f.st.ListActivities(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := acts["EXPENSES"]; ok || len(acts) != 2 {
		t.Errorf("registered activities %v, want only PAYROLL's and TRAVEL's", acts)
	}
	cards, err := svc.Components(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cards); n != len(f.cat.Components())+2 {
		t.Errorf("%d cards, want the catalog's and 2 more", n)
	}
	// Registered components, new event types of them, and the catalog's
	// components are still captured.
	for _, ev := range []*audit.Event{event("PAYROLL", "THING_DONE"), event("TRAVEL", "OTHER_THING"), event("KMS", "ARTICLE_TRANSLATED"), event("KMS", "ARTICLE_PUBLISHED")} {
		if d := decide(t, svc, ev); !d.Captured {
			t.Errorf("event %s/%s: %+v, want captured", ev.ComponentID, ev.EventType, d)
		}
	}
	// Another tenant has its own allowance.
	ev := event("EXPENSES", "THING_DONE")
	ev.Tenant = "globex"
	if d := decide(t, svc, ev); !d.Captured {
		t.Errorf("globex's first new component: %+v", d)
	}
}

// The activities registered automatically are bounded per tenant as well
// as per component: beyond, new event types are captured but not listed.
func TestRegisteredActivitiesAreCappedPerTenant(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc := capture.NewService(f.st, f.cat, capture.Options{Clock: f.clock.Now, MaxRegistered: 10, MaxActivities: 3})
	for _, ev := range []*audit.Event{event("KMS", "A_1"), event("KMS", "A_2"), event("CMS", "B_1"), event("CMS", "B_2"), event("PAYROLL", "C_1")} {
		if d := decide(t, svc, ev); !d.Captured {
			t.Errorf("event %s/%s: %+v, want captured", ev.ComponentID, ev.EventType, d)
		}
	}
	acts, err := f.st.ListActivities(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, comp := range []string{"KMS", "CMS", "PAYROLL"} {
		for _, a := range acts[comp] {
			codes = append(codes, a.Code)
		}
	}
	// The first activity of a new component is registered even at the cap,
	// so that the component has a card (the components cap bounds those).
	if want := []string{"A_1", "A_2", "B_1", "C_1"}; !slices.Equal(codes, want) {
		t.Errorf("registered %v, want %v", codes, want)
	}
}

func loadCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatalf("catalog.Load: %v", err)
	}
	return cat
}
