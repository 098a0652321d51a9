package opensearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// Keys are stored under their hash, so that authenticating a request is one
// real-time GET; operations by key id find the key with a search first.

func normalizeKey(k audit.APIKey) audit.APIKey {
	k.CreatedAt = msUTC(k.CreatedAt)
	if k.LastUsedAt != nil {
		t := msUTC(*k.LastUsedAt)
		k.LastUsedAt = &t
	}
	if k.RevokedAt != nil {
		t := msUTC(*k.RevokedAt)
		k.RevokedAt = &t
	}
	return k
}

// CreateKey stores a new key; ErrDuplicate if its id or hash exists.
func (s *Store) CreateKey(ctx context.Context, key audit.APIKey) error {
	if key.ID == "" || key.Hash == "" {
		return errors.New("opensearch: create key: id and hash are required")
	}
	_, _, err := s.keyByID(ctx, key.ID)
	switch {
	case err == nil:
		return store.ErrDuplicate
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("opensearch: create key: %w", err)
	}
	if err := s.put(ctx, s.index(keysIndex), key.Hash, normalizeKey(key), true, nil); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return err
		}
		return fmt.Errorf("opensearch: create key: %w", err)
	}
	return nil
}

// KeyByHash returns the key with this hash, revoked or not.
func (s *Store) KeyByHash(ctx context.Context, hash string) (audit.APIKey, error) {
	var key audit.APIKey
	if _, err := s.get(ctx, s.index(keysIndex), hash, &key); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return audit.APIKey{}, err
		}
		return audit.APIKey{}, fmt.Errorf("opensearch: key by hash: %w", err)
	}
	return key, nil
}

// keyByID finds a key by id, with the guard of its document.
func (s *Store) keyByID(ctx context.Context, id string) (audit.APIKey, getDoc, error) {
	var key audit.APIKey
	var guard getDoc
	found := false
	err := s.searchAll(ctx, s.index(keysIndex), term("id", id), []obj{{"hash": "asc"}}, func(h searchHit) error {
		if err := json.Unmarshal(h.Source, &key); err != nil {
			return fmt.Errorf("decode key %s: %w", id, err)
		}
		guard = getDoc{Found: true, SeqNo: h.SeqNo, PrimaryTerm: h.PrimaryTerm}
		found = true
		return nil
	})
	if err != nil {
		return audit.APIKey{}, getDoc{}, err
	}
	if !found {
		return audit.APIKey{}, getDoc{}, store.ErrNotFound
	}
	return key, guard, nil
}

// ListKeys returns the keys of a tenant, or of every tenant when tenant is
// "", ordered by creation.
func (s *Store) ListKeys(ctx context.Context, tenant string) ([]audit.APIKey, error) {
	query := obj{"match_all": obj{}}
	if tenant != "" {
		query = term("principal.tenant", tenant)
	}
	var out []audit.APIKey
	err := s.searchAll(ctx, s.index(keysIndex), query, []obj{{"createdAt": "asc"}, {"id": "asc"}}, func(h searchHit) error {
		var k audit.APIKey
		if err := json.Unmarshal(h.Source, &k); err != nil {
			return fmt.Errorf("decode key %s: %w", h.ID, err)
		}
		out = append(out, k)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("opensearch: list keys: %w", err)
	}
	return out, nil
}

// RevokeKey marks a key revoked at the given time.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) error {
	return s.updateKey(ctx, id, func(k *audit.APIKey) { t := msUTC(at); k.RevokedAt = &t })
}

// TouchKey records that a key was used at the given time.
func (s *Store) TouchKey(ctx context.Context, id string, at time.Time) error {
	return s.updateKey(ctx, id, func(k *audit.APIKey) { t := msUTC(at); k.LastUsedAt = &t })
}

func (s *Store) updateKey(ctx context.Context, id string, change func(*audit.APIKey)) error {
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		key, guard, err := s.keyByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err != nil {
			return fmt.Errorf("opensearch: update key: %w", err)
		}
		change(&key)
		err = s.put(ctx, s.index(keysIndex), key.Hash, key, false, &guard)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("opensearch: update key: %w", err)
		}
		return nil
	}
	return errors.New("opensearch: update key: too much contention")
}
