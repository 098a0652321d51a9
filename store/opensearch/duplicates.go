package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// idLookup is an id about to be written: the tenant's, through the write
// alias of one series.
type idLookup struct {
	tenant, id, alias string
}

// storedIDs returns which (tenant, id) of lookups are already stored in
// any index of the tenant, and the series of those tenants as they were
// seen (the caller checks, after writing, that no series rolled over
// meanwhile: see rolledOver). Two lookups run side by side:
//   - a search (searchedIDs) of the indices that are no series' write
//     index, which sees events written up to a refresh interval ago;
//   - a real-time multi-get (recentIDs) in the indices where events of the
//     last refresh interval can be.
//
// The write indices are left out of the search: there, create (the
// lookup's own series) and the multi-get (the others) see every id in real
// time; and they are where searching costs most, with the newest, smallest
// segments. Before any series of the tenants rolled over, every index is a
// write index and nothing is searched.
func (s *Store) storedIDs(ctx context.Context, lookups []idLookup) (map[[2]string]bool, map[string][]seriesHead, error) {
	tenants := map[string]bool{}
	ids := map[string][]string{}
	for _, l := range lookups {
		tenants[l.tenant] = true
		ids[l.tenant] = append(ids[l.tenant], l.id)
	}
	series, err := s.tenantSeries(ctx, tenants)
	if err != nil {
		return nil, nil, err
	}
	if s.afterSeriesLookup != nil {
		s.afterSeriesLookup()
	}
	var writes []string
	older := false
	for _, heads := range series {
		for _, h := range heads {
			writes = append(writes, h.write)
			older = older || h.indices > 1
		}
	}
	var (
		wg       sync.WaitGroup
		searched = map[[2]string]bool{}
		serr     error
	)
	if older {
		wg.Add(1)
		go func() {
			defer wg.Done()
			searched, serr = s.searchedIDs(ctx, ids, writes)
		}()
	}
	recent, rerr := s.recentIDs(ctx, lookups, series)
	wg.Wait()
	if serr != nil {
		return nil, nil, serr
	}
	if rerr != nil {
		return nil, nil, rerr
	}
	for k := range recent {
		searched[k] = true
	}
	return searched, series, nil
}

// searchedIDs returns which of the ids, by tenant, are already stored and
// searchable in an index other than the write indices given. It searches
// every event index, with the tenants and the excluded indices in the
// body: one index pattern per tenant in the URL would outgrow the request
// line limit (4 KB) with a few dozen tenants in a batch.
func (s *Store) searchedIDs(ctx context.Context, ids map[string][]string, writes []string) (map[[2]string]bool, error) {
	var should []obj
	n := 0
	for tenant, list := range ids {
		should = append(should, obj{"bool": obj{"filter": []obj{
			{"term": obj{"tenant": tenant}},
			{"ids": obj{"values": list}},
		}}})
		n += len(list)
	}
	body := obj{
		"size":             n,
		"_source":          []string{"tenant"},
		"track_total_hits": false,
		"query": obj{"bool": obj{
			"should":               should,
			"minimum_should_match": 1,
			"must_not":             []obj{{"terms": obj{"_index": writes}}},
		}},
	}
	resp, err := s.search(ctx, s.prefix+"-events-*", body)
	if err != nil {
		return nil, fmt.Errorf("opensearch: look up stored event ids: %w", err)
	}
	stored := map[[2]string]bool{}
	for _, h := range resp.Hits.Hits {
		var src struct {
			Tenant string `json:"tenant"`
		}
		if err := json.Unmarshal(h.Source, &src); err != nil {
			return nil, fmt.Errorf("opensearch: decode stored event %s: %w", h.ID, err)
		}
		stored[[2]string{src.Tenant, h.ID}] = true
	}
	return stored, nil
}

// recentIDs returns which lookups are stored, searchable or not yet, in the
// indices that can hold events too young for searchedIDs: the write index
// of every series of the tenant but the lookup's own (there, create
// detects the id itself), and the index a series rolled over from, for a
// while after the rollover.
// It gets them by id, in real time (a get sees a document as soon as it is
// written), in one _mget.
func (s *Store) recentIDs(ctx context.Context, lookups []idLookup, series map[string][]seriesHead) (map[[2]string]bool, error) {
	var docs []docRef
	owner := map[docRef]string{} // tenant of the id looked up in each index
	add := func(index string, l idLookup) {
		d := docRef{Index: index, ID: l.id}
		if _, ok := owner[d]; ok || index == "" {
			return
		}
		owner[d] = l.tenant
		docs = append(docs, d)
	}
	for _, l := range lookups {
		for _, sr := range series[l.tenant] {
			if sr.alias != l.alias {
				add(sr.write, l)
			}
			add(sr.previous, l)
		}
	}
	got, err := s.getRealtime(ctx, docs)
	if err != nil {
		return nil, fmt.Errorf("opensearch: get recent event ids: %w", err)
	}
	found := map[[2]string]bool{}
	for d := range got {
		found[[2]string{owner[d], d.ID}] = true
	}
	return found, nil
}

// getRealtime gets documents by id, in real time (a get sees a document as
// soon as it is written), in one _mget, and returns those found. An index
// deleted since (by retention) holds nothing; one whose primary shard is
// not active yet (a rollover just now, maybe by another process) is
// waited for, once.
func (s *Store) getRealtime(ctx context.Context, docs []docRef) (map[docRef]bool, error) {
	found := map[docRef]bool{}
	if len(docs) == 0 {
		return found, nil
	}
	var resp struct {
		Docs []struct {
			Index string `json:"_index"`
			ID    string `json:"_id"`
			Found bool   `json:"found"`
			Error *struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"error"`
		} `json:"docs"`
	}
	body := obj{"docs": docs}
	q := url.Values{
		"realtime":    {"true"},
		"_source":     {"false"},
		"filter_path": {"docs._index,docs._id,docs.found,docs.error.type,docs.error.reason"},
	}
	for attempt := 0; ; attempt++ {
		// Decoding into the previous answer would keep its errors where
		// the retry's answer has none.
		resp.Docs = nil
		if err := s.do(ctx, http.MethodPost, "/_mget", q, body, &resp); err != nil {
			return nil, err
		}
		var inactive []string
		for _, d := range resp.Docs {
			if d.Error != nil && d.Error.Type == "no_shard_available_action_exception" && !slices.Contains(inactive, d.Index) {
				inactive = append(inactive, d.Index)
			}
		}
		if len(inactive) == 0 || attempt > 0 {
			break
		}
		if err := s.waitActive(ctx, strings.Join(inactive, ","), shardWait); err != nil {
			return nil, err
		}
	}
	asked := map[docRef]bool{}
	for _, d := range docs {
		asked[d] = true
	}
	for _, d := range resp.Docs {
		ref := docRef{Index: d.Index, ID: d.ID}
		switch {
		case d.Error != nil && d.Error.Type == "index_not_found_exception":
		case d.Error != nil:
			return nil, fmt.Errorf("get %s in %s: %s: %s", d.ID, d.Index, d.Error.Type, d.Error.Reason)
		case !asked[ref]:
			return nil, fmt.Errorf("unexpected answer for %s in %s", d.ID, d.Index)
		case d.Found:
			found[ref] = true
		}
	}
	return found, nil
}

// seriesHead is where a series can hold events too young to be searched:
// its write index, and, shortly after a rollover, the index it rolled over
// from ("" otherwise); and how many indices the series has.
type seriesHead struct {
	alias, write, previous string
	indices                int
}

// recentRollover is how long after a rollover the index rolled over from
// is still looked up in real time: far beyond the refresh interval that
// makes its last writes searchable, and than the clocks of auditlog and
// the cluster may differ.
const recentRollover = 5 * time.Minute

// maxPatternsURL bounds the index patterns of one request, well within
// the request line limit (4 KB).
const maxPatternsURL = 3000

// tenantSeries returns the series of each tenant, read from the index
// metadata of its event indices (the coordinating node's copy: local, so
// that ingest puts no load on the cluster manager), one request per few
// dozen tenants. An index pattern of a tenant also matches the series of
// tenants whose names extend it ("acme-*" matches "acme-x-cms-000001"); a
// series belongs to the tenant its alias names, and since component ids
// have no '-', that is the alias up to its last '-'. The write index of a
// series is its newest index (rollover numbers them in order).
func (s *Store) tenantSeries(ctx context.Context, tenants map[string]bool) (map[string][]seriesHead, error) {
	names := make([]string, 0, len(tenants))
	for t := range tenants {
		names = append(names, t)
	}
	sort.Strings(names)
	events := s.prefix + "-events-"
	type member struct {
		index   string
		number  int
		created time.Time
	}
	members := map[string][]member{} // by alias
	for len(names) > 0 {
		var patterns []string
		size := 0
		for len(names) > 0 {
			p := events + names[0] + "-*"
			n := len(seg(p)) + len("%2C")
			if len(patterns) > 0 && size+n > maxPatternsURL {
				break
			}
			patterns = append(patterns, p)
			size += n
			names = names[1:]
		}
		var state struct {
			Metadata struct {
				Indices map[string]struct {
					Aliases  []string `json:"aliases"`
					Settings struct {
						Index struct {
							CreationDate string `json:"creation_date"`
						} `json:"index"`
					} `json:"settings"`
				} `json:"indices"`
			} `json:"metadata"`
		}
		q := url.Values{
			"local":            {"true"},
			"expand_wildcards": {"open"},
			"filter_path":      {"metadata.indices.*.aliases,metadata.indices.*.settings.index.creation_date"},
		}
		path := "/_cluster/state/metadata/" + seg(strings.Join(patterns, ","))
		if err := s.do(ctx, http.MethodGet, path, q, nil, &state); err != nil {
			return nil, fmt.Errorf("opensearch: list series: %w", err)
		}
		for index, md := range state.Metadata.Indices {
			for _, alias := range md.Aliases {
				rest, ok := strings.CutPrefix(alias, events)
				k := strings.LastIndexByte(rest, '-')
				if !ok || k < 0 || !tenants[rest[:k]] || !strings.HasPrefix(index, alias) {
					continue
				}
				m := indexNumber.FindStringSubmatch(strings.TrimPrefix(index, alias))
				if m == nil {
					continue
				}
				n, _ := strconv.Atoi(m[1])
				ms, _ := strconv.ParseInt(md.Settings.Index.CreationDate, 10, 64)
				members[alias] = append(members[alias], member{index: index, number: n, created: time.UnixMilli(ms)})
			}
		}
	}
	out := map[string][]seriesHead{}
	for alias, ms := range members {
		sort.Slice(ms, func(i, j int) bool { return ms[i].number > ms[j].number })
		head := seriesHead{alias: alias, write: ms[0].index, indices: len(ms)}
		if len(ms) > 1 && time.Since(ms[0].created) < recentRollover {
			head.previous = ms[1].index
		}
		rest := strings.TrimPrefix(alias, events)
		tenant := rest[:strings.LastIndexByte(rest, '-')]
		out[tenant] = append(out[tenant], head)
	}
	return out, nil
}

// createdEvent is an event just created by WriteEvents: its index in the
// batch, the write alias it went through, and the bulk's answer.
type createdEvent struct {
	i     int
	alias string
	item  bulkItem
}

// rolledOver finds the created events whose id was stored already, in the
// index that was their series' write index when storedIDs looked (series)
// but had stopped being it when they were written: a rollover in between
// sent them to the new write index, so neither create nor the lookups saw
// that index. The copy just created is deleted (only if it is still the
// version written) and the batch positions of those events are returned:
// they are duplicates.
func (s *Store) rolledOver(ctx context.Context, created []createdEvent, series map[string][]seriesHead) ([]int, error) {
	writeOf := map[string]string{}
	for _, heads := range series {
		for _, h := range heads {
			writeOf[h.alias] = h.write
		}
	}
	var docs []docRef
	moved := map[docRef]createdEvent{}
	for _, c := range created {
		was, known := writeOf[c.alias]
		if !known || was == c.item.Index {
			continue
		}
		d := docRef{Index: was, ID: c.item.ID}
		moved[d] = c
		docs = append(docs, d)
	}
	got, err := s.getRealtime(ctx, docs)
	if err != nil {
		return nil, fmt.Errorf("opensearch: look up events written across a rollover: %w", err)
	}
	var repeated []int
	for d := range got {
		c := moved[d]
		dq := url.Values{
			"if_seq_no":       {strconv.FormatInt(c.item.SeqNo, 10)},
			"if_primary_term": {strconv.FormatInt(c.item.PrimaryTerm, 10)},
		}
		// 409: changed since (flagged); 404: gone already.
		err := s.do(ctx, http.MethodDelete, "/"+seg(c.item.Index)+"/_doc/"+seg(c.item.ID), dq, nil, nil)
		if code := statusOf(err); err != nil && code != http.StatusConflict && code != http.StatusNotFound {
			return nil, fmt.Errorf("opensearch: delete event %s written again across a rollover: %w", c.item.ID, err)
		}
		repeated = append(repeated, c.i)
	}
	return repeated, nil
}
