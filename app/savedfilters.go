package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/errs"
	"github.com/auditlog/auditlog/store"
)

// Bounds on a saved filter.
const (
	MaxFilterName  = 128
	MaxDescription = 1024
)

// SavedFilterInput is what a user saves: Name is trimmed and required.
type SavedFilterInput struct {
	Name        string
	Description string
	Filter      audit.Filter
}

// SaveFilter creates (id == "") or replaces one of p's saved filters, at
// the time now, and records that in the trail. Invalid fields are named
// as in SavedFilterInput ("name", "filter.text"); a name p already uses
// is invalid too. Another user's filter is store.ErrNotFound.
func (a *App) SaveFilter(ctx context.Context, p audit.Principal, id string, in SavedFilterInput, now time.Time) (audit.SavedFilter, error) {
	name := strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return audit.SavedFilter{}, errs.InvalidField("name", "is required")
	case n > MaxFilterName:
		return audit.SavedFilter{}, errs.InvalidField("name", "is longer than %d characters", MaxFilterName)
	}
	if utf8.RuneCountInString(in.Description) > MaxDescription {
		return audit.SavedFilter{}, errs.InvalidField("description", "is longer than %d characters", MaxDescription)
	}
	if err := CheckFilter("filter", in.Filter); err != nil {
		return audit.SavedFilter{}, err
	}
	now = now.UTC().Truncate(time.Millisecond)
	sf := audit.SavedFilter{
		ID: id, Tenant: p.Tenant, OwnerID: auth.SavedFilterOwner(p), Name: name, Description: in.Description,
		Filter: in.Filter, CreatedAt: now, UpdatedAt: now,
	}
	var old audit.SavedFilter
	var err error
	if id == "" {
		sf.ID = ulid.Make().String()
		err = a.visible.CreateSavedFilter(ctx, sf)
	} else {
		old, err = a.visible.GetSavedFilter(ctx, p.Tenant, sf.OwnerID, id)
		if err == nil {
			sf.CreatedAt = old.CreatedAt
			err = a.visible.UpdateSavedFilter(ctx, sf)
		}
	}
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return audit.SavedFilter{}, errs.InvalidField("name", "you already have a saved filter named %q", name)
	case errors.Is(err, store.ErrNotFound):
		return audit.SavedFilter{}, fmt.Errorf("saved filter %s: %w", id, store.ErrNotFound)
	case err != nil:
		return audit.SavedFilter{}, fmt.Errorf("save filter: %w", err)
	}
	if id == "" {
		a.audit.SavedFilterCreated(ctx, p, sf)
	} else {
		a.audit.SavedFilterUpdated(ctx, p, old, sf)
	}
	return sf, nil
}

// DeleteSavedFilter deletes one of p's saved filters and records that in
// the trail: false when p has no such filter (another user's is no such
// filter).
func (a *App) DeleteSavedFilter(ctx context.Context, p audit.Principal, id string) (bool, error) {
	owner := auth.SavedFilterOwner(p)
	// Read first, so that the record says what was deleted.
	f, err := a.visible.GetSavedFilter(ctx, p.Tenant, owner, id)
	if err == nil {
		err = a.visible.DeleteSavedFilter(ctx, p.Tenant, owner, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete saved filter: %w", err)
	}
	a.audit.SavedFilterDeleted(ctx, p, f)
	return true, nil
}

// SavedFilters lists p's saved filters.
func (a *App) SavedFilters(ctx context.Context, p audit.Principal) ([]audit.SavedFilter, error) {
	fs, err := a.visible.ListSavedFilters(ctx, p.Tenant, auth.SavedFilterOwner(p))
	if err != nil {
		return nil, fmt.Errorf("list saved filters: %w", err)
	}
	return fs, nil
}
