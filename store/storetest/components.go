package storetest

import (
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

func testComponents(t *testing.T, newStore Factory) {
	admin := audit.User{Type: audit.UserDashboard, ID: "u-admin", Name: "Ada Admin", Email: "ada@acme.test"}
	period := audit.Period{
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		End:   time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC),
	}
	configured := func(tenant, component string) audit.ComponentConfig {
		return audit.ComponentConfig{
			Tenant:         tenant,
			ComponentID:    component,
			LoggingEnabled: true,
			Criteria: audit.Criteria{
				Activities:         []string{"article.published", "article.archived"},
				MinPriority:        audit.PriorityHigh,
				LoggingPeriod:      &period,
				CaptureDescription: false,
				Statuses:           []audit.Status{audit.StatusFailed, audit.StatusInProgress},
				CaptureIPAddress:   true,
				Retention:          &audit.Retention{Value: 18, Unit: audit.Months},
			},
			UpdatedAt: baseTime,
			UpdatedBy: admin,
		}
	}
	// asStored is cfg as a store returns it after a save at version.
	asStored := func(cfg audit.ComponentConfig, version int64) audit.ComponentConfig {
		cfg.Version = version
		cfg.UpdatedAt = msUTC(cfg.UpdatedAt)
		return cfg
	}

	t.Run("UnconfiguredNotFound", func(t *testing.T) {
		s := newStore(t)
		_, err := s.GetComponentConfig(ctx(t), "acme", "CMS")
		wantErr(t, "GetComponentConfig of an unconfigured component", err, store.ErrNotFound)
	})

	t.Run("PutAndGet", func(t *testing.T) {
		s := newStore(t)
		cfg := configured("acme", "KMS")
		got, err := s.PutComponentConfig(ctx(t), cfg, 0)
		if err != nil {
			t.Fatalf("PutComponentConfig(v0): %v", err)
		}
		if got.Version != 1 {
			t.Errorf("first save: Version = %d, want 1", got.Version)
		}
		sameJSON(t, "PutComponentConfig result", asStored(cfg, 1), got)
		read, err := s.GetComponentConfig(ctx(t), "acme", "KMS")
		if err != nil {
			t.Fatalf("GetComponentConfig: %v", err)
		}
		sameJSON(t, "stored configuration", asStored(cfg, 1), read)
		_, err = s.GetComponentConfig(ctx(t), "globex", "KMS")
		wantErr(t, "GetComponentConfig of another tenant", err, store.ErrNotFound)

		next := cfg
		next.LoggingEnabled = false
		next.Criteria = audit.Criteria{CaptureDescription: true, CaptureIPAddress: false}
		next.UpdatedAt = baseTime.Add(time.Hour)
		got, err = s.PutComponentConfig(ctx(t), next, 1)
		if err != nil {
			t.Fatalf("PutComponentConfig(v1): %v", err)
		}
		if got.Version != 2 {
			t.Errorf("second save: Version = %d, want 2", got.Version)
		}
		read, err = s.GetComponentConfig(ctx(t), "acme", "KMS")
		if err != nil {
			t.Fatalf("GetComponentConfig: %v", err)
		}
		sameJSON(t, "configuration after a second save", asStored(next, 2), read)
	})

	t.Run("NilAndEmptyActivitiesDiffer", func(t *testing.T) {
		// nil captures every activity, an empty set none: they must not
		// collapse into each other.
		s := newStore(t)
		all := audit.DefaultConfig("acme", "CMS")
		none := audit.DefaultConfig("acme", "SET")
		none.Criteria.Activities = []string{}
		for _, cfg := range []audit.ComponentConfig{all, none} {
			if _, err := s.PutComponentConfig(ctx(t), cfg, 0); err != nil {
				t.Fatalf("PutComponentConfig(%s): %v", cfg.ComponentID, err)
			}
		}
		got, err := s.GetComponentConfig(ctx(t), "acme", "CMS")
		if err != nil {
			t.Fatalf("GetComponentConfig(CMS): %v", err)
		}
		if got.Criteria.Activities != nil {
			t.Errorf("activities saved as nil (all) read back as %#v", got.Criteria.Activities)
		}
		got, err = s.GetComponentConfig(ctx(t), "acme", "SET")
		if err != nil {
			t.Fatalf("GetComponentConfig(SET): %v", err)
		}
		if got.Criteria.Activities == nil || len(got.Criteria.Activities) != 0 {
			t.Errorf("activities saved as empty (none) read back as %#v", got.Criteria.Activities)
		}
	})

	t.Run("StaleVersionConflicts", func(t *testing.T) {
		s := newStore(t)
		cfg := configured("acme", "CMS")
		if _, err := s.PutComponentConfig(ctx(t), cfg, 0); err != nil {
			t.Fatalf("PutComponentConfig(v0): %v", err)
		}
		lost := cfg
		lost.LoggingEnabled = false
		lost.Criteria.MinPriority = audit.PriorityLow
		_, err := s.PutComponentConfig(ctx(t), lost, 0)
		wantErr(t, "second first-save", err, store.ErrConflict)
		_, err = s.PutComponentConfig(ctx(t), lost, 2)
		wantErr(t, "save naming a version never stored", err, store.ErrConflict)

		if _, err := s.PutComponentConfig(ctx(t), cfg, 1); err != nil {
			t.Fatalf("PutComponentConfig(v1): %v", err)
		}
		_, err = s.PutComponentConfig(ctx(t), lost, 1)
		wantErr(t, "save with a stale version", err, store.ErrConflict)
		got, err := s.GetComponentConfig(ctx(t), "acme", "CMS")
		if err != nil {
			t.Fatalf("GetComponentConfig: %v", err)
		}
		sameJSON(t, "configuration after lost saves", asStored(cfg, 2), got)

		_, err = s.PutComponentConfig(ctx(t), configured("globex", "CMS"), 1)
		wantErr(t, "save of another tenant's component at this tenant's version", err, store.ErrConflict)
	})

	t.Run("ListPerTenantAndAll", func(t *testing.T) {
		s := newStore(t)
		saved := map[string]audit.ComponentConfig{}
		for _, c := range []struct{ tenant, component string }{{"acme", "CMS"}, {"acme", "KMS"}, {"globex", "CMS"}} {
			got, err := s.PutComponentConfig(ctx(t), configured(c.tenant, c.component), 0)
			if err != nil {
				t.Fatalf("PutComponentConfig(%s/%s): %v", c.tenant, c.component, err)
			}
			saved[c.tenant+"/"+c.component] = got
		}
		list := func(tenant string) map[string]audit.ComponentConfig {
			t.Helper()
			cfgs, err := s.ListComponentConfigs(ctx(t), tenant)
			if err != nil {
				t.Fatalf("ListComponentConfigs(%q): %v", tenant, err)
			}
			out := map[string]audit.ComponentConfig{}
			for _, c := range cfgs {
				out[c.Tenant+"/"+c.ComponentID] = c
			}
			if len(out) != len(cfgs) {
				t.Errorf("ListComponentConfigs(%q) lists a component twice: %d entries, %d distinct", tenant, len(cfgs), len(out))
			}
			return out
		}
		acme := list("acme")
		if len(acme) != 2 {
			t.Errorf("ListComponentConfigs(acme) has %d entries, want 2: %v", len(acme), acme)
		}
		for _, key := range []string{"acme/CMS", "acme/KMS"} {
			sameJSON(t, "listed "+key, saved[key], acme[key])
		}
		if g := list("globex"); len(g) != 1 || g["globex/CMS"].Version != 1 {
			t.Errorf("ListComponentConfigs(globex) = %v, want only globex/CMS", g)
		}
		all := list("")
		for key, want := range saved {
			sameJSON(t, "listed for every tenant "+key, want, all[key])
		}
	})

	t.Run("RegisterActivities", func(t *testing.T) {
		s := newStore(t)
		b := audit.Activity{Code: "custom.b", Name: "Custom B", Area: "Custom", DefaultPriority: audit.PriorityLow}
		a := audit.Activity{Code: "custom.a", Name: "Custom A", DefaultPriority: audit.PriorityMedium}
		c := audit.Activity{Code: "custom.c", Name: "Custom C", Area: "Other", DefaultPriority: audit.PriorityCritical}
		k := audit.Activity{Code: "km.x", Name: "KM X", DefaultPriority: audit.PriorityHigh}
		if err := s.RegisterActivities(ctx(t), "acme", "ONBOARDING", []audit.Activity{b, a}); err != nil {
			t.Fatalf("RegisterActivities: %v", err)
		}
		renamed := a
		renamed.Name = "A registered again with another name"
		if err := s.RegisterActivities(ctx(t), "acme", "ONBOARDING", []audit.Activity{renamed, c}); err != nil {
			t.Fatalf("RegisterActivities again: %v", err)
		}
		if err := s.RegisterActivities(ctx(t), "acme", "KMS", []audit.Activity{k}); err != nil {
			t.Fatalf("RegisterActivities(KMS): %v", err)
		}
		if err := s.RegisterActivities(ctx(t), "globex", "SET", []audit.Activity{c}); err != nil {
			t.Fatalf("RegisterActivities(globex): %v", err)
		}
		got, err := s.ListActivities(ctx(t), "acme")
		if err != nil {
			t.Fatalf("ListActivities: %v", err)
		}
		sameJSON(t, "activities of acme", map[string][]audit.Activity{
			"ONBOARDING": {a, b, c},
			"KMS":        {k},
		}, got)
		got, err = s.ListActivities(ctx(t), "globex")
		if err != nil {
			t.Fatalf("ListActivities(globex): %v", err)
		}
		sameJSON(t, "activities of globex", map[string][]audit.Activity{"SET": {c}}, got)
		got, err = s.ListActivities(ctx(t), "initech")
		if err != nil {
			t.Fatalf("ListActivities(initech): %v", err)
		}
		if len(got) != 0 {
			t.Errorf("activities of a tenant that registered none: %v", got)
		}
	})

	t.Run("CaptureStatsPerVersion", func(t *testing.T) {
		s := newStore(t)
		add := func(tenant string, version int64, d audit.CaptureStats) {
			t.Helper()
			if err := s.AddCaptureStats(ctx(t), tenant, "CMS", version, d); err != nil {
				t.Fatalf("AddCaptureStats(%s v%d): %v", tenant, version, err)
			}
		}
		add("acme", 1, audit.CaptureStats{Captured: 3, Suppressed: map[audit.SuppressReason]int64{audit.ReasonLoggingDisabled: 2}})
		add("acme", 1, audit.CaptureStats{Captured: 2, Suppressed: map[audit.SuppressReason]int64{
			audit.ReasonLoggingDisabled: 1, audit.ReasonBelowMinPriority: 4,
		}})
		add("acme", 2, audit.CaptureStats{Captured: 7})
		add("globex", 1, audit.CaptureStats{Captured: 100})

		check := func(tenant string, version int64, want audit.CaptureStats) {
			t.Helper()
			got, err := s.GetCaptureStats(ctx(t), tenant, "CMS", version)
			if err != nil {
				t.Fatalf("GetCaptureStats(%s v%d): %v", tenant, version, err)
			}
			if got.Captured != want.Captured {
				t.Errorf("%s v%d: Captured = %d, want %d", tenant, version, got.Captured, want.Captured)
			}
			if len(got.Suppressed) != len(want.Suppressed) {
				t.Errorf("%s v%d: Suppressed = %v, want %v", tenant, version, got.Suppressed, want.Suppressed)
			}
			for r, n := range want.Suppressed {
				if got.Suppressed[r] != n {
					t.Errorf("%s v%d: Suppressed[%s] = %d, want %d", tenant, version, r, got.Suppressed[r], n)
				}
			}
		}
		check("acme", 1, audit.CaptureStats{Captured: 5, Suppressed: map[audit.SuppressReason]int64{
			audit.ReasonLoggingDisabled: 3, audit.ReasonBelowMinPriority: 4,
		}})
		check("acme", 2, audit.CaptureStats{Captured: 7})
		check("acme", 3, audit.CaptureStats{})
		check("globex", 1, audit.CaptureStats{Captured: 100})
		check("globex", 2, audit.CaptureStats{})
	})
}
