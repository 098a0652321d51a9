package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/sqlite"
)

func openSQLite(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "auditlog.db"),
		sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func configure(t testing.TB, st store.ComponentStore, tenant, component string, r *audit.Retention) {
	t.Helper()
	ctx := context.Background()
	cfg := audit.DefaultConfig(tenant, component)
	expected := int64(0)
	if old, err := st.GetComponentConfig(ctx, tenant, component); err == nil {
		expected = old.Version
	} else if !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	cfg.Criteria.Retention = r
	cfg.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
	if _, err := st.PutComponentConfig(ctx, cfg, expected); err != nil {
		t.Fatalf("configure %s/%s: %v", tenant, component, err)
	}
}

func sweepEvent(tenant, component, id string, at time.Time) audit.Event {
	return audit.Event{
		ID: id, Tenant: tenant, ComponentID: component, EventType: "USER_LOGIN", EventTypeName: "User login",
		Description: "Ada logged in", Priority: audit.PriorityLow, Status: audit.StatusSuccess,
		ActionUser: audit.User{Type: audit.UserDashboard, ID: "u1", Name: "Ada", Email: "ada@example.com"},
		OccurredAt: at, IngestedAt: at,
	}
}

// TestSweeperDeletesExactlyTheExpiredEvents: one sweep deletes, in batches,
// the events of every tenant's components that are past their own
// retention, and keeps everything else: events at or after the cutoff,
// components without retention, and the same component of a tenant that
// configured no retention. Progress shows in logs and metrics.
func TestSweeperDeletesExactlyTheExpiredEvents(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	month := audit.Retention{Value: 1, Unit: audit.Months}
	week := audit.Retention{Value: 2, Unit: audit.Weeks}
	configure(t, st, "acme", "CMS", &month)
	configure(t, st, "acme", "KMS", &week)
	configure(t, st, "acme", "SET", nil)
	configure(t, st, "globex", "KMS", &month)
	// globex CMS: never configured, kept forever.

	var events []audit.Event
	expired := map[string]bool{}
	add := func(tenant, component string, at time.Time, isExpired bool) {
		id := fmt.Sprintf("%s-%s-%03d", tenant, strings.ToLower(component), len(events))
		events = append(events, sweepEvent(tenant, component, id, at))
		if isExpired {
			expired[tenant+"/"+id] = true
		}
	}
	cmsCutoff, kmsCutoff := month.Cutoff(now), week.Cutoff(now) // 2025-05-15 12:00, 2025-06-01 12:00
	for i := range 23 {
		back := time.Duration(i+1) * 13 * time.Hour
		add("acme", "CMS", cmsCutoff.Add(-back), true)
		add("acme", "CMS", cmsCutoff.Add(back), false)
		add("acme", "KMS", kmsCutoff.Add(-back), true)
		add("acme", "SET", cmsCutoff.Add(-back*10), false)
		add("globex", "CMS", cmsCutoff.Add(-back*10), false)
		add("globex", "KMS", cmsCutoff.Add(-back), true)
	}
	add("acme", "CMS", cmsCutoff, false) // exactly at the cutoff: not yet expired
	add("acme", "KMS", kmsCutoff.Add(-time.Millisecond), true)
	res, err := st.WriteEvents(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil || r.Duplicate {
			t.Fatalf("write event %d: %+v", i, r)
		}
	}

	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	sw, err := sqlite.NewSweeper(st, st, sqlite.SweeperOptions{
		Batch: 5, Pause: -1, Clock: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), Registerer: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := sw.Sweep(ctx)
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if n != len(expired) {
		t.Errorf("sweep deleted %d events, want %d", n, len(expired))
	}
	for _, tenant := range []string{"acme", "globex"} {
		var got, want []string
		for _, e := range events {
			if e.Tenant == tenant && !expired[tenant+"/"+e.ID] {
				want = append(want, e.ID)
			}
		}
		err := st.ScanEvents(ctx, audit.Query{Tenant: tenant, Limit: 100}, func(e audit.Event) error {
			got = append(got, e.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("tenant %s after the sweep holds\n  %v\nwant\n  %v", tenant, got, want)
		}
	}

	if got := counter(t, reg, "auditlog_retention_events_deleted_total"); got != float64(len(expired)) {
		t.Errorf("auditlog_retention_events_deleted_total = %v, want %d", got, len(expired))
	}
	if got := counter(t, reg, "auditlog_retention_runs_total", "job", "sweep", "result", "ok"); got != 1 {
		t.Errorf("auditlog_retention_runs_total{job=sweep,result=ok} = %v, want 1", got)
	}
	for _, want := range []string{"tenant=acme component=CMS", "deleted=23", "tenant=acme component=KMS", "deleted=24", "tenant=globex component=KMS"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("sweep logs lack %q:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "component=SET") || strings.Contains(logs.String(), "tenant=globex component=CMS") {
		t.Errorf("sweep logs report deletions of components without retention:\n%s", logs.String())
	}

	// A second sweep finds nothing more to delete.
	if n, err := sw.Sweep(ctx); err != nil || n != 0 {
		t.Errorf("second sweep = %d, %v; want 0, nil", n, err)
	}
}

// TestSweeperReportsStoreFailures: a sweep over a closed store fails and
// says so, in its error and in the runs metric.
func TestSweeperReportsStoreFailures(t *testing.T) {
	st := openSQLite(t)
	configure(t, st, "acme", "CMS", &audit.Retention{Value: 1, Unit: audit.Days})
	reg := prometheus.NewRegistry()
	sw, err := sqlite.NewSweeper(st, st, sqlite.SweeperOptions{Logger: slog.New(slog.DiscardHandler), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := sw.Sweep(context.Background()); err == nil {
		t.Fatal("sweep of a closed store succeeded")
	}
	if got := counter(t, reg, "auditlog_retention_runs_total", "job", "sweep", "result", "error"); got != 1 {
		t.Errorf("auditlog_retention_runs_total{job=sweep,result=error} = %v, want 1", got)
	}
}

// counter reads a counter from what reg would serve on /metrics; labels are
// name, value pairs.
func counter(t testing.TB, reg prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// BenchmarkSweepBatch measures one sweeper batch on the embedded store: the
// time a DeleteExpired of DefaultSweepBatch events holds the single writer,
// which is how long an ingest may wait behind the sweeper.
func BenchmarkSweepBatch(b *testing.B) {
	ctx := context.Background()
	st := openSQLite(b)
	cutoff := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	events := make([]audit.Event, sqlite.DefaultSweepBatch)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		for j := range events {
			events[j] = sweepEvent("acme", "CMS", fmt.Sprintf("b%d-%d", i, j), cutoff.Add(-time.Duration(j+1)*time.Minute))
		}
		if _, err := st.WriteEvents(ctx, events); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := st.DeleteExpired(ctx, "acme", "CMS", cutoff, sqlite.DefaultSweepBatch)
		if err != nil || n != len(events) {
			b.Fatalf("DeleteExpired = %d, %v; want %d", n, err, len(events))
		}
	}
}
