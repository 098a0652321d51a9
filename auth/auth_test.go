package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/store/sqlite"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)} }

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "keys.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var viewer = audit.Principal{Tenant: "acme", Role: audit.RoleViewer,
	User: audit.User{Type: audit.UserDashboard, ID: "u-1", Name: "Ann", Email: "ann@acme.example"}}

func TestKeyShapeAndStorage(t *testing.T) {
	st := openStore(t)
	keys := auth.NewKeys(st, nil)
	plain, rec, err := keys.Create(context.Background(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(plain, "al_") || len(plain) != 3+43 {
		t.Errorf("key %q: want al_ and 43 base64url characters", plain)
	}
	listed, err := keys.List(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0].ID != rec.ID || listed[0].Hash != auth.HashKey(plain) || strings.Contains(listed[0].Hash, plain[3:]) {
		t.Errorf("stored %+v: want only the hash of the key", listed)
	}
	other, _, err := keys.Create(context.Background(), viewer)
	if err != nil || other == plain {
		t.Errorf("second key %q equals the first or failed: %v", other, err)
	}
	if _, _, err := keys.Create(context.Background(), audit.Principal{Tenant: "Bad Tenant", Role: "root"}); err == nil {
		t.Error("Create accepted a bad tenant and role")
	}
}

func TestAuthenticate(t *testing.T) {
	st := openStore(t)
	c := newClock()
	keys := auth.NewKeys(st, c.now)
	a := auth.NewAuthenticator(st, auth.AuthenticatorOptions{Clock: c.now})
	ctx := context.Background()
	plain, rec, err := keys.Create(ctx, viewer)
	if err != nil {
		t.Fatal(err)
	}

	p, err := a.Authenticate(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	if p.Tenant != "acme" || p.Role != audit.RoleViewer || p.User.ID != "u-1" || p.KeyID != rec.ID {
		t.Errorf("principal %+v", p)
	}
	for _, bad := range []string{"", "al_", plain + "x", strings.ToUpper(plain), "al_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if _, err := a.Authenticate(ctx, bad); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("Authenticate(%q) = %v, want ErrUnauthenticated", bad, err)
		}
	}

	// Revocation takes effect once the cached lookup expires.
	if err := keys.Revoke(ctx, "", rec.ID); err != nil {
		t.Fatal(err)
	}
	c.add(auth.DefaultCacheTTL)
	if _, err := a.Authenticate(ctx, plain); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("revoked key: %v, want ErrUnauthenticated", err)
	}
}

func TestRevokeIsScopedToTenant(t *testing.T) {
	st := openStore(t)
	keys := auth.NewKeys(st, nil)
	_, rec, err := keys.Create(context.Background(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Revoke(context.Background(), "globex", rec.ID); err == nil {
		t.Error("globex revoked acme's key")
	}
	listed, _ := keys.List(context.Background(), "acme")
	if listed[0].RevokedAt != nil {
		t.Error("key revoked by another tenant")
	}
}

func TestLastUsedIsWrittenAtMostOncePerMinute(t *testing.T) {
	st := openStore(t)
	c := newClock()
	keys := auth.NewKeys(st, c.now)
	a := auth.NewAuthenticator(st, auth.AuthenticatorOptions{Clock: c.now})
	ctx := context.Background()
	plain, _, err := keys.Create(ctx, viewer)
	if err != nil {
		t.Fatal(err)
	}
	lastUsed := func() time.Time {
		t.Helper()
		ks, err := keys.List(ctx, "acme")
		if err != nil || ks[0].LastUsedAt == nil {
			t.Fatalf("LastUsedAt not recorded (%v)", err)
		}
		return ks[0].LastUsedAt.UTC()
	}
	first := c.now()
	if _, err := a.Authenticate(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); !got.Equal(first) {
		t.Errorf("LastUsedAt %v, want %v", got, first)
	}
	c.add(30 * time.Second)
	a.Authenticate(ctx, plain)
	if got := lastUsed(); !got.Equal(first) {
		t.Errorf("LastUsedAt rewritten after 30s: %v", got)
	}
	c.add(30 * time.Second)
	a.Authenticate(ctx, plain)
	if got := lastUsed(); !got.Equal(c.now()) {
		t.Errorf("LastUsedAt %v after a minute, want %v", got, c.now())
	}
}

func TestMiddleware(t *testing.T) {
	st := openStore(t)
	plain, _, err := auth.NewKeys(st, nil).Create(context.Background(), viewer)
	if err != nil {
		t.Fatal(err)
	}
	a := auth.NewAuthenticator(st, auth.AuthenticatorOptions{})
	var got audit.Principal
	var gotErr error
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, gotErr = auth.FromContext(r.Context())
	}))
	for header, wantOK := range map[string]bool{"Bearer " + plain: true, "bearer " + plain: true, "": false, "Bearer nope": false, plain: false} {
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
		if wantOK && (gotErr != nil || got.Tenant != "acme") {
			t.Errorf("%q: %+v, %v", header, got, gotErr)
		}
		if !wantOK && !errors.Is(gotErr, auth.ErrUnauthenticated) {
			t.Errorf("%q: %v, want ErrUnauthenticated", header, gotErr)
		}
	}
}

func TestRoleMatrix(t *testing.T) {
	want := map[audit.Role][]auth.Action{
		audit.RoleEmitter: {auth.Ingest, auth.Viewer},
		audit.RoleViewer:  {auth.Read, auth.Flag, auth.Export, auth.SavedFilters, auth.Notifications, auth.Viewer},
		audit.RoleAdmin: {auth.Ingest, auth.Read, auth.Flag, auth.Export, auth.SavedFilters, auth.Notifications,
			auth.Viewer, auth.Configure, auth.ManageKeys, auth.Operate},
	}
	all := want[audit.RoleAdmin]
	for role, may := range want {
		for _, a := range all {
			allowed := false
			for _, m := range may {
				allowed = allowed || m == a
			}
			err := auth.Authorize(audit.Principal{Role: role}, a)
			if allowed != (err == nil) || (err != nil && !errors.Is(err, auth.ErrForbidden)) {
				t.Errorf("%s may %s: got %v, want allowed=%v", role, a, err, allowed)
			}
		}
	}
	if a, ok := auth.FieldAction("Component.indices"); !ok || a != auth.Operate {
		t.Errorf("Component.indices needs %q, want operate (admins only)", a)
	}
	if err := auth.Authorize(audit.Principal{Role: "root"}, auth.Read); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("unknown role: %v", err)
	}
	limited := audit.Principal{Role: audit.RoleEmitter, Components: []string{"KMS"}}
	if auth.AuthorizeIngest(limited, "KMS") != nil || !errors.Is(auth.AuthorizeIngest(limited, "CMS"), auth.ErrForbidden) {
		t.Error("an emitter limited to KMS must ingest KMS only")
	}
}

// A key's user is who every action taken with the key is recorded as
// (flags, saved filters, the service's own trail): it must be a user an
// event can hold, by the same rules as an event's users.
func TestKeyUserFollowsEventRules(t *testing.T) {
	st := openStore(t)
	keys := auth.NewKeys(st, nil)
	long := strings.Repeat("x", 257)
	for _, tc := range []struct {
		field string
		user  audit.User
	}{
		{"user.email", audit.User{ID: "u-1", Email: "ann at acme"}},
		{"user.email", audit.User{ID: "u-1", Email: strings.Repeat("a", 320) + "@acme.example"}},
		{"user.id", audit.User{ID: long}},
		{"user.name", audit.User{Name: long}},
		{"user.type", audit.User{Type: "ROBOT", ID: "u-1"}},
		{"user.ipAddress", audit.User{ID: "u-1", IPAddress: "localhost"}},
	} {
		p := viewer
		p.User = tc.user
		_, _, err := keys.Create(context.Background(), p)
		ie, ok := audit.AsInvalid(err)
		if !ok || len(ie.Fields) != 1 || ie.Fields[0].Field != tc.field {
			t.Errorf("user %+v: Create = %v, want an invalid-input error naming %s", tc.user, err, tc.field)
		}
	}
	if list, err := keys.List(context.Background(), ""); err != nil || len(list) != 0 {
		t.Errorf("%d keys stored for invalid users (%v)", len(list), err)
	}
	p := viewer
	p.User = audit.User{Name: strings.Repeat("é", 256), Email: "Ann.Lee+audit@acme.example"}
	if _, _, err := keys.Create(context.Background(), p); err != nil {
		t.Errorf("a user at the bounds: %v", err)
	}
}

// TestSavedFilterOwnersAreDistinct: no two kinds of user share an owner,
// whatever their ids look like; a plain id is its own owner.
func TestSavedFilterOwnersAreDistinct(t *testing.T) {
	principals := []audit.Principal{
		{User: audit.User{ID: "bob@x.example"}},
		{User: audit.User{Email: "bob@x.example"}},
		{User: audit.User{ID: "email:bob@x.example"}},
		{User: audit.User{ID: "key:k1"}},
		{User: audit.User{Name: "Bob"}, KeyID: "k1"},
		{User: audit.User{ID: "id:bob"}},
		{User: audit.User{ID: "bob"}},
	}
	seen := map[string]int{}
	for i, p := range principals {
		o := auth.SavedFilterOwner(p)
		if j, ok := seen[o]; ok {
			t.Errorf("%+v and %+v share the owner %q", principals[j].User, p.User, o)
		}
		seen[o] = i
	}
	if o := auth.SavedFilterOwner(audit.Principal{User: audit.User{ID: "u-1", Email: "U1@x.example"}}); o != "u-1" {
		t.Errorf("owner of user u-1 = %q, want u-1", o)
	}
	if o := auth.SavedFilterOwner(audit.Principal{User: audit.User{Email: "Bob@X.example"}}); o != "email:bob@x.example" {
		t.Errorf("owner of an email-only user = %q, want the email in lower case", o)
	}
}
