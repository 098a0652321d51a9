package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/eventgen"
	"github.com/auditlog/auditlog/indexer"
)

// seedBatch is how many events one Ingest call carries.
const seedBatch = 500

func seed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	n := fs.Int("events", 1000, "how many events to write")
	tenant := fs.String("tenant", env("AUDITLOG_SEED_TENANT", "demo"), "tenant to write them for")
	seedVal := fs.Uint64("seed", 1, "random seed; the same seed and --until write the same events (again: only duplicates)")
	until := fs.String("until", "", "date (YYYY-MM-DD) the events end at; they span the 90 days before it; today (UTC) when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("--events must be at least 1, got %d", *n)
	}
	if !audit.ValidTenant(*tenant) {
		return fmt.Errorf("--tenant %q: must be lower-case letters, digits or '-'", *tenant)
	}
	end := time.Now().UTC().Truncate(24 * time.Hour)
	if *until != "" {
		t, err := time.Parse(time.DateOnly, *until)
		if err != nil {
			return fmt.Errorf("--until %q: want a date like 2025-06-30", *until)
		}
		end = t
	}
	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	st, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	core, err := app.New(st, app.Options{Logger: log})
	if err != nil {
		return err
	}
	ix := core.Indexer()
	p := audit.Principal{Tenant: *tenant, Role: audit.RoleAdmin, User: audit.User{Type: audit.UserSystem, ID: "auditlog-seed", Name: "auditlog seed"}}
	gen := eventgen.New(core.Catalog(), *seedVal, eventgen.Options{Now: end, Tenant: *tenant})

	// Redrawn in place on a terminal only: in a log or a pipe each redraw
	// would be a line of its own.
	bar := progress{total: *n}
	if isTerminal(stderr) {
		bar.w = stderr
	}
	c, firstErr := writeEvents(ctx, ix, p, gen, *n, bar.show)
	bar.finish()
	if err := core.Close(context.Background()); err != nil {
		return fmt.Errorf("drain indexer: %w", err)
	}
	fmt.Fprintf(stdout, "tenant %s: %d captured, %d already there, %d suppressed by capture rules, %d failed\n",
		*tenant, c.captured, c.duplicates, c.suppressed, c.failed)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	if firstErr != nil {
		return fmt.Errorf("%d events failed, the first: %w", c.failed, firstErr)
	}
	return nil
}

// seedCounts are the outcomes of the events written by writeEvents.
type seedCounts struct{ captured, duplicates, suppressed, failed int }

// writeEvents ingests n generated events as p, in batches, calling done
// with the count written so far after each; it returns the outcomes and
// the first failure.
func writeEvents(ctx context.Context, ix *indexer.Indexer, p audit.Principal, gen *eventgen.Generator, n int, done func(int)) (seedCounts, error) {
	var c seedCounts
	var firstErr error
	for written := 0; written < n && ctx.Err() == nil; {
		batch := make([]audit.Event, min(seedBatch, n-written))
		for i := range batch {
			batch[i] = gen.Next()
		}
		for _, r := range ix.Ingest(ctx, p, batch) {
			switch {
			case r.Err != nil:
				c.failed++
				if firstErr == nil {
					firstErr = r.Err
				}
			case r.Duplicate:
				c.duplicates++
			case r.Captured:
				c.captured++
			default:
				c.suppressed++
			}
		}
		written += len(batch)
		done(written)
	}
	return c, firstErr
}

// progress draws a one-line progress bar, redrawn in place, on w; none
// when w is nil.
type progress struct {
	w     io.Writer
	total int
	drawn bool
	start time.Time
}

func (p *progress) show(done int) {
	if p.w == nil {
		return
	}
	now := time.Now()
	if p.start.IsZero() {
		p.start = now
	}
	const width = 30
	filled := width * done / p.total
	fmt.Fprintf(p.w, "\r[%s%s] %3d%% %d/%d%s\x1b[K", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		100*done/p.total, done, p.total, rateAndETA(done, p.total, now.Sub(p.start)))
	p.drawn = true
}

// rateAndETA says how fast progress goes and how long the rest takes at
// that pace, e.g. " 5120/s, 0:42 left"; nothing until there is a pace.
func rateAndETA(done, total int, took time.Duration) string {
	if done <= 0 || took < 100*time.Millisecond {
		return ""
	}
	rate := float64(done) / took.Seconds()
	left := time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second)
	return fmt.Sprintf(" %.0f/s, %d:%02d left", rate, int(left.Minutes()), int(left.Seconds())%60)
}

func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
