package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// Stores keep times in UTC at millisecond precision; the suite writes
// finer times in other zones on purpose and expects them back this way.
func msUTC(t time.Time) time.Time { return t.Truncate(time.Millisecond).UTC() }

// ist is a zone east of UTC, so a store that keeps the writer's zone or
// drops it without converting is caught.
var ist = time.FixedZone("IST", 5*3600+30*60)

// baseTime is an instant with sub-millisecond digits, in a non-UTC zone.
var baseTime = time.Date(2025, 2, 14, 16, 45, 30, 123_456_789, ist)

// fullEvent returns an event of tenant with every field set, target user
// and nested details included, and no flag.
func fullEvent(tenant, id string, at time.Time) audit.Event {
	return audit.Event{
		ID:            id,
		Tenant:        tenant,
		ComponentID:   "KMS",
		Submodule:     "Article lifecycle",
		EventType:     "article.published",
		EventTypeName: "Article published",
		Area:          "Article lifecycle",
		Description:   "Article “Leave policy” published by Ana Müller",
		Priority:      audit.PriorityHigh,
		Status:        audit.StatusSuccess,
		ActionUser: audit.User{
			Type:      audit.UserDashboard,
			ID:        "u-ana",
			Name:      "Ana Müller",
			Email:     "ana@acme.test",
			IPAddress: "2001:db8::7",
			UserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
		},
		TargetUser: &audit.User{
			Type:          audit.UserBot,
			ID:            "bot-7",
			Name:          "Helper Bot",
			Email:         "bot@acme.test",
			AccountStatus: audit.AccountTerminated,
		},
		OccurredAt:  at,
		IngestedAt:  at.Add(1500*time.Millisecond + 999*time.Microsecond),
		RedirectURL: "https://admin.acme.test/km/articles/42?tab=history",
		Details: map[string]any{
			"articleId": "42",
			"version":   7,
			"ratio":     0.25,
			"public":    true,
			"removed":   nil,
			"owners":    []any{"ana", "bob"},
			"changes": map[string]any{
				"title": map[string]any{"old": "Leave", "new": "Leave policy"},
				"tags":  []any{map[string]any{"id": 1}, "x"},
			},
		},
	}
}

// minimalEvent returns an event with only the required fields set.
func minimalEvent(tenant, id, component string, at time.Time) audit.Event {
	return audit.Event{
		ID:          id,
		Tenant:      tenant,
		ComponentID: component,
		EventType:   "user.login",
		Priority:    audit.PriorityLow,
		Status:      audit.StatusFailed,
		ActionUser:  audit.User{Type: audit.UserSystem},
		OccurredAt:  at,
	}
}

// stored returns e as a store returns it: times in UTC at millisecond
// precision, details as decoded from JSON with every number kept exact, as
// its json.Number.
func stored(t *testing.T, e audit.Event) audit.Event {
	t.Helper()
	e.OccurredAt = msUTC(e.OccurredAt)
	if !e.IngestedAt.IsZero() {
		e.IngestedAt = msUTC(e.IngestedAt)
	}
	if e.Details != nil {
		b, err := json.Marshal(e.Details)
		if err != nil {
			t.Fatalf("encode details: %v", err)
		}
		if e.Details, err = decodeDetails(b); err != nil {
			t.Fatalf("decode details: %v", err)
		}
	}
	if e.TargetUser != nil {
		u := *e.TargetUser
		e.TargetUser = &u
	}
	if e.Flag != nil {
		f := *e.Flag
		f.At = msUTC(f.At)
		e.Flag = &f
	}
	return e
}

// decodeDetails decodes details as a store returns them: numbers as
// json.Number.
func decodeDetails(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var d map[string]any
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	return d, nil
}

// asJSON renders v for comparison: JSON shows every field a client sees,
// times with their zone, and map keys sorted.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	return string(b)
}

// sameJSON fails the test unless got and want render the same JSON.
func sameJSON(t *testing.T, what string, want, got any) {
	t.Helper()
	if w, g := asJSON(t, want), asJSON(t, got); w != g {
		t.Errorf("%s:\n got  %s\n want %s", what, g, w)
	}
}

// writeEvents writes one batch and fails the test on a batch error, a
// wrong number of results or any per-item error.
func writeEvents(t *testing.T, s store.Store, events ...audit.Event) []store.WriteResult {
	t.Helper()
	res, err := s.WriteEvents(ctx(t), events)
	if err != nil {
		t.Fatalf("WriteEvents(%d events): %v", len(events), err)
	}
	if len(res) != len(events) {
		t.Fatalf("WriteEvents returned %d results for %d events", len(res), len(events))
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("WriteEvents: event %d (%s/%s): %v", i, events[i].Tenant, events[i].ID, r.Err)
		}
	}
	return res
}

// getEvent reads an event that must exist.
func getEvent(t *testing.T, s store.Store, tenant, id string) audit.Event {
	t.Helper()
	e, err := s.GetEvent(ctx(t), tenant, id, nil)
	if err != nil {
		t.Fatalf("GetEvent(%s, %s): %v", tenant, id, err)
	}
	return e
}

// wantErr fails the test unless err is target (compared with errors.Is).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}

// eventIDs lists the ids of events, in order.
func eventIDs(events []audit.Event) []string {
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}
