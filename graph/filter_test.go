package graph_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/audit"
)

// TestFilterValuesAreBounded: every value of a filter is bounded, not only
// how many there are, and a filter too large for a download link is refused
// when the link is asked for, not when it is used.
func TestFilterValuesAreBounded(t *testing.T) {
	e := newEnv(t, envOptions{})
	viewer := e.key("acme", audit.RoleViewer, audit.User{Type: audit.UserDashboard, ID: "u-v", Name: "Val"})
	long := strings.Repeat("x", 129)
	for field, filter := range map[string]map[string]any{
		"filter.components[1]": {"components": []string{"KMS", long}},
		"filter.eventTypes[0]": {"eventTypes": []string{long}},
		"filter.submodules[2]": {"submodules": []string{"a", "b", long}},
		"filter.submodules[1]": {"submodules": []string{"Article lifecycle", ""}},
		"filter.components[0]": {"components": []string{""}},
		"filter.actionUser":    {"actionUser": strings.Repeat("u", 321)},
		"filter.text":          {"text": strings.Repeat("t", 1025)},
	} {
		vars := map[string]any{"filter": filter}
		e.wantError(viewer, `query($filter: EventFilter!) { events(filter: $filter) { totalCount } }`, vars, "BAD_USER_INPUT", field)
		e.wantError(viewer, `mutation($filter: EventFilter) { exportEvents(filter: $filter) { url } }`, vars, "BAD_USER_INPUT", field)
		e.wantError(viewer, `mutation($filter: EventFilter!) { saveFilter(input: {name: "big", filter: $filter}) { id } }`, vars,
			"BAD_USER_INPUT", "input."+field)
	}

	// Within every bound, but too large for a link that browsers, proxies
	// and the server itself accept.
	values := func(prefix string) []string {
		out := make([]string, 100)
		for i := range out {
			out[i] = fmt.Sprintf("%s-%03d-%s", prefix, i, strings.Repeat("v", 120))
		}
		return out
	}
	big := map[string]any{"eventTypes": values("T"), "submodules": values("S"), "components": values("C")}
	e.query(viewer, `query($filter: EventFilter!) { events(filter: $filter) { totalCount } }`, map[string]any{"filter": big}, nil)
	refused := e.wantError(viewer, `mutation($filter: EventFilter) { exportEvents(filter: $filter) { url } }`,
		map[string]any{"filter": big}, "BAD_USER_INPUT", "filter")
	if !strings.Contains(refused.Message, "link") {
		t.Errorf("refusal %q does not say the link is too large", refused.Message)
	}

	// A link that is issued works.
	var link struct{ ExportEvents struct{ URL string } }
	e.query(viewer, `mutation($filter: EventFilter) { exportEvents(filter: $filter) { url } }`,
		map[string]any{"filter": map[string]any{"eventTypes": values("T")[:30]}}, &link)
	resp, err := http.Get(e.url + link.ExportEvents.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET of an issued link: HTTP %d, want 200", resp.StatusCode)
	}
}
