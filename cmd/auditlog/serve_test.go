package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

func limitFlagsOf(t *testing.T, args ...string) *limitFlags {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var lim limitFlags
	lim.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if err := envFallbacks(fs, limitEnv); err != nil {
		t.Fatal(err)
	}
	return &lim
}

// TestMaxDownloadsFlag: --max-downloads, else AUDITLOG_MAX_DOWNLOADS, else
// 4 CSV downloads at once; fewer than one is refused at start-up.
func TestMaxDownloadsFlag(t *testing.T) {
	if got := limitFlagsOf(t).downloads; got != 4 {
		t.Errorf("default %d, want 4", got)
	}
	if got := limitFlagsOf(t, "--max-downloads", "2").downloads; got != 2 {
		t.Errorf("--max-downloads 2: %d", got)
	}
	t.Setenv("AUDITLOG_MAX_DOWNLOADS", "3")
	if got := limitFlagsOf(t).downloads; got != 3 {
		t.Errorf("AUDITLOG_MAX_DOWNLOADS=3: %d", got)
	}
	if got := limitFlagsOf(t, "--max-downloads", "2").downloads; got != 2 {
		t.Errorf("the flag does not win over the environment: %d", got)
	}

	var stderr bytes.Buffer
	err := run(t.Context(), []string{"serve", "--max-downloads", "0", "--data-dir", filepath.Join(t.TempDir(), "data")}, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--max-downloads") {
		t.Errorf("serve --max-downloads 0: %v, want a refusal naming the flag", err)
	}
}

// TestPlaygroundAndIntrospectionDefaults: unset, the playground and
// introspection are on only with the embedded store on a loopback
// address; not with OpenSearch, and not on an address other machines
// reach (the Docker image's 0.0.0.0).
func TestPlaygroundAndIntrospectionDefaults(t *testing.T) {
	for _, c := range []struct {
		embedded bool
		addr     string
		on       bool
	}{
		{true, "127.0.0.1:8080", true},
		{true, "127.1.2.3:8080", true},
		{true, "localhost:8080", true},
		{true, "LocalHost:0", true},
		{true, "[::1]:8080", true},
		{true, "0.0.0.0:8080", false},
		{true, ":8080", false},
		{true, "[::]:8080", false},
		{true, "192.168.1.10:8080", false},
		{true, "audit.example.com:8080", false},
		{true, "localhost.example.com:8080", false},
		{true, "127.0.0.1", false}, // no port: not an address serve listens on
		{false, "127.0.0.1:8080", false},
	} {
		if got := devDefault(c.embedded, c.addr); got != c.on {
			t.Errorf("embedded=%v --addr %s: on=%v, want %v", c.embedded, c.addr, got, c.on)
		}
	}
}

// TestServeExposesTheSchemaOnlyOnLoopback starts serve on the embedded
// store and reads what it says it serves: the playground and introspection
// on 127.0.0.1, neither on 0.0.0.0, and flags or environment variables
// win over the default either way.
func TestServeExposesTheSchemaOnlyOnLoopback(t *testing.T) {
	for _, c := range []struct {
		name                      string
		args, env                 []string
		playground, introspection bool
	}{
		{"loopback", []string{"--addr", "127.0.0.1:0"}, nil, true, true},
		{"every interface", []string{"--addr", "0.0.0.0:0"}, nil, false, false},
		{"every interface, asked for", []string{"--addr", "0.0.0.0:0", "--playground", "true"}, []string{"AUDITLOG_INTROSPECTION=true"}, true, true},
		{"loopback, turned off", []string{"--addr", "127.0.0.1:0", "--introspection", "false"}, []string{"AUDITLOG_PLAYGROUND=false"}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"AUDITLOG_OPENSEARCH_URL", "AUDITLOG_PLAYGROUND", "AUDITLOG_INTROSPECTION"} {
				t.Setenv(k, "") // empty: the embedded store, the defaults
			}
			for _, kv := range c.env {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			pg, in := serveSettings(t, append(c.args, "--data-dir", filepath.Join(t.TempDir(), "data"))...)
			if pg != c.playground || in != c.introspection {
				t.Errorf("playground %v, introspection %v; want %v, %v", pg, in, c.playground, c.introspection)
			}
		})
	}
}

// serveSettings runs serve with args until it logs that it listens, stops
// it, and returns the playground and introspection settings it logged.
func serveSettings(t *testing.T, args ...string) (playground, introspection bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--log-format", "json"}, args...), io.Discard, pw)
		pw.Close()
	}()
	logs := bufio.NewScanner(pr)
	var line struct {
		Msg                       string
		Playground, Introspection bool
	}
	found := false
	for !found && logs.Scan() {
		found = json.Unmarshal(logs.Bytes(), &line) == nil && line.Msg == "auditlog listening"
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !found {
		t.Fatal("serve did not say it listens")
	}
	return line.Playground, line.Introspection
}
