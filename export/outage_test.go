package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/export"
)

// TestExportWhenOpenSearchStopsMidway stops the node an export is reading
// from and checks that the client can tell the file is incomplete. It never
// touches the shared node: it starts a private one (see disposableNode).
func TestExportWhenOpenSearchStopsMidway(t *testing.T) {
	nodeURL, stopNode := disposableNode(t)
	// No opensearchtest.Prefix: its cleanup needs the node this test stops;
	// the script wipes the private node's data on its next start.
	st := openOpenSearchAt(t, nodeURL, "export-outage")
	p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
	// ~27 MB of CSV: far more than socket buffers hold, so most pages are
	// still to be read from the node when it stops.
	const n = 60_000
	writeLargeLog(t, st, n)
	x := newExporter(t, st, export.Options{})

	resp, err := http.Get(x.link(t, p, export.Request{Filter: &audit.Filter{}}).URL)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var head bytes.Buffer
	r := bufio.NewReader(resp.Body)
	for range 1000 {
		line, err := r.ReadBytes('\n')
		if err != nil {
			t.Fatalf("read before the outage: %v", err)
		}
		head.Write(line)
	}

	stopNode()

	rows, complete, err := export.Verify(io.MultiReader(&head, r))
	t.Logf("client read %d rows, complete %v, err %v", rows, complete, err)
	if complete {
		t.Fatalf("the download of an export whose node stopped verifies complete with %d rows", rows)
	}
	if err == nil {
		t.Errorf("reading the aborted download gave no error; a client relying on the transfer alone could not tell")
	}
	if rows >= n {
		t.Errorf("read all %d rows although the node stopped", rows)
	}
	if e := waitExported(t, x); e.Complete || e.Rows >= n {
		t.Errorf("OnExported got %d rows, complete %v", e.Rows, e.Complete)
	}
}

// disposableNode returns the URL of an OpenSearch node that this test alone
// uses and may stop, and a function that stops it (and waits until it has).
//
// With OPENSEARCH_DISPOSABLE_URL and OPENSEARCH_DISPOSABLE_STOP (a shell
// command) set, it uses that node. Otherwise, when OpenSearch tests are on
// (OPENSEARCH_URL is set) and not -short, it starts a private node with
// scripts/opensearch-local on a free port, in its own folder
// (AUDITLOG_OPENSEARCH_DISPOSABLE_HOME, default under the temp dir, kept
// between runs so the install is reused), with the zips of the shared
// node's cache so no download is needed. The shared node is never stopped.
func disposableNode(t *testing.T) (string, func()) {
	t.Helper()
	if u := os.Getenv("OPENSEARCH_DISPOSABLE_URL"); u != "" {
		stopCmd := os.Getenv("OPENSEARCH_DISPOSABLE_STOP")
		if stopCmd == "" {
			t.Fatal("OPENSEARCH_DISPOSABLE_URL is set without OPENSEARCH_DISPOSABLE_STOP, the command that stops it")
		}
		return strings.TrimRight(u, "/"), func() { run(t, exec.Command("sh", "-c", stopCmd)) }
	}
	shared := os.Getenv("OPENSEARCH_URL")
	if shared == "" || testing.Short() {
		t.Skip("needs a node it may stop: set OPENSEARCH_URL (a private node is then started beside it) " +
			"or OPENSEARCH_DISPOSABLE_URL and OPENSEARCH_DISPOSABLE_STOP; skipped with -short")
	}
	script, err := filepath.Abs(filepath.Join("..", "scripts", "opensearch-local"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(script); err != nil {
		t.Skipf("no %s to start a private node: %v", script, err)
	}
	home := os.Getenv("AUDITLOG_OPENSEARCH_DISPOSABLE_HOME")
	if home == "" {
		home = filepath.Join(os.TempDir(), "auditlog-opensearch-disposable")
	}
	if sharedHome := sharedNodeHome(); filepath.Clean(home) == filepath.Clean(sharedHome) {
		t.Fatalf("the private node's folder %s is the shared node's", home)
	}
	port := freePort(t)
	if u, err := url.Parse(shared); err == nil && u.Port() == port {
		t.Fatalf("free port %s is the shared node's", port)
	}
	env := append(os.Environ(),
		"OPENSEARCH_PORT="+port,
		"AUDITLOG_OPENSEARCH_HOME="+home,
		"OPENSEARCH_KEEP_DATA=0",
		// Export needs no ISM; a missing plugin zip must not stop the test.
		"OPENSEARCH_REQUIRE_ISM=0",
		"OPENSEARCH_PLUGIN_DIR="+filepath.Join(sharedNodeHome(), "downloads"),
	)
	if os.Getenv("OPENSEARCH_VERSION") == "" {
		if v := nodeVersion(shared); v != "" {
			env = append(env, "OPENSEARCH_VERSION="+v) // what the shared cache holds
		}
	}
	command := func(arg string) *exec.Cmd {
		c := exec.Command(script, arg)
		c.Env = env
		return c
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			run(t, command("stop"))
		}
	}
	t.Cleanup(stop)
	out := run(t, command("start"))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	nodeURL := lines[len(lines)-1]
	if !strings.HasSuffix(nodeURL, ":"+port) {
		t.Fatalf("private node started at %q, want port %s", nodeURL, port)
	}
	return nodeURL, stop
}

// sharedNodeHome is where scripts/opensearch-local keeps the shared node.
func sharedNodeHome() string {
	if h := os.Getenv("AUDITLOG_OPENSEARCH_HOME"); h != "" {
		return h
	}
	if os.Geteuid() == 0 {
		return "/var/cache/auditlog/opensearch"
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "auditlog", "opensearch")
}

func nodeVersion(base string) string {
	resp, err := http.Get(strings.TrimRight(base, "/") + "/")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var info struct {
		Version struct {
			Number string `json:"number"`
		} `json:"version"`
	}
	if json.NewDecoder(resp.Body).Decode(&info) != nil {
		return ""
	}
	return info.Version.Number
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

// run runs c with a deadline, returning its stdout; stderr goes to the log.
func run(t *testing.T, c *exec.Cmd) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Path, c.Args[1:]...)
	cmd.Env = c.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if s := strings.TrimSpace(stderr.String()); s != "" {
		t.Logf("%s:\n%s", strings.Join(c.Args, " "), s)
	}
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(c.Args, " "), err)
	}
	return stdout.String()
}
