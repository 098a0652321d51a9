package graph_test

import (
	"testing"

	"github.com/auditlog/auditlog/audit"
)

// TestComponentIndicesAreForAdmins: the indices behind a component are
// operator data; a viewer reading the component gets FORBIDDEN on the
// field, an admin gets it (null on the embedded store, which has none).
func TestComponentIndicesAreForAdmins(t *testing.T) {
	e := newEnv(t, envOptions{})
	const q = `{ component(id: "KMS") { id indices { name } } }`
	viewer := e.key("acme", audit.RoleViewer, audit.User{Type: audit.UserDashboard, ID: "u-v", Name: "Val"})
	refused := e.wantError(viewer, q, nil, "FORBIDDEN", "")
	if refused.Message == "" {
		t.Error("FORBIDDEN without a message")
	}
	var got struct {
		Component struct {
			ID      string
			Indices []struct{ Name string }
		}
	}
	e.query(e.key("acme", audit.RoleAdmin, audit.User{Type: audit.UserDashboard, ID: "u-a", Name: "Ada"}), q, nil, &got)
	if got.Component.ID != "KMS" || got.Component.Indices != nil {
		t.Errorf("admin reads %+v, want KMS without indices on the embedded store", got.Component)
	}
}
