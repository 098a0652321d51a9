package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

type savedFilterList struct {
	SavedFilters []struct{ ID, Name string }
}

// TestSavedFilterOwnersDoNotCollide: a user identified by an id that looks
// like an email, or like another kind of owner, never shares saved filters
// with the email-only user of that address; users with an id keep the
// filters stored under it.
func TestSavedFilterOwnersDoNotCollide(t *testing.T) {
	e := newEnv(t, envOptions{})
	keyOf := func(u audit.User) string { return e.key("acme", audit.RoleViewer, u) }
	idLikeEmail := keyOf(audit.User{Type: audit.UserDashboard, ID: "bob@x.example", Name: "Bob by id"})
	idLikePrefix := keyOf(audit.User{Type: audit.UserDashboard, ID: "email:bob@x.example", Name: "Bob by prefixed id"})
	emailOnly := keyOf(audit.User{Type: audit.UserDashboard, Email: "Bob@X.example", Name: "Bob by email"})
	for i, key := range []string{idLikeEmail, idLikePrefix} {
		e.query(key, `mutation($name: String!) { saveFilter(input: {name: $name, filter: {text: "x"}}) { id } }`,
			map[string]any{"name": []string{"by id", "by prefixed id"}[i]}, nil)
	}
	var list savedFilterList
	e.query(emailOnly, `{ savedFilters { id name } }`, nil, &list)
	if len(list.SavedFilters) != 0 {
		t.Errorf("the email-only user sees %+v, filters of users whose ids look like their email", list.SavedFilters)
	}
	for i, key := range []string{idLikeEmail, idLikePrefix} {
		e.query(key, `{ savedFilters { id name } }`, nil, &list)
		if want := []string{"by id", "by prefixed id"}[i]; len(list.SavedFilters) != 1 || list.SavedFilters[0].Name != want {
			t.Errorf("user %d sees %+v, want only %q", i, list.SavedFilters, want)
		}
	}

	// A filter stored for the user id u-1 stays that user's.
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := e.st.CreateSavedFilter(context.Background(), audit.SavedFilter{ID: "sf-old", Tenant: "acme", OwnerID: "u-1",
		Name: "kept", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	e.query(keyOf(audit.User{Type: audit.UserDashboard, ID: "u-1", Name: "Una"}), `{ savedFilters { id name } }`, nil, &list)
	if len(list.SavedFilters) != 1 || list.SavedFilters[0].ID != "sf-old" {
		t.Errorf("u-1 sees %+v, want the filter stored for u-1", list.SavedFilters)
	}
}
