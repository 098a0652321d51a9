package opensearch_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store/opensearch"
)

// TestWriteEventsOfManyTenantsInOneBatch: the indexer's group commit mixes
// tenants in one batch. However many tenants a batch holds (here 60 with
// the longest names allowed), every event is written, and written again
// is reported a duplicate.
func TestWriteEventsOfManyTenantsInOneBatch(t *testing.T) {
	t.Parallel()
	s, _, _ := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	const tenants = 60
	var batch []audit.Event
	for i := range tenants {
		tenant := fmt.Sprintf("tenant-%02d-", i)
		tenant += strings.Repeat("x", 63-len(tenant))
		batch = append(batch, event(tenant, "CMS", fmt.Sprintf("e%d", i), at))
	}
	res, err := s.WriteEvents(ctx, batch)
	if err != nil {
		t.Fatalf("write %d tenants' events in one batch: %v", tenants, err)
	}
	for i, r := range res {
		if r.Err != nil || r.Duplicate {
			t.Errorf("event of %s: err %v, duplicate %v; want written", batch[i].Tenant, r.Err, r.Duplicate)
		}
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	res, err = s.WriteEvents(ctx, batch)
	if err != nil {
		t.Fatalf("write the batch again: %v", err)
	}
	for i, r := range res {
		if r.Err != nil || !r.Duplicate {
			t.Errorf("event of %s written again: err %v, duplicate %v; want duplicate", batch[i].Tenant, r.Err, r.Duplicate)
		}
	}
	for _, e := range []audit.Event{batch[0], batch[tenants-1]} {
		page, err := s.SearchEvents(ctx, audit.Query{Tenant: e.Tenant, Limit: 10})
		if err != nil || page.Total != 1 {
			t.Errorf("SearchEvents(%s) total = %d, %v; want 1", e.Tenant, page.Total, err)
		}
	}
}

// TestBrokenSeriesFailsOnlyItsEvents: when one series cannot be set up
// (here an index squats the name of its write alias), only the events of
// that series fail; the rest of the batch is written.
func TestBrokenSeriesFailsOnlyItsEvents(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	squatter := prefix + "-events-acme-broken"
	if code, body := rest(t, http.MethodPut, base+"/"+squatter, nil); code != http.StatusOK {
		t.Fatalf("create index %s: HTTP %d %v", squatter, code, body)
	}
	batch := []audit.Event{
		event("acme", "CMS", "e1", at),
		event("acme", "BROKEN", "e2", at),
		event("globex", "CMS", "e3", at),
		event("acme", "BROKEN", "e4", at),
	}
	res, err := s.WriteEvents(ctx, batch)
	if err != nil {
		t.Fatalf("write: %v; want per-event results", err)
	}
	for i, r := range res {
		broken := batch[i].ComponentID == "BROKEN"
		if broken && r.Err == nil {
			t.Errorf("event %s of the broken series: no error", batch[i].ID)
		}
		if !broken && (r.Err != nil || r.Duplicate) {
			t.Errorf("event %s: err %v, duplicate %v; want written", batch[i].ID, r.Err, r.Duplicate)
		}
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, e := range []audit.Event{batch[0], batch[2]} {
		if _, err := s.GetEvent(ctx, e.Tenant, e.ID, nil); err != nil {
			t.Errorf("GetEvent(%s, %s): %v", e.Tenant, e.ID, err)
		}
	}
}

// TestDuplicateRightAfterRollover: an id written just before its series
// rolled over, and not yet searchable, is still a duplicate afterwards, in
// its own series (whose new write index does not hold it) and in another.
func TestDuplicateRightAfterRollover(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	if res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "e1", at), event("acme", "KMS", "k1", at)}); err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	// No refresh before, during or after the rollover.
	series := prefix + "-events-acme-cms"
	if code, body := rest(t, http.MethodPost, base+"/"+series+"/_rollover", nil); code != http.StatusOK {
		t.Fatalf("rollover: HTTP %d %v", code, body)
	}
	res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "e1", at), event("acme", "CMS", "e2", at)})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Duplicate || res[1].Duplicate || res[1].Err != nil {
		t.Errorf("after rollover: results %+v, want e1 duplicate, e2 written", res)
	}
	res, err = s.WriteEvents(ctx, []audit.Event{event("acme", "KMS", "e1", at)})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Duplicate {
		t.Errorf("after rollover, in another series: results %+v, want e1 duplicate", res)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10})
	if err != nil || page.Total != 3 {
		t.Errorf("SearchEvents total = %d, %v; want 3 (e1, k1, e2)", page.Total, err)
	}
}

// TestDuplicateWrittenAcrossARollover: a series rolls over (by another
// process) after WriteEvents looked its ids up and before it writes, so
// the events go to the new write index, which holds none of them, while
// the index that was the write index, which the lookups left to create,
// holds one of them already. That one is still reported a duplicate, and
// the copy the write made in the new index is gone again.
func TestDuplicateWrittenAcrossARollover(t *testing.T) {
	t.Parallel()
	for _, refreshFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("refreshed=%v", refreshFirst), func(t *testing.T) {
			t.Parallel()
			s, base, prefix := newStore(t)
			ctx := context.Background()
			at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
			if res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "e1", at)}); err != nil || res[0].Err != nil {
				t.Fatalf("write: %v %+v", err, res)
			}
			if refreshFirst {
				if err := s.Refresh(ctx); err != nil {
					t.Fatal(err)
				}
			}
			series := prefix + "-events-acme-cms"
			rolled := false
			opensearch.SetAfterSeriesLookup(s, func() {
				if rolled {
					return
				}
				rolled = true
				if code, body := rest(t, http.MethodPost, base+"/"+series+"/_rollover", nil); code != http.StatusOK {
					t.Errorf("rollover: HTTP %d %v", code, body)
				}
			})
			res, err := s.WriteEvents(ctx, []audit.Event{event("acme", "CMS", "e1", at), event("acme", "CMS", "e2", at)})
			if err != nil {
				t.Fatal(err)
			}
			if !rolled {
				t.Fatal("the series was not rolled over between lookup and write")
			}
			if !res[0].Duplicate || res[1].Duplicate || res[1].Err != nil {
				t.Errorf("across the rollover: results %+v, want e1 duplicate, e2 written", res)
			}
			if err := s.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			for index, want := range map[string]float64{series + "-000001": 1, series + "-000002": 1} {
				if _, count := rest(t, http.MethodGet, base+"/"+index+"/_count", nil); count["count"] != want {
					t.Errorf("%s holds %v events, want %v", index, count["count"], want)
				}
			}
			page, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10})
			if err != nil || page.Total != 2 {
				t.Errorf("SearchEvents total = %d, %v; want 2 (e1 once, e2)", page.Total, err)
			}
		})
	}
}

// TestAccentsOfEventsWrittenBeforeFolding: events written before
// audit.Words folded accents hold their words as written ("chloé"). A
// query with the accents still finds them, and excludes them, beside the
// events written since, which hold "chloe".
func TestAccentsOfEventsWrittenBeforeFolding(t *testing.T) {
	t.Parallel()
	s, base, prefix := newStore(t)
	ctx := context.Background()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	e := event("acme", "CMS", "new", at)
	e.Description = "Chloé closed the Zürich desk"
	if res, err := s.WriteEvents(ctx, []audit.Event{e}); err != nil || res[0].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	// The same event as the previous version wrote it, under another id.
	series := prefix + "-events-acme-cms"
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	code, doc := rest(t, http.MethodGet, base+"/"+series+"-000001/_doc/new", nil)
	if code != http.StatusOK {
		t.Fatalf("get: HTTP %d %v", code, doc)
	}
	source := doc["_source"].(map[string]any)
	source["id"] = "old"
	source["words"].(map[string]any)["description"] = "chloé closed the zürich desk"
	if code, body := rest(t, http.MethodPut, base+"/"+series+"-000001/_doc/old?refresh=true", source); code != http.StatusCreated {
		t.Fatalf("put the old event: HTTP %d %v", code, body)
	}
	for text, want := range map[string][]string{
		"Chloé":           {"new", "old"},
		`"chloé closed"`:  {"new", "old"},
		"zür*":            {"new", "old"},
		"chloe":           {"new"}, // the old event's words are accented
		"desk -Zürich":    nil,
		"desk -zurich":    {"old"},
		"closed -\"chloé": nil,
	} {
		page, err := s.SearchEvents(ctx, audit.Query{Tenant: "acme", Limit: 10, Order: audit.OldestFirst, Filter: audit.Filter{Text: text}})
		if err != nil {
			t.Fatalf("search %q: %v", text, err)
		}
		var got []string
		for _, ev := range page.Events {
			got = append(got, ev.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q finds %v, want %v", text, got, want)
		}
	}
}
