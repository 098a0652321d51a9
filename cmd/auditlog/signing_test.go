package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/checkpoint"
)

func TestSigningKeyEmbeddedIsGeneratedOnce(t *testing.T) {
	t.Setenv("AUDITLOG_SIGNING_KEY", "")
	sf := storeFlags{dataDir: filepath.Join(t.TempDir(), "data")}
	first, err := sf.signingKeys()
	if err != nil {
		t.Fatal(err)
	}
	again, err := sf.signingKeys()
	if err != nil {
		t.Fatal(err)
	}
	if first.KeyID() != again.KeyID() {
		t.Errorf("the key changed between runs: %s, then %s", first.KeyID(), again.KeyID())
	}
	info, err := os.Stat(filepath.Join(sf.dataDir, signingKeysFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("signing key file mode %o, want 600", perm)
	}
}

func TestSigningKeyRequiredWithOpenSearch(t *testing.T) {
	t.Setenv("AUDITLOG_SIGNING_KEY", "")
	sf := storeFlags{dataDir: t.TempDir(), openSearchURL: "http://127.0.0.1:9200"}
	if _, err := sf.signingKeys(); err == nil || !strings.Contains(err.Error(), "AUDITLOG_SIGNING_KEY") {
		t.Errorf("no key with OpenSearch: %v, want an error naming AUDITLOG_SIGNING_KEY", err)
	}
	t.Setenv("AUDITLOG_SIGNING_KEY", "not a key")
	if _, err := sf.signingKeys(); err == nil || !strings.Contains(err.Error(), "AUDITLOG_SIGNING_KEY") {
		t.Errorf("a bad key: %v, want an error naming AUDITLOG_SIGNING_KEY", err)
	}
}

// TestSigningKeyRotation: the command prints new keys; with the new one
// first and the old one after it, the new one signs and both verify.
func TestSigningKeyRotation(t *testing.T) {
	newSeed := func() string {
		var stdout, stderr bytes.Buffer
		if err := run(t.Context(), []string{"signing-key"}, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr.String(), "public key") {
			t.Errorf("signing-key says nothing of the public key: %q", stderr.String())
		}
		return strings.TrimSpace(stdout.String())
	}
	oldSeed, seed := newSeed(), newSeed()
	sf := storeFlags{openSearchURL: "http://127.0.0.1:9200"}
	t.Setenv("AUDITLOG_SIGNING_KEY", oldSeed)
	old, err := sf.signingKeys()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AUDITLOG_SIGNING_KEY", seed+","+oldSeed)
	rotated, err := sf.signingKeys()
	if err != nil {
		t.Fatal(err)
	}
	if rotated.KeyID() == old.KeyID() {
		t.Fatal("the rotated keyring signs with the old key")
	}
	var ids []string
	for _, p := range rotated.PublicKeys() {
		ids = append(ids, p.ID)
	}
	if len(ids) != 2 || ids[0] != rotated.KeyID() || ids[1] != old.KeyID() {
		t.Errorf("rotated keyring verifies with %v, want [%s %s]", ids, rotated.KeyID(), old.KeyID())
	}
	if _, err := checkpoint.ParseKeyring(seed); err != nil {
		t.Errorf("the printed key does not parse: %v", err)
	}
}
