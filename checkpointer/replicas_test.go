package checkpointer_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/checkpointer"
	"github.com/auditlog/auditlog/indexer"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/verify"
)

// ingestFor is how long the replicas ingest: many one-second windows,
// each closed while later ones are being written.
const ingestFor = 15 * time.Second

func TestReplicasUnderIngestSQLite(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// One file, one process: the replicas share the store.
	runReplicas(t, func() store.Store { return st })
}

func TestReplicasUnderIngestOpenSearch(t *testing.T) {
	url := opensearchtest.URL(t)
	prefix := opensearchtest.Prefix(t, url)
	runReplicas(t, func() store.Store {
		st, err := opensearch.New(context.Background(), opensearch.Config{URLs: []string{url}, Prefix: prefix,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}

// runReplicas runs two replicas, each with its own store client, indexer
// and checkpointer (one-second windows, a margin beyond the indexer's write
// timeout), ingesting for ingestFor; then lets the last windows close. The checkpoints form one
// chain holding every event once, and the log verifies intact.
func runReplicas(t *testing.T, open func() store.Store) {
	seed, err := checkpoint.GenerateSeed()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := checkpoint.ParseKeyring(seed)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	const writeTimeout = 5 * time.Second
	opts := checkpointer.Options{Interval: time.Second, Margin: writeTimeout + 2*time.Second, Logger: log}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var stores []store.Store
	var ixs []*indexer.Indexer
	var loops sync.WaitGroup
	for range 2 {
		st := open()
		stores = append(stores, st)
		ix := indexer.New(st, capture.NewService(st, cat, capture.Options{Logger: log}),
			indexer.Options{Logger: log, Writers: 2, WriteTimeout: writeTimeout})
		ixs = append(ixs, ix)
		cp := checkpointer.New(st, keys, opts)
		loops.Add(1)
		go func() { defer loops.Done(); cp.Run(ctx) }()
	}

	p := audit.Principal{Tenant: "acme", Role: audit.RoleEmitter}
	var ingested atomic.Int64
	// The first event of a series creates its indices on OpenSearch, which
	// can take longer than the write timeout on a busy node: not measured.
	for _, ix := range ixs {
		for _, c := range []string{"KMS", "CMS"} {
			warm := audit.Event{ComponentID: c, EventType: "ARTICLE_PUBLISHED", Status: audit.StatusSuccess,
				OccurredAt: time.Now(), ActionUser: audit.User{Type: audit.UserBot, ID: "bot"}}
			for r := ix.Ingest(ctx, p, []audit.Event{warm}); r[0].Err != nil; r = ix.Ingest(ctx, p, []audit.Event{warm}) {
				t.Logf("warming up: %v", r[0].Err)
			}
			ingested.Add(1)
		}
	}
	var writers sync.WaitGroup
	stop := time.Now().Add(ingestFor)
	for w := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := 0; time.Now().Before(stop); i++ {
				batch := make([]audit.Event, 20)
				for j := range batch {
					batch[j] = audit.Event{
						ID: fmt.Sprintf("w%d-%d-%d", w, i, j), ComponentID: []string{"KMS", "CMS"}[j%2], EventType: "ARTICLE_PUBLISHED",
						Status: audit.StatusSuccess, OccurredAt: time.Now(), ActionUser: audit.User{Type: audit.UserBot, ID: "bot"},
					}
				}
				for _, r := range ixs[w%2].Ingest(ctx, p, batch) {
					if r.Err != nil {
						t.Errorf("ingest: %v", r.Err)
						return
					}
					if r.Captured && !r.Duplicate {
						ingested.Add(1)
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	writers.Wait()
	last := time.Now()
	for _, ix := range ixs {
		if err := ix.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Every window holding an event closes Margin after its end.
	deadline := last.Add(opts.Margin + 2*opts.Interval)
	time.Sleep(time.Until(deadline) + 1500*time.Millisecond)
	cancel()
	loops.Wait()

	if r, ok := stores[0].(store.Refresher); ok {
		if err := r.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var committed int64
	var windows []verify.Window
	sum, err := verify.New(stores[0], keys, nil).Verify(context.Background(), "acme", checkpointer.Epoch(), time.Now(), func(w verify.Window) error {
		committed += w.Committed
		windows = append(windows, w)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range windows {
		if w.Status != verify.Intact {
			t.Errorf("window %s #%d [%s, %s): %s %+v", w.ComponentID, w.Seq, w.Start, w.End, w.Status, w.Problems)
		}
	}
	if n := ingested.Load(); n < 200 || sum.Windows < 4 || committed != n || sum.Events != n {
		t.Errorf("%d events ingested, %d committed, %d verified (summary %+v)", n, committed, sum.Events, sum)
	}
	t.Logf("%d events in %d checkpoints by two replicas", committed, sum.Windows)
}
