package graph

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/graph/model"
	"github.com/auditlog/auditlog/store"
)

// Bounds on reviewer input.
const (
	maxFilterName  = 128
	maxDescription = 1024
)

// flag resolves Mutation.flagEvents (app.Flag): ids that match no event
// the caller can see are absent from the result, which stays [Event!]!,
// the contract dashboards are written against.
func (r *Resolver) flag(ctx context.Context, ids []string, note string) ([]model.Event, error) {
	p, err := auth.Require(ctx, auth.Flag)
	if err != nil {
		return nil, err
	}
	evs, err := r.app.Flag(ctx, p, ids, note, r.now())
	if err != nil {
		return nil, err
	}
	return eventModels(evs), nil
}

// unflag resolves Mutation.unflagEvents (app.Unflag).
func (r *Resolver) unflag(ctx context.Context, ids []string) ([]model.Event, error) {
	p, err := auth.Require(ctx, auth.Flag)
	if err != nil {
		return nil, err
	}
	evs, err := r.app.Unflag(ctx, p, ids)
	if err != nil {
		return nil, err
	}
	return eventModels(evs), nil
}

func eventModels(evs []audit.Event) []model.Event {
	out := make([]model.Event, len(evs))
	for i, ev := range evs {
		out[i] = eventModel(ev)
	}
	return out
}

// saveFilter creates (id == "") or replaces one of the caller's saved filters.
func (r *Resolver) saveFilter(ctx context.Context, id string, in model.SavedFilterInput) (*model.SavedFilter, error) {
	p, err := auth.Require(ctx, auth.SavedFilters)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return nil, invalid("input.name", "is required")
	case n > maxFilterName:
		return nil, invalid("input.name", "is longer than %d characters", maxFilterName)
	}
	if utf8.RuneCountInString(str(in.Description)) > maxDescription {
		return nil, invalid("input.description", "is longer than %d characters", maxDescription)
	}
	var f audit.Filter
	if in.Filter != nil {
		f = filterFromInput(*in.Filter)
	}
	if err := app.CheckFilter("input.filter", f); err != nil {
		return nil, err
	}
	now := r.now().UTC().Truncate(time.Millisecond)
	sf := audit.SavedFilter{
		ID: id, Tenant: p.Tenant, OwnerID: auth.SavedFilterOwner(p), Name: name, Description: str(in.Description),
		Filter: f, CreatedAt: now, UpdatedAt: now,
	}
	var old audit.SavedFilter
	if id == "" {
		sf.ID = ulid.Make().String()
		err = r.store.CreateSavedFilter(ctx, sf)
	} else {
		old, err = r.store.GetSavedFilter(ctx, p.Tenant, sf.OwnerID, id)
		if err == nil {
			sf.CreatedAt = old.CreatedAt
			err = r.store.UpdateSavedFilter(ctx, sf)
		}
	}
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return nil, invalid("input.name", "you already have a saved filter named %q", name)
	case errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("saved filter %s: %w", id, store.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("save filter: %w", err)
	}
	if id == "" {
		r.audit.SavedFilterCreated(ctx, p, sf)
	} else {
		r.audit.SavedFilterUpdated(ctx, p, old, sf)
	}
	m := savedFilterModel(sf)
	return &m, nil
}

// deleteSavedFilter resolves Mutation.deleteSavedFilter: false when the
// caller has no such filter (another user's is no such filter).
func (r *Resolver) deleteSavedFilter(ctx context.Context, id string) (bool, error) {
	p, err := auth.Require(ctx, auth.SavedFilters)
	if err != nil {
		return false, err
	}
	owner := auth.SavedFilterOwner(p)
	// Read first, so that the record says what was deleted.
	f, err := r.store.GetSavedFilter(ctx, p.Tenant, owner, id)
	if err == nil {
		err = r.store.DeleteSavedFilter(ctx, p.Tenant, owner, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete saved filter: %w", err)
	}
	r.audit.SavedFilterDeleted(ctx, p, f)
	return true, nil
}

// exportLink resolves Mutation.exportEvents.
func (r *Resolver) exportLink(ctx context.Context, filter *model.EventFilter, ids []string) (*model.Export, error) {
	p, err := auth.Require(ctx, auth.Export)
	if err != nil {
		return nil, err
	}
	if r.export == nil {
		return nil, errors.New("export is not configured on this server")
	}
	var req export.Request
	if filter != nil {
		f := filterFromInput(*filter)
		if err := app.CheckFilter("filter", f); err != nil {
			return nil, err
		}
		req.Filter = &f
	}
	// An explicit empty list is a request for no events, not for all.
	if ids != nil {
		req.IDs = append([]string{}, ids...)
	}
	link, err := r.export.CreateLink(ctx, p, req)
	if err != nil {
		return nil, err
	}
	return &model.Export{URL: link.URL, ExpiresAt: link.ExpiresAt}, nil
}
