package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/token"
)

// env returns the environment variable name, or def when it is unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// storeFlags select the store; every command that touches data shares them.
type storeFlags struct {
	dataDir          string
	openSearchURL    string
	openSearchPrefix string
	logFormat        string
	logLevel         string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.dataDir, "data-dir", env("AUDITLOG_DATA_DIR", "./data"),
		"directory of the embedded store and its secret (env AUDITLOG_DATA_DIR)")
	fs.StringVar(&s.openSearchURL, "opensearch-url", env("AUDITLOG_OPENSEARCH_URL", ""),
		"OpenSearch URL, e.g. http://user:pass@127.0.0.1:9200; the embedded store when empty (env AUDITLOG_OPENSEARCH_URL)")
	fs.StringVar(&s.openSearchPrefix, "opensearch-prefix", env("AUDITLOG_OPENSEARCH_PREFIX", opensearch.DefaultPrefix),
		"prefix of every OpenSearch index and template (env AUDITLOG_OPENSEARCH_PREFIX)")
	fs.StringVar(&s.logFormat, "log-format", env("AUDITLOG_LOG_FORMAT", "text"), "log format: text or json (env AUDITLOG_LOG_FORMAT)")
	fs.StringVar(&s.logLevel, "log-level", env("AUDITLOG_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env AUDITLOG_LOG_LEVEL)")
}

func (s *storeFlags) embedded() bool { return s.openSearchURL == "" }

func (s *storeFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch s.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, got %q", s.logFormat)
}

// open opens the selected store: OpenSearch when a URL is given, else the
// embedded SQLite store at <data-dir>/auditlog.db.
func (s *storeFlags) open(ctx context.Context, log *slog.Logger) (store.Store, error) {
	if !s.embedded() {
		u, err := url.Parse(s.openSearchURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--opensearch-url %q is not an http(s) URL", s.openSearchURL)
		}
		cfg := opensearch.Config{Prefix: s.openSearchPrefix, Logger: log}
		if u.User != nil {
			cfg.Username = u.User.Username()
			cfg.Password, _ = u.User.Password()
			u.User = nil
		}
		cfg.URLs = []string{u.String()}
		st, err := opensearch.New(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("open OpenSearch store at %s: %w", u.Redacted(), err)
		}
		return st, nil
	}
	if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(s.dataDir, "auditlog.db")
	st, err := sqlite.Open(ctx, path, sqlite.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("open embedded store %s: %w", path, err)
	}
	return st, nil
}

// signer returns the signer of cursors and download links. The secret comes
// from AUDITLOG_SECRET; with the embedded store one is generated on first
// use and kept in the data dir. Replicas in front of OpenSearch must share
// it, so there it is required.
func (s *storeFlags) signer() (*token.Signer, error) {
	if secret := os.Getenv("AUDITLOG_SECRET"); secret != "" {
		return token.NewSigner([]byte(secret))
	}
	if !s.embedded() {
		return nil, fmt.Errorf("AUDITLOG_SECRET is required with OpenSearch (at least %d bytes, the same on every replica)", token.MinSecretLen)
	}
	path := filepath.Join(s.dataDir, "secret")
	secret, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("generate secret: %w", err)
		}
		secret = []byte(hex.EncodeToString(b))
		if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		// O_EXCL: if another process created it meanwhile, use theirs.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, err = f.Write(secret)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return nil, fmt.Errorf("write secret %s: %w", path, err)
			}
		} else if errors.Is(err, fs.ErrExist) {
			if secret, err = os.ReadFile(path); err != nil {
				return nil, fmt.Errorf("read secret: %w", err)
			}
		} else {
			return nil, fmt.Errorf("create secret %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	return token.NewSigner([]byte(strings.TrimSpace(string(secret))))
}
