package opensearch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// A saved filter's document id is derived from (tenant, owner, name), so
// that creating a second filter with the same name is a conflicting create
// and names stay unique without a read-then-write race. Operations by
// filter id find the document with a search first.

func savedFilterDocID(tenant, ownerID, name string) string {
	sum := sha256.Sum256([]byte(docID(tenant, ownerID, name)))
	return hex.EncodeToString(sum[:])
}

func normalizeSavedFilter(f audit.SavedFilter) audit.SavedFilter {
	f.CreatedAt = msUTC(f.CreatedAt)
	f.UpdatedAt = msUTC(f.UpdatedAt)
	return f
}

// CreateSavedFilter stores f; ErrDuplicate when the owner already has a
// filter with that name.
func (s *Store) CreateSavedFilter(ctx context.Context, f audit.SavedFilter) error {
	err := s.put(ctx, s.index(savedFiltersIndex), savedFilterDocID(f.Tenant, f.OwnerID, f.Name), normalizeSavedFilter(f), true, nil)
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("opensearch: create saved filter: %w", err)
	}
	return err
}

// UpdateSavedFilter replaces the owner's filter f.ID with f. A rename
// creates the document of the new name first (a clash is ErrDuplicate and
// changes nothing), then deletes the old one.
func (s *Store) UpdateSavedFilter(ctx context.Context, f audit.SavedFilter) error {
	cur, docID, guard, err := s.findSavedFilter(ctx, f.Tenant, f.OwnerID, f.ID)
	if err != nil {
		return err
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = cur.CreatedAt
	}
	f = normalizeSavedFilter(f)
	index := s.index(savedFiltersIndex)
	newID := savedFilterDocID(f.Tenant, f.OwnerID, f.Name)
	if newID == docID {
		if err := s.put(ctx, index, docID, f, false, &guard); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return err
			}
			return fmt.Errorf("opensearch: update saved filter: %w", err)
		}
		return nil
	}
	if err := s.put(ctx, index, newID, f, true, nil); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return err
		}
		return fmt.Errorf("opensearch: rename saved filter: %w", err)
	}
	if err := s.deleteDoc(ctx, index, docID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("opensearch: rename saved filter: delete old name: %w", err)
	}
	return nil
}

// DeleteSavedFilter removes the owner's filter.
func (s *Store) DeleteSavedFilter(ctx context.Context, tenant, ownerID, id string) error {
	_, docID, _, err := s.findSavedFilter(ctx, tenant, ownerID, id)
	if err != nil {
		return err
	}
	if err := s.deleteDoc(ctx, s.index(savedFiltersIndex), docID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return err
		}
		return fmt.Errorf("opensearch: delete saved filter: %w", err)
	}
	return nil
}

// GetSavedFilter returns the owner's filter with this id.
func (s *Store) GetSavedFilter(ctx context.Context, tenant, ownerID, id string) (audit.SavedFilter, error) {
	f, _, _, err := s.findSavedFilter(ctx, tenant, ownerID, id)
	return f, err
}

func (s *Store) findSavedFilter(ctx context.Context, tenant, ownerID, id string) (audit.SavedFilter, string, getDoc, error) {
	var f audit.SavedFilter
	var docID string
	var guard getDoc
	query := boolFilter([]obj{term("tenant", tenant), term("ownerId", ownerID), term("id", id)})
	err := s.searchAll(ctx, s.index(savedFiltersIndex), query, []obj{{"name": "asc"}}, func(h searchHit) error {
		if err := json.Unmarshal(h.Source, &f); err != nil {
			return fmt.Errorf("decode saved filter %s: %w", id, err)
		}
		docID = h.ID
		guard = getDoc{Found: true, SeqNo: h.SeqNo, PrimaryTerm: h.PrimaryTerm}
		return nil
	})
	if err != nil {
		return audit.SavedFilter{}, "", getDoc{}, fmt.Errorf("opensearch: find saved filter: %w", err)
	}
	if docID == "" {
		return audit.SavedFilter{}, "", getDoc{}, store.ErrNotFound
	}
	return f, docID, guard, nil
}

// ListSavedFilters returns the owner's filters ordered by name.
func (s *Store) ListSavedFilters(ctx context.Context, tenant, ownerID string) ([]audit.SavedFilter, error) {
	var out []audit.SavedFilter
	query := boolFilter([]obj{term("tenant", tenant), term("ownerId", ownerID)})
	err := s.searchAll(ctx, s.index(savedFiltersIndex), query, []obj{{"name": "asc"}, {"id": "asc"}}, func(h searchHit) error {
		var f audit.SavedFilter
		if err := json.Unmarshal(h.Source, &f); err != nil {
			return fmt.Errorf("decode saved filter %s: %w", h.ID, err)
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("opensearch: list saved filters: %w", err)
	}
	return out, nil
}
