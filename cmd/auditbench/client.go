package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// apiClient calls auditlog's HTTP API with one API key.
type apiClient struct {
	base   string
	key    string
	client *http.Client
	// throttled counts 429 answers (waited out and retried); a run that
	// was throttled measured the rate limit, not the service.
	throttled atomic.Int64
}

func newAPIClient(base, key string) *apiClient {
	return &apiClient{base: base, key: key, client: &http.Client{Transport: newTransport()}}
}

// gqlResponse is the envelope of a GraphQL answer.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// graphql posts a pre-encoded request and decodes data into out; any
// GraphQL error fails the call.
func (c *apiClient) graphql(ctx context.Context, body []byte, out any) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/graphql", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.key)
		resp, err := c.client.Do(req)
		if err != nil {
			return fmt.Errorf("POST /graphql: %w", err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("POST /graphql: read response: %w", err)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			c.throttled.Add(1)
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(max(wait, 1)) * time.Second):
			}
			continue
		}
		var r gqlResponse
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("POST /graphql: HTTP %d: %.300s", resp.StatusCode, data)
		}
		if len(r.Errors) > 0 {
			return fmt.Errorf("POST /graphql: %s (%v)", r.Errors[0].Message, r.Errors[0].Extensions)
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("POST /graphql: HTTP %d: %.300s", resp.StatusCode, data)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(r.Data, out); err != nil {
			return fmt.Errorf("POST /graphql: decode data: %w", err)
		}
		return nil
	}
}

// query encodes and posts a request.
func (c *apiClient) query(ctx context.Context, query string, vars map[string]any, out any) error {
	body, err := gqlBody(query, vars)
	if err != nil {
		return err
	}
	return c.graphql(ctx, body, out)
}

// ingestResult is one item of an ingest answer.
type ingestResult struct {
	ID        string `json:"id"`
	Captured  bool   `json:"captured"`
	Duplicate bool   `json:"duplicate"`
	Error     *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// check fails unless the event was newly stored: a duplicate or a
// suppressed event would be work not done.
func (r ingestResult) check() error {
	switch {
	case r.Error != nil:
		return fmt.Errorf("event %s failed: %s: %s", r.ID, r.Error.Code, r.Error.Message)
	case r.Duplicate:
		return fmt.Errorf("event %s was already stored", r.ID)
	case !r.Captured:
		return fmt.Errorf("event %s was not captured", r.ID)
	}
	return nil
}

// ingestMany posts one pre-encoded ingestEvents call and checks every item.
func (c *apiClient) ingestMany(ctx context.Context, body []byte) error {
	var out struct {
		IngestEvents []ingestResult `json:"ingestEvents"`
	}
	if err := c.graphql(ctx, body, &out); err != nil {
		return err
	}
	for _, r := range out.IngestEvents {
		if err := r.check(); err != nil {
			return err
		}
	}
	return nil
}

// ingestOne posts one pre-encoded ingestEvent call and checks its result.
func (c *apiClient) ingestOne(ctx context.Context, body []byte) error {
	var out struct {
		IngestEvent ingestResult `json:"ingestEvent"`
	}
	if err := c.graphql(ctx, body, &out); err != nil {
		return err
	}
	return out.IngestEvent.check()
}
