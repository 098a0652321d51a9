package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// TestConcurrentWritersAndReaders: writers queue instead of failing with
// SQLITE_BUSY, also when a second process-like Store writes the same file,
// and readers keep answering meanwhile.
func TestConcurrentWritersAndReaders(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	var stores []*Store
	for range 2 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	const writers, batches, batchSize = 6, 20, 10
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches+100)
	for w := range writers {
		wg.Go(func() {
			s := stores[w%len(stores)]
			for b := range batches {
				var batch []audit.Event
				for i := range batchSize {
					batch = append(batch, sampleEvent("acme", fmt.Sprintf("w%d-b%d-i%d", w, b, i), at.Add(time.Duration(w*1000+b*10+i)*time.Second)))
				}
				res, err := s.WriteEvents(ctx, batch)
				if err != nil {
					errs <- fmt.Errorf("writer %d batch %d: %w", w, b, err)
					return
				}
				for i, r := range res {
					if r.Err != nil || r.Duplicate {
						errs <- fmt.Errorf("writer %d batch %d item %d: err %v duplicate %v", w, b, i, r.Err, r.Duplicate)
					}
				}
			}
		})
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	for r := range 3 {
		readers.Go(func() {
			s := stores[r%len(stores)]
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 20, Facets: audit.AllFacets, Filter: audit.Filter{Text: "group"}}); err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	p, err := stores[0].SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 1})
	if err != nil {
		t.Fatalf("SearchEvents: %v", err)
	}
	if want := int64(writers * batches * batchSize); p.Total != want {
		t.Errorf("stored %d events, want %d", p.Total, want)
	}
}
