package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
)

// TestEveryCommandHasHelp: -h on every command and subcommand prints its
// usage and ends as help does (exit 0), naming revoke's argument and
// create's required flags.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-h"}, "commands:"},
		{[]string{"serve", "-h"}, "-opensearch-url"},
		{[]string{"keys", "-h"}, "auditlog keys revoke ID"},
		{[]string{"keys", "create", "-h"}, "(required)"},
		{[]string{"keys", "list", "-h"}, "auditlog keys list"},
		{[]string{"keys", "revoke", "-h"}, "auditlog keys revoke [flags] ID"},
		{[]string{"seed", "-h"}, "-events"},
		{[]string{"export", "-h"}, "-tenant"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), c.args, &stdout, &stderr)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("auditlog %s: %v", strings.Join(c.args, " "), err)
		}
		if out := stdout.String() + stderr.String(); !strings.Contains(out, c.want) {
			t.Errorf("auditlog %s says nothing of %q:\n%s", strings.Join(c.args, " "), c.want, out)
		}
	}
}

// TestKeysFirstContact: keys create names the required flags it lacks and
// creates nothing; revoke reads flags after the id; revoking a key that
// does not exist says so once; export of an unknown tenant fails.
func TestKeysFirstContact(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"keys", "create", "--data-dir", dir, "--user-id", "x"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--tenant") || !strings.Contains(err.Error(), "--role") || strings.Contains(stdout.String(), "al_") {
		t.Errorf("keys create --user-id x: err %v, stdout %q; want a refusal naming --tenant and --role", err, stdout.String())
	}
	if list := runCmd(t, "keys", "list", "--data-dir", dir); strings.Contains(list, "key_") {
		t.Errorf("a refused create made a key:\n%s", list)
	}
	out := runCmd(t, "keys", "create", "--data-dir", dir, "--tenant", "acme", "--role", "viewer", "--user-id", "u-1")
	id := regexp.MustCompile(`key_[0-9A-Z]+`).FindString(out)
	// Flags after the id are read: with --data-dir ignored, the key would
	// be looked for in ./data and not found.
	if out := runCmd(t, "keys", "revoke", id, "--data-dir", dir); !strings.Contains(out, "revoked key "+id) {
		t.Errorf("keys revoke ID --data-dir: %s", out)
	}
	err = run(t.Context(), []string{"keys", "revoke", "--data-dir", dir, "key_NOSUCH"}, io.Discard, io.Discard)
	if err == nil || strings.Count(err.Error(), "key_NOSUCH") != 1 {
		t.Errorf("revoking a missing key: %v; want an error naming it once", err)
	}
	err = run(t.Context(), []string{"export", "--data-dir", dir, "--tenant", "nosuch"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `no tenant "nosuch"`) {
		t.Errorf("export --tenant nosuch: %v; want an error saying there is no such tenant", err)
	}
	if err := run(t.Context(), []string{"export", "--data-dir", dir, "--tenant", "acme"}, io.Discard, io.Discard); err != nil {
		t.Errorf("export of a tenant with a key and no events: %v", err)
	}
}

// TestVersion: --version names the build.
func TestVersion(t *testing.T) {
	out := runCmd(t, "--version")
	if !regexp.MustCompile(`^auditlog \S+, commit .+, go1\.`).MatchString(out) {
		t.Errorf("--version: %q", out)
	}
}

// TestSeedProgressSaysRateAndTimeLeft: the progress line carries the rate
// and the time left at that rate.
func TestSeedProgressSaysRateAndTimeLeft(t *testing.T) {
	if got := rateAndETA(500, 60500, time.Second); got != " 500/s, 2:00 left" {
		t.Errorf("rateAndETA = %q", got)
	}
	var b bytes.Buffer
	p := progress{w: &b, total: 1000, start: time.Now().Add(-2 * time.Second)}
	p.show(500)
	if !regexp.MustCompile(`500/1000 \d+/s, 0:0\d left`).MatchString(b.String()) {
		t.Errorf("progress line %q has no rate and time left", b.String())
	}
}

// TestCommandsDoNotClaimALifecycleManager: keys, seed and export on
// OpenSearch run no lifecycle manager, and their logs do not say one runs.
func TestCommandsDoNotClaimALifecycleManager(t *testing.T) {
	u := opensearchtest.URL(t)
	prefix := opensearchtest.Prefix(t, u)
	t.Setenv("AUDITLOG_SECRET", strings.Repeat("s", 32))
	t.Setenv("AUDITLOG_SIGNING_KEY", testSigningKey)
	for _, args := range [][]string{
		{"keys", "create", "--tenant", "acme", "--role", "viewer", "--user-id", "u-1"},
		{"keys", "list"},
		{"seed", "--events", "10", "--tenant", "acme"},
		{"export", "--tenant", "acme"},
	} {
		var stderr bytes.Buffer
		args = append(args, "--opensearch-url", u, "--opensearch-prefix", prefix)
		if err := run(t.Context(), args, io.Discard, &stderr); err != nil {
			t.Fatalf("auditlog %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		if strings.Contains(stderr.String(), "lifecycle") {
			t.Errorf("auditlog %s logs a lifecycle manager:\n%s", args[0], stderr.String())
		}
	}
}
