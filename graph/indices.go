package graph

import (
	"context"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph/model"
)

// componentIndices resolves Component.indices: the indices of the
// component's series with how retention manages them (Deps.Indices); null
// on a store without indices (the embedded store). Operator data: admins
// only (auth.FieldAction).
func (r *Resolver) componentIndices(ctx context.Context, c *model.Component) ([]model.ManagedIndex, error) {
	action, _ := auth.FieldAction("Component.indices") // none: nobody may
	p, err := auth.Require(ctx, action)
	if err != nil {
		return nil, err
	}
	var ret *audit.Retention
	if c.Criteria != nil && c.Criteria.Retention != nil {
		ret = &audit.Retention{Value: c.Criteria.Retention.Value, Unit: c.Criteria.Retention.Unit}
	}
	indices, ok, err := r.app.ManagedIndices(ctx, p.Tenant, c.ID, ret)
	if err != nil || !ok {
		return nil, err
	}
	out := make([]model.ManagedIndex, len(indices))
	for i, ix := range indices {
		out[i] = model.ManagedIndex{
			Name:         ix.Name,
			CreatedAt:    ix.CreatedAt,
			RolledOverAt: ix.RolledOverAt,
			WriteIndex:   ix.WriteIndex,
			Documents:    int(ix.Docs),
			SizeBytes:    int(ix.SizeBytes),
			ManagedBy:    model.IndexManager(ix.ManagedBy),
			Policy:       opt(ix.Policy),
			State:        opt(ix.State),
			Action:       opt(ix.Action),
			Info:         opt(ix.Info),
			Failed:       ix.Failed,
			DeleteAt:     ix.DeleteAt,
		}
	}
	return out, nil
}
