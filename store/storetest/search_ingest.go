package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// testWalkDuringIngest pages through a listing while events keep arriving
// between pages: newer than all, older than all, and at the very instant of
// the page boundary on both sides of its id. Every event that existed when
// the walk began must be seen exactly once, in order; new events may or may
// not appear. It writes, so it has its own store.
func testWalkDuringIngest(t *testing.T, newStore Factory) {
	for _, order := range []audit.Order{audit.NewestFirst, audit.OldestFirst} {
		t.Run(string(order), func(t *testing.T) {
			s := newStore(t)
			fx := newFixture(7, 300)
			fx.load(t, s)
			existing := fx.main.matching(audit.Filter{}, nil, order)
			r := rand.New(rand.NewPCG(7, 11))
			ids := map[string]bool{}
			for _, e := range fx.write {
				ids[e.ID] = true
			}
			newID := func() string {
				for {
					if id := randomID(r); !ids[id] {
						return id
					}
				}
			}
			start := fxEnd.Add(-90 * 24 * time.Hour)

			var walked []audit.Event
			q := audit.Query{Tenant: fxTenant, Order: order, Limit: 7}
			for page := 0; ; page++ {
				if page > 1000 {
					t.Fatalf("walk did not end after %d pages", page)
				}
				p := searchPage(t, s, q)
				for _, e := range p.Events {
					if e.Tenant != fxTenant {
						t.Fatalf("page %d: event %q of tenant %q", page, e.ID, e.Tenant)
					}
					if n := len(walked); n > 0 && compareKeys(e.Key(), walked[n-1].Key(), order) <= 0 {
						t.Fatalf("page %d: %s follows %s: out of order or repeated", page, describeEvent(e), describeEvent(walked[n-1]))
					}
					walked = append(walked, e)
				}
				if !p.HasMore || len(p.Events) == 0 {
					break
				}
				last := p.Events[len(p.Events)-1].Key()
				q.After = &last
				if page >= 150 {
					continue // stop writing so that an OldestFirst walk reaches its end
				}
				var batch []audit.Event
				add := func(id string, at time.Time) {
					if id == "" || ids[id] {
						return // ids must stay unique: a duplicate would not be a new event
					}
					ids[id] = true
					e := fx.event(r, id, at)
					e.Description = fmt.Sprintf("arrived during page %d", page)
					batch = append(batch, e)
				}
				add(newID(), fxEnd.Add(time.Duration(page+1)*time.Minute))
				add(newID(), start.Add(-time.Duration(page+1)*time.Minute))
				add(newID(), last.OccurredAt) // random ids: either side of the boundary
				add(newID(), last.OccurredAt)
				add(last.ID+"0", last.OccurredAt)              // right after the boundary id
				add(last.ID[:len(last.ID)-1], last.OccurredAt) // right before it
				writeAll(t, s, batch, len(batch))
				refresh(t, s)
			}

			seen := map[string]int{}
			for _, e := range walked {
				seen[e.ID]++
			}
			missing := 0
			for _, e := range existing {
				switch seen[e.ID] {
				case 1:
				case 0:
					missing++
					if missing <= 5 {
						t.Errorf("walk skipped %s", describeEvent(e))
					}
				default:
					t.Errorf("walk returned %s %d times", describeEvent(e), seen[e.ID])
				}
			}
			if missing > 0 {
				t.Errorf("walk skipped %d of %d events that existed when it began", missing, len(existing))
			}
		})
	}
}

// testScanDuringIngest is the export's view of the same promise: a scan
// while events keep arriving delivers every event that existed when it
// began exactly once, in order. The callback itself writes (with a bounded
// wait, so that a scan that blocks writers fails rather than hangs).
func testScanDuringIngest(t *testing.T, newStore Factory) {
	for _, order := range []audit.Order{audit.NewestFirst, audit.OldestFirst} {
		t.Run(string(order), func(t *testing.T) {
			s := newStore(t)
			fx := newFixture(8, 300)
			fx.load(t, s)
			existing := fx.main.matching(audit.Filter{}, nil, order)
			r := rand.New(rand.NewPCG(8, 13))
			ids := map[string]bool{}
			for _, e := range fx.write {
				ids[e.ID] = true
			}
			start := fxEnd.Add(-90 * 24 * time.Hour)
			var scanned []audit.Event
			err := s.ScanEvents(ctx(t), audit.Query{Tenant: fxTenant, Order: order, Limit: 7}, func(e audit.Event) error {
				if n := len(scanned); n > 0 && compareKeys(e.Key(), scanned[n-1].Key(), order) <= 0 {
					return fmt.Errorf("%s follows %s: out of order or repeated", describeEvent(e), describeEvent(scanned[n-1]))
				}
				scanned = append(scanned, e)
				if len(scanned)%10 != 0 || len(scanned) > 1000 {
					return nil
				}
				var batch []audit.Event
				for _, at := range []time.Time{fxEnd.Add(time.Duration(len(scanned)) * time.Minute), start.Add(-time.Duration(len(scanned)) * time.Minute), e.OccurredAt, e.OccurredAt} {
					id := randomID(r)
					for ids[id] {
						id = randomID(r)
					}
					ids[id] = true
					n := fx.event(r, id, at)
					n.Description = fmt.Sprintf("arrived after %d scanned", len(scanned))
					batch = append(batch, n)
				}
				wctx, cancel := context.WithTimeout(ctx(t), 30*time.Second)
				defer cancel()
				res, err := s.WriteEvents(wctx, batch)
				if err != nil {
					return fmt.Errorf("write during scan: %w", err)
				}
				for i, r := range res {
					if r.Err != nil || r.Duplicate {
						return fmt.Errorf("write during scan, item %d: err %v duplicate %v", i, r.Err, r.Duplicate)
					}
				}
				if rf, ok := s.(store.Refresher); ok {
					if err := rf.Refresh(wctx); err != nil {
						return fmt.Errorf("refresh during scan: %w", err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatalf("ScanEvents: %v", err)
			}
			seen := map[string]int{}
			for _, e := range scanned {
				seen[e.ID]++
			}
			missing := 0
			for _, e := range existing {
				if seen[e.ID] == 0 {
					missing++
					if missing <= 5 {
						t.Errorf("scan skipped %s", describeEvent(e))
					}
				}
			}
			if missing > 0 {
				t.Errorf("scan skipped %d of %d events that existed when it began", missing, len(existing))
			}
		})
	}
}
