package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// eventInput is an event as an emitter sends it: the GraphQL EventInput.
type eventInput struct {
	ID          string         `json:"id,omitempty"`
	ComponentID string         `json:"componentId"`
	Submodule   string         `json:"submodule,omitempty"`
	EventType   string         `json:"eventType"`
	Description string         `json:"description,omitempty"`
	Priority    audit.Priority `json:"priority,omitempty"`
	Status      audit.Status   `json:"status"`
	OccurredAt  time.Time      `json:"occurredAt"`
	RedirectURL string         `json:"redirectUrl,omitempty"`
	Details     map[string]any `json:"details,omitempty"`
	// audit.User's JSON names are those of UserInput.
	ActionUser audit.User  `json:"actionUser"`
	TargetUser *audit.User `json:"targetUser,omitempty"`
}

func inputOf(e audit.Event) eventInput {
	return eventInput{
		ID: e.ID, ComponentID: e.ComponentID, Submodule: e.Submodule, EventType: e.EventType,
		Description: e.Description, Priority: e.Priority, Status: e.Status, OccurredAt: e.OccurredAt,
		RedirectURL: e.RedirectURL, Details: e.Details, ActionUser: e.ActionUser, TargetUser: e.TargetUser,
	}
}

const (
	ingestManyQuery = `mutation Ingest($events: [EventInput!]!) { ingestEvents(events: $events) { id captured duplicate error { code message } } }`
	ingestOneQuery  = `mutation IngestOne($event: EventInput!) { ingestEvent(event: $event) { id captured duplicate } }`
)

// gqlBody encodes a GraphQL request.
func gqlBody(query string, vars map[string]any) ([]byte, error) {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, fmt.Errorf("encode GraphQL request: %w", err)
	}
	return b, nil
}

// ingestManyBodies encodes events as ingestEvents calls of batch events each.
func ingestManyBodies(events []audit.Event, batch int) ([][]byte, error) {
	var bodies [][]byte
	for start := 0; start < len(events); start += batch {
		part := events[start:min(start+batch, len(events))]
		inputs := make([]eventInput, len(part))
		for i, e := range part {
			inputs[i] = inputOf(e)
		}
		b, err := gqlBody(ingestManyQuery, map[string]any{"events": inputs})
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, b)
	}
	return bodies, nil
}

// ingestOneBodies encodes each event as one ingestEvent call.
func ingestOneBodies(events []audit.Event) ([][]byte, error) {
	bodies := make([][]byte, len(events))
	for i, e := range events {
		b, err := gqlBody(ingestOneQuery, map[string]any{"event": inputOf(e)})
		if err != nil {
			return nil, err
		}
		bodies[i] = b
	}
	return bodies, nil
}

// storedDoc is an event as auditlog's OpenSearch store indexes it (its
// unexported eventDoc): the event, its priority's rank, and the words of
// its searchable text as audit.Words splits them. checkSameDocs verifies,
// on every run, that this is byte for byte what auditlog stored, so that B
// indexes exactly the documents A does.
type storedDoc struct {
	audit.Event
	PriorityRank int         `json:"priorityRank"`
	Words        *storedText `json:"words,omitempty"`
}

type storedText struct {
	Description   string `json:"description,omitempty"`
	EventTypeName string `json:"eventTypeName,omitempty"`
}

// docOf returns e as stored for tenant, ingested at ingestedAt.
func docOf(e audit.Event, tenant string, ingestedAt time.Time) storedDoc {
	e.Tenant = tenant
	e.OccurredAt = e.OccurredAt.Truncate(time.Millisecond).UTC()
	e.IngestedAt = ingestedAt.Truncate(time.Millisecond).UTC()
	e.Flag = nil
	d := storedDoc{Event: e, PriorityRank: e.Priority.Rank()}
	w := storedText{
		Description:   strings.Join(audit.Words(e.Description), " "),
		EventTypeName: strings.Join(audit.Words(e.EventTypeName), " "),
	}
	if w != (storedText{}) {
		d.Words = &w
	}
	return d
}

// bulkBodies encodes events as _bulk bodies of batch create actions each,
// into the write alias of each event's series under aliasPrefix, with the
// event id as document id: what auditlog's store sends, minus its
// idempotency look-up.
func bulkBodies(events []audit.Event, batch int, aliasPrefix string, ingestedAt time.Time) ([][]byte, error) {
	var bodies [][]byte
	for start := 0; start < len(events); start += batch {
		var buf bytes.Buffer
		for _, e := range events[start:min(start+batch, len(events))] {
			action := obj{"create": obj{"_index": aliasPrefix + strings.ToLower(e.ComponentID), "_id": e.ID}}
			for _, v := range []any{action, docOf(e, benchTenant, ingestedAt)} {
				b, err := json.Marshal(v)
				if err != nil {
					return nil, fmt.Errorf("encode bulk line of %s: %w", e.ID, err)
				}
				buf.Write(b)
				buf.WriteByte('\n')
			}
		}
		bodies = append(bodies, buf.Bytes())
	}
	return bodies, nil
}
