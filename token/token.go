// Package token makes signed, expiring, URL-safe tokens: page cursors and
// download links that a client holds but cannot forge or alter.
//
// A token is base64url(payload) "." base64url(HMAC-SHA256(key, payload)),
// where payload is the JSON {"exp": unix seconds, "v": value}. The value is
// readable by whoever holds the token: sign only what the holder may see.
package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MinSecretLen is the shortest secret accepted: HMAC-SHA256 keys shorter
// than the hash output weaken it.
const MinSecretLen = 32

// maxTokenLen bounds the work Verify does on hostile input.
const maxTokenLen = 64 << 10

// Errors of Verify; compare with errors.Is.
var (
	ErrInvalid = errors.New("invalid token")
	ErrExpired = errors.New("token expired")
)

// Signer signs and verifies tokens with one key. It is safe for concurrent use.
type Signer struct {
	key []byte
	now func() time.Time
}

// Option configures a Signer.
type Option func(*Signer)

// WithClock makes the Signer read the time from now (tests).
func WithClock(now func() time.Time) Option { return func(s *Signer) { s.now = now } }

// NewSigner returns a Signer keyed by secret, which must be at least
// MinSecretLen bytes.
func NewSigner(secret []byte, opts ...Option) (*Signer, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("token secret is %d bytes, want at least %d", len(secret), MinSecretLen)
	}
	s := &Signer{key: append([]byte(nil), secret...), now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// For returns a Signer whose tokens are valid only for this purpose: a token
// signed for "cursor" does not verify as an "export" link, whatever it holds.
func (s *Signer) For(purpose string) *Signer {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("auditlog token purpose\x00" + purpose))
	return &Signer{key: m.Sum(nil), now: s.now}
}

type payload struct {
	Exp int64           `json:"exp"`
	V   json.RawMessage `json:"v"`
}

// Sign returns a token holding v (encoded as JSON) that expires after ttl.
func (s *Signer) Sign(v any, ttl time.Duration) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode token value: %w", err)
	}
	body, err := json.Marshal(payload{Exp: s.now().Add(ttl).Unix(), V: raw})
	if err != nil {
		return "", fmt.Errorf("encode token: %w", err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(body) + "." + enc.EncodeToString(s.mac(body)), nil
}

// Verify checks tok's signature and expiry and decodes its value into v.
// A token altered in any way is ErrInvalid; one past its expiry ErrExpired.
func (s *Signer) Verify(tok string, v any) error {
	if len(tok) > maxTokenLen {
		return ErrInvalid
	}
	b64body, b64sig, ok := strings.Cut(tok, ".")
	if !ok {
		return ErrInvalid
	}
	enc := base64.RawURLEncoding
	body, err := enc.DecodeString(b64body)
	if err != nil {
		return ErrInvalid
	}
	sig, err := enc.DecodeString(b64sig)
	if err != nil {
		return ErrInvalid
	}
	// base64 decoding tolerates line breaks and stray padding bits; demand
	// the one canonical spelling so that a token has exactly one form.
	if enc.EncodeToString(body) != b64body || enc.EncodeToString(sig) != b64sig {
		return ErrInvalid
	}
	// The signature is checked before anything in the body is believed.
	if !hmac.Equal(sig, s.mac(body)) {
		return ErrInvalid
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return ErrInvalid
	}
	if !s.now().Before(time.Unix(p.Exp, 0)) {
		return ErrExpired
	}
	if err := json.Unmarshal(p.V, v); err != nil {
		return fmt.Errorf("%w: value does not decode: %v", ErrInvalid, err)
	}
	return nil
}

func (s *Signer) mac(body []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(body)
	return m.Sum(nil)
}
