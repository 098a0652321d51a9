package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/catalog"
	"github.com/auditlog/auditlog/eventgen"
)

// Generated events occur in the span before dataEnd, a fixed date, so that
// the same seed always gives the same events and the same queries.
var (
	dataEnd  = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	dataSpan = 90 * 24 * time.Hour
)

// Streams of generated events: each (stream, run) has its own seed, so
// every run writes new events and both sides of a run write the same ones.
const (
	streamBatch = iota + 1
	streamSmall
	streamTopUp
	streamEmbedded
)

// bench is one invocation: its settings, temp dir, binary and report.
type bench struct {
	cfg config
	out io.Writer
	tmp string
	bin string
	cat *catalog.Catalog
	rep *report
	// binInfo says which auditlog is measured.
	binInfo string
}

func newBench(ctx context.Context, cfg config, progress io.Writer) (*bench, error) {
	tmp, err := os.MkdirTemp("", "auditbench-")
	if err != nil {
		return nil, fmt.Errorf("create temp dir: %w", err)
	}
	b := &bench{cfg: cfg, out: progress, tmp: tmp, bin: cfg.auditlogBin}
	if b.cat, err = catalog.Load(); err != nil {
		b.close()
		return nil, fmt.Errorf("load activity catalog: %w", err)
	}
	b.binInfo = b.bin
	if b.bin == "" {
		b.progress("building ./cmd/auditlog")
		if b.bin, err = buildAuditlog(ctx, tmp); err != nil {
			b.close()
			return nil, err
		}
		b.binInfo = "built from " + sourceVersion(ctx)
	}
	return b, nil
}

func (b *bench) close() {
	if b.cfg.keep {
		fmt.Fprintf(b.out, "auditbench: kept %s\n", b.tmp)
		return
	}
	os.RemoveAll(b.tmp)
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.out, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// run runs the selected pairs; the report holds what finished even when
// a pair fails.
func (b *bench) run(ctx context.Context) (*report, error) {
	b.rep = newReport(b.cfg)
	b.rep.Machine["auditlog"] = b.binInfo
	var errs []error
	if b.cfg.wantsOpenSearch() {
		if err := b.runOpenSearch(ctx); err != nil {
			errs = append(errs, fmt.Errorf("OpenSearch pairs: %w", err))
		}
	} else if b.cfg.openSearchURL == "" {
		b.rep.Notes = append(b.rep.Notes, "OpenSearch pairs skipped: no --opensearch-url (or OPENSEARCH_URL)")
	}
	if b.cfg.embedded && b.cfg.wants(pairEmbedded) && ctx.Err() == nil {
		if err := b.runEmbedded(ctx); err != nil {
			errs = append(errs, fmt.Errorf("embedded pair: %w", err))
		}
	}
	b.rep.finish()
	return b.rep, errors.Join(errs...)
}

// events returns the n events of run i of a stream.
func (b *bench) events(stream, i, n int) []audit.Event {
	seed := b.cfg.seed<<20 | uint64(stream)<<12 | uint64(i)
	g := eventgen.New(b.cat, seed, eventgen.Options{Now: dataEnd, Span: dataSpan, Tenant: benchTenant})
	out := make([]audit.Event, n)
	for k := range out {
		out[k] = g.Next()
	}
	return out
}

func randomHex(n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on Linux
	}
	return hex.EncodeToString(buf)
}
