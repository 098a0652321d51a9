package server_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
)

func TestFlagNotifiesTheActionUser(t *testing.T) {
	e := newEnv(t, server.Config{})
	var res struct{ IngestEvents []ingestResult }
	e.query(e.key("acme", audit.RoleEmitter), ingestMany, map[string]any{"es": []any{fullEvent("f-1", base), fullEvent("f-2", base)}}, &res)
	reviewer := e.key("acme", audit.RoleViewer) // user u-viewer

	var flagged struct {
		FlagEvents []struct {
			ID   string
			Flag struct {
				By   struct{ ID string }
				Note string
			}
		}
	}
	e.query(reviewer, `mutation { flagEvents(ids: ["f-2", "nope", "f-1"], note: "check this") { id flag { by { id } note } } }`, nil, &flagged)
	if len(flagged.FlagEvents) != 2 || flagged.FlagEvents[0].ID != "f-2" || flagged.FlagEvents[1].ID != "f-1" {
		t.Fatalf("flagEvents returned %+v, want f-2 then f-1", flagged.FlagEvents)
	}
	for _, ev := range flagged.FlagEvents {
		if ev.Flag.By.ID != "u-viewer" || ev.Flag.Note != "check this" {
			t.Errorf("flag of %s: %+v", ev.ID, ev.Flag)
		}
	}
	var listed struct{ Events struct{ TotalCount int } }
	e.query(reviewer, `{ events(filter: {flagged: true}) { totalCount } }`, nil, &listed)
	if listed.Events.TotalCount != 2 {
		t.Errorf("flagged events: %d, want 2", listed.Events.TotalCount)
	}

	// The action user of both events (u-7) has two notifications.
	actor, _, err := e.keys.Create(t.Context(), audit.Principal{Tenant: "acme", Role: audit.RoleViewer,
		User: audit.User{Type: audit.UserDashboard, ID: "u-7", Name: "Priya Raman"}})
	if err != nil {
		t.Fatal(err)
	}
	var notes struct {
		Notifications []struct {
			ID, EventID string
			FlaggedBy   struct{ ID string }
			Note        string
		}
	}
	e.query(actor, `{ notifications(unreadOnly: true) { id eventId flaggedBy { id } note } }`, nil, &notes)
	if len(notes.Notifications) != 2 || notes.Notifications[0].FlaggedBy.ID != "u-viewer" || notes.Notifications[0].Note != "check this" {
		t.Fatalf("notifications %+v", notes.Notifications)
	}
	var mark struct{ MarkNotificationsRead int }
	e.query(actor, `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`,
		map[string]any{"ids": []string{notes.Notifications[0].ID}}, &mark)
	if mark.MarkNotificationsRead != 1 {
		t.Errorf("marked %d read, want 1", mark.MarkNotificationsRead)
	}
	e.query(actor, `{ notifications(unreadOnly: true) { id eventId flaggedBy { id } note } }`, nil, &notes)
	if len(notes.Notifications) != 1 {
		t.Errorf("%d unread after marking one read, want 1", len(notes.Notifications))
	}
	// Flagging again keeps the first flag and notifies nobody.
	e.query(e.key("acme", audit.RoleAdmin), `mutation { flagEvents(ids: ["f-1"], note: "again") { id } }`, nil, &flagged)
	e.query(actor, `{ notifications { id eventId flaggedBy { id } note } }`, nil, &notes)
	if len(notes.Notifications) != 2 {
		t.Errorf("%d notifications after a second flag, want 2", len(notes.Notifications))
	}

	var unflagged struct{ UnflagEvents []struct{ Flag *struct{} } }
	e.query(reviewer, `mutation { unflagEvents(ids: ["f-1"]) { flag { at } } }`, nil, &unflagged)
	if len(unflagged.UnflagEvents) != 1 || unflagged.UnflagEvents[0].Flag != nil {
		t.Errorf("unflag: %+v", unflagged)
	}
}

func TestSavedFiltersBelongToTheirUser(t *testing.T) {
	e := newEnv(t, server.Config{})
	ann := e.key("acme", audit.RoleViewer)
	bob, _, err := e.keys.Create(t.Context(), audit.Principal{Tenant: "acme", Role: audit.RoleViewer,
		User: audit.User{Type: audit.UserDashboard, ID: "u-bob", Name: "Bob"}})
	if err != nil {
		t.Fatal(err)
	}
	input := map[string]any{"name": "Monthly KM access audit", "description": "KMS, failed",
		"filter": map[string]any{"components": []string{"KMS"}, "statuses": []string{"FAILED"}, "text": "access"}}
	var saved struct {
		SaveFilter struct {
			ID, Name string
			Filter   struct {
				Components []string
				Statuses   []string
				Text       string
				From       *string
			}
		}
	}
	e.query(ann, `mutation($in: SavedFilterInput!) { saveFilter(input: $in) { id name filter { components statuses text from } } }`,
		map[string]any{"in": input}, &saved)
	sf := saved.SaveFilter
	if sf.Name != "Monthly KM access audit" || sf.Filter.Components[0] != "KMS" || sf.Filter.Statuses[0] != "FAILED" || sf.Filter.Text != "access" || sf.Filter.From != nil {
		t.Errorf("saved %+v", sf)
	}
	e.wantError(ann, `mutation($in: SavedFilterInput!) { saveFilter(input: $in) { id } }`, map[string]any{"in": input}, "BAD_USER_INPUT", "input.name")

	var list struct{ SavedFilters []struct{ ID string } }
	e.query(bob, `{ savedFilters { id } }`, nil, &list)
	if len(list.SavedFilters) != 0 {
		t.Errorf("bob sees ann's filters: %+v", list)
	}
	e.wantError(bob, `mutation($id: ID!, $in: SavedFilterInput!) { updateSavedFilter(id: $id, input: $in) { id } }`,
		map[string]any{"id": sf.ID, "in": input}, "NOT_FOUND", "")
	var del struct{ DeleteSavedFilter bool }
	e.query(bob, `mutation($id: ID!) { deleteSavedFilter(id: $id) }`, map[string]any{"id": sf.ID}, &del)
	if del.DeleteSavedFilter {
		t.Error("bob deleted ann's filter")
	}

	input["name"] = "Quarterly"
	e.query(ann, `mutation($id: ID!, $in: SavedFilterInput!) { updateSavedFilter(id: $id, input: $in) { id name } }`,
		map[string]any{"id": sf.ID, "in": input}, &struct{}{})
	var mine struct{ SavedFilters []struct{ Name string } }
	e.query(ann, `{ savedFilters { name } }`, nil, &mine)
	if len(mine.SavedFilters) != 1 || mine.SavedFilters[0].Name != "Quarterly" {
		t.Errorf("ann's filters after update: %+v", mine)
	}
	e.query(ann, `mutation($id: ID!) { deleteSavedFilter(id: $id) }`, map[string]any{"id": sf.ID}, &del)
	if !del.DeleteSavedFilter {
		t.Error("ann could not delete her filter")
	}
}

func TestConfigureComponent(t *testing.T) {
	e := newEnv(t, server.Config{})
	admin, emitter := e.key("acme", audit.RoleAdmin), e.key("acme", audit.RoleEmitter)
	configure := `mutation($c: ComponentConfigInput!) {
	  configureComponent(id: "KMS", config: $c) {
	    id name loggingEnabled version updatedBy { id }
	    criteria { activities minPriority statuses captureDescription captureIpAddress retention { value unit } }
	    activities { code captured }
	  } }`
	var got struct {
		ConfigureComponent struct {
			ID, Name       string
			LoggingEnabled bool
			Version        int
			UpdatedBy      struct{ ID string }
			Criteria       struct {
				Activities         []string
				MinPriority        *string
				Statuses           []string
				CaptureDescription bool
				CaptureIPAddress   bool
				Retention          *struct {
					Value int
					Unit  string
				}
			}
			Activities []struct {
				Code     string
				Captured bool
			}
		}
	}
	cfg := map[string]any{"loggingEnabled": true, "minPriority": "HIGH", "captureIpAddress": false,
		"retention": map[string]any{"value": 90, "unit": "DAYS"}, "version": 0}
	e.query(admin, configure, map[string]any{"c": cfg}, &got)
	c := got.ConfigureComponent
	if c.Version != 1 || c.Name != "Knowledge Management" || c.UpdatedBy.ID != "u-admin" || *c.Criteria.MinPriority != "HIGH" ||
		c.Criteria.CaptureIPAddress || !c.Criteria.CaptureDescription || c.Criteria.Retention.Value != 90 || len(c.Activities) == 0 {
		t.Errorf("configured %+v", c)
	}
	// A stale version changes nothing; nor does a missing one, now that
	// there is a version to send, and the error says so.
	e.wantError(admin, configure, map[string]any{"c": map[string]any{"loggingEnabled": false, "version": 0}}, "BAD_USER_INPUT", "config.version")
	_, resp := e.do(admin, configure, map[string]any{"c": map[string]any{"loggingEnabled": false}})
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["field"] != "config.version" || !strings.Contains(resp.Errors[0].Message, "required") {
		t.Errorf("configure without a version after a save: %+v; want BAD_USER_INPUT on config.version saying it is required", resp.Errors)
	}
	e.wantError(admin, configure, map[string]any{"c": map[string]any{"loggingEnabled": true, "version": 1,
		"retention": map[string]any{"value": 6, "unit": "YEARS"}}}, "BAD_USER_INPUT", "config.retention.value")

	// Capture follows the configuration: MEDIUM is below the minimum, and the IP is dropped.
	low, high := fullEvent("c-low", base), fullEvent("c-high", base)
	low["priority"] = "MEDIUM"
	var res struct{ IngestEvents []ingestResult }
	e.query(emitter, ingestMany, map[string]any{"es": []any{low, high}}, &res)
	if r := res.IngestEvents[0]; r.Captured || r.Reason == nil || *r.Reason != "BELOW_MIN_PRIORITY" {
		t.Errorf("MEDIUM event: %+v", r)
	}
	var ev struct {
		Event struct{ ActionUser struct{ IPAddress *string } }
	}
	e.query(admin, `{ event(id: "c-high") { actionUser { ipAddress } } }`, nil, &ev)
	if ev.Event.ActionUser.IPAddress != nil {
		t.Errorf("IP kept although capture drops it: %v", *ev.Event.ActionUser.IPAddress)
	}

	var cards struct {
		Components []struct {
			ID             string
			LoggingEnabled bool
			Version        int
			Stats          struct {
				Captured   int
				Suppressed []struct {
					Reason string
					Count  int
				}
			}
		}
	}
	e.query(admin, `{ components { id loggingEnabled version stats { captured suppressed { reason count } } } }`, nil, &cards)
	ids := []string{}
	for _, c := range cards.Components {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(ids, ","); !strings.HasPrefix(got, "CMS,KMS,SET,ONBOARDING") {
		t.Errorf("cards %s", got)
	}
	var missing struct{ Component *struct{ ID string } }
	e.query(admin, `{ component(id: "NOPE") { id } }`, nil, &missing)
	if missing.Component != nil {
		t.Error("unknown component returned")
	}
}

func TestExportDownload(t *testing.T) {
	e := newEnv(t, server.Config{})
	var res struct{ IngestEvents []ingestResult }
	e.query(e.key("acme", audit.RoleEmitter), ingestMany, map[string]any{"es": []any{fullEvent("x-1", base), fullEvent("x-2", base)}}, &res)
	var link struct {
		ExportEvents struct{ URL, ExpiresAt string }
	}
	e.query(e.key("acme", audit.RoleViewer), `mutation { exportEvents(ids: ["x-2"]) { url expiresAt } }`, nil, &link)
	status, body := e.get(link.ExportEvents.URL)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", link.ExportEvents.URL, status, body)
	}
	r := csv.NewReader(strings.NewReader(body))
	r.FieldsPerRecord = -1 // a complete file ends with a one-cell trailer
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || rows[1][0] != "x-2" {
		t.Errorf("export rows %v", rows)
	}
	e.wantError(e.key("acme", audit.RoleViewer), `mutation { exportEvents { url } }`, nil, "BAD_USER_INPUT", "filter")
}

// TestInternalErrorsStayInternal breaks the store under the server: the
// client gets a generic INTERNAL error quoting its request id, and /readyz
// reports the server not ready.
func TestInternalErrorsStayInternal(t *testing.T) {
	e := newEnv(t, server.Config{})
	viewer := e.key("acme", audit.RoleViewer)
	e.query(viewer, `{ viewer { tenant } }`, nil, &struct{}{}) // the key is now cached
	e.store.Close()

	body, _ := json.Marshal(map[string]any{"query": `{ events(filter: {}) { totalCount } }`})
	req, _ := http.NewRequest(http.MethodPost, e.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+viewer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) != 1 {
		t.Fatalf("response %s", raw)
	}
	got := out.Errors[0]
	id := resp.Header.Get("X-Request-Id")
	if got.Extensions["code"] != "INTERNAL" || got.Extensions["requestId"] != id || !strings.Contains(got.Message, id) ||
		strings.Contains(strings.ToLower(got.Message), "sql") || strings.Contains(got.Message, "closed") {
		t.Errorf("internal error shown as %+v (request id %s)", got, id)
	}
	if status, _ := e.get("/readyz"); status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with a closed store: %d, want 503", status)
	}
	if status, _ := e.get("/healthz"); status != http.StatusOK {
		t.Errorf("/healthz: %d, want 200 while the process is up", status)
	}
}
