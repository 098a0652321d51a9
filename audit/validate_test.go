package audit

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin on machines without a zone database
)

func validEvent(now time.Time) Event {
	return Event{
		ID:          "evt-1",
		Tenant:      "acme",
		ComponentID: "KMS",
		EventType:   "ARTICLE_PUBLISHED",
		Priority:    PriorityHigh,
		Status:      StatusSuccess,
		ActionUser:  User{Type: UserDashboard, ID: "u1", Email: "priya@example.com", IPAddress: "10.0.0.1"},
		TargetUser:  &User{Type: UserDashboard, AccountStatus: AccountActive},
		OccurredAt:  now.Add(-time.Hour),
		RedirectURL: "https://example.com/kb/1",
		Details:     map[string]any{"folder": "IT", "tags": []any{"vpn", map[string]any{"k": 1}}},
	}
}

func TestValidatorAcceptsAValidEvent(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	e := validEvent(now)
	if err := NewValidator().Event(&e, now); err != nil {
		t.Fatalf("valid event rejected: %v", err)
	}
}

func TestValidatorNamesTheField(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	deep := map[string]any{}
	cur := deep
	for range 10 {
		next := map[string]any{}
		cur["x"] = next
		cur = next
	}
	cases := []struct {
		field  string
		mutate func(e *Event)
	}{
		{"id", func(e *Event) { e.ID = "has space" }},
		{"tenant", func(e *Event) { e.Tenant = "ACME" }},
		{"componentId", func(e *Event) { e.ComponentID = "cms" }},
		{"componentId", func(e *Event) { e.ComponentID = "" }},
		{"eventType", func(e *Event) { e.EventType = "" }},
		{"priority", func(e *Event) { e.Priority = "URGENT" }},
		{"status", func(e *Event) { e.Status = "DONE" }},
		{"actionUser.type", func(e *Event) { e.ActionUser.Type = "" }},
		{"actionUser.email", func(e *Event) { e.ActionUser.Email = "not-an-email" }},
		{"actionUser.ipAddress", func(e *Event) { e.ActionUser.IPAddress = "300.1.1.1" }},
		{"targetUser.accountStatus", func(e *Event) { e.TargetUser.AccountStatus = "GONE" }},
		{"redirectUrl", func(e *Event) { e.RedirectURL = "javascript:alert(1)" }},
		{"redirectUrl", func(e *Event) { e.RedirectURL = "ftp://example.com/x" }},
		{"description", func(e *Event) { e.Description = strings.Repeat("a", 8193) }},
		{"details", func(e *Event) { e.Details = deep }},
		{"details", func(e *Event) { e.Details = map[string]any{"blob": strings.Repeat("x", MaxDetailsBytes)} }},
		{"occurredAt", func(e *Event) { e.OccurredAt = now.Add(48 * time.Hour) }},
		{"occurredAt", func(e *Event) { e.OccurredAt = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"occurredAt", func(e *Event) { e.OccurredAt = time.Time{} }},
	}
	v := NewValidator()
	for _, c := range cases {
		e := validEvent(now)
		c.mutate(&e)
		err := v.Event(&e, now)
		ie, ok := AsInvalid(err)
		if !ok {
			t.Errorf("%s: want *InvalidError, got %v", c.field, err)
			continue
		}
		found := false
		for _, f := range ie.Fields {
			if f.Field == c.field {
				found = true
			}
		}
		if !found {
			t.Errorf("want an error naming %q, got %v", c.field, ie)
		}
	}
}

func TestPriorityOrder(t *testing.T) {
	if !PriorityCritical.AtLeast(PriorityHigh) || PriorityLow.AtLeast(PriorityMedium) || !PriorityMedium.AtLeast(PriorityMedium) {
		t.Fatal("priority order is wrong")
	}
	if Priority("x").Valid() {
		t.Fatal("unknown priority reported valid")
	}
}

func TestRetentionCutoff(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	cases := []struct {
		now  time.Time
		r    Retention
		want time.Time
	}{
		{at(2026, 3, 31, 9), Retention{Value: 10, Unit: Days}, at(2026, 3, 21, 9)},
		{at(2026, 3, 31, 9), Retention{Value: 2, Unit: Weeks}, at(2026, 3, 17, 9)},
		// On 31 March, everything of February has been kept a month
		// (28 February + 1 month = 28 March); time.AddDate would say the
		// cutoff is 3 March and expire 1-2 March early.
		{at(2026, 3, 31, 9), Retention{Value: 1, Unit: Months}, at(2026, 3, 1, 0)},
		{at(2028, 3, 31, 9), Retention{Value: 1, Unit: Months}, at(2028, 3, 1, 0)},
		{at(2028, 3, 29, 9), Retention{Value: 1, Unit: Months}, at(2028, 2, 29, 9)},
		{at(2026, 1, 15, 9), Retention{Value: 3, Unit: Months}, at(2025, 10, 15, 9)},
		{at(2026, 5, 31, 9), Retention{Value: 14, Unit: Months}, at(2025, 3, 31, 9)},
		{at(2026, 3, 31, 9), Retention{Value: 5, Unit: Years}, at(2021, 3, 31, 9)},
		// A year before 29 February: all of 28 February 2027 has been
		// kept a year (it expires on 28 February 2028).
		{at(2028, 2, 29, 9), Retention{Value: 1, Unit: Years}, at(2027, 3, 1, 0)},
	}
	for _, c := range cases {
		if got := c.r.Cutoff(c.now); !got.Equal(c.want) {
			t.Errorf("%v at %v: cutoff %v, want %v", c.r, c.now, got, c.want)
		}
	}
}

// A server's time zone changes nothing: a local day across a daylight
// saving change is 23 or 25 hours, which would expire events an hour early.
func TestRetentionCutoffIgnoresTimeZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin") // time/tzdata: on any machine
	if err != nil {
		t.Fatal(err)
	}
	// 30 days after 1 March 2026 spans the switch to summer time (29 March).
	now := time.Date(2026, 3, 31, 12, 0, 0, 0, berlin)
	for _, r := range []Retention{{Value: 30, Unit: Days}, {Value: 4, Unit: Weeks}, {Value: 1, Unit: Months}, {Value: 1, Unit: Years}} {
		local, utc := r.Cutoff(now), r.Cutoff(now.UTC())
		if !local.Equal(utc) {
			t.Errorf("%v at %v: cutoff %v, at the same instant in UTC %v", r, now, local, utc)
		}
	}
	if got, want := (Retention{Value: 30, Unit: Days}).Cutoff(now), now.Add(-30*24*time.Hour); !got.Equal(want) {
		t.Errorf("30 days before %v: cutoff %v, want exactly 720 hours earlier, %v", now, got, want)
	}
}

// The cutoff never moves back as time goes on, or an event once expired
// would reappear and an index's expiry could not be bisected.
func TestRetentionCutoffIsMonotonic(t *testing.T) {
	for _, r := range []Retention{{Value: 1, Unit: Months}, {Value: 13, Unit: Months}, {Value: 1, Unit: Years}, {Value: 3, Unit: Days}} {
		prev := time.Time{}
		for now := time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC); now.Before(time.Date(2028, 12, 31, 0, 0, 0, 0, time.UTC)); now = now.Add(6 * time.Hour) {
			c := r.Cutoff(now)
			if c.Before(prev) {
				t.Fatalf("%v: cutoff at %v is %v, before the cutoff %v of 6h earlier", r, now, c, prev)
			}
			if !c.Before(now) {
				t.Fatalf("%v: cutoff %v is not before now %v", r, c, now)
			}
			prev = c
		}
	}
}
