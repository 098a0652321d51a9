package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

func testKeys(t *testing.T, newStore Factory) {
	newKey := func(id, hash, tenant string, role audit.Role, created time.Time) audit.APIKey {
		return audit.APIKey{
			ID:   id,
			Hash: hash,
			Principal: audit.Principal{
				Tenant: tenant,
				User:   audit.User{Type: audit.UserDashboard, ID: "u-" + id, Name: "Owner of " + id, Email: id + "@" + tenant + ".test"},
				Role:   role,
				KeyID:  id,
			},
			CreatedAt: created,
		}
	}
	// asStored is k as a store returns it: times in UTC, in milliseconds.
	asStored := func(k audit.APIKey) audit.APIKey {
		k.CreatedAt = msUTC(k.CreatedAt)
		if k.LastUsedAt != nil {
			v := msUTC(*k.LastUsedAt)
			k.LastUsedAt = &v
		}
		if k.RevokedAt != nil {
			v := msUTC(*k.RevokedAt)
			k.RevokedAt = &v
		}
		return k
	}
	create := func(t *testing.T, s store.Store, keys ...audit.APIKey) {
		t.Helper()
		for _, k := range keys {
			if err := s.CreateKey(ctx(t), k); err != nil {
				t.Fatalf("CreateKey(%s): %v", k.ID, err)
			}
		}
	}
	byHash := func(t *testing.T, s store.Store, hash string) audit.APIKey {
		t.Helper()
		k, err := s.KeyByHash(ctx(t), hash)
		if err != nil {
			t.Fatalf("KeyByHash(%s): %v", hash, err)
		}
		return k
	}

	t.Run("CreateAndFindByHash", func(t *testing.T) {
		s := newStore(t)
		k := newKey("key-1", "hash-1", "acme", audit.RoleEmitter, baseTime)
		k.Principal.Components = []string{"CMS", "KMS"}
		create(t, s, k)
		sameJSON(t, "KeyByHash", asStored(k), byHash(t, s, "hash-1"))
		_, err := s.KeyByHash(ctx(t), "hash-unknown")
		wantErr(t, "KeyByHash of an unknown hash", err, store.ErrNotFound)
	})

	t.Run("DuplicateIDOrHash", func(t *testing.T) {
		s := newStore(t)
		k := newKey("key-1", "hash-1", "acme", audit.RoleAdmin, baseTime)
		create(t, s, k)
		err := s.CreateKey(ctx(t), newKey("key-1", "hash-2", "globex", audit.RoleViewer, baseTime))
		wantErr(t, "CreateKey with a taken id", err, store.ErrDuplicate)
		err = s.CreateKey(ctx(t), newKey("key-2", "hash-1", "globex", audit.RoleViewer, baseTime))
		wantErr(t, "CreateKey with a taken hash", err, store.ErrDuplicate)
		sameJSON(t, "key after clashing creates", asStored(k), byHash(t, s, "hash-1"))
		_, err = s.KeyByHash(ctx(t), "hash-2")
		wantErr(t, "KeyByHash of a key refused as duplicate", err, store.ErrNotFound)
	})

	t.Run("ListPerTenantAndAll", func(t *testing.T) {
		s := newStore(t)
		keys := []audit.APIKey{
			newKey("key-a1", "hash-a1", "acme", audit.RoleAdmin, baseTime),
			newKey("key-g1", "hash-g1", "globex", audit.RoleAdmin, baseTime.Add(time.Minute)),
			newKey("key-a2", "hash-a2", "acme", audit.RoleViewer, baseTime.Add(2*time.Minute)),
		}
		create(t, s, keys...)
		ids := func(tenant string) []string {
			t.Helper()
			list, err := s.ListKeys(ctx(t), tenant)
			if err != nil {
				t.Fatalf("ListKeys(%q): %v", tenant, err)
			}
			var out []string
			for _, k := range list {
				out = append(out, k.ID)
				if tenant != "" && k.Principal.Tenant != tenant {
					t.Errorf("ListKeys(%q) lists key %s of tenant %q", tenant, k.ID, k.Principal.Tenant)
				}
			}
			slices.Sort(out)
			return out
		}
		if got := ids("acme"); !slices.Equal(got, []string{"key-a1", "key-a2"}) {
			t.Errorf("ListKeys(acme) = %v, want [key-a1 key-a2]", got)
		}
		if got := ids("globex"); !slices.Equal(got, []string{"key-g1"}) {
			t.Errorf("ListKeys(globex) = %v, want [key-g1]", got)
		}
		if got := ids(""); !slices.Equal(got, []string{"key-a1", "key-a2", "key-g1"}) {
			t.Errorf("ListKeys(every tenant) = %v, want [key-a1 key-a2 key-g1]", got)
		}
		list, err := s.ListKeys(ctx(t), "globex")
		if err != nil {
			t.Fatalf("ListKeys: %v", err)
		}
		if len(list) == 1 {
			sameJSON(t, "listed key", asStored(keys[1]), list[0])
		}
	})

	t.Run("Revoke", func(t *testing.T) {
		s := newStore(t)
		create(t, s,
			newKey("key-1", "hash-1", "acme", audit.RoleAdmin, baseTime),
			newKey("key-2", "hash-2", "acme", audit.RoleAdmin, baseTime))
		at := baseTime.Add(time.Hour)
		if err := s.RevokeKey(ctx(t), "key-1", at); err != nil {
			t.Fatalf("RevokeKey: %v", err)
		}
		got := byHash(t, s, "hash-1")
		if got.RevokedAt == nil || !got.RevokedAt.Equal(msUTC(at)) {
			t.Errorf("revoked key: RevokedAt = %v, want %v", got.RevokedAt, msUTC(at))
		}
		if other := byHash(t, s, "hash-2"); other.RevokedAt != nil {
			t.Errorf("key not revoked has RevokedAt %v", other.RevokedAt)
		}
		err := s.RevokeKey(ctx(t), "key-unknown", at)
		wantErr(t, "RevokeKey of an unknown key", err, store.ErrNotFound)
	})

	t.Run("Touch", func(t *testing.T) {
		s := newStore(t)
		k := newKey("key-1", "hash-1", "acme", audit.RoleViewer, baseTime)
		create(t, s, k)
		if got := byHash(t, s, "hash-1"); got.LastUsedAt != nil {
			t.Errorf("new key has LastUsedAt %v", got.LastUsedAt)
		}
		at := baseTime.Add(90 * time.Minute)
		if err := s.TouchKey(ctx(t), "key-1", at); err != nil {
			t.Fatalf("TouchKey: %v", err)
		}
		want := k
		want.LastUsedAt = &at
		sameJSON(t, "touched key", asStored(want), byHash(t, s, "hash-1"))
	})
}
