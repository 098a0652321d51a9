package server_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
)

const eventFields = `
fragment E on Event {
  id tenant componentId submodule eventType eventTypeName area description
  priority status occurredAt ingestedAt redirectUrl details
  actionUser { type id name email ipAddress userAgent accountStatus }
  targetUser { type id name email ipAddress userAgent accountStatus }
  flag { by { id name email } at note }
}`

const ingestOne = `mutation($e: EventInput!) {
  ingestEvent(event: $e) { id captured duplicate reason error { code message fields { field message } } }
}`

const ingestMany = `mutation($es: [EventInput!]!) {
  ingestEvents(events: $es) { id captured duplicate reason error { code message fields { field message } } }
}`

type ingestResult struct {
	ID        *string `json:"id"`
	Captured  bool    `json:"captured"`
	Duplicate bool    `json:"duplicate"`
	Reason    *string `json:"reason"`
	Error     *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

// fullEvent is an input with every field set.
func fullEvent(id string, at time.Time) map[string]any {
	return map[string]any{
		"id":          id,
		"componentId": "KMS",
		"submodule":   "Article lifecycle",
		"eventType":   "ARTICLE_PUBLISHED",
		"description": "Published article \"VPN setup\" to all employees",
		"priority":    "CRITICAL",
		"status":      "SUCCESS",
		"occurredAt":  at.Format(time.RFC3339Nano),
		"redirectUrl": "https://app.example.com/km/articles/42",
		"details":     map[string]any{"articleId": "42", "audience": []any{"all", "it"}, "version": float64(3)},
		"actionUser": map[string]any{
			"type": "DASHBOARD", "id": "u-7", "name": "Priya Raman", "email": "priya@acme.example",
			"ipAddress": "203.0.113.9", "userAgent": "Mozilla/5.0",
		},
		"targetUser": map[string]any{
			"type": "DASHBOARD", "id": "u-9", "name": "Tom Berg", "email": "tom@acme.example", "accountStatus": "TERMINATED",
		},
	}
}

// wantStored is what reading fullEvent back must show.
func wantStored(in map[string]any, tenant string) map[string]any {
	au := in["actionUser"].(map[string]any)
	tu := in["targetUser"].(map[string]any)
	return map[string]any{
		"id": in["id"], "tenant": tenant, "componentId": in["componentId"], "submodule": in["submodule"],
		"eventType": in["eventType"], "eventTypeName": "Article published", "area": "Article lifecycle",
		"description": in["description"], "priority": in["priority"], "status": in["status"],
		"occurredAt": in["occurredAt"], "redirectUrl": in["redirectUrl"], "details": in["details"],
		"actionUser": map[string]any{"type": au["type"], "id": au["id"], "name": au["name"], "email": au["email"],
			"ipAddress": au["ipAddress"], "userAgent": au["userAgent"], "accountStatus": nil},
		"targetUser": map[string]any{"type": tu["type"], "id": tu["id"], "name": tu["name"], "email": tu["email"],
			"ipAddress": nil, "userAgent": nil, "accountStatus": tu["accountStatus"]},
		"flag": nil,
	}
}

// checkStored compares a read-back event with the expectation; ingestedAt
// must be a time no earlier than start.
func checkStored(t *testing.T, got, want map[string]any, start time.Time) {
	t.Helper()
	ing, _ := got["ingestedAt"].(string)
	at, err := time.Parse(time.RFC3339Nano, ing)
	if err != nil || at.Before(start.Truncate(time.Millisecond)) {
		t.Errorf("ingestedAt = %q, want a time after %v", ing, start)
	}
	delete(got, "ingestedAt")
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("event read back:\n%s\nwant:\n%s", g, w)
	}
}

func TestIngestOneAndReadItBack(t *testing.T) {
	e := newEnv(t, server.Config{})
	emitter, viewer := e.key("acme", audit.RoleEmitter), e.key("acme", audit.RoleViewer)
	start := time.Now()

	in := fullEvent("evt-1", base.Add(1234*time.Millisecond))
	var res struct{ IngestEvent ingestResult }
	e.query(emitter, ingestOne, map[string]any{"e": in}, &res)
	if r := res.IngestEvent; r.ID == nil || *r.ID != "evt-1" || !r.Captured || r.Duplicate || r.Reason != nil || r.Error != nil {
		t.Fatalf("ingest result %+v", r)
	}

	var got struct{ Event map[string]any }
	e.query(viewer, `query($id: ID!) { event(id: $id) { ...E } }`+eventFields, map[string]any{"id": "evt-1"}, &got)
	checkStored(t, got.Event, wantStored(in, "acme"), start)

	// The same id again is one event, reported as a duplicate.
	e.query(emitter, ingestOne, map[string]any{"e": in}, &res)
	if r := res.IngestEvent; !r.Duplicate || r.Error != nil {
		t.Errorf("second ingest of evt-1: %+v, want duplicate", r)
	}
	// Without an id, one is assigned and returned.
	delete(in, "id")
	e.query(emitter, ingestOne, map[string]any{"e": in}, &res)
	if r := res.IngestEvent; r.ID == nil || *r.ID == "" || r.Duplicate {
		t.Errorf("ingest without id: %+v, want a new id", r)
	}
}

func TestIngestOneInvalidNamesTheField(t *testing.T) {
	e := newEnv(t, server.Config{})
	emitter := e.key("acme", audit.RoleEmitter)
	in := fullEvent("evt-bad", base)
	in["actionUser"].(map[string]any)["email"] = "not-an-email"
	data := e.wantError(emitter, ingestOne, map[string]any{"e": in}, "BAD_USER_INPUT", "event.actionUser.email")
	if string(data) != "null" {
		t.Errorf("data = %s, want null", data)
	}
	// An unparsable time is refused before any resolver runs, naming the field.
	in = fullEvent("evt-bad", base)
	in["occurredAt"] = "yesterday"
	_, resp := e.do(emitter, ingestOne, map[string]any{"e": in})
	if len(resp.Errors) == 0 || !strings.Contains(resp.Errors[0].Message, "occurredAt") {
		t.Errorf("bad occurredAt: errors %+v, want one naming occurredAt", resp.Errors)
	}
}

func TestIngestBatch(t *testing.T) {
	e := newEnv(t, server.Config{})
	emitter, viewer := e.key("acme", audit.RoleEmitter), e.key("acme", audit.RoleViewer)
	start := time.Now()

	const n = 1000
	inputs := make([]any, n)
	for i := range n {
		ev := fullEvent(fmt.Sprintf("b-%04d", i), base.Add(time.Duration(i)*time.Second))
		ev["description"] = fmt.Sprintf("change number %d", i)
		inputs[i] = ev
	}
	// Item 500 repeats the id of item 10; items 3 and 777 are invalid.
	inputs[500].(map[string]any)["id"] = "b-0010"
	inputs[3].(map[string]any)["actionUser"].(map[string]any)["email"] = "nope"
	inputs[777].(map[string]any)["redirectUrl"] = "javascript:alert(1)"

	var res struct{ IngestEvents []ingestResult }
	e.query(emitter, ingestMany, map[string]any{"es": inputs}, &res)
	if len(res.IngestEvents) != n {
		t.Fatalf("%d results for %d inputs", len(res.IngestEvents), n)
	}
	stored, dups := 0, 0
	for i, r := range res.IngestEvents {
		switch {
		case i == 3 || i == 777:
			want := map[int]string{3: "events[3].actionUser.email", 777: "events[777].redirectUrl"}[i]
			if r.Error == nil || r.Error.Code != "BAD_USER_INPUT" || len(r.Error.Fields) != 1 || r.Error.Fields[0].Field != want {
				t.Errorf("result %d: %+v, want BAD_USER_INPUT on %s", i, r.Error, want)
			}
			if r.Captured {
				t.Errorf("result %d: an invalid event reported captured", i)
			}
		case i == 500:
			if !r.Duplicate || r.Error != nil {
				t.Errorf("result 500: %+v, want duplicate of b-0010", r)
			}
			dups++
		default:
			if r.Error != nil || !r.Captured || r.Duplicate || r.ID == nil || *r.ID != fmt.Sprintf("b-%04d", i) {
				t.Errorf("result %d: %+v", i, r)
			}
			stored++
		}
	}
	if stored != 997 || dups != 1 {
		t.Fatalf("stored %d, duplicates %d; want 997, 1", stored, dups)
	}

	var total struct {
		Events struct{ TotalCount int }
	}
	e.query(viewer, `{ events(filter: {}) { totalCount } }`, nil, &total)
	if total.Events.TotalCount != 997 {
		t.Errorf("totalCount = %d, want 997", total.Events.TotalCount)
	}

	// Read every stored event back by id, 100 per request.
	for from := 0; from < n; from += 100 {
		var q strings.Builder
		q.WriteString("{")
		for i := from; i < from+100; i++ {
			fmt.Fprintf(&q, " e%d: event(id: %q) { ...E }", i, fmt.Sprintf("b-%04d", i))
		}
		q.WriteString(" }" + eventFields)
		var got map[string]map[string]any
		e.query(viewer, q.String(), nil, &got)
		for i := from; i < from+100; i++ {
			ev := got[fmt.Sprintf("e%d", i)]
			switch i {
			case 3, 777:
				if ev != nil {
					t.Errorf("invalid event %d was stored", i)
				}
				continue
			case 500:
				continue // its id is b-0010's, which kept the first event
			}
			checkStored(t, ev, wantStored(inputs[i].(map[string]any), "acme"), start)
		}
	}
	// b-0500 was never stored under its own id.
	var missing struct{ Event map[string]any }
	e.query(viewer, `{ event(id: "b-0500") { id } }`, nil, &missing)
	if missing.Event != nil {
		t.Errorf("b-0500 exists")
	}
}

func TestIngestBatchBounds(t *testing.T) {
	e := newEnv(t, server.Config{})
	emitter := e.key("acme", audit.RoleEmitter)
	inputs := make([]any, 1001)
	for i := range inputs {
		inputs[i] = fullEvent(fmt.Sprintf("x-%d", i), base)
	}
	e.wantError(emitter, ingestMany, map[string]any{"es": inputs}, "BAD_USER_INPUT", "events")
	var total struct {
		Events struct{ TotalCount int }
	}
	e.query(e.key("acme", audit.RoleViewer), `{ events(filter: {}) { totalCount } }`, nil, &total)
	if total.Events.TotalCount != 0 {
		t.Errorf("a refused batch stored %d events", total.Events.TotalCount)
	}
}

func TestEmitterLimitedToComponents(t *testing.T) {
	e := newEnv(t, server.Config{})
	p := audit.Principal{Tenant: "acme", Role: audit.RoleEmitter, Components: []string{"KMS"},
		User: audit.User{Type: audit.UserSystem, ID: "kms-service"}}
	key, _, err := e.keys.Create(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	kms, cms := fullEvent("k-1", base), fullEvent("c-1", base)
	cms["componentId"], cms["eventType"] = "CMS", "CREATE_USER_GROUP"
	var res struct{ IngestEvents []ingestResult }
	e.query(key, ingestMany, map[string]any{"es": []any{kms, cms}}, &res)
	if r := res.IngestEvents[0]; !r.Captured || r.Error != nil {
		t.Errorf("KMS event: %+v", r)
	}
	if r := res.IngestEvents[1]; r.Captured || r.Error == nil || r.Error.Code != "FORBIDDEN" || r.Error.Fields[0].Field != "events[1].componentId" {
		t.Errorf("CMS event: %+v, want FORBIDDEN on events[1].componentId", r)
	}
	e.wantError(key, ingestOne, map[string]any{"e": cms}, "FORBIDDEN", "")
}
