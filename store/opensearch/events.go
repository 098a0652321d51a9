package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// eventDoc is an event as indexed: the event plus the fields only queries need.
type eventDoc struct {
	audit.Event
	// PriorityRank orders priorities by severity rather than by name.
	PriorityRank int `json:"priorityRank"`
	// Words holds the searchable text split into words, for full-text
	// queries. It stays in _source, which searches return whole (see
	// search), and is dropped when a hit is read.
	Words *eventWords `json:"words,omitempty"`
}

type eventWords struct {
	Description   string `json:"description,omitempty"`
	EventTypeName string `json:"eventTypeName,omitempty"`
}

// newEventDoc returns e as stored: times in UTC at millisecond precision,
// the precision of OpenSearch dates, so what is returned is what sorts.
func newEventDoc(e audit.Event) eventDoc {
	e.OccurredAt = msUTC(e.OccurredAt)
	if !e.IngestedAt.IsZero() {
		e.IngestedAt = msUTC(e.IngestedAt)
	}
	if e.Flag != nil {
		f := *e.Flag
		f.At = msUTC(f.At)
		e.Flag = &f
	}
	d := eventDoc{Event: e, PriorityRank: e.Priority.Rank()}
	w := eventWords{
		Description:   strings.Join(audit.Words(e.Description), " "),
		EventTypeName: strings.Join(audit.Words(e.EventTypeName), " "),
	}
	if w != (eventWords{}) {
		d.Words = &w
	}
	return d
}

// msUTC is t as every store keeps it: UTC, whole milliseconds.
func msUTC(t time.Time) time.Time { return t.Truncate(time.Millisecond).UTC() }

type searchResponse struct {
	searchShards
	PitID string `json:"pit_id"`
	Hits  struct {
		Total struct {
			Value int64 `json:"value"`
		} `json:"total"`
		Hits []searchHit `json:"hits"`
	} `json:"hits"`
	Aggregations json.RawMessage `json:"aggregations"`
}

type searchHit struct {
	Index       string          `json:"_index"`
	ID          string          `json:"_id"`
	SeqNo       int64           `json:"_seq_no"`
	PrimaryTerm int64           `json:"_primary_term"`
	Source      json.RawMessage `json:"_source"`
}

// event decodes the event of a hit, with the numbers of its details exact:
// each the json.Number of its literal in _source, which holds the document
// as written.
func (h searchHit) event() (audit.Event, error) {
	var d eventDoc
	dec := json.NewDecoder(bytes.NewReader(h.Source))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return audit.Event{}, fmt.Errorf("opensearch: decode event %s: %w", h.ID, err)
	}
	return d.Event, nil
}

// search runs a search over indices (a comma-separated list of names and
// patterns; "" for a point-in-time search), tolerating patterns that match
// no index, and refusing partial results (see doSearch).
//
// Hits carry their _source whole, words included: OpenSearch returns a
// _source it filters (includes, excludes) re-encoded from parsed values,
// which changes the numbers of details (1e-7 becomes 1.0E-7, and a decimal
// longer than a double rounds), whereas a whole _source is the document
// as written.
func (s *Store) search(ctx context.Context, indices string, body obj) (*searchResponse, error) {
	path := "/_search"
	var q url.Values
	if indices != "" {
		path = "/" + seg(indices) + "/_search"
		q = url.Values{"allow_no_indices": {"true"}, "ignore_unavailable": {"true"}}
	}
	var resp searchResponse
	if err := s.doSearch(ctx, path, indices, q, body, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// docRef names a document: the target of a _bulk action, an entry of an
// _mget. Structs rather than objs on the write path, where encoding a map
// (its keys sorted) for every event and every id lookup showed in profiles.
type docRef struct {
	Index string `json:"_index"`
	ID    string `json:"_id"`
}

// createAction is the action line of a _bulk create.
type createAction struct {
	Create docRef `json:"create"`
}

// bulkItem is the outcome of one action of a _bulk request.
type bulkItem struct {
	Index       string `json:"_index"`
	ID          string `json:"_id"`
	SeqNo       int64  `json:"_seq_no"`
	PrimaryTerm int64  `json:"_primary_term"`
	Status      int    `json:"status"`
	Error       *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

func (it bulkItem) err() error {
	if it.Error == nil {
		return nil
	}
	return &apiError{Status: it.Status, Type: it.Error.Type, Reason: it.Error.Reason}
}

// bulk sends NDJSON actions and returns one item per action, in order.
func (s *Store) bulk(ctx context.Context, body []byte, q url.Values) ([]bulkItem, error) {
	var resp struct {
		Items []map[string]bulkItem `json:"items"`
	}
	if err := s.do(ctx, http.MethodPost, "/_bulk", q, body, &resp); err != nil {
		return nil, err
	}
	items := make([]bulkItem, len(resp.Items))
	for i, m := range resp.Items {
		for _, it := range m {
			items[i] = it
		}
	}
	return items, nil
}

// ndjson appends values as lines of a _bulk body; nothing is appended
// unless every value encodes, so a failed item leaves no half action.
func ndjson(buf *bytes.Buffer, values ...any) error {
	lines := make([][]byte, len(values))
	for i, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		lines[i] = b
	}
	for _, b := range lines {
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return nil
}

// WriteEvents stores events with one _bulk of create actions, so a repeated
// id fails with a version conflict and the first event is kept.
//
// Idempotency on (tenant, id) spans every index of the tenant (one series
// per component, each rolled over into several indices), while create
// detects a repeated id only within the index it writes to. So, besides
// create in the write index of the event's own series, and ids repeated
// within one call deduplicated here, the ids of a call are looked up
// before writing (see storedIDs): by a search of the indices that are not
// a write index, which sees events written more than a refresh interval
// (about a second) ago, and by a real-time multi-get in the indices that
// can hold younger ones: the write index of every other series of the
// tenant, and, for a few minutes after a rollover, the index the series
// rolled over from. If a series rolled over between the lookups and the
// write, the index that was its write index is looked up afterwards, and
// an event it already held is taken back out of the new one (rolledOver).
//
// What remains: two calls writing the same id to two different series of
// a tenant at the same moment (each looks up before the other has written)
// both store it. And an id written to an index in its last refresh
// interval as the write index is missed if its series rolls over twice
// within that interval, or if auditlog's clock is ahead of the cluster's
// by more than those few minutes.
func (s *Store) WriteEvents(ctx context.Context, events []audit.Event) ([]store.WriteResult, error) {
	results := make([]store.WriteResult, len(events))
	type item struct {
		i     int
		alias string
	}
	var items []item
	seen := map[[2]string]bool{}
	for i, e := range events {
		switch {
		case !audit.ValidTenant(e.Tenant):
			results[i].Err = audit.Invalid("tenant", "must be lower-case letters, digits or '-'")
			continue
		case !audit.ValidComponentID(e.ComponentID):
			results[i].Err = audit.Invalid("componentId", "must be an upper-case word")
			continue
		case e.ID == "":
			results[i].Err = audit.Invalid("id", "is required")
			continue
		}
		key := [2]string{e.Tenant, e.ID}
		if seen[key] {
			results[i].Duplicate = true
			continue
		}
		seen[key] = true
		items = append(items, item{i: i, alias: s.seriesAlias(e.Tenant, e.ComponentID)})
	}
	// Every series of the batch is set up before the lookups below, which
	// cover its indices: an index whose primary shard is not active yet
	// fails the searches and gets that cover it. A series that cannot be
	// set up fails its own events only.
	ready := map[string]error{}
	ok := items[:0]
	for _, it := range items {
		err, seen := ready[it.alias]
		if !seen {
			err = s.ensureSeries(ctx, it.alias)
			ready[it.alias] = err
		}
		if err != nil {
			results[it.i].Err = fmt.Errorf("opensearch: write event %s: %w", events[it.i].ID, err)
			continue
		}
		ok = append(ok, it)
	}
	items = ok
	if len(items) == 0 {
		return results, nil
	}
	lookups := make([]idLookup, len(items))
	for k, it := range items {
		lookups[k] = idLookup{tenant: events[it.i].Tenant, id: events[it.i].ID, alias: it.alias}
	}
	stored, series, err := s.storedIDs(ctx, lookups)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	var sent []item
	for _, it := range items {
		e := events[it.i]
		if stored[[2]string{e.Tenant, e.ID}] {
			results[it.i].Duplicate = true
			continue
		}
		action := createAction{Create: docRef{Index: it.alias, ID: e.ID}}
		if err := ndjson(&buf, action, newEventDoc(e)); err != nil {
			results[it.i].Err = fmt.Errorf("opensearch: encode event %s: %w", e.ID, err)
			continue
		}
		sent = append(sent, it)
	}
	if len(sent) == 0 {
		return results, nil
	}
	// require_alias: a write must never auto-create an index named like an
	// alias, which would break the series for good.
	got, err := s.bulk(ctx, buf.Bytes(), url.Values{"require_alias": {"true"}})
	if err != nil {
		return nil, fmt.Errorf("opensearch: write events: %w", err)
	}
	if len(got) != len(sent) {
		return nil, fmt.Errorf("opensearch: write events: %d results for %d events", len(got), len(sent))
	}
	var created []createdEvent
	for k, it := range sent {
		r := got[k]
		switch {
		case r.Status == http.StatusConflict:
			results[it.i].Duplicate = true
		case r.Error != nil:
			results[it.i].Err = fmt.Errorf("opensearch: write event %s: %w", events[it.i].ID, r.err())
		default:
			created = append(created, createdEvent{i: it.i, alias: it.alias, item: r})
		}
	}
	repeated, err := s.rolledOver(ctx, created, series)
	if err != nil {
		return nil, err
	}
	for _, i := range repeated {
		results[i].Duplicate = true
	}
	return results, nil
}

// GetEvent returns one event of the tenant. It searches the tenant's
// indices (an id is unique per tenant, not per index) and never GETs by id,
// so the tenant filter and cutoffs always apply.
func (s *Store) GetEvent(ctx context.Context, tenant, id string, cutoffs map[string]time.Time) (audit.Event, error) {
	if !audit.ValidTenant(tenant) {
		return audit.Event{}, store.ErrNotFound
	}
	filters := []obj{{"term": obj{"tenant": tenant}}, {"ids": obj{"values": []string{id}}}}
	filters = append(filters, cutoffFilters(cutoffs)...)
	resp, err := s.search(ctx, s.tenantEvents(tenant), obj{"size": 1, "query": obj{"bool": obj{"filter": filters}}})
	if err != nil {
		return audit.Event{}, fmt.Errorf("opensearch: get event %s: %w", id, err)
	}
	if len(resp.Hits.Hits) == 0 {
		return audit.Event{}, store.ErrNotFound
	}
	return resp.Hits.Hits[0].event()
}

// findEvents returns the searchable hits of the tenant's events with these
// ids, with the sequence numbers that guard their updates.
func (s *Store) findEvents(ctx context.Context, tenant string, ids []string) ([]searchHit, error) {
	body := obj{
		"size":                len(ids),
		"seq_no_primary_term": true,
		"query": obj{"bool": obj{"filter": []obj{
			{"term": obj{"tenant": tenant}},
			{"ids": obj{"values": ids}},
		}}},
	}
	resp, err := s.search(ctx, s.tenantEvents(tenant), body)
	if err != nil {
		return nil, fmt.Errorf("opensearch: find events: %w", err)
	}
	return resp.Hits.Hits, nil
}

// maxUpdateAttempts bounds the retries of an update that lost a race with
// another update of the same document.
const maxUpdateAttempts = 5

// FlagEvents flags the tenant's events that have no flag yet.
func (s *Store) FlagEvents(ctx context.Context, tenant string, ids []string, flag audit.Flag) (map[string]audit.Event, error) {
	return s.updateEvents(ctx, tenant, ids, func(e *audit.Event) bool {
		if e.Flag != nil {
			return false // the first flag stays
		}
		f := flag
		e.Flag = &f
		return true
	})
}

// UnflagEvents clears the flag of the tenant's events.
func (s *Store) UnflagEvents(ctx context.Context, tenant string, ids []string) (map[string]audit.Event, error) {
	return s.updateEvents(ctx, tenant, ids, func(e *audit.Event) bool {
		if e.Flag == nil {
			return false
		}
		e.Flag = nil
		return true
	})
}

// updateEvents changes the tenant's events with these ids as change
// decides from the current event (false: leave it), in their concrete
// indices. The changed event is written whole (index, not a partial
// update: OpenSearch would re-encode the stored _source from parsed
// values, changing the numbers of details). Each write is conditional on
// the sequence number read, so a concurrent change is re-read and decided
// again rather than overwritten. The indices touched are refreshed, so
// searches see the change at once. It returns the events after the change.
func (s *Store) updateEvents(ctx context.Context, tenant string, ids []string, change func(*audit.Event) bool) (map[string]audit.Event, error) {
	out := map[string]audit.Event{}
	if !audit.ValidTenant(tenant) || len(ids) == 0 {
		return out, nil
	}
	pending := ids
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt == maxUpdateAttempts {
			return nil, fmt.Errorf("opensearch: update events: %d still conflicting after %d attempts", len(pending), attempt)
		}
		hits, err := s.findEvents(ctx, tenant, pending)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		var sent []searchHit
		for _, h := range hits {
			e, err := h.event()
			if err != nil {
				return nil, err
			}
			if !change(&e) {
				out[h.ID] = e
				continue
			}
			action := obj{"index": obj{"_index": h.Index, "_id": h.ID, "if_seq_no": h.SeqNo, "if_primary_term": h.PrimaryTerm}}
			if err := ndjson(&buf, action, newEventDoc(e)); err != nil {
				return nil, fmt.Errorf("opensearch: encode update of %s: %w", h.ID, err)
			}
			sent = append(sent, h)
		}
		pending = nil
		if len(sent) == 0 {
			break
		}
		items, err := s.bulk(ctx, buf.Bytes(), url.Values{"refresh": {"true"}})
		if err != nil {
			return nil, fmt.Errorf("opensearch: update events: %w", err)
		}
		for k, it := range items {
			switch {
			case it.Status == http.StatusConflict:
				pending = append(pending, sent[k].ID)
			case it.Error != nil:
				return nil, fmt.Errorf("opensearch: update event %s: %w", sent[k].ID, it.err())
			}
		}
		// Read back what was written, as stored.
		var done []string
		for _, h := range sent {
			if !slices.Contains(pending, h.ID) {
				done = append(done, h.ID)
			}
		}
		if len(done) > 0 {
			after, err := s.findEvents(ctx, tenant, done)
			if err != nil {
				return nil, err
			}
			for _, h := range after {
				e, err := h.event()
				if err != nil {
					return nil, err
				}
				out[h.ID] = e
			}
		}
	}
	return out, nil
}
