package opensearch_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/retention"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
)

// explainIndex returns ISM's explanation of one index; nil when the index
// does not exist (ISM answers 400 "no documents to get").
func explainIndex(t *testing.T, base, index string) map[string]any {
	t.Helper()
	code, body := rest(t, http.MethodGet, base+"/_plugins/_ism/explain/"+index, nil)
	if code == http.StatusNotFound || code == http.StatusBadRequest && strings.Contains(fmt.Sprint(body), "no documents to get") {
		return nil
	}
	if code != http.StatusOK {
		t.Fatalf("ISM explain %s: HTTP %d %v", index, code, body)
	}
	e, _ := body[index].(map[string]any)
	return e
}

// fastISM makes ISM look at indices managed from now on every minute, its
// minimum, rather than every five, and with 10% jitter rather than 60%, as
// scripts/opensearch-local configures its nodes. The settings are
// transient (gone when the node restarts) and left in place: tests running
// in parallel rely on them.
func fastISM(t *testing.T, base string) {
	t.Helper()
	setting := map[string]any{"transient": map[string]any{
		"plugins.index_state_management.job_interval": 1,
		"plugins.index_state_management.jitter":       0.1,
	}}
	if code, body := rest(t, http.MethodPut, base+"/_cluster/settings", setting); code != http.StatusOK {
		t.Fatalf("set ISM job interval: HTTP %d %v", code, body)
	}
}

// policyOf returns the stored ISM policy: its description and version.
func policyOf(t *testing.T, base, id string) (string, string) {
	t.Helper()
	code, body := rest(t, http.MethodGet, base+"/_plugins/_ism/policies/"+id, nil)
	if code != http.StatusOK {
		t.Fatalf("GET ISM policy %s: HTTP %d %v", id, code, body)
	}
	desc := body["policy"].(map[string]any)["description"].(string)
	return desc, fmt.Sprint(body["_seq_no"], "/", body["_primary_term"])
}

// waitFor polls cond every two seconds until it holds, or fails t after
// limit, saying what it last saw. ISM acts on its own schedule, so tests of
// ISM wait for it rather than drive it.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, seen := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, still waiting for %s; last seen: %s", limit, what, seen)
		}
		time.Sleep(2 * time.Second)
	}
}

// TestISMLifecycle is the retention scenario on a cluster with ISM: a
// component's policy manages its indices from birth; reconciling again
// changes nothing; a retention change updates the policy and moves the
// existing index to the new version; and ISM, with a day shortened to 20
// seconds, rolls the series over and deletes the expired index while the
// fresh index keeps its events. It waits on ISM's own schedule (its job
// interval is set to its minimum, a minute), so it takes several minutes.
func TestISMLifecycle(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	requireISM(t, base)
	ctx := context.Background()
	fastISM(t, base)
	reg := prometheus.NewRegistry()
	lc, err := opensearch.NewLifecycle(s, opensearch.LifecycleOptions{
		Mode:       opensearch.LifecycleISM,
		Rollover:   retention.Rollover{MaxAge: 30 * retention.Day, MaxDocs: 2},
		Day:        20 * time.Second,
		Logger:     slog.New(slog.DiscardHandler),
		Registerer: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	alias := prefix + "-events-acme-cms"
	first, second := alias+"-000001", alias+"-000002"

	// Configured before its first event: the series' first index is
	// managed by the series' policy from birth, through its ISM template.
	_, cfg := configureRetention(t, s, "acme", "CMS", &audit.Retention{Value: 3, Unit: audit.Days})
	if err := lc.Reconcile(ctx, cfg); err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	desc, version := policyOf(t, base, alias)
	if !strings.Contains(desc, "kept 3 DAYS") {
		t.Errorf("policy description %q does not state the retention", desc)
	}
	at := time.Now().UTC().Truncate(time.Millisecond)
	writeEvents(t, s, event("acme", "CMS", "old-1", at), event("acme", "CMS", "old-2", at))
	waitFor(t, time.Minute, first+" managed by "+alias, func() (bool, string) {
		e := explainIndex(t, base, first)
		return e["index.plugins.index_state_management.policy_id"] == alias, fmt.Sprint(e)
	})

	// Reconciling again changes nothing.
	written, changed := counter(t, reg, "auditlog_retention_ism_policies_written_total"), counter(t, reg, "auditlog_retention_ism_policy_changes_total")
	for range 2 {
		if err := lc.Reconcile(ctx, cfg); err != nil {
			t.Fatalf("reconcile again: %v", err)
		}
	}
	if _, v := policyOf(t, base, alias); v != version {
		t.Errorf("reconciling an unchanged retention rewrote the policy: version %s → %s", version, v)
	}
	if w, c := counter(t, reg, "auditlog_retention_ism_policies_written_total"), counter(t, reg, "auditlog_retention_ism_policy_changes_total"); w != written || c != changed {
		t.Errorf("reconciling an unchanged retention wrote %v policies and moved %v indices", w-written, c-changed)
	}

	// A shorter retention: the policy changes, and the existing index
	// follows its new version (ISM switches on its next run; the periodic
	// reconciliation catches an index ISM had not initialised yet).
	old, cfg := configureRetention(t, s, "acme", "CMS", &audit.Retention{Value: 1, Unit: audit.Days})
	lc.OnConfigured(ctx, old, cfg)
	desc, newVersion := policyOf(t, base, alias)
	if !strings.Contains(desc, "kept 1 DAYS") || newVersion == version {
		t.Fatalf("after the retention change the policy is %q (version %s, was %s)", desc, newVersion, version)
	}
	// Reconciling every two seconds meanwhile must not hold ISM up: an
	// index already moving is not asked to move again (each call would
	// reschedule its ISM job).
	changed = counter(t, reg, "auditlog_retention_ism_policy_changes_total")
	waitFor(t, 4*time.Minute, first+" on the new policy version", func() (bool, string) {
		if err := lc.Reconcile(ctx, cfg); err != nil {
			t.Fatalf("reconcile: %v", err)
		}
		e := explainIndex(t, base, first)
		if e == nil {
			return true, "deleted" // it can only have gone by the new version's age
		}
		return fmt.Sprint(e["policy_seq_no"], "/", e["policy_primary_term"]) == newVersion, fmt.Sprint(e)
	})
	names, _ := indicesOf(t, base, alias)
	if moved := counter(t, reg, "auditlog_retention_ism_policy_changes_total") - changed; moved > float64(len(names)) {
		t.Errorf("reconciling every 2 s moved indices %v times; the series has %d indices, each to be moved once", moved, len(names))
	}

	// ISM rolls the full index over; the new index is managed from birth.
	waitFor(t, 4*time.Minute, "ISM to roll "+alias+" over", func() (bool, string) {
		names, write := indicesOf(t, base, alias)
		return write == second, fmt.Sprint(names, " write ", write, " ", explainIndex(t, base, first))
	})
	waitFor(t, time.Minute, second+" managed by "+alias, func() (bool, string) {
		e := explainIndex(t, base, second)
		return e["index.plugins.index_state_management.policy_id"] == alias, fmt.Sprint(e)
	})
	writeEvents(t, s, event("acme", "CMS", "fresh-1", time.Now().UTC().Truncate(time.Millisecond)))

	// One (20-second) day plus a day of clock skew after the rollover,
	// ISM deletes the old index; the fresh index and its event stay.
	waitFor(t, 6*time.Minute, "ISM to delete "+first, func() (bool, string) {
		e := explainIndex(t, base, first)
		return e == nil, fmt.Sprint(e)
	})
	if _, err := s.GetEvent(ctx, "acme", "fresh-1", nil); err != nil {
		t.Errorf("event of the fresh index after the old one was deleted: %v", err)
	}
	if _, err := s.GetEvent(ctx, "acme", "old-1", nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("event of the deleted index: %v, want ErrNotFound", err)
	}
	view, err := s.ManagedIndices(ctx, "acme", "CMS", cfg.Criteria.Retention)
	if err != nil {
		t.Fatal(err)
	}
	if len(view) == 0 || view[0].Name != second || view[0].ManagedBy != retention.ManagerISM || view[0].Policy != alias {
		t.Errorf("operator view after the deletion: %+v, want %s first, managed by ISM policy %s", view, second, alias)
	}
}

// TestISMDefaultPolicyAndSeriesDiscovery: a lifecycle run gives every event
// index a policy: the default one (rollover only) matches new series from
// birth, and each series found gets a policy of its own with the
// component's retention, or none.
func TestISMDefaultPolicyAndSeriesDiscovery(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	requireISM(t, base)
	ctx := context.Background()
	fastISM(t, base)
	lc, err := opensearch.NewLifecycle(s, opensearch.LifecycleOptions{Mode: opensearch.LifecycleISM, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	week := audit.Retention{Value: 1, Unit: audit.Weeks}
	configureRetention(t, s, "acme", "KMS", &week)
	if err := lc.Tick(ctx); err != nil {
		t.Fatalf("lifecycle run: %v", err)
	}
	if desc, _ := policyOf(t, base, prefix+"-events"); !strings.Contains(desc, "kept forever") {
		t.Errorf("default policy: %q", desc)
	}
	at := time.Now().UTC().Truncate(time.Millisecond)
	writeEvents(t, s, event("acme", "SET", "s1", at), event("acme", "KMS", "k1", at))
	waitFor(t, time.Minute, "the default policy on a new series", func() (bool, string) {
		e := explainIndex(t, base, prefix+"-events-acme-set-000001")
		return e["index.plugins.index_state_management.policy_id"] == prefix+"-events", fmt.Sprint(e)
	})
	if err := lc.Tick(ctx); err != nil {
		t.Fatalf("lifecycle run: %v", err)
	}
	for alias, want := range map[string]string{prefix + "-events-acme-set": "kept forever", prefix + "-events-acme-kms": "kept 1 WEEKS"} {
		if desc, _ := policyOf(t, base, alias); !strings.Contains(desc, want) {
			t.Errorf("policy of %s: %q, want %q", alias, desc, want)
		}
		waitFor(t, 4*time.Minute, alias+" on its own policy", func() (bool, string) {
			e := explainIndex(t, base, alias+"-000001")
			return e["index.plugins.index_state_management.policy_id"] == alias, fmt.Sprint(e)
		})
	}
}

// TestISMLengtheningRescuesAnIndex: once ISM has set out to delete an index
// whose (scaled) day of retention has passed, lengthening the retention
// keeps it: the lifecycle puts it back on the series' policy, in the hot
// state, and ISM, instead of deleting it, runs the new version; its events
// stay. An index the new retention does not keep would be left to ISM.
func TestISMLengtheningRescuesAnIndex(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	requireISM(t, base)
	ctx := context.Background()
	fastISM(t, base)
	const day = 20 * time.Second
	lc, err := opensearch.NewLifecycle(s, opensearch.LifecycleOptions{
		Mode:     opensearch.LifecycleISM,
		Rollover: retention.Rollover{MaxAge: 30 * retention.Day, MaxDocs: 2},
		Day:      day,
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	alias := prefix + "-events-acme-cms"
	first := alias + "-000001"
	_, cfg := configureRetention(t, s, "acme", "CMS", &audit.Retention{Value: 1, Unit: audit.Days})
	if err := lc.Reconcile(ctx, cfg); err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	at := time.Now().UTC().Truncate(time.Millisecond)
	writeEvents(t, s, event("acme", "CMS", "old-1", at), event("acme", "CMS", "old-2", at))
	// Rolled over, then, a (scaled) day and its clock skew later, ISM's
	// decision: the index moves to the delete state at its next run.
	waitFor(t, 5*time.Minute, "ISM to set out to delete "+first, func() (bool, string) {
		e := explainIndex(t, base, first)
		if e == nil {
			t.Fatalf("%s deleted before the test could rescue it", first)
		}
		return e["transition_to"] == retention.StateDelete, fmt.Sprint(e)
	})
	old, cfg := configureRetention(t, s, "acme", "CMS", &audit.Retention{Value: 30, Unit: audit.Days})
	lc.OnConfigured(ctx, old, cfg)
	_, version := policyOf(t, base, alias)
	waitFor(t, 3*time.Minute, first+" in hot on the new policy version", func() (bool, string) {
		e := explainIndex(t, base, first)
		if e == nil {
			t.Fatalf("%s deleted although the new retention keeps it", first)
		}
		state, _ := e["state"].(map[string]any)
		return fmt.Sprint(e["policy_seq_no"], "/", e["policy_primary_term"]) == version && state["name"] == retention.StateHot, fmt.Sprint(e)
	})
	if _, err := s.GetEvent(ctx, "acme", "old-1", nil); err != nil {
		t.Errorf("event of the rescued index: %v", err)
	}
	view, err := lc.ManagedIndices(ctx, "acme", "CMS", cfg.Criteria.Retention)
	if err != nil {
		t.Fatal(err)
	}
	if len(view) == 0 || view[0].Name != first || view[0].State != retention.StateHot || view[0].DeleteAt == nil ||
		!view[0].DeleteAt.Equal(view[0].RolledOverAt.Add(retention.DeleteAfter(*cfg.Criteria.Retention, day))) {
		t.Errorf("operator view after the rescue: %+v; want %s first, hot, deleted 31 (scaled) days after its rollover", view, first)
	}
}
