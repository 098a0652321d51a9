// Command auditbench measures auditlog against the engine under it, side by
// side in one run, on identical generated data:
//
//	auditbench [--quick] [--opensearch-url URL] [--embedded=true] [size flags]
//
// Each pair runs alternately, A (auditlog) then B (the raw engine), after a
// warm-up, so that drifting load on the machine hits both sides alike.
// auditlog runs as a separate process (`auditlog serve`, built from
// ./cmd/auditlog unless --auditlog-bin is given), so its CPU time and peak
// memory can be read from /proc; OpenSearch's CPU time comes from its node
// stats. The result is a Markdown table of medians, min–max and ratios;
// docs/benchmarks.md explains how to read it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "auditbench:", err)
		os.Exit(1)
	}
}

// run parses the command line, runs the selected pairs and prints the
// table to stdout; progress goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		return err
	}
	b, err := newBench(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer b.close()
	rep, err := b.run(ctx)
	if rep != nil {
		if werr := rep.write(stdout); werr != nil && err == nil {
			err = werr
		}
		if cfg.jsonOut != "" {
			if werr := rep.writeJSON(cfg.jsonOut); werr != nil && err == nil {
				err = werr
			}
		}
	}
	return err
}
