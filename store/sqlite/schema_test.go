package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
)

func sampleEvent(tenant, id string, at time.Time) audit.Event {
	return audit.Event{
		ID: id, Tenant: tenant, ComponentID: "CMS", EventType: "user_group.create",
		EventTypeName: "Create user group", Description: "User group Support created",
		Priority: audit.PriorityMedium, Status: audit.StatusSuccess,
		ActionUser: audit.User{Type: audit.UserDashboard, ID: "u1", Name: "Ana", Email: "ana@acme.test"},
		OccurredAt: at,
	}
}

func TestReopenKeepsDataAndAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := s.WriteEvents(ctx, []audit.Event{sampleEvent("acme", "e1", at)}); err != nil {
		t.Fatalf("WriteEvents: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for range 2 {
		s, err = Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		var applied, distinct int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&applied, &distinct); err != nil {
			t.Fatalf("read schema_migrations: %v", err)
		}
		if applied != len(migrations) || distinct != len(migrations) {
			t.Errorf("schema_migrations has %d rows (%d versions), want %d", applied, distinct, len(migrations))
		}
		var mode string
		if err := s.r.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatalf("journal_mode: %v", err)
		}
		if mode != "wal" {
			t.Errorf("journal_mode = %q, want wal", mode)
		}
		e, err := s.GetEvent(ctx, "acme", "e1", nil)
		if err != nil {
			t.Fatalf("GetEvent after reopen: %v", err)
		}
		if !e.OccurredAt.Equal(at) {
			t.Errorf("OccurredAt after reopen = %v, want %v", e.OccurredAt, at)
		}
		p, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10, Filter: audit.Filter{Text: "support"}})
		if err != nil {
			t.Fatalf("SearchEvents after reopen: %v", err)
		}
		if p.Total != 1 {
			t.Errorf("full-text search after reopen found %d events, want 1", p.Total)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

func TestOpenRejectsPathsTheDriverWouldMisread(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", filepath.Join(t.TempDir(), "a?b.db")} {
		if s, err := Open(context.Background(), p); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", p)
		}
	}
}

// TestUpgradeReindexesText: a file written before the full-text index held
// audit.Words gets its index rebuilt on open, and deletes keep it in step.
func TestUpgradeReindexesText(t *testing.T) {
	ctx := context.Background()
	path, old := fileAtVersion(t, 3)
	// Written by version 3: the triggers indexed the raw text.
	insertOldEvent(t, old, "cafe\u0301 closed")
	s := reopen(t, old, path)
	count := func(text string) int64 {
		t.Helper()
		p, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 1, Filter: audit.Filter{Text: text}})
		if err != nil {
			t.Fatalf("SearchEvents(%q): %v", text, err)
		}
		return p.Total
	}
	for _, text := range []string{"cafe", "closed", `"user group"`} {
		if n := count(text); n != 1 {
			t.Errorf("after upgrade, %q finds %d events, want 1", text, n)
		}
	}
	if n, err := s.DeleteExpired(ctx, "acme", "CMS", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 10); err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d, %v; want 1", n, err)
	}
	var indexed int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM events_fts`).Scan(&indexed); err != nil {
		t.Fatalf("count index: %v", err)
	}
	if indexed != 0 {
		t.Errorf("full-text index keeps %d rows of deleted events", indexed)
	}
}

// TestUpgradeMovesSavedFiltersToTheirOwners: filters saved before owners
// were told apart (migration 6) stay with the user who saved them, as
// auth.SavedFilterOwner names that user now.
func TestUpgradeMovesSavedFiltersToTheirOwners(t *testing.T) {
	ctx := context.Background()
	path, old := fileAtVersion(t, 5)
	users := map[string]audit.User{ // key id → its user
		"k-id":      {Type: audit.UserDashboard, ID: "u-1", Email: "una@acme.example"},
		"k-email":   {Type: audit.UserDashboard, Email: "Eve@Acme.example"},
		"k-prefix":  {Type: audit.UserDashboard, ID: "key:legacy"},
		"k-both-id": {Type: audit.UserDashboard, ID: "bob@acme.example"},
		"k-both-em": {Type: audit.UserDashboard, Email: "bob@acme.example"},
		"k-named":   {Type: audit.UserDashboard, Name: "No id, no email"},
	}
	for id, u := range users {
		p, _ := json.Marshal(audit.Principal{Tenant: "acme", User: u, Role: audit.RoleViewer, KeyID: id})
		if _, err := old.ExecContext(ctx, `INSERT INTO api_keys (id, hash, tenant, principal) VALUES (?, ?, 'acme', ?)`, id, "h-"+id, string(p)); err != nil {
			t.Fatalf("insert key: %v", err)
		}
	}
	// Owners as the previous version wrote them.
	owners := map[string]string{ // filter id → owner
		"sf-id": "u-1", "sf-email": "eve@acme.example", "sf-prefix": "key:legacy", "sf-both": "bob@acme.example",
		"sf-named": "key:k-named", "sf-other-tenant-email": "eve@acme.example",
	}
	for id, owner := range owners {
		tenant := "acme"
		if id == "sf-other-tenant-email" {
			tenant = "globex" // no key there says eve has no id
		}
		if _, err := old.ExecContext(ctx, `INSERT INTO saved_filters (tenant, owner_id, id, name, filter) VALUES (?, ?, ?, ?, '{}')`,
			tenant, owner, id, "f "+id); err != nil {
			t.Fatalf("insert saved filter: %v", err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	for key, want := range map[string][]string{
		"k-id": {"sf-id"}, "k-email": {"sf-email"}, "k-prefix": {"sf-prefix"},
		"k-both-id": {"sf-both"}, "k-both-em": nil, "k-named": {"sf-named"},
	} {
		p := audit.Principal{Tenant: "acme", User: users[key], KeyID: key}
		list, err := s.ListSavedFilters(ctx, "acme", auth.SavedFilterOwner(p))
		if err != nil {
			t.Fatalf("ListSavedFilters: %v", err)
		}
		var got []string
		for _, f := range list {
			got = append(got, f.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("after upgrade, the user of %s has %v, want %v", key, got, want)
		}
	}
	if list, err := s.ListSavedFilters(ctx, "globex", "eve@acme.example"); err != nil || len(list) != 1 {
		t.Errorf("a filter of another tenant's owner moved: %v, %v", list, err)
	}
}

// TestUpgradeFoldsAccents: events indexed before audit.Words folded accents
// (by version 7, with "chloé" as written) are found after the upgrade by
// the word with or without its accents.
func TestUpgradeFoldsAccents(t *testing.T) {
	ctx := context.Background()
	path, old := fileAtVersion(t, 7)
	// Version 7 indexed the lower-cased words, accents and all.
	insertOldEvent(t, old, "Chloé closed the Zürich desk")
	if _, err := old.ExecContext(ctx, `INSERT INTO events_fts (rowid, description, event_type_name)
		SELECT seq, 'chloé closed the zürich desk', 'create user group' FROM events WHERE id = 'e1'`); err != nil {
		t.Fatalf("index: %v", err)
	}
	s := reopen(t, old, path)
	for _, text := range []string{"chloe", "Chloé", "CHLOE", `"chloe closed"`, "zuri*", "Zürich", "user"} {
		p, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 1, Filter: audit.Filter{Text: text}})
		if err != nil || p.Total != 1 {
			t.Errorf("after upgrade, %q finds %d events (%v), want 1", text, p.Total, err)
		}
	}
}

func TestUpgradeSuggestsExistingUsers(t *testing.T) {
	ctx := context.Background()
	path, old := fileAtVersion(t, 8)
	// Version 8 kept no list of users: the upgrade lists those of the
	// events already stored, with their latest account status.
	insertOldEvent(t, old, "Ana deactivated Tom")
	if _, err := old.ExecContext(ctx, `UPDATE events SET action_user_type = 'DASHBOARD', action_user_id = 'U-Ana',
		action_user_name = 'Ana Lima', action_user_name_lc = 'ana lima', target_user_type = 'DASHBOARD',
		target_user_email = 'Tom@Acme.example', target_user_email_lc = 'tom@acme.example',
		target_user_account_status = 'TERMINATED' WHERE id = 'e1'`); err != nil {
		t.Fatalf("update: %v", err)
	}
	s := reopen(t, old, path)
	for _, q := range []audit.UserQuery{
		{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "u-a", Limit: 5},
		{Tenant: "acme", Role: audit.ActionUserRole, Prefix: "LIM", Limit: 5},
		{Tenant: "acme", Role: audit.TargetUserRole, Prefix: "tom@", Limit: 5},
	} {
		got, err := s.SuggestUsers(ctx, q)
		if err != nil || len(got) != 1 || got[0].Events != 1 {
			t.Errorf("after upgrade, %s %q suggests %+v (%v), want one user of one event", q.Role, q.Prefix, got, err)
		}
	}
	status, err := s.LatestAccountStatus(ctx, "acme", audit.User{Email: "tom@acme.example"}, nil)
	if err != nil || status != audit.AccountTerminated {
		t.Errorf("after upgrade, Tom's status is %q (%v), want TERMINATED", status, err)
	}
}

// fileAtVersion creates a store file with the first version migrations
// applied, as an older auditlog left it, and returns its path and an open
// handle (to write what that version wrote, then close).
func fileAtVersion(t *testing.T, version int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := migrate(context.Background(), db, migrations[:version]); err != nil {
		t.Fatalf("migrate to version %d: %v", version, err)
	}
	return path, db
}

// insertOldEvent writes event e1 of acme (CMS, "Create user group") with
// this description into an older file, as that version stored it.
func insertOldEvent(t *testing.T, db *sql.DB, description string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), `INSERT INTO events (tenant, id, component_id, event_type, event_type_name,
		description, priority, priority_rank, status, occurred_at)
		VALUES ('acme', 'e1', 'CMS', 'x', 'Create user group', ?, 'LOW', 1, 'SUCCESS', 1740830400000)`, description); err != nil {
		t.Fatalf("insert: %v", err)
	}
}

// reopen closes the older file's handle and opens the file as a store,
// which applies the pending migrations; the store closes with the test.
func reopen(t *testing.T, old *sql.DB, path string) *Store {
	t.Helper()
	if err := old.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
