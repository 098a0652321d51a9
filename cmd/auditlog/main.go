// Command auditlog runs the audit-log service and its operator tasks:
//
//	auditlog serve   [--addr 127.0.0.1:8080] [--data-dir ./data] [--opensearch-url URL]
//	auditlog keys    create --tenant T --role emitter|viewer|admin --user-id U --user-name N --user-email E
//	auditlog keys    list [--tenant T] | keys revoke ID
//	auditlog seed    --events N [--tenant T] [--seed S]
//	auditlog export  --tenant T [filter flags | --saved NAME --owner U|--owner-email E] [-o file.csv]
//	auditlog signing-key
//	auditlog verify  --tenant T [--from T1] [--to T2] [--public-key K] | --export f.csv --manifest f.json --public-key K
//
// Every flag has an environment fallback (AUDITLOG_ADDR, AUDITLOG_DATA_DIR,
// AUDITLOG_OPENSEARCH_URL, …); `auditlog <command> -h` lists them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// The heap is small (tens of MB) and churns with every request's
	// decoding: at Go's default (GOGC=100) collecting took a quarter of the
	// CPU of batch ingest. 400 gave 15% more events/s in auditbench. An
	// operator's GOGC wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "auditlog:", err)
		os.Exit(1)
	}
}

// version says which build this is: the module version and the commit,
// its time and whether the tree had changes, as go build recorded them.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "auditlog (no build information)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	out := "auditlog " + v
	if rev := settings["vcs.revision"]; rev != "" {
		out += ", commit " + rev
		if t := settings["vcs.time"]; t != "" {
			out += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			out += ", with uncommitted changes"
		}
	} else {
		out += ", commit unknown (built without version control information)"
	}
	return out + ", " + info.GoVersion
}

const usage = `usage: auditlog <command> [flags]

commands:
  serve   run the API server
  keys    create, list and revoke API keys
  seed    write realistic demo events
  export  write events as CSV
  signing-key  print a new checkpoint signing key (for AUDITLOG_SIGNING_KEY)
  verify  check the log against its signed checkpoints, or an export against its manifest

Run "auditlog <command> -h" for a command's flags, "auditlog --version" for
the version and commit it was built from.`

// run executes one command line; stdout gets results, stderr progress and logs.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "keys":
		return keys(ctx, args[1:], stdout, stderr)
	case "seed":
		return seed(ctx, args[1:], stdout, stderr)
	case "export":
		return exportCmd(ctx, args[1:], stdout, stderr)
	case "verify":
		return verifyCmd(ctx, args[1:], stdout, stderr)
	case "signing-key":
		return signingKeyCmd(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	case "-version", "--version", "version":
		fmt.Fprintln(stdout, version())
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
