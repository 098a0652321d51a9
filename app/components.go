package app

import (
	"context"
	"errors"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/export"
)

// Components lists the tenant's components as Filter Management shows
// them (capture.Service.Components).
func (a *App) Components(ctx context.Context, tenant string) ([]capture.ComponentView, error) {
	return a.capture.Components(ctx, tenant)
}

// Component returns one of the tenant's components; an error of kind
// errs.NotFound when it has none of that id.
func (a *App) Component(ctx context.Context, tenant, id string) (capture.ComponentView, error) {
	return a.capture.Component(ctx, tenant, id)
}

// Configure stores p's configuration of a component (capture.Service.Configure);
// a lost update is an error of kind errs.Conflict.
func (a *App) Configure(ctx context.Context, p audit.Principal, id string, in capture.ConfigInput) (capture.ComponentView, error) {
	return a.capture.Configure(ctx, p, id, in)
}

// ErrNoExport is ExportLink's error on an App without Options.Signer.
var ErrNoExport = errors.New("export is not configured on this server")

// ExportLink makes a signed download link of p's events selected by req.
func (a *App) ExportLink(ctx context.Context, p audit.Principal, req export.Request) (export.Link, error) {
	if a.export == nil {
		return export.Link{}, ErrNoExport
	}
	return a.export.CreateLink(ctx, p, req)
}
