package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/auditlog/auditlog/store"
)

// Helpers for the small indices, whose writes refresh at once so that reads
// and lists see them immediately.

// getDoc is a stored document with the sequence numbers that guard updates.
type getDoc struct {
	Found       bool            `json:"found"`
	SeqNo       int64           `json:"_seq_no"`
	PrimaryTerm int64           `json:"_primary_term"`
	Source      json.RawMessage `json:"_source"`
}

// get reads a document by id (real-time, no refresh needed); ErrNotFound
// if absent.
func (s *Store) get(ctx context.Context, index, id string, out any) (getDoc, error) {
	var d getDoc
	err := s.do(ctx, http.MethodGet, "/"+seg(index)+"/_doc/"+seg(id), nil, nil, &d)
	if statusOf(err) == http.StatusNotFound {
		return getDoc{}, store.ErrNotFound
	}
	if err != nil {
		return getDoc{}, err
	}
	if !d.Found {
		return getDoc{}, store.ErrNotFound
	}
	if out != nil {
		if err := json.Unmarshal(d.Source, out); err != nil {
			return getDoc{}, fmt.Errorf("decode %s/%s: %w", index, id, err)
		}
	}
	return d, nil
}

// put stores a document and refreshes. With create it fails with
// ErrDuplicate when the id exists; with guard it fails with ErrConflict
// unless the stored document is still at the guard's sequence numbers.
func (s *Store) put(ctx context.Context, index, id string, doc any, create bool, guard *getDoc) error {
	q := url.Values{"refresh": {"true"}}
	if create {
		q.Set("op_type", "create")
	}
	if guard != nil {
		q.Set("if_seq_no", fmt.Sprint(guard.SeqNo))
		q.Set("if_primary_term", fmt.Sprint(guard.PrimaryTerm))
	}
	err := s.do(ctx, http.MethodPut, "/"+seg(index)+"/_doc/"+seg(id), q, doc, nil)
	if statusOf(err) == http.StatusConflict {
		if create {
			return store.ErrDuplicate
		}
		return store.ErrConflict
	}
	return err
}

// deleteDoc removes a document and refreshes; ErrNotFound if absent.
func (s *Store) deleteDoc(ctx context.Context, index, id string) error {
	err := s.do(ctx, http.MethodDelete, "/"+seg(index)+"/_doc/"+seg(id), url.Values{"refresh": {"true"}}, nil, nil)
	if statusOf(err) == http.StatusNotFound {
		return store.ErrNotFound
	}
	return err
}

// listPage is the page size of searchAll.
const listPage = 1000

// searchAll calls fn with the source of every document of index matching
// query, in the order of sort (which must end with a unique field), reading
// page by page so that no result window limits it.
func (s *Store) searchAll(ctx context.Context, index string, query obj, sort []obj, fn func(searchHit) error) error {
	return s.searchPages(ctx, index, query, sort, listPage, nil, fn)
}

// searchPages is searchAll with pages of page documents, leaving the
// fields of excludes out of what the node sends.
func (s *Store) searchPages(ctx context.Context, index string, query obj, sort []obj, page int, excludes []string, fn func(searchHit) error) error {
	var after []any
	for {
		body := obj{"size": page, "query": query, "sort": sort, "track_total_hits": false, "seq_no_primary_term": true}
		if len(excludes) > 0 {
			body["_source"] = obj{"excludes": excludes}
		}
		if after != nil {
			body["search_after"] = after
		}
		var resp struct {
			searchShards
			Hits struct {
				Hits []struct {
					searchHit
					Sort []any `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		err := s.doSearch(ctx, "/"+seg(index)+"/_search", index, nil, body, &resp)
		if err != nil {
			return err
		}
		for _, h := range resp.Hits.Hits {
			if err := fn(h.searchHit); err != nil {
				return err
			}
			after = h.Sort
		}
		if len(resp.Hits.Hits) < page {
			return nil
		}
	}
}
