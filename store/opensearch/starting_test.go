package opensearch_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// TestSearchesWaitForStartingShards: while indices of a tenant are being
// created (new series here; rollovers, ISM's included, do the same), its
// searches still answer, complete. OpenSearch answers a search that meets
// a shard not yet started with 200 and that shard left out, even when told
// to refuse partial results; the store waits for it and asks again.
func TestSearchesWaitForStartingShards(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Millisecond)
	writeEvents(t, s, event("acme", "CMS", "e1", at))

	done := make(chan struct{})
	var (
		mu       sync.Mutex
		failures []string
		searches int
	)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				_, gerr := s.GetEvent(ctx, "acme", "e1", nil)
				page, serr := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10})
				mu.Lock()
				searches += 2
				if gerr != nil {
					failures = append(failures, "GetEvent: "+gerr.Error())
				}
				if serr != nil {
					failures = append(failures, "SearchEvents: "+serr.Error())
				} else if page.Total < 1 {
					failures = append(failures, fmt.Sprintf("SearchEvents: total %d, want at least 1", page.Total))
				}
				mu.Unlock()
			}
		}()
	}
	// Twenty new series of the tenant: an index created each time.
	for i := range 20 {
		if _, err := s.WriteEvents(ctx, []audit.Event{event("acme", fmt.Sprintf("C%02d", i), fmt.Sprint("c", i), at)}); err != nil {
			t.Errorf("write to a new series: %v", err)
		}
	}
	close(done)
	wg.Wait()
	if len(failures) > 0 {
		t.Errorf("%d of %d searches failed while indices were created, e.g. %s", len(failures), searches, failures[0])
	}
}
