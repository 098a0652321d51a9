package selfaudit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/indexer"
	"github.com/auditlog/auditlog/selfaudit"
	"github.com/auditlog/auditlog/store/sqlite"
)

type env struct {
	st      *sqlite.Store
	capture *capture.Service
	rec     *selfaudit.Recorder
}

// newEnv wires a recorder as the server does: capture reports configuration
// changes to it, and it ingests through the indexer over a real store.
func newEnv(t *testing.T) *env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "auditlog.db"), sqlite.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	var rec *selfaudit.Recorder // needs the indexer, which needs capture
	svc := capture.NewService(st, cat, capture.Options{Logger: log,
		OnConfigured: func(ctx context.Context, old, new audit.ComponentConfig) { rec.Configured(ctx, old, new) }})
	ix := indexer.New(st, svc, indexer.Options{Logger: log})
	t.Cleanup(func() { ix.Close(context.Background()) })
	rec = selfaudit.New(ix, selfaudit.Options{Logger: log})
	return &env{st: st, capture: svc, rec: rec}
}

// auditlogEvents returns the tenant's AUDITLOG events, oldest first.
func (e *env) auditlogEvents(t *testing.T, tenant string) []audit.Event {
	t.Helper()
	p, err := e.st.SearchEvents(context.Background(), audit.Query{
		Tenant: tenant, Filter: audit.Filter{Components: []string{"AUDITLOG"}}, Order: audit.OldestFirst, Limit: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p.Events
}

// one returns the only AUDITLOG event of the tenant.
func (e *env) one(t *testing.T, tenant string) audit.Event {
	t.Helper()
	evs := e.auditlogEvents(t, tenant)
	if len(evs) != 1 {
		t.Fatalf("%d AUDITLOG events in %s, want 1: %+v", len(evs), tenant, evs)
	}
	return evs[0]
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var admin = audit.Principal{Tenant: "acme", Role: audit.RoleAdmin, KeyID: "key_ADMIN",
	User: audit.User{Type: audit.UserDashboard, ID: "u-admin", Name: "Ada Admin", Email: "ada@acme.test"}}

func TestConfigurationChangeIsRecordedWithItsDiff(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	high := audit.PriorityHigh
	if _, err := e.capture.Configure(ctx, admin, "KMS", capture.ConfigInput{
		LoggingEnabled: true, MinPriority: &high, CaptureDescription: true, CaptureIPAddress: false,
		Retention: &audit.Retention{Value: 90, Unit: audit.Days},
	}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	ev := e.one(t, "acme")
	if ev.ComponentID != "AUDITLOG" || ev.EventType != "COMPONENT_CONFIGURED" || ev.EventTypeName != "Capture configuration updated" ||
		ev.Priority != audit.PriorityHigh || ev.Status != audit.StatusSuccess || ev.Submodule != "Filter Management" {
		t.Errorf("recorded event %+v", ev)
	}
	if ev.ActionUser != admin.User {
		t.Errorf("action user %+v, want the admin who configured %+v", ev.ActionUser, admin.User)
	}
	want := `{"captureIpAddress":{"after":false,"before":true},` +
		`"minPriority":{"after":"HIGH","before":null},` +
		`"retention":{"after":{"unit":"DAYS","value":90},"before":null}}`
	if got := asJSON(t, ev.Details["changes"]); got != want {
		t.Errorf("changes\n got %s\nwant %s", got, want)
	}
	if ev.Details["componentId"] != "KMS" || ev.Details["version"] != json.Number("1") || ev.Details["previousVersion"] != json.Number("0") {
		t.Errorf("details %v", ev.Details)
	}
	if !strings.Contains(ev.Description, "KMS") || !strings.Contains(ev.Description, "minPriority, captureIpAddress and retention changed") {
		t.Errorf("description %q", ev.Description)
	}

	// Choosing activities: from all to a list, then within the list.
	version := int64(1)
	configure := func(activities []string) {
		t.Helper()
		if _, err := e.capture.Configure(ctx, admin, "KMS", capture.ConfigInput{
			LoggingEnabled: true, MinPriority: &high, CaptureDescription: true,
			Retention: &audit.Retention{Value: 90, Unit: audit.Days}, Activities: &activities, Version: &version,
		}); err != nil {
			t.Fatalf("Configure: %v", err)
		}
		version++
	}
	configure([]string{"ARTICLE_PUBLISHED", "ARTICLE_ARCHIVED"})
	configure([]string{"ARTICLE_PUBLISHED", "ARTICLE_REJECTED"})
	evs := e.auditlogEvents(t, "acme")
	if len(evs) != 3 {
		t.Fatalf("%d events after three saves, want 3", len(evs))
	}
	if got, want := asJSON(t, evs[1].Details["changes"]),
		`{"activities":{"after":["ARTICLE_ARCHIVED","ARTICLE_PUBLISHED"],"before":"ALL"}}`; got != want {
		t.Errorf("all → list\n got %s\nwant %s", got, want)
	}
	if got, want := asJSON(t, evs[2].Details["changes"]),
		`{"activities":{"added":["ARTICLE_REJECTED"],"after":["ARTICLE_PUBLISHED","ARTICLE_REJECTED"],"before":["ARTICLE_ARCHIVED","ARTICLE_PUBLISHED"],"removed":["ARTICLE_ARCHIVED"]}}`; got != want {
		t.Errorf("list → list\n got %s\nwant %s", got, want)
	}
	// Another tenant sees none of it.
	if evs := e.auditlogEvents(t, "globex"); len(evs) != 0 {
		t.Errorf("globex sees %d of acme's AUDITLOG events", len(evs))
	}
}

func TestCatalogKnowsEveryActivity(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{selfaudit.ComponentConfigured, selfaudit.EventsFlagged, selfaudit.EventsUnflagged,
		selfaudit.EventsExported, selfaudit.SavedFilterCreated, selfaudit.SavedFilterUpdated, selfaudit.SavedFilterDeleted,
		selfaudit.APIKeyCreated, selfaudit.APIKeyRevoked} {
		if _, ok := cat.Activity(catalog.ServiceComponent, code); !ok {
			t.Errorf("catalog has no activity %s of %s", code, catalog.ServiceComponent)
		}
	}
}

// TestBulkFlagFitsTheDetailsLimit records a flag of 1000 long ids: the
// event is written, with the count and as many ids as fit.
func TestBulkFlagFitsTheDetailsLimit(t *testing.T) {
	e := newEnv(t)
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("evt-%04d-%s", i, strings.Repeat("x", 100))
	}
	e.rec.Flagged(context.Background(), admin, ids, "quarterly review")
	ev := e.one(t, "acme")
	if ev.EventType != "EVENTS_FLAGGED" || ev.Details["count"] != json.Number("1000") || ev.Details["note"] != "quarterly review" ||
		ev.Description != "Flagged 1000 events: quarterly review" {
		t.Errorf("event %s %q, details count %v note %v", ev.EventType, ev.Description, ev.Details["count"], ev.Details["note"])
	}
	listed, _ := ev.Details["eventIds"].([]any)
	if len(listed) < 2 || listed[0] != ids[0] || !strings.HasPrefix(fmt.Sprint(listed[len(listed)-1]), "… and ") {
		t.Errorf("eventIds kept %d values, ending %v", len(listed), listed[len(listed)-1])
	}
}

func TestKeyChangesNeverRecordTheKey(t *testing.T) {
	e := newEnv(t)
	operator := audit.User{Type: audit.UserSystem, ID: "cli:root", Name: "auditlog CLI"}
	owner := audit.User{Type: audit.UserDashboard, ID: "u-9", Name: "Nia", Email: "nia@acme.test"}
	key := audit.APIKey{ID: "key_01J", Hash: "3f1c0ffee0ddba11secret-hash", CreatedAt: time.Now(),
		Principal: audit.Principal{Tenant: "acme", Role: audit.RoleEmitter, User: owner, KeyID: "key_01J", Components: []string{"KMS"}}}
	e.rec.KeyCreated(context.Background(), operator, key)
	e.rec.KeyRevoked(context.Background(), operator, key)
	evs := e.auditlogEvents(t, "acme")
	if len(evs) != 2 || evs[0].EventType != "API_KEY_CREATED" || evs[1].EventType != "API_KEY_REVOKED" {
		t.Fatalf("events %+v", evs)
	}
	for _, ev := range evs {
		if ev.ActionUser != operator || ev.TargetUser == nil || *ev.TargetUser != owner || ev.Priority != audit.PriorityCritical {
			t.Errorf("%s: action user %+v, target %+v, priority %s", ev.EventType, ev.ActionUser, ev.TargetUser, ev.Priority)
		}
		if got := asJSON(t, ev.Details); got != `{"components":["KMS"],"keyId":"key_01J","role":"emitter"}` {
			t.Errorf("%s details %s", ev.EventType, got)
		}
		if strings.Contains(asJSON(t, ev), key.Hash) {
			t.Errorf("%s records the key hash", ev.EventType)
		}
	}
}

func TestExportAndSavedFilterDetails(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	viewer := audit.Principal{Tenant: "acme", Role: audit.RoleViewer, User: audit.User{Type: audit.UserDashboard, ID: "u-v", Name: "Val"}}
	flagged := true
	f := audit.Filter{Components: []string{"KMS"}, Flagged: &flagged, Text: "access"}
	e.rec.Exported(ctx, viewer, export.Request{Filter: &f}, 120, true)
	e.rec.Exported(ctx, viewer, export.Request{IDs: []string{"a", "b"}}, 1, false)
	sf := audit.SavedFilter{ID: "sf-1", Tenant: "acme", OwnerID: "u-v", Name: "KM access", Filter: f}
	e.rec.SavedFilterCreated(ctx, viewer, sf)
	renamed := sf
	renamed.Name = "KM access, monthly"
	e.rec.SavedFilterUpdated(ctx, viewer, sf, renamed)
	e.rec.SavedFilterDeleted(ctx, viewer, renamed)

	evs := e.auditlogEvents(t, "acme")
	want := []struct{ code, status, desc, details string }{
		{"EVENTS_EXPORTED", "SUCCESS", "Exported the filtered log as CSV: 120 rows",
			`{"complete":true,"filter":{"components":["KMS"],"flagged":true,"text":"access"},"rows":120}`},
		{"EVENTS_EXPORTED", "FAILED", "Exported a selection of 2 events as CSV: 1 rows, download interrupted",
			`{"complete":false,"eventIds":["a","b"],"rows":1}`},
		{"SAVED_FILTER_CREATED", "SUCCESS", "Saved a filter", `{"savedFilterId":"sf-1"}`},
		{"SAVED_FILTER_UPDATED", "SUCCESS", "Updated a saved filter", `{"savedFilterId":"sf-1"}`},
		{"SAVED_FILTER_DELETED", "SUCCESS", "Deleted a saved filter", `{"savedFilterId":"sf-1"}`},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d", len(evs), len(want))
	}
	for i, w := range want {
		ev := evs[i]
		if ev.EventType != w.code || string(ev.Status) != w.status || ev.Description != w.desc || ev.ActionUser != viewer.User {
			t.Errorf("event %d: %s %s %q by %+v", i, ev.EventType, ev.Status, ev.Description, ev.ActionUser)
		}
		if got := asJSON(t, ev.Details); got != w.details {
			t.Errorf("event %d (%s) details\n got %s\nwant %s", i, w.code, got, w.details)
		}
	}
}

// TestTrailCannotBeTurnedOff: AUDITLOG is auditlog's own trail; an admin
// who tries to turn its logging off is refused, and the next action is
// recorded all the same.
func TestTrailCannotBeTurnedOff(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.capture.Configure(ctx, admin, "AUDITLOG", capture.ConfigInput{LoggingEnabled: false, CaptureDescription: true, CaptureIPAddress: true})
	if _, ok := audit.AsInvalid(err); !ok {
		t.Fatalf("turning the trail off = %v, want an invalid-input error", err)
	}
	e.rec.Unflagged(ctx, admin, []string{"evt-1"})
	if evs := e.auditlogEvents(t, "acme"); len(evs) != 1 || evs[0].EventType != "EVENTS_UNFLAGGED" {
		t.Errorf("AUDITLOG events after the refused change: %+v, want the unflag", evs)
	}
}

// TestBadlyFormedUsersAreSanitisedNotDropped: a key made before key users
// were checked may carry a user no event can hold (a malformed email, an
// overlong name). What it does is still recorded, with what can be kept of
// the user; the target user likewise.
func TestBadlyFormedUsersAreSanitisedNotDropped(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	long := strings.Repeat("n", 300)
	p := audit.Principal{Tenant: "acme", Role: audit.RoleViewer, KeyID: "key_OLD",
		User: audit.User{Type: audit.UserDashboard, ID: "u-old", Name: long, Email: "old user at acme", IPAddress: "not an ip"}}
	e.rec.Flagged(ctx, p, []string{"evt-1"}, "")
	ev := e.one(t, "acme")
	u := ev.ActionUser
	if ev.EventType != "EVENTS_FLAGGED" || u.ID != "u-old" || u.Email != "" || u.IPAddress != "" ||
		!strings.HasPrefix(long, strings.TrimSuffix(u.Name, "…")) || len([]rune(u.Name)) > 256 {
		t.Errorf("recorded %s by %+v, want the flag by u-old with a cut name and without the malformed email and IP address", ev.EventType, u)
	}

	// A key whose owner is badly formed: its revocation is recorded, the
	// malformed email kept as the name when there is no other.
	owner := audit.User{Type: audit.UserDashboard, Email: "svc at acme"}
	key := audit.APIKey{ID: "key_OLD", Principal: audit.Principal{Tenant: "globex", Role: audit.RoleEmitter, User: owner, KeyID: "key_OLD"}}
	e.rec.KeyRevoked(ctx, audit.User{Type: audit.UserSystem, ID: "cli:root"}, key)
	ev = e.one(t, "globex")
	if ev.EventType != "API_KEY_REVOKED" || ev.TargetUser == nil || ev.TargetUser.Email != "" || ev.TargetUser.Name != "svc at acme" {
		t.Errorf("recorded %s with target %+v, want the revocation with the email as the name", ev.EventType, ev.TargetUser)
	}
}
