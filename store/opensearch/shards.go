package opensearch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"time"
)

// Searches never accept partial results. By default OpenSearch answers a
// search that some shards failed, or could not reach, with the hits,
// totals and aggregations of the others, and says so only in _shards: a
// listing, a facet count, an export or a duplicate check would be silently
// wrong. So every search and point in time the store opens asks for all
// shards or an error (allow_partial_search_results=false,
// allow_partial_pit_creation=false), and every answer's _shards is checked
// as well.

// shardsInfo is the _shards header of a search response.
type shardsInfo struct {
	Total      int `json:"total"`
	Successful int `json:"successful"`
	Skipped    int `json:"skipped"`
	Failed     int `json:"failed"`
	Failures   []struct {
		Index  string `json:"index"`
		Shard  int    `json:"shard"`
		Reason struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"reason"`
	} `json:"failures"`
}

// errUnsearched marks an answer that lacks shards no copy of which was
// active: counted in neither failed nor successful. OpenSearch answers so,
// with 200 and despite allow_partial_search_results=false, a search that
// meets an index being created (measured on 2.19: a few searches in a
// hundred while indices of their pattern are created, as rollovers, ISM's
// included, create them).
var errUnsearched = errors.New("opensearch: shards without an active copy")

// err reports a response that lacks the results of some shard: failed, or
// never searched (errUnsearched).
func (sh *shardsInfo) err() error {
	if sh.Failed == 0 && sh.Successful+sh.Skipped >= sh.Total {
		return nil
	}
	msg := fmt.Sprintf("opensearch: partial results refused: %d of %d shards answered, %d failed", sh.Successful+sh.Skipped, sh.Total, sh.Failed)
	if len(sh.Failures) > 0 {
		f := sh.Failures[0]
		msg += fmt.Sprintf(" (%s[%d]: %s: %s)", f.Index, f.Shard, f.Reason.Type, truncate(f.Reason.Reason, 300))
	}
	if sh.Failed == 0 {
		return fmt.Errorf("%s: %w", msg, errUnsearched)
	}
	return errors.New(msg)
}

// withShards is a search response: its _shards header is checked.
type withShards interface{ shards() *shardsInfo }

// searchShards is embedded in search responses to decode their _shards.
type searchShards struct {
	Shards shardsInfo `json:"_shards"`
}

func (h *searchShards) shards() *shardsInfo { return &h.Shards }

// shardWait bounds how long a search refused for missing shards waits for
// them before its one retry: about what a new index takes to start its
// primary, whether created by a series bootstrap or a rollover, here or in
// another process.
const shardWait = 5 * time.Second

// doSearch runs one _search request at path (over indices, "" for a point
// in time), refusing partial results, and decodes it into out.
func (s *Store) doSearch(ctx context.Context, path, indices string, q url.Values, body any, out withShards) error {
	q = cloneValues(q)
	q.Set("allow_partial_search_results", "false")
	return s.awaitingShards(ctx, indices, func() error {
		// A retry decodes into a fresh answer: decoding merges maps and
		// keeps fields the second answer lacks.
		reflect.ValueOf(out).Elem().SetZero()
		if err := s.do(ctx, http.MethodPost, path, q, body, out); err != nil {
			return err
		}
		return out.shards().err()
	})
}

// awaitingShards runs call, a search or point in time over indices. When it
// finds a shard without an active copy (an index being created, by a
// series bootstrap or a rollover, here or in another process: 503
// search_phase_execution_exception, or an answer lacking the shard,
// errUnsearched), it waits for the primaries of indices, at most
// shardWait, and calls once more.
func (s *Store) awaitingShards(ctx context.Context, indices string, call func() error) error {
	err := call()
	starting := errors.Is(err, errUnsearched) ||
		statusOf(err) == http.StatusServiceUnavailable && errorType(err) == "search_phase_execution_exception"
	if err == nil || indices == "" || !starting {
		return err
	}
	if werr := s.waitActive(ctx, indices, shardWait); werr != nil {
		return fmt.Errorf("%w (%v)", err, werr)
	}
	return call()
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
