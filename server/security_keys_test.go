package server_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/sqlite"
)

// TestRevokedKeyRefusedOnEveryReplica runs two replicas over one store:
// both have the key cached when it is revoked, and both refuse it once
// their cache of key lookups expires, within auth.DefaultCacheTTL.
func TestRevokedKeyRefusedOnEveryReplica(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shared.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	opts := envOptions{open: func(testing.TB) store.Store { return st }, clock: clock}
	a, b := newEnvWith(t, server.Config{}, opts), newEnvWith(t, server.Config{}, opts)

	key := a.key("acme", audit.RoleViewer)
	const q = `{ viewer { tenant } }`
	for _, e := range []*env{a, b} {
		e.query(key, q, nil, &map[string]any{})
	}
	keys, err := a.keys.List(context.Background(), "acme")
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	if keys[0].CreatedAt.IsZero() || keys[0].LastUsedAt == nil {
		t.Errorf("key record %+v: want created and last-used times", keys[0])
	}
	if err := a.keys.Revoke(context.Background(), "acme", keys[0].ID); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(auth.DefaultCacheTTL)
	mu.Unlock()
	for i, e := range []*env{a, b} {
		if data := e.wantError(key, q, nil, "UNAUTHENTICATED", ""); !noData(data) {
			t.Errorf("replica %d: data %s", i, data)
		}
	}
}
