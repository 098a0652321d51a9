package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/indexer"
	"github.com/auditlog/auditlog/server"
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
		"answer schema introspection: true or false; on with the embedded store when empty (env AUDITLOG_INTROSPECTION)")
	playground := fs.String("playground", env("AUDITLOG_PLAYGROUND", ""),
		"serve the GraphQL playground at /: true or false; on with the embedded store when empty (env AUDITLOG_PLAYGROUND)")
	maxBody := fs.Int64("max-body-bytes", server.DefaultMaxBodyBytes, "largest request body accepted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	log, err := sf.logger(stderr)
	if err != nil {
		return err
	}
	cfg := server.Config{MaxBodyBytes: *maxBody}
	if cfg.Introspection, err = boolSetting("introspection", *introspection, sf.embedded()); err != nil {
		return err
	}
	if cfg.Playground, err = boolSetting("playground", *playground, sf.embedded()); err != nil {
		return err
	}
	signer, err := sf.signer()
	if err != nil {
		return err
	}
	st, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	cat, err := capture.LoadCatalog()
	if err != nil {
		return fmt.Errorf("load activity catalog: %w", err)
	}

	metrics := server.NewMetrics()
	svc := capture.NewService(st, cat, capture.Options{Logger: log})
	writers := 1 // SQLite has one writer
	if !sf.embedded() {
		writers = 4
	}
	ix := indexer.New(st, svc, indexer.Options{Logger: log, Writers: writers, OnBatch: metrics.OnBatch})
	exp := export.NewService(st, st, signer.For("export"), export.Options{BaseURL: *publicURL, Cutoffs: svc.Cutoffs, Logger: log})
	handler := server.New(cfg, server.Deps{
		Store: st, Capture: svc, Indexer: ix, Export: exp, Signer: signer, Metrics: metrics, Logger: log,
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		ix.Close(context.Background())
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		// No WriteTimeout: CSV downloads stream for as long as they make
		// progress; the export handler sets per-page write deadlines.
	}
	store := "sqlite:" + sf.dataDir
	if !sf.embedded() {
		store = "opensearch"
	}
	log.Info("auditlog listening", "addr", ln.Addr().String(), "store", store,
		"playground", cfg.Playground, "introspection", cfg.Introspection)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

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
	if cerr := ix.Close(sctx); cerr != nil {
		log.Error("indexer drain", "err", cerr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("stopped")
	return err
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
