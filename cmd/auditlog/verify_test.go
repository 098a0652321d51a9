package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/checkpointer"
)

// TestVerifyCommand: seeded events, checkpointed, verify intact; an export
// with a manifest verifies offline with the public key alone, and not once
// a character of it changed; an UPDATE on the file is reported by id.
func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AUDITLOG_SIGNING_KEY", "")
	runCmd(t, "seed", "--data-dir", dir, "--events", "300", "--tenant", "demo", "--seed", "3", "--until", "2025-06-30")

	// The checkpointer of a server that ran past the window's close.
	sf := storeFlags{dataDir: dir, logFormat: "text", logLevel: "error"}
	keys, err := sf.signingKeys()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sf.open(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return time.Now().Add(checkpointer.DefaultMargin + 2*checkpointer.DefaultInterval) }
	if n, err := checkpointer.New(st, keys, checkpointer.Options{Clock: later}).RunOnce(t.Context()); err != nil || n == 0 {
		t.Fatalf("checkpoints: %d, %v", n, err)
	}
	st.Close()

	out := runCmd(t, "verify", "--data-dir", dir, "--tenant", "demo")
	if m := regexp.MustCompile(`\b(\d+) windows, 300 events: (\d+) intact, 0 tampered`).FindStringSubmatch(out); m == nil || m[1] != m[2] {
		t.Errorf("verify of an intact log:\n%s", out)
	}

	csvPath, manifestPath := filepath.Join(dir, "out.csv"), filepath.Join(dir, "out.json")
	out = runCmd(t, "export", "--data-dir", dir, "--tenant", "demo", "--component", "KMS", "-o", csvPath, "--manifest", manifestPath)
	if !strings.Contains(out, "signed manifest") {
		t.Errorf("export with a manifest:\n%s", out)
	}
	pub := checkpoint.EncodePublicKey(keys.PublicKeys()[0].Key)
	// Offline: another data dir, no store, the public key only.
	offline := []string{"verify", "--data-dir", t.TempDir(), "--export", csvPath, "--manifest", manifestPath, "--public-key", pub}
	if out := runCmd(t, offline...); !regexp.MustCompile(`\d+ rows, \d+ proven, 0 problems`).MatchString(out) {
		t.Errorf("offline verify of the export:\n%s", out)
	}
	csv, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(csv, []byte("\r\n")) + 2 // the first data row
	edited := bytes.Clone(csv)
	edited[i+1] ^= 0x01 // the id's second character
	if err := os.WriteFile(csvPath, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err = run(t.Context(), offline, &stdout, &stderr)
	if err == nil || !strings.Contains(stdout.String(), "ROW_ALTERED row 1") {
		t.Errorf("offline verify of an edited export: %v\n%s", err, stdout.String())
	}

	// Behind the API: one event's actor changed in the file.
	db, err := sql.Open("sqlite", filepath.Join(dir, "auditlog.db"))
	if err != nil {
		t.Fatal(err)
	}
	var id string
	if err := db.QueryRowContext(context.Background(), `SELECT id FROM events WHERE tenant = 'demo' ORDER BY ingested_at, id LIMIT 1 OFFSET 17`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), `UPDATE events SET action_user_name = 'Mallory' WHERE tenant = 'demo' AND id = ?`, id); err != nil {
		t.Fatal(err)
	}
	db.Close()
	stdout.Reset()
	err = run(t.Context(), []string{"verify", "--data-dir", dir, "--tenant", "demo"}, &stdout, &stderr)
	if err == nil || !strings.Contains(stdout.String(), "EVENTS_ALTERED 1 "+id) {
		t.Errorf("verify after an UPDATE: %v\n%s", err, stdout.String())
	}
}
