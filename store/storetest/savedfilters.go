package storetest

import (
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

func testSavedFilters(t *testing.T, newStore Factory) {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	flagged := false
	// everyField is a filter with every field set.
	everyField := audit.Filter{
		Components: []string{"KMS", "CMS"},
		EventTypes: []string{"article.published", "article.archived"},
		Submodules: []string{"Article lifecycle"},
		Statuses:   []audit.Status{audit.StatusSuccess, audit.StatusFailed},
		Priorities: []audit.Priority{audit.PriorityHigh, audit.PriorityCritical},
		From:       &from,
		To:         &to,
		ActionUser: "ana@acme.test",
		TargetUser: "Helper Bot",
		Flagged:    &flagged,
		Text:       `"leave policy" -draft publ*`,
		IDs:        []string{"evt-1", "evt-2"},
	}
	saved := func(tenant, owner, id, name string, f audit.Filter) audit.SavedFilter {
		return audit.SavedFilter{
			ID: id, Tenant: tenant, OwnerID: owner, Name: name,
			Description: "reviewed every month",
			Filter:      f,
			CreatedAt:   baseTime,
			UpdatedAt:   baseTime,
		}
	}
	asStored := func(f audit.SavedFilter) audit.SavedFilter {
		f.CreatedAt, f.UpdatedAt = msUTC(f.CreatedAt), msUTC(f.UpdatedAt)
		return f
	}
	create := func(t *testing.T, s store.Store, fs ...audit.SavedFilter) {
		t.Helper()
		for _, f := range fs {
			if err := s.CreateSavedFilter(ctx(t), f); err != nil {
				t.Fatalf("CreateSavedFilter(%s %q): %v", f.OwnerID, f.Name, err)
			}
		}
	}
	get := func(t *testing.T, s store.Store, tenant, owner, id string) audit.SavedFilter {
		t.Helper()
		f, err := s.GetSavedFilter(ctx(t), tenant, owner, id)
		if err != nil {
			t.Fatalf("GetSavedFilter(%s, %s, %s): %v", tenant, owner, id, err)
		}
		return f
	}
	names := func(t *testing.T, s store.Store, tenant, owner string) []string {
		t.Helper()
		fs, err := s.ListSavedFilters(ctx(t), tenant, owner)
		if err != nil {
			t.Fatalf("ListSavedFilters(%s, %s): %v", tenant, owner, err)
		}
		out := []string{}
		for _, f := range fs {
			out = append(out, f.Name)
		}
		return out
	}

	t.Run("CreateAndGetEveryField", func(t *testing.T) {
		s := newStore(t)
		f := saved("acme", "u-ana", "sf-1", "Monthly KM access audit", everyField)
		create(t, s, f)
		sameJSON(t, "saved filter read back", asStored(f), get(t, s, "acme", "u-ana", "sf-1"))

		// Nil pointers stay nil: "no constraint" must not become a constraint.
		empty := saved("acme", "u-ana", "sf-2", "Everything", audit.Filter{})
		create(t, s, empty)
		got := get(t, s, "acme", "u-ana", "sf-2")
		if got.Filter.From != nil || got.Filter.To != nil || got.Filter.Flagged != nil {
			t.Errorf("empty filter read back with constraints: %+v", got.Filter)
		}
		sameJSON(t, "empty saved filter", asStored(empty), got)
	})

	t.Run("NameUniquePerOwner", func(t *testing.T) {
		s := newStore(t)
		create(t, s, saved("acme", "u-ana", "sf-1", "RBAC review", everyField))
		err := s.CreateSavedFilter(ctx(t), saved("acme", "u-ana", "sf-2", "RBAC review", audit.Filter{}))
		wantErr(t, "second filter with the same name and owner", err, store.ErrDuplicate)
		if got := names(t, s, "acme", "u-ana"); len(got) != 1 {
			t.Errorf("owner's filters after a refused duplicate: %v", got)
		}
		// The same name is free for another owner, and in another tenant.
		create(t, s,
			saved("acme", "u-bob", "sf-3", "RBAC review", audit.Filter{}),
			saved("globex", "u-ana", "sf-4", "RBAC review", audit.Filter{}))
		sameJSON(t, "first filter after the clash", asStored(saved("acme", "u-ana", "sf-1", "RBAC review", everyField)),
			get(t, s, "acme", "u-ana", "sf-1"))
	})

	t.Run("OtherOwnerSeesNothing", func(t *testing.T) {
		s := newStore(t)
		f := saved("acme", "u-ana", "sf-1", "Mine", everyField)
		create(t, s, f)
		for _, who := range []struct{ tenant, owner string }{{"acme", "u-bob"}, {"globex", "u-ana"}} {
			_, err := s.GetSavedFilter(ctx(t), who.tenant, who.owner, "sf-1")
			wantErr(t, "GetSavedFilter by "+who.tenant+"/"+who.owner, err, store.ErrNotFound)
			hijack := saved(who.tenant, who.owner, "sf-1", "Hijacked", audit.Filter{})
			err = s.UpdateSavedFilter(ctx(t), hijack)
			wantErr(t, "UpdateSavedFilter by "+who.tenant+"/"+who.owner, err, store.ErrNotFound)
			err = s.DeleteSavedFilter(ctx(t), who.tenant, who.owner, "sf-1")
			wantErr(t, "DeleteSavedFilter by "+who.tenant+"/"+who.owner, err, store.ErrNotFound)
			if got := names(t, s, who.tenant, who.owner); len(got) != 0 {
				t.Errorf("ListSavedFilters(%s, %s) = %v, want none", who.tenant, who.owner, got)
			}
		}
		sameJSON(t, "filter after other owners' attempts", asStored(f), get(t, s, "acme", "u-ana", "sf-1"))
	})

	t.Run("Update", func(t *testing.T) {
		s := newStore(t)
		create(t, s,
			saved("acme", "u-ana", "sf-1", "Draft", audit.Filter{}),
			saved("acme", "u-ana", "sf-2", "Quarterly RBAC review", audit.Filter{}))
		edited := saved("acme", "u-ana", "sf-1", "Monthly KM access audit", everyField)
		edited.Description = "KM access, monthly"
		edited.UpdatedAt = baseTime.Add(24 * time.Hour)
		if err := s.UpdateSavedFilter(ctx(t), edited); err != nil {
			t.Fatalf("UpdateSavedFilter: %v", err)
		}
		got := get(t, s, "acme", "u-ana", "sf-1")
		got.CreatedAt = msUTC(baseTime) // kept or replaced: the contract does not say
		sameJSON(t, "updated filter", asStored(edited), got)

		clash := edited
		clash.Name = "Quarterly RBAC review"
		err := s.UpdateSavedFilter(ctx(t), clash)
		wantErr(t, "rename onto another filter's name", err, store.ErrDuplicate)
		got = get(t, s, "acme", "u-ana", "sf-1")
		if got.Name != edited.Name {
			t.Errorf("name after a refused rename = %q, want %q", got.Name, edited.Name)
		}

		err = s.UpdateSavedFilter(ctx(t), saved("acme", "u-ana", "sf-missing", "Ghost", audit.Filter{}))
		wantErr(t, "UpdateSavedFilter of an unknown id", err, store.ErrNotFound)
	})

	t.Run("ListOrderedByName", func(t *testing.T) {
		s := newStore(t)
		create(t, s,
			saved("acme", "u-ana", "sf-1", "Gamma", audit.Filter{}),
			saved("acme", "u-ana", "sf-2", "Alpha", everyField),
			saved("acme", "u-bob", "sf-3", "Beta", audit.Filter{}),
			saved("acme", "u-ana", "sf-4", "Delta", audit.Filter{}))
		got := names(t, s, "acme", "u-ana")
		if want := []string{"Alpha", "Delta", "Gamma"}; asJSON(t, got) != asJSON(t, want) {
			t.Errorf("ListSavedFilters = %v, want %v", got, want)
		}
		fs, err := s.ListSavedFilters(ctx(t), "acme", "u-ana")
		if err != nil {
			t.Fatalf("ListSavedFilters: %v", err)
		}
		if len(fs) > 0 {
			sameJSON(t, "listed filter", asStored(saved("acme", "u-ana", "sf-2", "Alpha", everyField)), fs[0])
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		create(t, s,
			saved("acme", "u-ana", "sf-1", "One", audit.Filter{}),
			saved("acme", "u-ana", "sf-2", "Two", audit.Filter{}))
		if err := s.DeleteSavedFilter(ctx(t), "acme", "u-ana", "sf-1"); err != nil {
			t.Fatalf("DeleteSavedFilter: %v", err)
		}
		_, err := s.GetSavedFilter(ctx(t), "acme", "u-ana", "sf-1")
		wantErr(t, "GetSavedFilter after delete", err, store.ErrNotFound)
		err = s.DeleteSavedFilter(ctx(t), "acme", "u-ana", "sf-1")
		wantErr(t, "second delete", err, store.ErrNotFound)
		if got := names(t, s, "acme", "u-ana"); len(got) != 1 || got[0] != "Two" {
			t.Errorf("filters after delete = %v, want [Two]", got)
		}
		// The name of a deleted filter is free again.
		create(t, s, saved("acme", "u-ana", "sf-3", "One", audit.Filter{}))
	})
}
