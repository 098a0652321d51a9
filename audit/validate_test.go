package audit

import (
	"strings"
	"testing"
	"time"
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
	now := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	cases := map[Retention]time.Time{
		{Value: 10, Unit: Days}:  time.Date(2026, 3, 21, 0, 0, 0, 0, time.UTC),
		{Value: 2, Unit: Weeks}:  time.Date(2026, 3, 17, 0, 0, 0, 0, time.UTC),
		{Value: 1, Unit: Months}: now.AddDate(0, -1, 0),
		{Value: 5, Unit: Years}:  time.Date(2021, 3, 31, 0, 0, 0, 0, time.UTC),
	}
	for r, want := range cases {
		if got := r.Cutoff(now); !got.Equal(want) {
			t.Errorf("%v: cutoff %v, want %v", r, got, want)
		}
	}
}
