// Package auth turns API keys into principals and decides what each role
// may do. Keys look like "al_" followed by 32 random bytes in base64url; the
// store keeps only their SHA-256 hash.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/errs"
	"github.com/auditlog/auditlog/store"
)

// KeyPrefix starts every API key, so a leaked key is recognisable by
// secret scanners and in logs.
const KeyPrefix = "al_"

const keyBytes = 32

// Errors of authentication and authorization; compare with errors.Is.
var (
	ErrUnauthenticated = errs.New(errs.Unauthenticated, "unauthenticated")
	ErrForbidden       = errs.New(errs.Forbidden, "forbidden")
)

// NewKey returns a new random API key.
func NewKey() (string, error) {
	b := make([]byte, keyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random key: %w", err)
	}
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// wellFormed reports whether key has the shape NewKey gives, so garbage is
// refused without a store lookup.
func wellFormed(key string) bool {
	rest, ok := strings.CutPrefix(key, KeyPrefix)
	if !ok || len(rest) != base64.RawURLEncoding.EncodedLen(keyBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}

// HashKey returns the hash under which a key is stored. A single fast
// SHA-256 is right here, unlike for passwords: keys carry 256 random bits, so
// there is no dictionary to try and slowing the hash would only slow every
// request, not an attacker.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Keys creates, lists and revokes API keys.
type Keys struct {
	store     store.KeyStore
	now       func() time.Time
	validator *audit.Validator
}

// NewKeys returns a Keys service over ks; clock may be nil for time.Now.
func NewKeys(ks store.KeyStore, clock func() time.Time) *Keys {
	if clock == nil {
		clock = time.Now
	}
	return &Keys{store: ks, now: clock, validator: audit.NewValidator()}
}

// Create stores a new key for p and returns the key itself, which is shown
// this once and never stored, with its stored record.
func (k *Keys) Create(ctx context.Context, p audit.Principal) (string, audit.APIKey, error) {
	if p.User.Type == "" {
		p.User.Type = audit.UserDashboard
	}
	if err := k.validPrincipal(p); err != nil {
		return "", audit.APIKey{}, err
	}
	plain, err := NewKey()
	if err != nil {
		return "", audit.APIKey{}, err
	}
	p.KeyID = "key_" + ulid.Make().String()
	rec := audit.APIKey{ID: p.KeyID, Hash: HashKey(plain), Principal: p, CreatedAt: k.now().UTC()}
	if err := k.store.CreateKey(ctx, rec); err != nil {
		return "", audit.APIKey{}, fmt.Errorf("store key: %w", err)
	}
	return plain, rec, nil
}

func (k *Keys) validPrincipal(p audit.Principal) error {
	var fields []audit.FieldError
	// Every action taken with the key is recorded with its user as an
	// event's user (flags, the service's own trail): the user must follow
	// the rules of one, or those records would be refused.
	fields = append(fields, k.userErrors(p.User)...)
	if !audit.ValidTenant(p.Tenant) {
		fields = append(fields, audit.FieldError{Field: "tenant", Message: "must be lower-case letters, digits or '-'"})
	}
	if !p.Role.Valid() {
		fields = append(fields, audit.FieldError{Field: "role", Message: fmt.Sprintf("must be one of emitter, viewer, admin, got %q", p.Role)})
	}
	if p.User.ID == "" && p.User.Email == "" && p.User.Name == "" {
		fields = append(fields, audit.FieldError{Field: "user", Message: "needs an id, email or name, so actions taken with the key can be attributed"})
	}
	for _, c := range p.Components {
		if !audit.ValidComponentID(c) {
			fields = append(fields, audit.FieldError{Field: "components", Message: fmt.Sprintf("%q is not a component id", c)})
		}
	}
	if len(fields) > 0 {
		return &audit.InvalidError{Fields: fields}
	}
	return nil
}

// userErrors returns what is wrong with u as an event's user, with fields
// named "user.<field>".
func (k *Keys) userErrors(u audit.User) []audit.FieldError {
	// The one place the rules live is event validation: check an event
	// that is valid but for its action user.
	probe := audit.Event{
		ID: "probe", Tenant: "probe", ComponentID: "PROBE", EventType: "PROBE", Priority: audit.PriorityLow,
		Status: audit.StatusSuccess, ActionUser: u, OccurredAt: k.now(),
	}
	err := k.validator.Event(&probe, k.now())
	if err == nil {
		return nil
	}
	ie, ok := audit.AsInvalid(err)
	if !ok {
		return []audit.FieldError{{Field: "user", Message: err.Error()}}
	}
	var fields []audit.FieldError
	for _, f := range ie.Fields {
		if rest, ok := strings.CutPrefix(f.Field, "actionUser."); ok {
			fields = append(fields, audit.FieldError{Field: "user." + rest, Message: f.Message})
		}
	}
	return fields
}

// List returns the keys of a tenant, or of every tenant when tenant is "",
// newest first. Records hold hashes only.
func (k *Keys) List(ctx context.Context, tenant string) ([]audit.APIKey, error) {
	keys, err := k.store.ListKeys(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	slices.SortFunc(keys, func(a, b audit.APIKey) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return keys, nil
}

// Revoke revokes the key with this id. With a tenant, only that tenant's
// keys can be revoked (others are store.ErrNotFound); "" is the operator,
// who may revoke any key.
func (k *Keys) Revoke(ctx context.Context, tenant, id string) error {
	if tenant != "" {
		keys, err := k.store.ListKeys(ctx, tenant)
		if err != nil {
			return fmt.Errorf("list keys: %w", err)
		}
		if !slices.ContainsFunc(keys, func(key audit.APIKey) bool { return key.ID == id }) {
			return fmt.Errorf("key %s: %w", id, store.ErrNotFound)
		}
	}
	if err := k.store.RevokeKey(ctx, id, k.now().UTC()); err != nil {
		return fmt.Errorf("revoke key %s: %w", id, err)
	}
	return nil
}
