package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Pair names, as --pairs takes them.
const (
	pairBatch       = "batch-ingest"
	pairSmall       = "small-writer-ingest"
	pairSearch      = "search-page"
	pairDeep        = "deep-page"
	pairExport      = "export"
	pairExportMem   = "export-memory"
	pairEmbedded    = "embedded-ingest"
	benchTenant     = "bench"
	defaultDeepPage = 1000
)

var allPairs = []string{pairBatch, pairSmall, pairSearch, pairDeep, pairExport, pairExportMem, pairEmbedded}

// config is the command line.
type config struct {
	auditlogBin   string
	openSearchURL string
	embedded      bool
	pairs         []string
	seed          uint64
	runs          int
	warmup        int
	keep          bool
	jsonOut       string
	// extraEnv is set in every auditlog process (e.g. GOGC=100).
	extraEnv []string

	batch        int // events per ingestEvents call and per _bulk request
	clients      int // concurrent batch writers
	smallClients int // concurrent single-event writers

	batchEvents    int // events per batch ingest run
	smallEvents    int // events per small-writer run
	searchEvents   int // events the read pairs run over
	searchRequests int // requests per search page and deep page run
	pageSize       int
	deepPage       int
	exportSmall    int // events of the small export of the memory pair
	embeddedEvents int // events per embedded ingest run
}

// sizes of a full run and of --quick; a size flag given explicitly wins.
var (
	fullSizes = map[string]int{
		"batch-events": 100_000, "small-events": 30_000, "search-events": 1_000_000,
		"search-requests": 100, "deep-page": defaultDeepPage, "export-small": 100_000, "embedded-events": 100_000,
	}
	quickSizes = map[string]int{
		"batch-events": 5_000, "small-events": 1_500, "search-events": 20_000,
		"search-requests": 20, "deep-page": 100, "export-small": 2_000, "embedded-events": 5_000,
	}
)

func parseConfig(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("auditbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "small sizes: the whole run fits in about a minute (checks the harness, not the numbers)")
	fs.StringVar(&c.auditlogBin, "auditlog-bin", "", "auditlog binary to benchmark; built from ./cmd/auditlog when empty")
	fs.StringVar(&c.openSearchURL, "opensearch-url", os.Getenv("OPENSEARCH_URL"),
		"OpenSearch node to run the OpenSearch pairs against; they are skipped when empty (env OPENSEARCH_URL)")
	fs.BoolVar(&c.embedded, "embedded", true, "run the embedded (SQLite) pair")
	pairs := fs.String("pairs", strings.Join(allPairs, ","), "comma-separated pairs to run")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the generated events; the same seed generates the same events")
	fs.IntVar(&c.runs, "runs", 5, "measured runs of each side of each pair, alternating A, B, A, B, …")
	fs.IntVar(&c.warmup, "warmup", 1, "unmeasured runs of each side before the measured ones")
	fs.BoolVar(&c.keep, "keep", false, "keep the benchmark's indices and temp files (default: delete them)")
	fs.StringVar(&c.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.Func("auditlog-env", "NAME=VALUE set in every auditlog process, e.g. GOGC=100 (repeatable)", func(v string) error {
		if name, _, ok := strings.Cut(v, "="); !ok || name == "" {
			return fmt.Errorf("want NAME=VALUE, got %q", v)
		}
		c.extraEnv = append(c.extraEnv, v)
		return nil
	})
	fs.IntVar(&c.batch, "batch", 500, "events per ingestEvents call and per _bulk request")
	fs.IntVar(&c.clients, "clients", 4, "concurrent clients of the batch ingest pairs")
	fs.IntVar(&c.smallClients, "small-clients", 64, "concurrent single-event clients of the small-writer pair")
	fs.IntVar(&c.pageSize, "page-size", 50, "rows of an Explore page")
	sizes := map[string]*int{
		"batch-events":    &c.batchEvents,
		"small-events":    &c.smallEvents,
		"search-events":   &c.searchEvents,
		"search-requests": &c.searchRequests,
		"deep-page":       &c.deepPage,
		"export-small":    &c.exportSmall,
		"embedded-events": &c.embeddedEvents,
	}
	help := map[string]string{
		"batch-events":    "events per batch ingest run",
		"small-events":    "events per small-writer ingest run",
		"search-events":   "events the search, deep page and export pairs run over (topped up after the ingest pairs)",
		"search-requests": "requests per search page and deep page run",
		"deep-page":       "page number of the deep page pair",
		"export-small":    "events of the smaller export of the export memory pair",
		"embedded-events": "events per embedded ingest run",
	}
	for name, p := range sizes {
		fs.IntVar(p, name, fullSizes[name], help[name])
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, p := range sizes {
			if !set[name] {
				*p = quickSizes[name]
			}
		}
	}
	for _, p := range strings.Split(*pairs, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !slices.Contains(allPairs, p) {
			return c, fmt.Errorf("--pairs: unknown pair %q; pairs are %s", p, strings.Join(allPairs, ", "))
		}
		c.pairs = append(c.pairs, p)
	}
	switch {
	case c.runs < 1:
		return c, errors.New("--runs must be at least 1")
	case c.warmup < 0:
		return c, errors.New("--warmup must not be negative")
	case c.batch < 1 || c.batch > 1000:
		return c, errors.New("--batch must be between 1 and 1000 (auditlog's largest ingestEvents call)")
	case c.clients < 1 || c.smallClients < 1:
		return c, errors.New("--clients and --small-clients must be at least 1")
	case c.pageSize < 1 || c.pageSize > 500:
		return c, errors.New("--page-size must be between 1 and 500")
	}
	for name, p := range sizes {
		if *p < 1 {
			return c, fmt.Errorf("--%s must be at least 1", name)
		}
	}
	return c, nil
}

func (c config) wants(pair string) bool { return slices.Contains(c.pairs, pair) }

// wantsOpenSearch reports whether any OpenSearch pair is selected and a
// node is configured.
func (c config) wantsOpenSearch() bool {
	if c.openSearchURL == "" {
		return false
	}
	for _, p := range c.pairs {
		if p != pairEmbedded {
			return true
		}
	}
	return false
}
