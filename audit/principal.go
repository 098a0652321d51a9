package audit

import "time"

// Role is what a caller may do.
type Role string

// Roles, from least to most privileged.
const (
	// RoleEmitter may only ingest events.
	RoleEmitter Role = "emitter"
	// RoleViewer may search, open, flag and export events and keep saved filters.
	RoleViewer Role = "viewer"
	// RoleAdmin may do everything, including capture configuration and keys.
	RoleAdmin Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleEmitter || r == RoleViewer || r == RoleAdmin }

// Principal is the authenticated caller: the tenant it acts for, who it is
// and its role.
type Principal struct {
	Tenant string `json:"tenant"`
	User   User   `json:"user"`
	Role   Role   `json:"role"`
	// KeyID identifies the API key the caller authenticated with.
	KeyID string `json:"keyId"`
	// Components, when non-empty, limits an emitter to these components.
	Components []string `json:"components,omitempty"`
}

// APIKey is a stored API key. The key itself is never stored: only its hash.
type APIKey struct {
	ID         string     `json:"id"`
	Hash       string     `json:"hash"`
	Principal  Principal  `json:"principal"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
}
