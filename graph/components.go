package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph/model"
)

// components resolves Query.components. The cards come without activities;
// when the query selects them, each card's detail is read as well.
func (r *Resolver) components(ctx context.Context) ([]model.Component, error) {
	p, err := auth.Require(ctx, auth.Read)
	if err != nil {
		return nil, err
	}
	views, err := r.app.Components(ctx, p.Tenant)
	if err != nil {
		return nil, fmt.Errorf("list components: %w", err)
	}
	withActivities := false
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		withActivities = withActivities || f.Name == "activities"
	}
	out := make([]model.Component, len(views))
	for i, v := range views {
		if withActivities {
			if v, err = r.app.Component(ctx, p.Tenant, v.ID); err != nil {
				return nil, fmt.Errorf("read component %s: %w", views[i].ID, err)
			}
		}
		out[i] = componentModel(v)
	}
	return out, nil
}
