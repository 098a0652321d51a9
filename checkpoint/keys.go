package checkpoint

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/auditlog/auditlog/audit"
)

// signaturePrefix separates checkpoint signatures from anything else the
// key might ever sign.
const signaturePrefix = "auditlog checkpoint signature\n"

// PublicKey is a verification key and its id.
type PublicKey struct {
	ID  string
	Key ed25519.PublicKey
}

// KeyID is the id of a public key: the first 8 bytes of its SHA-256, hex.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// EncodePublicKey is a public key as the API serves it: standard base64.
func EncodePublicKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

// ParsePublicKey parses a key as EncodePublicKey writes it.
func ParsePublicKey(s string) (PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return PublicKey{}, fmt.Errorf("public key: want %d bytes of base64", ed25519.PublicKeySize)
	}
	return PublicKey{ID: KeyID(b), Key: b}, nil
}

// Keyring signs with one key and verifies with it and every older key, so
// that checkpoints signed before a rotation stay verifiable.
type Keyring struct {
	signer ed25519.PrivateKey
	id     string
	public []PublicKey
}

// GenerateSeed returns a new private key seed, encoded as ParseKeyring
// reads it.
func GenerateSeed() (string, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return "", fmt.Errorf("generate signing key: %w", err)
	}
	return encodeSeed(seed), nil
}

// ParseKeyring reads keys separated by commas or newlines, each the
// base64 of a 32-byte Ed25519 seed: the first signs, all verify. Lines
// starting with # are comments.
func ParseKeyring(s string) (*Keyring, error) {
	var seeds []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, f := range strings.Split(line, ",") {
			if f = strings.TrimSpace(f); f != "" {
				seeds = append(seeds, f)
			}
		}
	}
	if len(seeds) == 0 {
		return nil, errors.New("signing key: none given")
	}
	kr := &Keyring{}
	for i, s := range seeds {
		seed, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("signing key %d: want the base64 of a %d-byte Ed25519 seed", i+1, ed25519.SeedSize)
		}
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		if i == 0 {
			kr.signer, kr.id = priv, KeyID(pub)
		}
		kr.public = append(kr.public, PublicKey{ID: KeyID(pub), Key: pub})
	}
	return kr, nil
}

// NewVerifier returns a keyring that verifies with these keys and cannot sign.
func NewVerifier(keys ...PublicKey) *Keyring { return &Keyring{public: keys} }

// KeyID is the id of the signing key.
func (k *Keyring) KeyID() string { return k.id }

// PublicKeys lists the verification keys, the signing key first.
func (k *Keyring) PublicKeys() []PublicKey { return append([]PublicKey(nil), k.public...) }

// Sign sets cp's key id and signature.
func (k *Keyring) Sign(cp *audit.Checkpoint) error {
	if k.signer == nil {
		return errors.New("sign checkpoint: the keyring holds no private key")
	}
	cp.KeyID = k.id
	cp.Signature = ed25519.Sign(k.signer, signed(*cp))
	return nil
}

// ErrSignature is the error of a checkpoint whose signature does not verify.
var ErrSignature = errors.New("checkpoint signature does not verify")

// Verify checks cp's signature with the key it names.
func (k *Keyring) Verify(cp audit.Checkpoint) error {
	for _, p := range k.public {
		if p.ID == cp.KeyID {
			if ed25519.Verify(p.Key, signed(cp), cp.Signature) {
				return nil
			}
			return ErrSignature
		}
	}
	return fmt.Errorf("%w: unknown key %q", ErrSignature, cp.KeyID)
}

// SignData signs arbitrary data under a prefix of the caller's (export
// manifests), with the signing key.
func (k *Keyring) SignData(prefix string, data []byte) ([]byte, error) {
	if k.signer == nil {
		return nil, errors.New("sign: the keyring holds no private key")
	}
	return ed25519.Sign(k.signer, append([]byte(prefix), data...)), nil
}

// VerifyData checks a signature made by SignData with the key keyID.
func (k *Keyring) VerifyData(prefix string, data []byte, keyID string, sig []byte) error {
	for _, p := range k.public {
		if p.ID == keyID {
			if ed25519.Verify(p.Key, append([]byte(prefix), data...), sig) {
				return nil
			}
			return ErrSignature
		}
	}
	return fmt.Errorf("%w: unknown key %q", ErrSignature, keyID)
}

func signed(cp audit.Checkpoint) []byte { return append([]byte(signaturePrefix), Body(cp)...) }

func encodeSeed(seed []byte) string { return base64.StdEncoding.EncodeToString(seed) }
