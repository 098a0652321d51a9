package token_test

import (
	"testing"
	"time"

	"github.com/auditlog/auditlog/token"
)

// FuzzVerify feeds arbitrary strings to Verify: it must never panic, and
// the only token it accepts is the one the signer produced.
func FuzzVerify(f *testing.F) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	s, err := token.NewSigner(secret, token.WithClock(func() time.Time { return now }))
	if err != nil {
		f.Fatal(err)
	}
	valid, err := s.Sign(claim{Tenant: "acme", N: 42}, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Fuzz(func(t *testing.T, tok string) {
		var c claim
		if err := s.Verify(tok, &c); err != nil {
			return
		}
		if tok != valid {
			t.Fatalf("Verify accepted a token the signer did not make: %q", tok)
		}
	})
}
