package graph

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph/model"
)

// Bounds of userSuggestions.
const (
	DefaultSuggestions = 10
	MaxSuggestions     = 50
	// MaxSuggestPrefix is the longest prefix, the longest email.
	MaxSuggestPrefix = 320
)

// suggestUsers resolves Query.userSuggestions.
func (r *Resolver) suggestUsers(ctx context.Context, role audit.UserRole, prefix string, first *int) ([]model.UserSuggestion, error) {
	p, err := auth.Require(ctx, auth.Read)
	if err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, invalid("role", "unknown role %q", role)
	}
	if n := utf8.RuneCountInString(prefix); n < 1 || n > MaxSuggestPrefix || !utf8.ValidString(prefix) {
		return nil, invalid("prefix", "must be 1 to %d characters, got %d", MaxSuggestPrefix, n)
	}
	n := DefaultSuggestions
	if first != nil {
		n = *first
	}
	if n < 1 || n > MaxSuggestions {
		return nil, invalid("first", "must be between 1 and %d, got %d", MaxSuggestions, n)
	}
	cutoffs, err := r.capture.Cutoffs(ctx, p.Tenant)
	if err != nil {
		return nil, fmt.Errorf("retention cutoffs: %w", err)
	}
	found, err := r.store.SuggestUsers(ctx, audit.UserQuery{Tenant: p.Tenant, Role: role, Prefix: prefix, Limit: n, Cutoffs: cutoffs})
	if err != nil {
		return nil, fmt.Errorf("suggest users: %w", err)
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
	cutoffs, err := r.capture.Cutoffs(ctx, p.Tenant)
	if err != nil {
		return nil, fmt.Errorf("retention cutoffs: %w", err)
	}
	status, err := r.store.LatestAccountStatus(ctx, p.Tenant, audit.User{ID: str(u.ID), Email: str(u.Email)}, cutoffs)
	if err != nil {
		return nil, fmt.Errorf("current account status: %w", err)
	}
	if status == "" {
		return nil, nil
	}
	return &status, nil
}
