package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/checkpointer"
)

// signingKeysFile holds the embedded store's checkpoint signing keys in the
// data dir, one base64 Ed25519 seed per line: the first signs, the others
// (older keys, after a rotation) only verify.
const signingKeysFile = "signing-keys"

// signingKeys returns the keyring that signs checkpoints and export
// manifests. AUDITLOG_SIGNING_KEY holds the keys (comma- or
// newline-separated, the signing key first, older ones after it so that
// what they signed stays verifiable); with the embedded store one is
// generated on first use and kept in the data dir. Replicas in front of
// OpenSearch must share it, so there it is required.
func (s *storeFlags) signingKeys() (*checkpoint.Keyring, error) {
	if keys := os.Getenv("AUDITLOG_SIGNING_KEY"); keys != "" {
		kr, err := checkpoint.ParseKeyring(keys)
		if err != nil {
			return nil, fmt.Errorf("AUDITLOG_SIGNING_KEY: %w", err)
		}
		return kr, nil
	}
	if !s.embedded() {
		return nil, errors.New("AUDITLOG_SIGNING_KEY is required with OpenSearch (the base64 of a 32-byte Ed25519 seed, the same on every replica; `auditlog signing-key` prints a new one)")
	}
	path := filepath.Join(s.dataDir, signingKeysFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		seed, err := checkpoint.GenerateSeed()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		// O_EXCL: if another process created it meanwhile, use theirs.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case err == nil:
			_, err = f.WriteString(seed + "\n")
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, fmt.Errorf("write signing key %s: %w", path, err)
			}
			data = []byte(seed)
		case errors.Is(err, fs.ErrExist):
			if data, err = os.ReadFile(path); err != nil {
				return nil, fmt.Errorf("read signing key: %w", err)
			}
		default:
			return nil, fmt.Errorf("create signing key %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	kr, err := checkpoint.ParseKeyring(string(data))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return kr, nil
}

// checkpointFlags tune the checkpointer of serve.
type checkpointFlags struct {
	interval time.Duration
	margin   time.Duration
}

// checkpointEnv names the environment fallback of every checkpoint flag.
var checkpointEnv = map[string]string{
	"checkpoint-interval": "AUDITLOG_CHECKPOINT_INTERVAL",
	"checkpoint-margin":   "AUDITLOG_CHECKPOINT_MARGIN",
}

func (c *checkpointFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&c.interval, "checkpoint-interval", checkpointer.DefaultInterval,
		"how often signed checkpoints commit the events ingested since the last; 0 makes none (env AUDITLOG_CHECKPOINT_INTERVAL)")
	fs.DurationVar(&c.margin, "checkpoint-margin", checkpointer.DefaultMargin,
		"how old an ingest-time window must be before it is checkpointed: more than the longest write plus the refresh interval and the clock skew between replicas (env AUDITLOG_CHECKPOINT_MARGIN)")
}

func (c *checkpointFlags) check() error {
	if c.interval < 0 {
		return fmt.Errorf("--checkpoint-interval must not be negative, got %s", c.interval)
	}
	if c.margin < 0 {
		return fmt.Errorf("--checkpoint-margin must not be negative, got %s", c.margin)
	}
	return nil
}

// signingKeyCmd prints a new signing key, for AUDITLOG_SIGNING_KEY.
func signingKeyCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("signing-key", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	seed, err := checkpoint.GenerateSeed()
	if err != nil {
		return err
	}
	kr, err := checkpoint.ParseKeyring(seed)
	if err != nil {
		return err
	}
	pub := kr.PublicKeys()[0]
	fmt.Fprintf(stderr, "key id %s, public key %s\n", pub.ID, checkpoint.EncodePublicKey(pub.Key))
	fmt.Fprintln(stdout, seed)
	return nil
}
