package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/opensearch-project/opensearch-go/v4"

	"github.com/auditlog/auditlog/store"
)

// apiError is an error response of OpenSearch.
type apiError struct {
	Status int
	Type   string
	Reason string
}

func (e *apiError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("opensearch: HTTP %d: %s", e.Status, e.Reason)
	}
	return fmt.Sprintf("opensearch: HTTP %d: %s: %s", e.Status, e.Type, e.Reason)
}

// Unwrap makes an answer that says "not now" (overloaded, no shard to
// take the request, a timeout inside the cluster) store.ErrUnavailable,
// so that callers tell it from a bug; a bulk item's error is one too.
func (e *apiError) Unwrap() error {
	switch e.Status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return store.ErrUnavailable
	}
	switch e.Type {
	case "es_rejected_execution_exception", "unavailable_shards_exception", "no_shard_available_action_exception",
		"process_cluster_event_timeout_exception", "cluster_manager_not_discovered_exception", "master_not_discovered_exception",
		"node_not_connected_exception", "node_closed_exception", "circuit_breaking_exception":
		return store.ErrUnavailable
	}
	return nil
}

// statusOf returns the HTTP status of an OpenSearch error response, or 0.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// errorType returns the OpenSearch error type of an error response, or "".
func errorType(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Type
	}
	return ""
}

// request is one REST call; it implements opensearch.Request so that calls
// go through the client's transport (node selection, retries, auth).
type request struct {
	path  string
	query url.Values
	body  []byte
	// contentType overrides JSON, e.g. for _bulk.
	contentType string
}

func (r request) GetRequest(method string) (*http.Request, error) {
	u := &url.URL{Path: r.path, RawQuery: r.query.Encode()}
	if unescaped, err := url.PathUnescape(r.path); err == nil {
		u.Path, u.RawPath = unescaped, r.path
	}
	req := &http.Request{Method: method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{}}
	if r.body != nil {
		body := r.body
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	return req, nil
}

// do performs one call. body is marshalled to JSON unless it is []byte;
// out, when non-nil, receives the decoded response. An error response is an
// *apiError carrying the HTTP status.
func (s *Store) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	r := request{path: path, query: query}
	switch b := body.(type) {
	case nil:
	case []byte:
		r.body = b
		r.contentType = "application/x-ndjson"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("encode request %s %s: %w", method, path, err)
		}
		r.body = data
	}
	resp, err := opensearch.Do(ctx, s.client.Client, method, r, (*opensearch.NoBody)(nil))
	if err != nil {
		// No answer: the node is down, unreachable or hung (the caller's
		// deadline or the transport's header timeout).
		return fmt.Errorf("%s %s: %w: %w", method, path, store.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read response: %w: %w", method, path, store.ErrUnavailable, err)
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %w", method, path, parseAPIError(resp, data))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode response: %w", method, path, err)
		}
	}
	return nil
}

func parseAPIError(resp *opensearch.Response, data []byte) error {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	ae := &apiError{Status: resp.StatusCode}
	if json.Unmarshal(data, &e) == nil && len(e.Error) > 0 {
		var detail struct {
			Type     string `json:"type"`
			Reason   string `json:"reason"`
			CausedBy *struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"caused_by"`
		}
		if json.Unmarshal(e.Error, &detail) == nil {
			ae.Type, ae.Reason = detail.Type, detail.Reason
			// Some errors (a search rejected for missing shards) say why
			// only in their cause.
			if c := detail.CausedBy; c != nil && c.Reason != "" && c.Reason != ae.Reason {
				if ae.Reason != "" {
					ae.Reason += ": "
				}
				ae.Reason += c.Reason
			}
		} else {
			ae.Reason = strings.Trim(string(e.Error), `"`)
		}
	}
	if ae.Type == "" && ae.Reason == "" {
		ae.Reason = truncate(string(data), 500)
	}
	return ae
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// seg escapes one path segment (an index name or a document id).
func seg(s string) string { return url.PathEscape(s) }
