package indexer

import (
	"crypto/rand"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// NewULIDs returns a generator of ULIDs stamped with clock's time. Ids made
// by one generator within a millisecond increase, so an indexer's ids sort
// in ingest order; it is safe for concurrent use.
func NewULIDs(clock func() time.Time) func() string {
	var mu sync.Mutex
	entropy := ulid.Monotonic(rand.Reader, 0)
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		id, err := ulid.New(ulid.Timestamp(clock()), entropy)
		if err != nil {
			// Only a clock far outside ULID's range or an exhausted
			// millisecond gets here; a fresh random id is still unique.
			return ulid.Make().String()
		}
		return id.String()
	}
}
