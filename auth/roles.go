package auth

import (
	"fmt"
	"slices"

	"github.com/auditlog/auditlog/audit"
)

// Action is something a caller may be allowed to do.
type Action string

// Actions checked by the API. Every operation maps to exactly one.
const (
	// Ingest records events.
	Ingest Action = "ingest"
	// Read searches and opens events and lists components.
	Read Action = "read"
	// Flag flags and unflags events.
	Flag Action = "flag"
	// Export downloads events as CSV.
	Export Action = "export"
	// SavedFilters keeps the caller's own saved filters.
	SavedFilters Action = "savedFilters"
	// Notifications lists and marks the caller's own notifications.
	Notifications Action = "notifications"
	// Viewer tells the caller who they are.
	Viewer Action = "viewer"
	// Configure changes what a component captures.
	Configure Action = "configure"
	// ManageKeys creates, lists and revokes API keys.
	ManageKeys Action = "manageKeys"
	// Operate reads how the service stores a tenant's data: the indices
	// behind a component (Component.indices).
	Operate Action = "operate"
	// Verify checks the tenant's log against its signed checkpoints.
	Verify Action = "verify"
)

// roles is the one role matrix of auditlog: what each role may do.
var roles = map[audit.Role][]Action{
	// Emitters may ask who they are: which components their key may emit.
	audit.RoleEmitter: {Ingest, Viewer},
	audit.RoleViewer:  {Read, Flag, Export, SavedFilters, Notifications, Viewer},
	audit.RoleAdmin:   {Ingest, Read, Flag, Export, SavedFilters, Notifications, Viewer, Configure, ManageKeys, Operate, Verify},
}

// Allowed reports whether role may do a.
func Allowed(role audit.Role, a Action) bool { return slices.Contains(roles[role], a) }

// Authorize returns nil when p may do a, else an error wrapping ErrForbidden.
func Authorize(p audit.Principal, a Action) error {
	if !Allowed(p.Role, a) {
		return fmt.Errorf("role %q may not %s: %w", p.Role, a, ErrForbidden)
	}
	return nil
}

// AuthorizeIngest returns nil when p may ingest events of componentID: an
// emitter key limited to some components may ingest only for those.
func AuthorizeIngest(p audit.Principal, componentID string) error {
	if err := Authorize(p, Ingest); err != nil {
		return err
	}
	if len(p.Components) > 0 && !slices.Contains(p.Components, componentID) {
		return fmt.Errorf("this key may not ingest events of component %q: %w", componentID, ErrForbidden)
	}
	return nil
}
