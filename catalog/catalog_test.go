package catalog_test

import (
	"testing"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
)

func loadCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatalf("LoadCatalog: %v", err)
	}
	return cat
}

// The counts follow the product page's tables: Case Management lists its
// activities as "create / update unless noted", so each configuration item
// is two activities except the ones named "... update".
func TestCatalogMatchesProductPage(t *testing.T) {
	cat := loadCatalog(t)
	want := []struct {
		id, name   string
		byPriority map[audit.Priority]int
	}{
		{"CMS", "Case Management", map[audit.Priority]int{audit.PriorityMedium: 28}},
		{"KMS", "Knowledge Management", map[audit.Priority]int{audit.PriorityLow: 1, audit.PriorityMedium: 12, audit.PriorityHigh: 13}},
		{"SET", "Global Settings", map[audit.Priority]int{audit.PriorityLow: 1, audit.PriorityMedium: 1, audit.PriorityHigh: 3, audit.PriorityCritical: 2}},
		{"ONBOARDING", "Onboarding", map[audit.Priority]int{audit.PriorityMedium: 17, audit.PriorityHigh: 2}},
		{"OFFBOARDING", "Offboarding", map[audit.Priority]int{audit.PriorityMedium: 17, audit.PriorityHigh: 2}},
		{"AUDITLOG", "Audit Log", nil},
	}
	comps := cat.Components()
	if len(comps) != len(want) {
		t.Fatalf("catalog has %d components, want %d", len(comps), len(want))
	}
	for i, w := range want {
		c := comps[i]
		if c.ID != w.id || c.Name != w.name {
			t.Errorf("component %d = %s %q, want %s %q", i, c.ID, c.Name, w.id, w.name)
		}
		if w.byPriority == nil {
			continue
		}
		got := map[audit.Priority]int{}
		for _, a := range c.Activities {
			got[a.DefaultPriority]++
		}
		for _, p := range audit.Priorities {
			if got[p] != w.byPriority[p] {
				t.Errorf("%s: %d %s activities, want %d", c.ID, got[p], p, w.byPriority[p])
			}
		}
	}
}

func TestCatalogSpotChecks(t *testing.T) {
	cat := loadCatalog(t)
	for _, w := range []struct {
		comp string
		want audit.Activity
	}{
		{"CMS", audit.Activity{Code: "CREATE_USER_GROUP", Name: "Create user group", Area: "User Groups", DefaultPriority: audit.PriorityMedium}},
		{"CMS", audit.Activity{Code: "UPDATE_SLA_POLICY", Name: "Update SLA policy", Area: "SLA Policies", DefaultPriority: audit.PriorityMedium}},
		{"CMS", audit.Activity{Code: "UPDATE_GENERAL_SETTINGS", Name: "General settings update", Area: "System", DefaultPriority: audit.PriorityMedium}},
		{"KMS", audit.Activity{Code: "ARTICLE_PUBLISHED", Name: "Article published", Area: "Article lifecycle", DefaultPriority: audit.PriorityHigh}},
		{"KMS", audit.Activity{Code: "TAG_CREATED", Name: "Tag created", Area: "KM settings", DefaultPriority: audit.PriorityLow}},
		{"KMS", audit.Activity{Code: "CONNECTOR_SYNC_TRIGGERED", Name: "Manual connector sync triggered", Area: "Connectors and sync", DefaultPriority: audit.PriorityHigh}},
		{"SET", audit.Activity{Code: "USER_DEACTIVATED", Name: "User deactivated", Area: "Dashboard users", DefaultPriority: audit.PriorityCritical}},
		{"SET", audit.Activity{Code: "USER_LOGIN", Name: "User login", Area: "Dashboard users", DefaultPriority: audit.PriorityLow}},
		{"ONBOARDING", audit.Activity{Code: "CANDIDATE_ONBOARDED", Name: "Candidate onboarded", Area: "Candidate lifecycle", DefaultPriority: audit.PriorityHigh}},
		{"OFFBOARDING", audit.Activity{Code: "ACTION_TRIGGER_FAILED", Name: "Action trigger failed", Area: "Tasks and triggers", DefaultPriority: audit.PriorityMedium}},
		{"AUDITLOG", audit.Activity{Code: "EVENTS_FLAGGED", Name: "Events flagged", Area: "Event review", DefaultPriority: audit.PriorityMedium}},
	} {
		got, ok := cat.Activity(w.comp, w.want.Code)
		if !ok {
			t.Errorf("%s.%s missing", w.comp, w.want.Code)
			continue
		}
		if got != w.want {
			t.Errorf("%s.%s = %+v, want %+v", w.comp, w.want.Code, got, w.want)
		}
	}
	if _, ok := cat.Activity("CMS", "ARTICLE_PUBLISHED"); ok {
		t.Error("an activity of KMS is found under CMS")
	}
}

func TestCatalogHasNoDuplicates(t *testing.T) {
	cat := loadCatalog(t)
	for _, c := range cat.Components() {
		codes, names := map[string]bool{}, map[string]bool{}
		for _, a := range c.Activities {
			if codes[a.Code] {
				t.Errorf("%s: code %s twice", c.ID, a.Code)
			}
			if names[a.Name] {
				t.Errorf("%s: name %q twice", c.ID, a.Name)
			}
			codes[a.Code], names[a.Name] = true, true
			if a.Area == "" || a.Name == "" {
				t.Errorf("%s.%s has no area or name", c.ID, a.Code)
			}
		}
	}
	// The two onboarding cards are one module under two ids.
	on, _ := cat.Component("ONBOARDING")
	off, _ := cat.Component("OFFBOARDING")
	if len(on.Activities) != len(off.Activities) {
		t.Fatalf("ONBOARDING has %d activities, OFFBOARDING %d", len(on.Activities), len(off.Activities))
	}
	for i := range on.Activities {
		if on.Activities[i] != off.Activities[i] {
			t.Errorf("activity %d: ONBOARDING %+v, OFFBOARDING %+v", i, on.Activities[i], off.Activities[i])
		}
	}
}
