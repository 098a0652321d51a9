package graph

import (
	"context"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph/model"
)

// Bounds of userSuggestions.
const (
	DefaultSuggestions = app.DefaultSuggestions
	MaxSuggestions     = app.MaxSuggestions
)

// suggestUsers resolves Query.userSuggestions (app.SuggestUsers).
func (r *Resolver) suggestUsers(ctx context.Context, role audit.UserRole, prefix string, first *int) ([]model.UserSuggestion, error) {
	p, err := auth.Require(ctx, auth.Read)
	if err != nil {
		return nil, err
	}
	n := DefaultSuggestions
	if first != nil {
		n = *first
	}
	if n < 1 || n > MaxSuggestions {
		return nil, invalid("first", "must be between 1 and %d, got %d", MaxSuggestions, n)
	}
	found, err := r.app.SuggestUsers(ctx, audit.UserQuery{Tenant: p.Tenant, Role: role, Prefix: prefix, Limit: n})
	if err != nil {
		return nil, err
	}
	out := make([]model.UserSuggestion, len(found))
	for i, s := range found {
		out[i] = model.UserSuggestion{ID: opt(s.User.ID), Name: opt(s.User.Name), Email: opt(s.User.Email), Type: s.User.Type, Events: int(s.Events)}
	}
	return out, nil
}

// currentAccountStatus resolves User.currentAccountStatus. Reading events,
// it needs what listing them does (auth.FieldAction): a User reached
// through viewer by an emitter gets FORBIDDEN.
func (r *Resolver) currentAccountStatus(ctx context.Context, u *model.User) (*audit.AccountStatus, error) {
	action, _ := auth.FieldAction("User.currentAccountStatus") // none: nobody may
	p, err := auth.Require(ctx, action)
	if err != nil {
		return nil, err
	}
	status, err := r.app.LatestAccountStatus(ctx, p.Tenant, audit.User{ID: str(u.ID), Email: str(u.Email)})
	if err != nil {
		return nil, err
	}
	if status == "" {
		return nil, nil
	}
	return &status, nil
}
