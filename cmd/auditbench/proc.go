package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// auditlogEnv is how every auditlog process of a run is configured: the same
// store (data dir, or node and index prefix), the same secret and the same
// checkpoint signing key.
type auditlogEnv struct {
	bin           string
	dataDir       string
	openSearchURL string
	prefix        string
	secret        string
	signingKey    string   // base64 Ed25519 seed; the data dir's own when empty
	extra         []string // NAME=VALUE, last
}

// environ is the process environment without the caller's AUDITLOG_*
// settings, which must not leak into the measured process.
func (e auditlogEnv) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AUDITLOG_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AUDITLOG_DATA_DIR="+e.dataDir, "AUDITLOG_SECRET="+e.secret, "AUDITLOG_LOG_FORMAT=json",
		// The per-key rate limit protects a shared service; one bench key
		// sending as fast as it can would measure the limit instead.
		"AUDITLOG_RATE_LIMIT=0")
	if e.signingKey != "" {
		env = append(env, "AUDITLOG_SIGNING_KEY="+e.signingKey)
	}
	env = append(env, e.extra...)
	if e.openSearchURL != "" {
		env = append(env, "AUDITLOG_OPENSEARCH_URL="+e.openSearchURL, "AUDITLOG_OPENSEARCH_PREFIX="+e.prefix)
	}
	return env
}

// createKey runs `auditlog keys create` and returns the key it prints last.
func (e auditlogEnv) createKey(ctx context.Context, role string) (string, error) {
	cmd := exec.CommandContext(ctx, e.bin, "keys", "create", "--tenant", benchTenant, "--role", role,
		"--user-id", "bench-"+role, "--user-name", "auditbench "+role, "--user-email", role+"@bench.example")
	cmd.Env = e.environ()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("auditlog keys create --role %s: %w\n%s", role, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}

// auditlogProc is one running `auditlog serve`.
type auditlogProc struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	logPath string
	exited  chan struct{}
	waitErr error
}

// startAuditlog starts `auditlog serve` on a free port and waits until it
// answers /readyz (it listens, and answers /healthz, before its store is open).
func startAuditlog(ctx context.Context, e auditlogEnv, logDir string) (*auditlogProc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.CreateTemp(logDir, "auditlog-serve-*.log")
	if err != nil {
		return nil, fmt.Errorf("create log file: %w", err)
	}
	defer logFile.Close() // the child holds its own descriptor
	cmd := exec.Command(e.bin, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port))
	cmd.Env = e.environ()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start auditlog serve: %w", err)
	}
	p := &auditlogProc{cmd: cmd, base: "http://127.0.0.1:" + strconv.Itoa(port), logPath: logFile.Name(), exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("auditlog serve exited at start (%v):\n%s", p.waitErr, p.logTail())
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("auditlog serve was not ready (/readyz) within a minute:\n%s", p.logTail())
		}
	}
}

func (p *auditlogProc) pid() int { return p.cmd.Process.Pid }

// stop ends the process with SIGTERM (an orderly drain), or SIGKILL if it
// has not exited within 30 seconds.
func (p *auditlogProc) stop() error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop auditlog: %w", err)
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("auditlog did not stop within 30s of SIGTERM; killed")
	}
}

// logTail returns the end of the process's log, for error messages.
func (p *auditlogProc) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// cpuTime returns the CPU time (user + system) a process has used so far.
// pid 0 means this process.
func cpuTime(pid int) (time.Duration, error) {
	path := "/proc/self/stat"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/stat", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read CPU time: %w", err)
	}
	// The command name (field 2) may hold spaces; fields are counted after
	// its closing parenthesis, where field 3 starts.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("read CPU time: unexpected %s", path)
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("read CPU time: short %s", path)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(fields[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("read CPU time: %w", err)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// peakRSS returns the high-water mark of a process's resident memory
// (VmHWM), in bytes.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, fmt.Errorf("read peak RSS: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read peak RSS: %q: %w", line, err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("read peak RSS: no VmHWM line")
}

// buildAuditlog builds ./cmd/auditlog of the module this command sits in
// into dir.
func buildAuditlog(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "auditlog")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/auditlog")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/auditlog: %w\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot asks the go command for the directory of the main module.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (pass --auditlog-bin)", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the auditlog module: run from the repository or pass --auditlog-bin")
	}
	return filepath.Dir(mod), nil
}

// listenerPID returns the process listening on a local TCP port, found
// through /proc: the socket's inode in /proc/net/tcp{,6}, then the process
// holding a descriptor to it.
func listenerPID(port int) (int, error) {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			// local_address is ADDR:PORT in hex; state 0A is LISTEN.
			if len(f) < 10 || f[3] != "0A" {
				continue
			}
			_, hexPort, _ := strings.Cut(f[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil && int(p) == port {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("no local listener on port %d", port)
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		fdDir := filepath.Join("/proc", p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue // not ours to read, or gone
		}
		for _, fd := range fds {
			if link, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil && inodes[link] {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("no readable process holds the listener on port %d", port)
}

// sourceVersion names the commit of the module's work tree, marked when it
// has uncommitted changes; "unknown" without git.
func sourceVersion(ctx context.Context) string {
	root, err := moduleRoot()
	if err != nil {
		return "unknown"
	}
	out, err := exec.CommandContext(ctx, "git", "-C", root, "describe", "--always", "--dirty=+uncommitted changes").Output()
	if err != nil {
		return "unknown"
	}
	return "commit " + strings.TrimSpace(string(out))
}
