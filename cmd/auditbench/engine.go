package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// engine is a bare HTTP client of the OpenSearch node: the "raw engine"
// side of the pairs, and the bench's own setup and cleanup calls. It does
// not use auditlog's store code, so B measures the engine, not auditlog.
type engine struct {
	base   string
	client *http.Client
	// pid is the node's process when it runs on this machine and can be
	// found; its CPU time is then read from /proc (exact to 10 ms) rather
	// than from the node stats (refreshed about once a second).
	pid int
}

func newEngine(rawURL string) (*engine, error) {
	u, err := url.Parse(strings.TrimRight(rawURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--opensearch-url %q is not an http(s) URL", rawURL)
	}
	e := &engine{base: u.String(), client: &http.Client{Transport: newTransport()}}
	if host := u.Hostname(); host == "127.0.0.1" || host == "localhost" || host == "::1" {
		port := 9200
		if p, err := strconv.Atoi(u.Port()); err == nil {
			port = p
		}
		e.pid, _ = listenerPID(port) // not found: node stats it is
	}
	return e, nil
}

// cpuSource says where the node's CPU time comes from.
func (e *engine) cpuSource() string {
	if e.pid != 0 {
		return fmt.Sprintf("/proc/%d/stat (the node's process)", e.pid)
	}
	return "_nodes/stats/process (refreshed about once a second)"
}

// newTransport keeps enough idle connections for every concurrent client,
// so no run pays for new connections after its warm-up.
func newTransport() *http.Transport {
	return &http.Transport{
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     5 * time.Minute,
		DisableCompression:  true,
	}
}

type obj = map[string]any

// engineError is an error response of the node.
type engineError struct {
	Status int
	Body   string
}

func (e *engineError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

func statusOf(err error) int {
	var ee *engineError
	if errors.As(err, &ee) {
		return ee.Status
	}
	return 0
}

// do sends body (a []byte as NDJSON, anything else as JSON) and decodes the
// response into out unless out is nil.
func (e *engine) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ct = bytes.NewReader(b), "application/x-ndjson"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd, ct = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, e.base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		if len(data) > 1000 {
			data = data[:1000]
		}
		return fmt.Errorf("%s %s: %w", method, path, &engineError{Status: resp.StatusCode, Body: string(data)})
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode response: %w", method, path, err)
		}
	}
	return nil
}

// version returns the node's distribution and version, e.g. "opensearch 2.19.1".
func (e *engine) version(ctx context.Context) (string, error) {
	var info struct {
		Version struct {
			Distribution string `json:"distribution"`
			Number       string `json:"number"`
		} `json:"version"`
	}
	if err := e.do(ctx, http.MethodGet, "/", nil, &info); err != nil {
		return "", err
	}
	return strings.TrimSpace(info.Version.Distribution + " " + info.Version.Number), nil
}

// cpu returns the CPU time the node processes have used so far, summed over
// the cluster's nodes (exact, from the node stats).
func (e *engine) cpu(ctx context.Context) (time.Duration, error) {
	if e.pid != 0 {
		return cpuTime(e.pid)
	}
	var stats struct {
		Nodes map[string]struct {
			Process struct {
				CPU struct {
					TotalInMillis int64 `json:"total_in_millis"`
				} `json:"cpu"`
			} `json:"process"`
		} `json:"nodes"`
	}
	if err := e.do(ctx, http.MethodGet, "/_nodes/stats/process", nil, &stats); err != nil {
		return 0, fmt.Errorf("node CPU: %w", err)
	}
	var ms int64
	for _, n := range stats.Nodes {
		ms += n.Process.CPU.TotalInMillis
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// bulk sends one _bulk body and fails if any item failed.
func (e *engine) bulk(ctx context.Context, body []byte) error {
	var resp struct {
		Errors bool `json:"errors"`
		Items  []map[string]struct {
			Status int             `json:"status"`
			Error  json.RawMessage `json:"error"`
		} `json:"items"`
	}
	if err := e.do(ctx, http.MethodPost, "/_bulk?require_alias=true", body, &resp); err != nil {
		return err
	}
	if resp.Errors {
		for _, it := range resp.Items {
			for _, r := range it {
				if len(r.Error) > 0 {
					return fmt.Errorf("_bulk item failed: HTTP %d: %s", r.Status, r.Error)
				}
			}
		}
		return errors.New("_bulk reported errors")
	}
	return nil
}

func (e *engine) refresh(ctx context.Context, pattern string) error {
	return e.do(ctx, http.MethodPost, "/"+url.PathEscape(pattern)+"/_refresh?allow_no_indices=true&ignore_unavailable=true", nil, nil)
}

// count returns how many documents of pattern match query.
func (e *engine) count(ctx context.Context, pattern string, query obj) (int64, error) {
	var resp struct {
		Count int64 `json:"count"`
	}
	err := e.do(ctx, http.MethodPost, "/"+url.PathEscape(pattern)+"/_count?allow_no_indices=true&ignore_unavailable=true",
		obj{"query": query}, &resp)
	return resp.Count, err
}

// cleanup deletes every index, index template and component template whose
// name starts with prefix: everything the run created, and nothing else.
func (e *engine) cleanup(ctx context.Context, prefix string) error {
	pattern := url.PathEscape(prefix + "*")
	var errs []error
	// Index templates first, so nothing recreates an index meanwhile;
	// component templates once no index template uses them.
	for _, p := range []string{"/_index_template/" + pattern, "/" + pattern + "?expand_wildcards=all", "/_component_template/" + pattern} {
		if err := e.do(ctx, http.MethodDelete, p, nil, nil); err != nil && statusOf(err) != http.StatusNotFound {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
