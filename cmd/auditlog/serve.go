package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/checkpointer"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/health"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
)

// shutdownGrace is how long in-flight requests and queued ingests get to
// finish after SIGINT or SIGTERM.
const shutdownGrace = 30 * time.Second

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", env("AUDITLOG_ADDR", "127.0.0.1:8080"), "listen address (env AUDITLOG_ADDR)")
	publicURL := fs.String("public-url", env("AUDITLOG_PUBLIC_URL", ""),
		"URL clients reach this server at, for download links, e.g. https://audit.example.com; relative links when empty (env AUDITLOG_PUBLIC_URL)")
	introspection := fs.String("introspection", env("AUDITLOG_INTROSPECTION", ""),
		"answer schema introspection, also without an API key: true or false; when empty, on only with the embedded store on a loopback --addr (env AUDITLOG_INTROSPECTION)")
	playground := fs.String("playground", env("AUDITLOG_PLAYGROUND", ""),
		"serve the GraphQL playground at /playground: true or false; when empty, on only with the embedded store on a loopback --addr (env AUDITLOG_PLAYGROUND)")
	demo := fs.Bool("demo", env("AUDITLOG_DEMO", "") == "true",
		"seed 1,000 demo events into the tenant demo when it has none; embedded store on a loopback --addr only (env AUDITLOG_DEMO=true)")
	liveOrigins := fs.String("live-origins", env("AUDITLOG_LIVE_ORIGINS", ""),
		"comma-separated host patterns (e.g. console.example.com,*.example.com) of other origins whose pages may open the live tail's WebSocket; the server's own host always may (env AUDITLOG_LIVE_ORIGINS)")
	var lim limitFlags
	lim.register(fs)
	var wf webhookFlags
	wf.register(fs)
	var rf retentionFlags
	rf.register(fs)
	var cf captureFlags
	cf.register(fs)
	var ckf checkpointFlags
	ckf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := envFallbacks(fs, limitEnv); err != nil {
		return err
	}
	if err := lim.check(); err != nil {
		return err
	}
	if err := envFallbacks(fs, captureEnv); err != nil {
		return err
	}
	if err := wf.envFallbacks(fs); err != nil {
		return err
	}
	if err := envFallbacks(fs, retentionEnv); err != nil {
		return err
	}
	if err := envFallbacks(fs, checkpointEnv); err != nil {
		return err
	}
	if err := ckf.check(); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	cfg := lim.config()
	dev := devDefault(sf.embedded(), *addr)
	if cfg.Introspection, err = boolSetting("introspection", *introspection, dev); err != nil {
		return err
	}
	if cfg.Playground, err = boolSetting("playground", *playground, dev); err != nil {
		return err
	}
	// Only on the developer's own machine may serve hand out a key or
	// write demo data: the embedded store on a loopback address.
	local := sf.embedded() && loopback(*addr)
	if *demo && !local {
		return errors.New("--demo needs the embedded store and a loopback --addr")
	}
	signer, err := sf.signer()
	if err != nil {
		return err
	}
	signingKeys, err := sf.signingKeys()
	if err != nil {
		return err
	}
	// Whether this is the first start of an empty embedded store, judged
	// before opening it creates the file.
	fresh := local && storeIsNew(sf.dataDir)
	// Listen first: health checks are answered (/healthz 200, /readyz
	// 503) while the store is not reachable yet, and the store is waited
	// for, not given up on; the API is served once it opens.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	front := &swapHandler{}
	front.set(server.NotReady())
	srv := &http.Server{
		Handler:           front,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10, // GET queries travel in the URL; the parser token limit bounds them anyway
		// No WriteTimeout: CSV downloads stream for as long as they make
		// progress; the export handler sets per-page write deadlines.
	}
	storeName := "sqlite:" + sf.dataDir
	if !sf.embedded() {
		storeName = "opensearch"
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// Until the API is served, a failure closes the listener on return;
	// afterwards the drain below does, in order.
	started := false
	defer func() {
		if !started {
			_ = srv.Close()
		}
	}()
	st, err := openStore(ctx, &sf, log.With("addr", ln.Addr().String()))
	if err != nil {
		if ctx.Err() != nil {
			log.Info("stopped before the store opened")
			return nil
		}
		return err
	}
	defer st.Close()
	// Checkpoints are made after the fact, beside ingest; stopped before
	// the store closes.
	if ckf.interval > 0 {
		cp := checkpointer.New(st, signingKeys, checkpointer.Options{Interval: ckf.interval, Margin: ckf.margin, Logger: log})
		cctx, stopCheckpoints := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); cp.Run(cctx) }()
		defer func() { stopCheckpoints(); <-done }()
	}

	hooks, err := wf.webhooks(log)
	if err != nil {
		return err
	}
	// Flag notifications reach the webhooks once stored.
	var notifier app.Notifier
	if hooks != nil {
		notifier = hooks
	}

	metrics := server.NewMetrics()
	// Retention: the embedded store's sweeper, or OpenSearch's index
	// lifecycle; stopped before the store closes.
	ret, err := rf.start(ctx, st, log, metrics.Registry())
	if err != nil {
		return err
	}
	defer ret.stop()
	writers := 1 // SQLite has one writer
	if !sf.embedded() {
		writers = 4
	}
	core, err := app.New(st, app.Options{Logger: log,
		MaxComponents: cf.maxComponents, MaxActivities: cf.maxActivities,
		Writers: writers, OnBatch: metrics.OnBatch, OnConfigured: ret.onConfigured,
		Signer: signer, Export: export.Options{BaseURL: *publicURL, MaxConcurrent: lim.downloads,
			MaxPerTenant: lim.perTenant, MinRate: lim.exportMinRate()},
		Notifier: notifier, Indices: ret.indices})
	if err != nil {
		return err
	}
	for _, o := range strings.Split(*liveOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.Live.Origins = append(cfg.Live.Origins, o)
		}
	}
	// Readiness, and refusing requests at once while the store does not
	// answer; stopped with ctx.
	mon := health.New(st.Ping, health.Options{Logger: log})
	go mon.Run(ctx)
	handler := server.New(cfg, server.Deps{Deps: graph.Deps{App: core, Signer: signer, Logger: log, Keys: signingKeys}, Metrics: metrics, Health: mon})

	closeCore := func() {
		core.Close(context.Background())
		if hooks != nil {
			hooks.Close(context.Background())
		}
	}
	var signInKey string
	if local {
		if signInKey, err = welcome(ctx, st, core, fresh, *demo, log); err != nil {
			closeCore()
			return err
		}
	}
	// The API is served once the monitor has seen the store answer, so that
	// "listening" means requests are served, not refused as not ready.
	if err := mon.Wait(ctx); err != nil {
		log.Info("stopped before the store was ready")
		closeCore()
		return nil
	}
	front.set(handler)
	started = true
	if signInKey != "" {
		printSignIn(stderr, ln.Addr(), signInKey)
	}
	log.Info("auditlog listening", "addr", ln.Addr().String(), "store", storeName,
		"playground", cfg.Playground, "introspection", cfg.Introspection)
	select {
	case err = <-served:
	case <-ctx.Done():
		log.Info("shutting down: draining requests and queued ingests")
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		log.Error("http shutdown", "err", serr)
	}
	// Requests are done: acknowledge nothing more, write what is queued.
	if cerr := core.Close(sctx); cerr != nil {
		log.Error("indexer drain", "err", cerr)
	}
	// Flags are done too: deliver what is queued, within the grace period.
	if hooks != nil {
		if cerr := hooks.Close(sctx); cerr != nil {
			log.Error("webhook drain", "err", cerr)
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("stopped")
	return err
}

// captureFlags bound what emitters may add to a tenant's Filter Management.
type captureFlags struct {
	maxComponents int
	maxActivities int
}

// captureEnv names the environment fallback of every capture flag.
var captureEnv = map[string]string{
	"max-components": "AUDITLOG_MAX_COMPONENTS",
	"max-activities": "AUDITLOG_MAX_ACTIVITIES",
}

func (c *captureFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&c.maxComponents, "max-components", capture.DefaultMaxComponents,
		"components a tenant's events may add besides the catalog's; events of more are refused (env AUDITLOG_MAX_COMPONENTS)")
	fs.IntVar(&c.maxActivities, "max-activities", capture.DefaultMaxActivities,
		"event types a tenant's events may add to the catalog's; more are captured but not listed (env AUDITLOG_MAX_ACTIVITIES)")
}

// defaultMaxDownloads is how many CSV downloads serve streams at once by
// default: each holds a store scan (a point in time on OpenSearch) for as
// long as the client reads.
const defaultMaxDownloads = 4

// limitFlags are serve's bounds on requests.
type limitFlags struct {
	maxBody    int64
	rate       float64
	burst      int
	concurrent int
	downloads  int
	perTenant  int
	minRate    int64
	timeout    time.Duration
	complexity int
	depth      int
	tokenLimit int
}

// limitEnv names the environment fallback of every limit flag.
var limitEnv = map[string]string{
	"max-body-bytes":           "AUDITLOG_MAX_BODY_BYTES",
	"rate-limit":               "AUDITLOG_RATE_LIMIT",
	"rate-burst":               "AUDITLOG_RATE_BURST",
	"max-concurrent":           "AUDITLOG_MAX_CONCURRENT",
	"max-downloads":            "AUDITLOG_MAX_DOWNLOADS",
	"max-downloads-per-tenant": "AUDITLOG_MAX_DOWNLOADS_PER_TENANT",
	"download-min-rate":        "AUDITLOG_DOWNLOAD_MIN_RATE",
	"request-timeout":          "AUDITLOG_REQUEST_TIMEOUT",
	"complexity-limit":         "AUDITLOG_COMPLEXITY_LIMIT",
	"depth-limit":              "AUDITLOG_DEPTH_LIMIT",
	"query-token-limit":        "AUDITLOG_QUERY_TOKEN_LIMIT",
}

func (l *limitFlags) register(fs *flag.FlagSet) {
	help := func(name, text string) string { return text + " (env " + limitEnv[name] + ")" }
	fs.Int64Var(&l.maxBody, "max-body-bytes", server.DefaultMaxBodyBytes,
		help("max-body-bytes", "largest request body accepted; larger ones get 413"))
	fs.Float64Var(&l.rate, "rate-limit", server.DefaultRateLimit,
		help("rate-limit", "GraphQL requests per second one API key may sustain; beyond, 429 with Retry-After; 0 turns the limit off"))
	fs.IntVar(&l.burst, "rate-burst", server.DefaultRateBurst,
		help("rate-burst", "GraphQL requests one API key may send at once above its rate"))
	fs.IntVar(&l.concurrent, "max-concurrent", server.DefaultMaxConcurrent,
		help("max-concurrent", "GraphQL requests executed at once; more wait briefly, then get 503 with Retry-After"))
	fs.IntVar(&l.downloads, "max-downloads", defaultMaxDownloads,
		help("max-downloads", "CSV downloads (GET /export/...) streamed at once; more get 503 with Retry-After"))
	fs.IntVar(&l.perTenant, "max-downloads-per-tenant", 0,
		help("max-downloads-per-tenant", "CSV downloads of one tenant streamed at once; 0 is half of --max-downloads, at least 1"))
	fs.Int64Var(&l.minRate, "download-min-rate", export.DefaultMinRate,
		help("download-min-rate", "bytes per second a CSV download must take, measured over 30s spent writing to the client; a slower one is cut without its '# complete' trailer; 0 turns the minimum off"))
	fs.DurationVar(&l.timeout, "request-timeout", server.DefaultRequestTimeout,
		help("request-timeout", "time limit of one GraphQL request (CSV downloads stream without one)"))
	fs.IntVar(&l.complexity, "complexity-limit", server.DefaultComplexityLimit,
		help("complexity-limit", "largest GraphQL operation cost accepted"))
	fs.IntVar(&l.depth, "depth-limit", server.DefaultDepthLimit,
		help("depth-limit", "deepest GraphQL selection nesting accepted"))
	fs.IntVar(&l.tokenLimit, "query-token-limit", server.DefaultParserTokenLimit,
		help("query-token-limit", "most tokens a GraphQL query may have"))
}

// check refuses limits that mean nothing.
func (l *limitFlags) check() error {
	if l.downloads < 1 {
		return fmt.Errorf("--max-downloads must be at least 1, got %d", l.downloads)
	}
	if l.perTenant < 0 || l.perTenant > l.downloads {
		return fmt.Errorf("--max-downloads-per-tenant must be between 0 and --max-downloads (%d), got %d", l.downloads, l.perTenant)
	}
	if l.minRate < 0 {
		return fmt.Errorf("--download-min-rate must be 0 or more bytes per second, got %d", l.minRate)
	}
	return nil
}

// exportMinRate is --download-min-rate as export.Options reads it: 0
// there is the default, "no minimum" is negative.
func (l *limitFlags) exportMinRate() int64 {
	if l.minRate == 0 {
		return -1
	}
	return l.minRate
}

func (l *limitFlags) config() server.Config {
	cfg := server.Config{
		MaxBodyBytes: l.maxBody, RateLimit: l.rate, RateBurst: l.burst, MaxConcurrent: l.concurrent,
		RequestTimeout: l.timeout, ComplexityLimit: l.complexity, DepthLimit: l.depth, ParserTokenLimit: l.tokenLimit,
	}
	if l.rate <= 0 {
		cfg.RateLimit = -1 // server.Config reads 0 as "the default"
	}
	return cfg
}

// envFallbacks sets each flag of vars that the command line did not give
// from its environment variable, when that is set, parsed as the flag is.
func envFallbacks(fs *flag.FlagSet, vars map[string]string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, env := range vars {
		v, ok := os.LookupEnv(env)
		if !ok || given[name] {
			continue
		}
		if err := fs.Set(name, v); err != nil {
			return fmt.Errorf("%s=%q: %w", env, v, err)
		}
	}
	return nil
}

// devDefault reports whether the playground and introspection are on when
// neither flag nor environment says: only in the development setup, the
// embedded store on an address only this machine reaches. Introspection
// answers callers without a key, and the embedded store is also what the
// Docker image runs, on 0.0.0.0.
func devDefault(embedded bool, addr string) bool {
	return embedded && loopback(addr)
}

// loopback reports whether the listen address addr (host:port) is on the
// loopback interface: 127.0.0.0/8, ::1 or localhost. An empty host listens
// on every interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// boolSetting parses a true/false setting; empty means def.
func boolSetting(name, v string, def bool) (bool, error) {
	if v == "" {
		return def, nil
	}
	switch v {
	case "1", "t", "true", "TRUE", "True", "on", "yes":
		return true, nil
	case "0", "f", "false", "FALSE", "False", "off", "no":
		return false, nil
	}
	return false, fmt.Errorf("--%s must be true or false, got %q", name, v)
}

// openStore opens the selected store. An OpenSearch cluster that cannot be
// reached (not started yet, restarting, overloaded) is waited for, retrying
// with a backoff doubling from 250ms to 10s and logging once that it is
// waited for, until ctx ends; any other failure
// (a bad URL, refused credentials, a broken data dir) ends start-up.
func openStore(ctx context.Context, sf *storeFlags, log *slog.Logger) (store.Store, error) {
	backoff := 250 * time.Millisecond
	waiting := false
	for {
		st, err := sf.open(ctx, log)
		if err == nil {
			return st, nil // the health monitor says it is ready
		}
		if !errors.Is(err, store.ErrUnavailable) || ctx.Err() != nil {
			return nil, err
		}
		if !waiting {
			waiting = true
			log.Warn("store unavailable: not ready, /readyz says 503; retrying with backoff", "err", err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// swapHandler serves through the handler last set: not-ready answers
// until the API is assembled, then the API.
type swapHandler struct {
	h atomic.Pointer[http.Handler]
}

func (s *swapHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}
