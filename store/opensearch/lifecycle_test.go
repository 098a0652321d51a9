package opensearch_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/retention"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
)

// testClock is a settable "now" for the lifecycle's expiry decisions; the
// cluster's own clock still decides creation and rollover times.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

// serviceLifecycle returns a service-managed lifecycle over s that rolls a
// write index over once it holds maxDocs events.
func serviceLifecycle(t *testing.T, s *opensearch.Store, clock *testClock, maxDocs int64) (*opensearch.Lifecycle, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	lc, err := opensearch.NewLifecycle(s, opensearch.LifecycleOptions{
		Mode:       opensearch.LifecycleService,
		Rollover:   retention.Rollover{MaxAge: 30 * retention.Day, MaxDocs: maxDocs},
		Clock:      clock.Now,
		Logger:     slog.New(slog.DiscardHandler),
		Registerer: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	return lc, reg
}

func configureRetention(t *testing.T, s store.ComponentStore, tenant, component string, r *audit.Retention) (old, saved audit.ComponentConfig) {
	t.Helper()
	ctx := context.Background()
	old, err := s.GetComponentConfig(ctx, tenant, component)
	if errors.Is(err, store.ErrNotFound) {
		old = audit.DefaultConfig(tenant, component)
	} else if err != nil {
		t.Fatal(err)
	}
	cfg := old
	cfg.Criteria.Retention = r
	cfg.UpdatedAt = time.Now().UTC()
	saved, err = s.PutComponentConfig(ctx, cfg, old.Version)
	if err != nil {
		t.Fatalf("configure %s/%s: %v", tenant, component, err)
	}
	return old, saved
}

func writeEvents(t *testing.T, s *opensearch.Store, events ...audit.Event) {
	t.Helper()
	ctx := context.Background()
	res, err := s.WriteEvents(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil || r.Duplicate {
			t.Fatalf("write event %d: %+v", i, r)
		}
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
}

// indicesOf returns the indices holding the series alias, and which of
// them is the write index, as the cluster reports them.
func indicesOf(t *testing.T, base, alias string) ([]string, string) {
	t.Helper()
	code, body := rest(t, http.MethodGet, base+"/_alias/"+alias, nil)
	if code == http.StatusNotFound {
		return nil, ""
	}
	if code != http.StatusOK {
		t.Fatalf("GET _alias/%s: HTTP %d %v", alias, code, body)
	}
	var names []string
	write := ""
	for name, v := range body {
		names = append(names, name)
		a := v.(map[string]any)["aliases"].(map[string]any)[alias].(map[string]any)
		if a["is_write_index"] == true {
			write = name
		}
	}
	sort.Strings(names)
	return names, write
}

func tick(t *testing.T, lc *opensearch.Lifecycle) {
	t.Helper()
	if err := lc.Tick(context.Background()); err != nil {
		t.Fatalf("lifecycle run: %v", err)
	}
}

// TestServiceLifecycleRollsOverAndDeletesExpiredIndices is the retention
// scenario on a cluster without ISM, with real rollovers and deletions on
// the node: the write index is rolled over once full, the old index is kept
// until retention has passed for the newest event it can hold, then
// deleted, while the fresh index and its events stay; the write index is
// never deleted, however far the clock runs.
func TestServiceLifecycleRollsOverAndDeletesExpiredIndices(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	ctx := context.Background()
	clock := &testClock{now: time.Now()}
	lc, reg := serviceLifecycle(t, s, clock, 3)
	if lc.Mode() != opensearch.LifecycleService {
		t.Fatalf("mode = %s, want service", lc.Mode())
	}
	twoDays := audit.Retention{Value: 2, Unit: audit.Days}
	configureRetention(t, s, "acme", "CMS", &twoDays)
	alias := prefix + "-events-acme-cms"
	first, second := alias+"-000001", alias+"-000002"

	at := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	writeEvents(t, s, event("acme", "CMS", "old-1", at), event("acme", "CMS", "old-2", at), event("acme", "CMS", "old-3", at))
	tick(t, lc)
	names, write := indicesOf(t, base, alias)
	if fmt.Sprint(names) != fmt.Sprint([]string{first, second}) || write != second {
		t.Fatalf("after a run with a full write index: indices %v, write index %q; want [%s %s], %s", names, write, first, second, second)
	}
	writeEvents(t, s, event("acme", "CMS", "fresh-1", at), event("acme", "CMS", "fresh-2", at))

	// A second run changes nothing: the new write index is not full and
	// nothing has expired.
	tick(t, lc)
	if names, _ := indicesOf(t, base, alias); len(names) != 2 {
		t.Fatalf("second run changed the series: %v", names)
	}

	// The operator's view: the old index with its rollover time, events and
	// deletion date; the write index, kept.
	view, err := lc.ManagedIndices(ctx, "acme", "CMS", &twoDays)
	if err != nil {
		t.Fatal(err)
	}
	if len(view) != 2 || view[0].Name != first || view[1].Name != second {
		t.Fatalf("ManagedIndices = %+v, want %s then %s", view, first, second)
	}
	old, fresh := view[0], view[1]
	if old.WriteIndex || old.RolledOverAt == nil || old.Docs != 3 || old.DeleteAt == nil || old.CreatedAt.IsZero() {
		t.Fatalf("old index view %+v: want rolled over, 3 events, a deletion date", old)
	}
	if !fresh.WriteIndex || fresh.RolledOverAt != nil || fresh.DeleteAt != nil || fresh.Docs != 2 {
		t.Errorf("write index view %+v: want the write index, 2 events, no deletion date", fresh)
	}
	if old.ManagedBy != retention.ManagerAuditlog || fresh.ManagedBy != retention.ManagerAuditlog {
		t.Errorf("indices managed by %s and %s, want %s", old.ManagedBy, fresh.ManagedBy, retention.ManagerAuditlog)
	}
	// Retention counts from occurrence; the index may hold events that
	// claimed to occur up to a day after its rollover, so it goes three
	// days after the rollover.
	if want := old.RolledOverAt.Add(audit.MaxClockSkew).AddDate(0, 0, 2); old.DeleteAt.Before(want) || old.DeleteAt.After(want.Add(time.Millisecond)) {
		t.Errorf("old index deletes at %s, want %s", old.DeleteAt, want)
	}

	// Just before that instant it stays; at it, the next run deletes it.
	clock.now = old.DeleteAt.Add(-time.Millisecond)
	tick(t, lc)
	if names, _ := indicesOf(t, base, alias); len(names) != 2 {
		t.Fatalf("index deleted before its events expired: %v", names)
	}
	clock.now = *old.DeleteAt
	tick(t, lc)
	names, write = indicesOf(t, base, alias)
	if fmt.Sprint(names) != fmt.Sprint([]string{second}) || write != second {
		t.Fatalf("after expiry: indices %v (write %q), want only %s", names, write, second)
	}
	if code, _ := rest(t, http.MethodGet, base+"/"+first, nil); code != http.StatusNotFound {
		t.Errorf("GET %s after expiry: HTTP %d, want 404", first, code)
	}
	for _, id := range []string{"fresh-1", "fresh-2"} {
		if _, err := s.GetEvent(ctx, "acme", id, nil); err != nil {
			t.Errorf("event %s of the fresh index: %v", id, err)
		}
	}
	if _, err := s.GetEvent(ctx, "acme", "old-1", nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("event old-1 of the deleted index: %v, want ErrNotFound", err)
	}
	page, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10})
	if err != nil || page.Total != 2 {
		t.Errorf("search after expiry: total %d, %v; want 2", page.Total, err)
	}

	// The write index is never deleted, whatever the clock says.
	clock.now = clock.now.AddDate(10, 0, 0)
	tick(t, lc)
	if names, write := indicesOf(t, base, alias); fmt.Sprint(names) != fmt.Sprint([]string{second}) || write != second {
		t.Fatalf("ten years on: indices %v (write %q), want %s kept", names, write, second)
	}

	if got := counter(t, reg, "auditlog_retention_rollovers_total"); got != 1 {
		t.Errorf("rollovers counted: %v, want 1", got)
	}
	if got := counter(t, reg, "auditlog_retention_indices_deleted_total"); got != 1 {
		t.Errorf("deleted indices counted: %v, want 1", got)
	}
}

// TestServiceLifecycleFollowsRetentionChanges: shortening a component's
// retention applies to its existing indices at once (through OnConfigured,
// as configureComponent calls it); other series, including one whose names
// extend this one's, keep their own retention.
func TestServiceLifecycleFollowsRetentionChanges(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	clock := &testClock{now: time.Now()}
	lc, _ := serviceLifecycle(t, s, clock, 1)
	month := audit.Retention{Value: 30, Unit: audit.Days}
	configureRetention(t, s, "acme", "CMS", &month)
	configureRetention(t, s, "acme", "KMS", &month)
	// Tenant "acme-cms" has series names under acme's CMS pattern.
	at := time.Now().UTC().Truncate(time.Millisecond)
	writeEvents(t, s, event("acme", "CMS", "c1", at), event("acme", "KMS", "k1", at), event("acme-cms", "X", "x1", at))
	tick(t, lc) // one event each: every series rolls over
	for _, alias := range []string{prefix + "-events-acme-cms", prefix + "-events-acme-kms", prefix + "-events-acme-cms-x"} {
		if names, _ := indicesOf(t, base, alias); len(names) != 2 {
			t.Fatalf("series %s after the first run: %v, want rolled over", alias, names)
		}
	}

	clock.now = time.Now().AddDate(0, 0, 5)
	tick(t, lc)
	if names, _ := indicesOf(t, base, prefix+"-events-acme-cms"); len(names) != 2 {
		t.Fatalf("30-day retention deleted an index after 5 days: %v", names)
	}

	twoDays := audit.Retention{Value: 2, Unit: audit.Days}
	old, saved := configureRetention(t, s, "acme", "CMS", &twoDays)
	lc.OnConfigured(context.Background(), old, saved)
	if names, _ := indicesOf(t, base, prefix+"-events-acme-cms"); fmt.Sprint(names) != fmt.Sprint([]string{prefix + "-events-acme-cms-000002"}) {
		t.Errorf("after shortening the retention to 2 days: CMS indices %v, want only the write index", names)
	}
	for _, alias := range []string{prefix + "-events-acme-kms", prefix + "-events-acme-cms-x"} {
		if names, _ := indicesOf(t, base, alias); len(names) != 2 {
			t.Errorf("series %s lost an index to CMS's retention change: %v", alias, names)
		}
	}
	// A run ten years on: KMS (30 days) goes, acme-cms/X (never configured:
	// kept forever) stays.
	clock.now = time.Now().AddDate(10, 0, 0)
	tick(t, lc)
	if names, _ := indicesOf(t, base, prefix+"-events-acme-kms"); len(names) != 1 {
		t.Errorf("KMS after its retention: %v, want only the write index", names)
	}
	if names, _ := indicesOf(t, base, prefix+"-events-acme-cms-x"); len(names) != 2 {
		t.Errorf("acme-cms/X has no retention but lost an index: %v", names)
	}
}

// TestLifecycleModeChoice: auto picks ISM exactly when the cluster has it;
// asking for ISM on a cluster without it is an error, not a silent fallback.
func TestLifecycleModeChoice(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	lc, err := opensearch.NewLifecycle(s, opensearch.LifecycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := opensearch.LifecycleService
	if s.HasISM() {
		want = opensearch.LifecycleISM
	}
	if lc.Mode() != want {
		t.Errorf("auto mode = %s on a cluster with ISM %v, want %s", lc.Mode(), s.HasISM(), want)
	}
	_, err = opensearch.NewLifecycle(s, opensearch.LifecycleOptions{Mode: opensearch.LifecycleISM})
	if s.HasISM() != (err == nil) {
		t.Errorf("mode ism on a cluster with ISM %v: error %v", s.HasISM(), err)
	}
	if _, err := opensearch.NewLifecycle(s, opensearch.LifecycleOptions{Mode: "sometimes"}); err == nil {
		t.Error("unknown mode accepted")
	}
}

// counter reads a counter from what reg would serve on /metrics.
func counter(t testing.TB, reg prometheus.Gatherer, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}
