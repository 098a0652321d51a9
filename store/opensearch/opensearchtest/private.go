package opensearchtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Node is an OpenSearch node of one test's own, which the test may freeze
// (SIGSTOP), thaw, stop and start: faults that must never touch the node
// the other tests share.
type Node struct {
	t        testing.TB
	instance string
	port     string
	script   string
	// URL is the node's base URL.
	URL string
}

// PrivateNode returns a node of its own for t, started with
// scripts/opensearch-local as instance name (OPENSEARCH_INSTANCE) beside
// the shared node, on a free port, and stopped when t ends. An instance of
// that name already running is used as it is and left running, so that a
// developer re-running a test need not wait for a start.
//
// Like URL, it skips t (fails it with REQUIRE_OPENSEARCH=1) when OpenSearch
// tests are off: no OPENSEARCH_URL, or -short.
func PrivateNode(t testing.TB, instance string) *Node {
	t.Helper()
	n := newNode(t, instance)
	if n == nil {
		return nil
	}
	if _, err := n.run("status"); err == nil {
		u, err := n.run("url")
		if err != nil {
			t.Fatalf("private node %s: %v", instance, err)
		}
		n.URL = strings.TrimSpace(u)
		t.Cleanup(n.Thaw)
		return n
	}
	n.reserve()
	n.Start()
	return n
}

// StoppedNode is PrivateNode not started yet (stopped, if it ran): its URL
// is known, nothing answers there until Start.
func StoppedNode(t testing.TB, instance string) *Node {
	t.Helper()
	n := newNode(t, instance)
	if n == nil {
		return nil
	}
	if _, err := n.run("status"); err == nil {
		n.Stop()
	}
	n.reserve()
	n.URL = "http://127.0.0.1:" + n.port
	return n
}

func newNode(t testing.TB, instance string) *Node {
	t.Helper()
	if strings.TrimSpace(os.Getenv("OPENSEARCH_URL")) == "" || testing.Short() {
		unavailable(t, "a private OpenSearch node is started only beside the shared one: "+howTo+"; not with -short")
		return nil
	}
	script, err := findScript()
	if err != nil {
		unavailable(t, err.Error())
		return nil
	}
	return &Node{t: t, instance: instance, script: script}
}

// reserve picks the node's port and stops the node when the test ends.
func (n *Node) reserve() {
	n.port = freePort(n.t)
	n.t.Cleanup(func() {
		n.Thaw()
		if _, err := n.run("stop"); err != nil {
			n.t.Errorf("stop private node %s: %v", n.instance, err)
		}
	})
}

// Start starts the node (again) and waits until it answers.
func (n *Node) Start() {
	n.t.Helper()
	out, err := n.run("start")
	if err != nil {
		n.t.Fatalf("start private node %s: %v", n.instance, err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	n.URL = lines[len(lines)-1]
}

// Stop stops the node and waits until it has.
func (n *Node) Stop() {
	n.t.Helper()
	n.Thaw() // a stopped JVM cannot shut down
	if _, err := n.run("stop"); err != nil {
		n.t.Fatalf("stop private node %s: %v", n.instance, err)
	}
}

// Freeze stops the node's process (SIGSTOP): it accepts connections, as the
// kernel does that, and answers nothing: a hung node.
func (n *Node) Freeze() {
	n.t.Helper()
	if err := syscall.Kill(n.pid(), syscall.SIGSTOP); err != nil {
		n.t.Fatalf("freeze private node %s: %v", n.instance, err)
	}
}

// Thaw lets a frozen node run again (SIGCONT); a running one is unchanged.
func (n *Node) Thaw() {
	if pid, err := n.run("pid"); err == nil {
		if p, err := strconv.Atoi(strings.TrimSpace(pid)); err == nil {
			_ = syscall.Kill(p, syscall.SIGCONT)
		}
	}
}

// Port returns the node's HTTP port.
func (n *Node) Port() int {
	n.t.Helper()
	i := strings.LastIndex(n.URL, ":")
	p, err := strconv.Atoi(strings.TrimRight(n.URL[i+1:], "/"))
	if err != nil {
		n.t.Fatalf("port of %s: %v", n.URL, err)
	}
	return p
}

func (n *Node) pid() int {
	n.t.Helper()
	out, err := n.run("pid")
	if err != nil {
		n.t.Fatalf("pid of private node %s: %v", n.instance, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		n.t.Fatalf("pid of private node %s: %q", n.instance, out)
	}
	return pid
}

// run runs the script with the node's instance and port, returning stdout.
func (n *Node) run(arg string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, n.script, arg)
	cmd.Env = append(os.Environ(), "OPENSEARCH_INSTANCE="+n.instance)
	if n.port != "" {
		cmd.Env = append(cmd.Env, "OPENSEARCH_PORT="+n.port)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("opensearch-local %s: %w: %s", arg, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// findScript finds scripts/opensearch-local above the working directory
// (a package's folder, when go test runs).
func findScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "scripts", "opensearch-local")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no scripts/opensearch-local above %s to start a private node", dir)
		}
		dir = parent
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
