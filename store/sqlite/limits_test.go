package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// TestLongIDLists: an export or a bulk flag of a large selection names more
// ids than SQLite accepts as statement parameters.
func TestLongIDLists(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	const n = 1200
	var events []audit.Event
	var ids []string
	for i := range n {
		id := fmt.Sprintf("e%05d", i)
		events = append(events, sampleEvent("acme", id, at.Add(time.Duration(i)*time.Second)))
		ids = append(ids, id)
	}
	if _, err := s.WriteEvents(ctx, events); err != nil {
		t.Fatalf("WriteEvents: %v", err)
	}
	selection := append(append([]string{}, ids[100:1100]...), "unknown-1", "unknown-2")

	p, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10, Order: audit.OldestFirst, Filter: audit.Filter{IDs: selection}})
	if err != nil {
		t.Fatalf("SearchEvents(%d ids): %v", len(selection), err)
	}
	if p.Total != 1000 || len(p.Events) != 10 || p.Events[0].ID != "e00100" {
		t.Errorf("SearchEvents(%d ids): total %d, first %v", len(selection), p.Total, eventIDsOf(p.Events))
	}

	flagged, err := s.FlagEvents(ctx, "acme", selection, audit.Flag{By: audit.User{Type: audit.UserDashboard, ID: "u1"}, At: at})
	if err != nil {
		t.Fatalf("FlagEvents(%d ids): %v", len(selection), err)
	}
	if len(flagged) != 1000 {
		t.Errorf("FlagEvents(%d ids) returned %d events, want 1000", len(selection), len(flagged))
	}
	yes := true
	p, err = s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 1, Filter: audit.Filter{Flagged: &yes}})
	if err != nil {
		t.Fatalf("SearchEvents(flagged): %v", err)
	}
	if p.Total != 1000 {
		t.Errorf("flagged events: %d, want 1000", p.Total)
	}
	unflagged, err := s.UnflagEvents(ctx, "acme", ids)
	if err != nil {
		t.Fatalf("UnflagEvents(%d ids): %v", len(ids), err)
	}
	if len(unflagged) != n {
		t.Errorf("UnflagEvents(%d ids) returned %d events", len(ids), len(unflagged))
	}
}

func eventIDsOf(events []audit.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}
