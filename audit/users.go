package audit

import "time"

// UserRole is the part a user plays in an event.
type UserRole string

// User roles.
const (
	ActionUserRole UserRole = "ACTION_USER"
	TargetUserRole UserRole = "TARGET_USER"
)

// Valid reports whether r is one of the known roles.
func (r UserRole) Valid() bool { return r == ActionUserRole || r == TargetUserRole }

// UserQuery asks for the users that a tenant's events name in one role,
// for a typeahead.
type UserQuery struct {
	Tenant string
	Role   UserRole
	// Prefix begins, ignoring case, the user's id, email, name or a later
	// word of the name (after a space). Ids ignore the case of ASCII
	// letters only, as OpenSearch's case-insensitive prefix does.
	Prefix string
	// Limit is the most users returned.
	Limit int
	// Cutoffs hides expired events, as in Query: users named only by
	// expired events are not suggested, and expired events are not counted.
	Cutoffs map[string]time.Time
}

// UserSuggestion is one user of a UserQuery: a distinct (type, id, name,
// email) as recorded, and how many of the tenant's visible events name it
// in the role.
type UserSuggestion struct {
	User   User
	Events int64
}
