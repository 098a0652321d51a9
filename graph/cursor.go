package graph

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/token"
)

// cursor is what a page cursor holds: the position of an event in the
// listing, and the listing it belongs to, so that a cursor is refused with
// another tenant, filter or order.
type cursor struct {
	At int64  `json:"t"` // OccurredAt, Unix nanoseconds
	ID string `json:"i"`
	// Listing is listingHash of the query the cursor came from.
	Listing string `json:"l"`
}

// listingHash identifies a listing: tenant, filter and order.
func listingHash(tenant string, f audit.Filter, order audit.Order) (string, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("encode filter: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(tenant))
	h.Write([]byte{0})
	h.Write(b)
	h.Write([]byte{0})
	h.Write([]byte(order))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16]), nil
}

func (r *Resolver) encodeCursor(k audit.SortKey, listing string) (string, error) {
	return r.cursors.Sign(cursor{At: k.OccurredAt.UnixNano(), ID: k.ID, Listing: listing}, CursorTTL)
}

// decodeCursor returns the position an "after" cursor points at, or a
// BAD_USER_INPUT error on "after".
func (r *Resolver) decodeCursor(after, listing string) (*audit.SortKey, error) {
	var c cursor
	if err := r.cursors.Verify(after, &c); err != nil {
		if errors.Is(err, token.ErrExpired) {
			return nil, invalid("after", "the cursor has expired; list again from the first page")
		}
		return nil, invalid("after", "is not a cursor of this API")
	}
	if c.Listing != listing {
		return nil, invalid("after", "belongs to another listing; a cursor is valid only with the filter and order it came from")
	}
	return &audit.SortKey{OccurredAt: time.Unix(0, c.At).UTC(), ID: c.ID}, nil
}
