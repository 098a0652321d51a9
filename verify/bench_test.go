package verify_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/checkpointer"
	"github.com/auditlog/auditlog/eventgen"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/verify"
)

// BenchmarkVerifyVsExport compares verifying a tenant's whole log with
// exporting it as CSV: the same events, read once each way, on the
// embedded store and, when a node is available (OPENSEARCH_URL), on
// OpenSearch. AUDITLOG_BENCH_EVENTS sets how many (default 20,000); the
// issue's figure is for 1,000,000:
//
//	AUDITLOG_BENCH_EVENTS=1000000 go test ./verify -run - -bench VerifyVsExport/SQLite -benchtime 1x
func BenchmarkVerifyVsExport(b *testing.B) {
	n := 20_000
	if v := os.Getenv("AUDITLOG_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("SQLite", func(b *testing.B) {
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "audit.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		benchmarkVerifyVsExport(b, st, n)
	})
	b.Run("OpenSearch", func(b *testing.B) {
		url := opensearchtest.URL(b)
		st, err := opensearch.New(context.Background(), opensearch.Config{URLs: []string{url}, Prefix: opensearchtest.Prefix(b, url)})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		benchmarkVerifyVsExport(b, st, n)
	})
}

func benchmarkVerifyVsExport(b *testing.B, st store.Store, n int) {
	ctx := context.Background()
	cat, err := catalog.Load()
	if err != nil {
		b.Fatal(err)
	}
	// Ingested 6,000 a minute, the rate of a busy tenant: windows of 6,000.
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	gen := eventgen.New(cat, 1, eventgen.Options{Tenant: "bench"})
	batch := make([]audit.Event, 0, 1000)
	for i := range n {
		e := gen.Next()
		e.IngestedAt = base.Add(time.Duration(i) * 10 * time.Millisecond)
		batch = append(batch, e)
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := st.WriteEvents(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	seed, _ := checkpoint.GenerateSeed()
	keys, err := checkpoint.ParseKeyring(seed)
	if err != nil {
		b.Fatal(err)
	}
	end := base.Add(time.Duration(n) * 10 * time.Millisecond)
	clock := func() time.Time { return end.Add(checkpointer.DefaultMargin + 2*time.Minute) }
	if r, ok := st.(store.Refresher); ok {
		if err := r.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	if _, err := checkpointer.New(st, keys, checkpointer.Options{Clock: clock}).RunOnce(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d events checkpointed in %s", n, time.Since(start).Round(time.Millisecond))

	var verifyRate, exportRate float64
	b.Run("verify", func(b *testing.B) {
		v := verify.New(st, keys, nil)
		for b.Loop() {
			t0 := time.Now()
			sum, err := v.Verify(ctx, "bench", checkpointer.Epoch(), clock(), func(verify.Window) error { return nil })
			if err != nil || !sum.OK() || sum.Events != int64(n) {
				b.Fatalf("verify: %+v, %v", sum, err)
			}
			verifyRate = float64(n) / time.Since(t0).Seconds()
		}
		b.ReportMetric(verifyRate, "events/s")
	})
	b.Run("export", func(b *testing.B) {
		for b.Loop() {
			t0 := time.Now()
			rows, err := export.Write(ctx, io.Discard, st, audit.Query{Tenant: "bench"}, nil)
			if err != nil || rows != int64(n) {
				b.Fatalf("export: %d rows, %v", rows, err)
			}
			exportRate = float64(n) / time.Since(t0).Seconds()
		}
		b.ReportMetric(exportRate, "events/s")
	})
	if verifyRate > 0 && exportRate > 0 {
		b.Logf("verify %.0f events/s, export %.0f events/s: verify/export = %.2f", verifyRate, exportRate, verifyRate/exportRate)
	}
}
