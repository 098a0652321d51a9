package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
	"github.com/auditlog/auditlog/store/sqlite"
)

func retentionFlagsOf(t *testing.T, args ...string) *retentionFlags {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var rf retentionFlags
	rf.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if err := envFallbacks(fs, retentionEnv); err != nil {
		t.Fatal(err)
	}
	return &rf
}

// TestServeSweepsTheEmbeddedStore: on the embedded store, serve's retention
// job deletes expired events at start-up, and stops before the store closes.
func TestServeSweepsTheEmbeddedStore(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "auditlog.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := audit.DefaultConfig("acme", "CMS")
	cfg.Criteria.Retention = &audit.Retention{Value: 7, Unit: audit.Days}
	if _, err := st.PutComponentConfig(ctx, cfg, 0); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	mk := func(id string, at time.Time) audit.Event {
		return audit.Event{ID: id, Tenant: "acme", ComponentID: "CMS", EventType: "CREATE_USER_GROUP", Priority: audit.PriorityMedium,
			Status: audit.StatusSuccess, ActionUser: audit.User{Type: audit.UserSystem, Name: "sync"}, OccurredAt: at, IngestedAt: now}
	}
	if _, err := st.WriteEvents(ctx, []audit.Event{mk("expired", now.AddDate(0, 0, -8)), mk("kept", now.AddDate(0, 0, -6))}); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	jobs, err := retentionFlagsOf(t).start(ctx, st, slog.New(slog.NewTextHandler(&logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if jobs.indices != nil {
		t.Errorf("the embedded store shows indices: %v", jobs.indices)
	}
	// The first sweep runs at once, in the background.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := st.GetEvent(ctx, "acme", "expired", nil)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("expired event still stored (GetEvent: %v); logs:\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	jobs.stop()
	if _, err := st.GetEvent(ctx, "acme", "kept", nil); err != nil {
		t.Errorf("event within retention: %v", err)
	}
	if !strings.Contains(logs.String(), "deleted expired events") {
		t.Errorf("the sweep logged no progress:\n%s", logs.String())
	}
}

// TestServeLifecycleFlag: on OpenSearch, --lifecycle (or AUDITLOG_LIFECYCLE)
// picks the mode; ism on a cluster without ISM is an error naming the
// flag; off runs nothing but still shows the indices.
func TestServeLifecycleFlag(t *testing.T) {
	base := opensearchtest.URL(t)
	prefix := opensearchtest.Prefix(t, base)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	st, err := opensearch.New(ctx, opensearch.Config{URLs: []string{base}, Prefix: prefix, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	jobs, err := retentionFlagsOf(t, "--lifecycle", "service").start(ctx, st, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lc, ok := jobs.indices.(*opensearch.Lifecycle); !ok || lc.Mode() != opensearch.LifecycleService {
		t.Errorf("--lifecycle service: indices from %T, want a service-mode *opensearch.Lifecycle", jobs.indices)
	}
	jobs.stop()

	t.Setenv("AUDITLOG_LIFECYCLE", "ism")
	jobs, err = retentionFlagsOf(t).start(ctx, st, log, nil)
	switch {
	case st.HasISM() && err != nil:
		t.Errorf("AUDITLOG_LIFECYCLE=ism on a cluster with ISM: %v", err)
	case st.HasISM():
		jobs.stop()
	case err == nil || !strings.Contains(err.Error(), "--lifecycle"):
		t.Errorf("AUDITLOG_LIFECYCLE=ism on a cluster without ISM: error %v, want one naming --lifecycle", err)
	}

	jobs, err = retentionFlagsOf(t, "--lifecycle", "off").start(ctx, st, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := jobs.indices.(*opensearch.Store); !ok {
		t.Errorf("--lifecycle off: indices from %T, want the store", jobs.indices)
	}
	jobs.stop()
}
