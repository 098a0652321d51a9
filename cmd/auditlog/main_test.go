package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/store/sqlite"
)

var keyLine = regexp.MustCompile(`^al_[A-Za-z0-9_-]{43}$`)

func runCmd(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("auditlog %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

func TestKeysCommands(t *testing.T) {
	dir := t.TempDir()
	out := runCmd(t, "keys", "create", "--data-dir", dir, "--tenant", "acme", "--role", "viewer",
		"--user-id", "u-1", "--user-name", "Ann", "--user-email", "ann@acme.example")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !keyLine.MatchString(lines[len(lines)-1]) {
		t.Fatalf("last line of keys create is not a key:\n%s", out)
	}
	if strings.Count(out, "al_") != 1 {
		t.Errorf("the key is printed more than once:\n%s", out)
	}
	id := regexp.MustCompile(`key_[0-9A-Z]+`).FindString(out)

	list := runCmd(t, "keys", "list", "--data-dir", dir)
	if !strings.Contains(list, id) || !strings.Contains(list, "viewer") || strings.Contains(list, "al_") {
		t.Errorf("keys list:\n%s", list)
	}
	runCmd(t, "keys", "revoke", "--data-dir", dir, id)
	list = runCmd(t, "keys", "list", "--data-dir", dir)
	if row := list[strings.Index(list, id):]; strings.HasSuffix(strings.TrimSpace(strings.SplitN(row, "\n", 2)[0]), "-") {
		t.Errorf("key not shown revoked:\n%s", list)
	}

	var stderr bytes.Buffer
	if err := run(t.Context(), []string{"keys", "create", "--data-dir", dir, "--tenant", "acme", "--role", "root", "--user-id", "x"}, io.Discard, &stderr); err == nil {
		t.Error("keys create accepted role root")
	}
}

func TestSeed(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"seed", "--data-dir", dir, "--events", "600", "--tenant", "demo", "--seed", "7", "--until", "2025-06-30"}
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("seed: %v\n%s", err, stderr.String())
	}
	if out := stdout.String(); !strings.Contains(out, "600 captured") {
		t.Errorf("seed: %s", out)
	}
	// Not a terminal: no progress bar redrawn into the log.
	if strings.Contains(stderr.String(), "\r") || strings.Contains(stderr.String(), "600/600") {
		t.Errorf("seed drew a progress bar into a non-terminal:\n%q", stderr.String())
	}
	// The same seed writes the same events: all duplicates.
	out := runCmd(t, "seed", "--data-dir", dir, "--events", "600", "--tenant", "demo", "--seed", "7", "--until", "2025-06-30")
	if !strings.Contains(out, "0 captured, 600 already there") {
		t.Errorf("seed again: %s", out)
	}
}

// TestServeBinary builds the binary, serves on a free port from a temp data
// dir, checks health and an introspection query, and stops it with SIGTERM.
func TestServeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "auditlog")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	create := exec.Command(bin, "keys", "create", "--tenant", "acme", "--role", "admin", "--user-id", "u-1", "--user-name", "Ann", "--user-email", "ann@acme.example")
	create.Env = append(os.Environ(), "AUDITLOG_DATA_DIR="+data)
	out, err := create.Output()
	if err != nil {
		t.Fatalf("keys create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	key := lines[len(lines)-1]

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve", "--log-format", "json")
	srv.Env = append(os.Environ(), "AUDITLOG_DATA_DIR="+data, "AUDITLOG_ADDR=127.0.0.1:0", "AUDITLOG_INTROSPECTION=true")
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	logs := bufio.NewScanner(stderr)
	var addr string
	for addr == "" && logs.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(logs.Bytes(), &line) == nil && line.Msg == "auditlog listening" {
			addr = line.Addr
		}
	}
	if addr == "" {
		srv.Process.Kill()
		t.Fatal("server did not report its address")
	}
	rest := make(chan string)
	go func() {
		var b strings.Builder
		for logs.Scan() {
			b.WriteString(logs.Text() + "\n")
		}
		rest <- b.String()
	}()

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	body := `{"query":"{ __schema { queryType { name } } viewer { tenant role } }"}`
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"data":{"__schema":{"queryType":{"name":"Query"}},"viewer":{"tenant":"acme","role":"admin"}}}`; string(got) != want {
		t.Errorf("introspection and viewer: %s\nwant %s", got, want)
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Errorf("serve exited with %v after SIGTERM", err)
	}
	if tail := <-rest; !strings.Contains(tail, `"msg":"stopped"`) {
		t.Errorf("no orderly stop in the logs:\n%s", tail)
	}
}

func TestExport(t *testing.T) {
	dir := t.TempDir()
	runCmd(t, "seed", "--data-dir", dir, "--events", "800", "--tenant", "demo", "--until", "2025-06-30")
	file := filepath.Join(dir, "set.csv")
	out := runCmd(t, "export", "--data-dir", dir, "--tenant", "demo", "--component", "SET", "--status", "SUCCESS,FAILED", "-o", file)

	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, complete, err := export.Verify(f)
	if err != nil || !complete {
		t.Fatalf("export file: complete=%v, %v", complete, err)
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "auditlog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	page, err := st.SearchEvents(t.Context(), audit.Query{Tenant: "demo", Limit: 1, Filter: audit.Filter{
		Components: []string{"SET"}, Statuses: []audit.Status{audit.StatusSuccess, audit.StatusFailed}}})
	if err != nil {
		t.Fatal(err)
	}
	if rows == 0 || int64(rows) != page.Total {
		t.Errorf("exported %d rows, the store has %d matching events", rows, page.Total)
	}
	if !strings.Contains(out, fmt.Sprintf("exported %d events", rows)) {
		t.Errorf("export output: %s", out)
	}
	// Another tenant's export of the same filter is empty (a tenant the
	// store knows: it has a key, whose creation is in its own trail only).
	runCmd(t, "keys", "create", "--data-dir", dir, "--tenant", "other", "--role", "viewer", "--user-id", "o-1")
	csvOut := runCmd(t, "export", "--data-dir", dir, "--tenant", "other", "--component", "SET", "--status", "SUCCESS,FAILED")
	if n, complete, err := export.Verify(strings.NewReader(csvOut)); n != 0 || !complete || err != nil {
		t.Errorf("export of an empty tenant: %d rows, complete=%v, %v", n, complete, err)
	}
}

// TestExportChecksTheFilter: the command line's filter is bounded as the
// API's is: one the API refuses is refused here too, naming the field,
// and no file is written.
func TestExportChecksTheFilter(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "out.csv")
	args := []string{"export", "--data-dir", dir, "--tenant", "demo", "--text", strings.Repeat("x", 1025), "-o", file}
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), args, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "filter.text: is longer than 1024 characters") {
		t.Errorf("export with a 1025-character --text: error %v, want one naming filter.text", err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused export wrote %s (stat: %v)", file, err)
	}
}

// TestExportIsAudited: an export from the command line is in the tenant's
// own trail like one downloaded through the API, done by the CLI operator,
// with what was asked for and how many rows were written.
func TestExportIsAudited(t *testing.T) {
	dir := t.TempDir()
	runCmd(t, "seed", "--data-dir", dir, "--events", "50", "--tenant", "demo", "--until", "2025-06-30")
	file := filepath.Join(dir, "kms.csv")
	runCmd(t, "export", "--data-dir", dir, "--tenant", "demo", "--component", "KMS", "--log-level", "error", "-o", file)
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _, err := export.Verify(f)
	if err != nil {
		t.Fatal(err)
	}

	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "auditlog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	page, err := st.SearchEvents(t.Context(), audit.Query{Tenant: "demo", Limit: 10, Filter: audit.Filter{Components: []string{"AUDITLOG"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 {
		t.Fatalf("%d AUDITLOG events after the export, want 1: %+v", len(page.Events), page.Events)
	}
	ev := page.Events[0]
	details, _ := json.Marshal(ev.Details)
	if ev.EventType != "EVENTS_EXPORTED" || ev.Status != audit.StatusSuccess || ev.ActionUser.Type != audit.UserSystem ||
		!strings.HasPrefix(ev.ActionUser.ID, "cli:") || ev.Details["rows"] != json.Number(fmt.Sprint(rows)) ||
		!strings.Contains(string(details), `"components":["KMS"]`) {
		t.Errorf("recorded %s %s by %+v, details %s; want the export of %d KMS rows by the CLI operator", ev.EventType, ev.Status, ev.ActionUser, details, rows)
	}
}

// TestExportSavedFilter exports with a user's saved filter, the user named
// by id or, for a user without one, by email.
func TestExportSavedFilter(t *testing.T) {
	dir := t.TempDir()
	runCmd(t, "seed", "--data-dir", dir, "--events", "50", "--tenant", "demo", "--until", "2025-06-30")
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "auditlog.db"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for owner, comp := range map[string]string{"u-1": "KMS", "email:ann@acme.example": "SET"} {
		if err := st.CreateSavedFilter(t.Context(), audit.SavedFilter{ID: "sf-" + comp, Tenant: "demo", OwnerID: owner, Name: "mine",
			Filter: audit.Filter{Components: []string{comp}}, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	for flag, comp := range map[string]string{"--owner=u-1": "KMS", "--owner-email=Ann@acme.example": "SET"} {
		out := runCmd(t, "export", "--data-dir", dir, "--tenant", "demo", "--saved", "mine", flag, "--log-level", "error")
		if n, complete, err := export.Verify(strings.NewReader(out)); err != nil || !complete || n == 0 {
			t.Fatalf("%s: %d rows, complete %v, %v", flag, n, complete, err)
		}
		r := csv.NewReader(strings.NewReader(out))
		r.FieldsPerRecord = -1 // the trailer line has one field
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", flag, err)
		}
		col := slices.Index(rows[0], "Component")
		for _, row := range rows[1 : len(rows)-1] {
			if col < 0 || row[col] != comp {
				t.Fatalf("%s: header %v, row %v; want only %s events", flag, rows[0], row, comp)
			}
		}
	}
	var stderr bytes.Buffer
	if err := run(t.Context(), []string{"export", "--data-dir", dir, "--tenant", "demo", "--saved", "mine", "--owner", "ann@acme.example"}, io.Discard, &stderr); err == nil {
		t.Error("an email given as --owner found the filter of the email-only user")
	}
	// A saved filter is the whole filter: flags that would narrow it are
	// refused, not silently dropped.
	for _, extra := range [][]string{{"--component", "KMS"}, {"--text", "x"}, {"--flagged", "true"}} {
		args := append([]string{"export", "--data-dir", dir, "--tenant", "demo", "--saved", "mine", "--owner", "u-1"}, extra...)
		if err := run(t.Context(), args, io.Discard, &stderr); err == nil || !strings.Contains(err.Error(), extra[0]) {
			t.Errorf("export --saved with %s: %v, want an error naming %s", extra[0], err, extra[0])
		}
	}
}

// testSigningKey is a checkpoint signing key (a base64 Ed25519 seed) for
// tests that run serve over OpenSearch, where AUDITLOG_SIGNING_KEY is
// required.
const testSigningKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
