package token_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/token"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

type claim struct {
	Tenant string `json:"tenant"`
	N      int    `json:"n"`
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newSigner(t *testing.T, c *clock) *token.Signer {
	t.Helper()
	s, err := token.NewSigner(secret, token.WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	c := &clock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	s := newSigner(t, c)
	tok, err := s.Sign(claim{Tenant: "acme", N: 7}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(tok, "+/= ") {
		t.Errorf("token %q is not URL-safe", tok)
	}
	var got claim
	if err := s.Verify(tok, &got); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got != (claim{Tenant: "acme", N: 7}) {
		t.Errorf("got %+v", got)
	}
}

func TestExpiry(t *testing.T) {
	c := &clock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	s := newSigner(t, c)
	tok, err := s.Sign(claim{N: 1}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(59 * time.Second)
	if err := s.Verify(tok, &claim{}); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	c.t = c.t.Add(time.Second)
	if err := s.Verify(tok, &claim{}); !errors.Is(err, token.ErrExpired) {
		t.Fatalf("at expiry: got %v, want ErrExpired", err)
	}
}

func TestTamper(t *testing.T) {
	c := &clock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	s := newSigner(t, c)
	tok, err := s.Sign(claim{Tenant: "acme", N: 7}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// Flip every character in turn: no single change may verify.
	for i := range len(tok) {
		for _, r := range []byte{'A', 'x', '0', '-', '_'} {
			if tok[i] == r {
				continue
			}
			bad := tok[:i] + string(r) + tok[i+1:]
			if err := s.Verify(bad, &claim{}); err == nil {
				t.Fatalf("token altered at %d (%q→%q) verified", i, tok[i], r)
			}
		}
	}
	for _, bad := range []string{"", ".", tok + "A", tok[:len(tok)-1], strings.Replace(tok, ".", "", 1), tok + "\n"} {
		if err := s.Verify(bad, &claim{}); !errors.Is(err, token.ErrInvalid) {
			t.Errorf("Verify(%q) = %v, want ErrInvalid", bad, err)
		}
	}

	other, err := token.NewSigner([]byte("another secret, also 32 bytes lo"))
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Verify(tok, &claim{}); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("token verified under another secret: %v", err)
	}
}

func TestPurposesDoNotMix(t *testing.T) {
	c := &clock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	s := newSigner(t, c)
	tok, err := s.For("cursor").Sign(claim{N: 1}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.For("cursor").Verify(tok, &claim{}); err != nil {
		t.Fatalf("same purpose: %v", err)
	}
	if err := s.For("export").Verify(tok, &claim{}); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("cursor token verified as export: %v", err)
	}
	if err := s.Verify(tok, &claim{}); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("cursor token verified by the parent signer: %v", err)
	}
}

func TestShortSecretRejected(t *testing.T) {
	if _, err := token.NewSigner([]byte("short")); err == nil {
		t.Fatal("NewSigner accepted a 5-byte secret")
	}
}
