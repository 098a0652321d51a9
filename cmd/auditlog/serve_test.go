package main

import (
	"bytes"
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
