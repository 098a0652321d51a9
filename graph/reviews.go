package graph

import (
	"context"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/errs"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/graph/model"
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

// saveFilter creates (id == "") or replaces one of the caller's saved
// filters (app.SaveFilter).
func (r *Resolver) saveFilter(ctx context.Context, id string, in model.SavedFilterInput) (*model.SavedFilter, error) {
	p, err := auth.Require(ctx, auth.SavedFilters)
	if err != nil {
		return nil, err
	}
	sfi := app.SavedFilterInput{Name: in.Name, Description: str(in.Description)}
	if in.Filter != nil {
		sfi.Filter = filterFromInput(*in.Filter)
	}
	sf, err := r.app.SaveFilter(ctx, p, id, sfi, r.now())
	if ie, ok := errs.AsInvalid(err); ok {
		return nil, prefixed("input", ie)
	}
	if err != nil {
		return nil, err
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
	return r.app.DeleteSavedFilter(ctx, p, id)
}

// exportLink resolves Mutation.exportEvents.
func (r *Resolver) exportLink(ctx context.Context, filter *model.EventFilter, ids []string) (*model.Export, error) {
	p, err := auth.Require(ctx, auth.Export)
	if err != nil {
		return nil, err
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
	link, err := r.app.ExportLink(ctx, p, req)
	if err != nil {
		return nil, err
	}
	return &model.Export{URL: link.URL, ExpiresAt: link.ExpiresAt}, nil
}
