// Package stream delivers audit events to a tenant's external destinations:
// a generic HTTPS endpoint (JSON batches signed with HMAC-SHA256 over a
// timestamp), Splunk's HTTP Event Collector and Datadog's logs intake. It
// encodes batches in each destination's request format and sends them with
// retries; the delivery loop over a durable cursor builds on it.
package stream

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// Kind is the request format of a destination.
type Kind string

// Kinds of destination.
const (
	// HTTPS posts {"events": [...]} with X-Auditlog-Timestamp and
	// X-Auditlog-Signature headers (see Sign).
	HTTPS Kind = "HTTPS"
	// SplunkHEC posts HEC event objects, one after the other, to the
	// collector's /services/collector/event with "Authorization: Splunk
	// <token>".
	SplunkHEC Kind = "SPLUNK_HEC"
	// Datadog posts a JSON array of logs to the logs intake (/api/v2/logs)
	// with the DD-API-KEY header.
	Datadog Kind = "DATADOG"
)

// Headers of HTTPS deliveries.
const (
	TimestampHeader = "X-Auditlog-Timestamp"
	SignatureHeader = "X-Auditlog-Signature"
)

// MaxBatch is the most events in one request: Datadog takes at most 1,000
// logs a request.
const MaxBatch = 1000

// Filter selects the events a destination gets. Empty fields select all.
type Filter struct {
	Components  []string
	MinPriority audit.Priority
	Statuses    []audit.Status
}

// Query returns the listing filter that selects f's events from a store.
func (f Filter) Query() audit.Filter {
	q := audit.Filter{Components: f.Components, Statuses: f.Statuses}
	if f.MinPriority != "" {
		for _, p := range []audit.Priority{audit.PriorityLow, audit.PriorityMedium, audit.PriorityHigh, audit.PriorityCritical} {
			if p.Rank() >= f.MinPriority.Rank() {
				q.Priorities = append(q.Priorities, p)
			}
		}
	}
	return q
}

// Match reports whether f selects e.
func (f Filter) Match(e audit.Event) bool {
	return (len(f.Components) == 0 || slices.Contains(f.Components, e.ComponentID)) &&
		(f.MinPriority == "" || e.Priority.Rank() >= f.MinPriority.Rank()) &&
		(len(f.Statuses) == 0 || slices.Contains(f.Statuses, e.Status))
}

// Destination is where one of a tenant's streams goes.
type Destination struct {
	ID     string
	Tenant string
	Kind   Kind
	// URL is the endpoint: the HTTPS receiver; the HEC base URL
	// (https://splunk.example.com:8088); Datadog's intake base URL
	// (https://http-intake.logs.datadoghq.com).
	URL string
	// Secret is the HMAC key (HTTPS), the HEC token, or the Datadog API
	// key. It is stored encrypted and never returned by the API.
	Secret string
	Filter Filter
}

// Request builds the request that delivers events to d, stamped at now.
func (d Destination) Request(ctx context.Context, events []audit.Event, now time.Time) (*http.Request, error) {
	if len(events) > MaxBatch {
		return nil, fmt.Errorf("a batch of %d events is over %d", len(events), MaxBatch)
	}
	var (
		body     []byte
		endpoint = d.URL
		err      error
		header   = http.Header{"Content-Type": {"application/json"}}
	)
	switch d.Kind {
	case HTTPS:
		body, err = json.Marshal(struct {
			Events []audit.Event `json:"events"`
		}{events})
		ts := strconv.FormatInt(now.Unix(), 10)
		header.Set(TimestampHeader, ts)
		header.Set(SignatureHeader, Sign([]byte(d.Secret), ts, body))
	case SplunkHEC:
		body, err = splunkBody(events)
		endpoint, err = joinPath(endpoint, "/services/collector/event", err)
		header.Set("Authorization", "Splunk "+d.Secret)
	case Datadog:
		body, err = datadogBody(events)
		endpoint, err = joinPath(endpoint, "/api/v2/logs", err)
		header.Set("DD-API-KEY", d.Secret)
	default:
		return nil, fmt.Errorf("unknown destination kind %q", d.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s batch: %w", d.Kind, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request to %s: %w", d.Kind, err)
	}
	req.Header = header
	return req, nil
}

func joinPath(base, path string, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return url.JoinPath(base, path)
}

// Sign is the signature of an HTTPS delivery: "v1=" and the hex HMAC-SHA256
// of the timestamp, a dot and the body, keyed with the destination's
// secret. The timestamp is signed so that a receiver can refuse a replayed
// request: one whose timestamp is older than a few minutes.
func Sign(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks an HTTPS delivery's signature and that its timestamp is
// within tolerance of now: what a receiver does.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q is not Unix seconds", timestamp)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("timestamp %s is %v from now, beyond %v: a replay?", timestamp, d.Round(time.Second), tolerance)
	}
	if !hmac.Equal([]byte(signature), []byte(Sign(secret, timestamp, body))) {
		return errors.New("signature does not match")
	}
	return nil
}

// hecEvent is one event in Splunk's HEC JSON event protocol.
type hecEvent struct {
	Time       string      `json:"time"` // epoch seconds with milliseconds
	Source     string      `json:"source"`
	Sourcetype string      `json:"sourcetype"`
	Event      audit.Event `json:"event"`
}

// splunkBody is the batch as HEC takes it: event objects one after the
// other, not an array.
func splunkBody(events []audit.Event) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, e := range events {
		ms := e.OccurredAt.UnixMilli()
		err := enc.Encode(hecEvent{
			Time:   fmt.Sprintf("%d.%03d", ms/1000, ms%1000),
			Source: "auditlog", Sourcetype: "auditlog:event", Event: e,
		})
		if err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// ddLog is one log of Datadog's logs intake.
type ddLog struct {
	Source  string `json:"ddsource"`
	Tags    string `json:"ddtags"`
	Service string `json:"service"`
	// Message is the event as JSON: Datadog parses a JSON message into
	// attributes.
	Message string `json:"message"`
}

func datadogBody(events []audit.Event) ([]byte, error) {
	logs := make([]ddLog, len(events))
	for i, e := range events {
		msg, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		logs[i] = ddLog{
			Source: "auditlog", Service: "auditlog", Message: string(msg),
			Tags: "tenant:" + e.Tenant + ",component:" + e.ComponentID + ",status:" + string(e.Status),
		}
	}
	return json.Marshal(logs)
}

// Sender delivers batches over HTTP, retrying failures.
type Sender struct {
	Client *http.Client
	// Attempts is the most tries of one batch (at least 1); BaseDelay and
	// MaxDelay bound the exponential backoff between them.
	Attempts  int
	BaseDelay time.Duration
	MaxDelay  time.Duration
	Clock     func() time.Time
}

// ErrRejected is a response that no retry will change (a 4xx other than
// 408 and 429: a wrong token, a payload the receiver refuses).
var ErrRejected = errors.New("rejected by the destination")

// Send delivers events to d, retrying up to s.Attempts times with
// exponential backoff and full jitter; it returns the last error.
func (s *Sender) Send(ctx context.Context, d Destination, events []audit.Event) error {
	clock := s.Clock
	if clock == nil {
		clock = time.Now
	}
	var err error
	for attempt := range max(s.Attempts, 1) {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(Backoff(attempt, s.BaseDelay, s.MaxDelay)):
			}
		}
		if err = s.once(ctx, d, events, clock()); err == nil || errors.Is(err, ErrRejected) {
			return err
		}
	}
	return err
}

func (s *Sender) once(ctx context.Context, d Destination, events []audit.Event, now time.Time) error {
	req, err := d.Request(ctx, events, now)
	if err != nil {
		return err
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("deliver %d events to %s: %w", len(events), d.Kind, err)
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return nil
	case c >= 400 && c < 500 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests:
		return fmt.Errorf("%s answered %d %q: %w", d.Kind, c, excerpt, ErrRejected)
	default:
		return fmt.Errorf("%s answered %d %q", d.Kind, c, excerpt)
	}
}

// Backoff is the wait before retry number attempt (1 the first): a random
// duration up to base·2^(attempt-1), at most max ("full jitter", so that
// many senders failing together do not retry together).
func Backoff(attempt int, base, max time.Duration) time.Duration {
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if max <= 0 {
		max = time.Minute
	}
	ceiling := max
	if attempt-1 < 30 {
		if d := base << (attempt - 1); d > 0 && d < max {
			ceiling = d
		}
	}
	return rand.N(ceiling) + 1
}
