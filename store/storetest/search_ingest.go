package storetest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
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
