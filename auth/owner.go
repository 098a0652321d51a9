package auth

import (
	"strings"

	"github.com/auditlog/auditlog/audit"
)

// SavedFilterOwner is who a caller's saved filters belong to within their
// tenant: the dashboard user behind the key. Users are named by their id,
// or, without one, by "email:" and their email (ignoring case), or, with
// neither, by "key:" and the key's id. An id that itself begins with one of
// these prefixes (or "id:") is written "id:" and the id, so that no two
// users share an owner, while the filters of users with a plain id stay
// stored under that id.
func SavedFilterOwner(p audit.Principal) string {
	switch u := p.User; {
	case u.ID != "":
		for _, prefix := range []string{"id:", "email:", "key:"} {
			if strings.HasPrefix(u.ID, prefix) {
				return "id:" + u.ID
			}
		}
		return u.ID
	case u.Email != "":
		return "email:" + strings.ToLower(u.Email)
	}
	return "key:" + p.KeyID
}
