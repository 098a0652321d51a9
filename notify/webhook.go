// Package notify delivers flag notifications to webhooks: each notification
// a user is sent is also POSTed as signed JSON to the receiver configured
// for its tenant, from a bounded queue served by background workers, with
// retries and exponential backoff, so that a slow or failing receiver never
// delays the flag call that caused it.
//
// A delivery is a POST with a JSON Payload and these headers:
//
//	X-Auditlog-Signature: sha256=<hex HMAC-SHA256 of the body with the target's secret>
//	X-Auditlog-Timestamp: <Unix seconds when this attempt was sent; also sentAt in the body>
//	X-Auditlog-Delivery:  <delivery id, the same on every retry of one notification>
//
// A receiver recomputes the HMAC over the raw body and compares in constant
// time; since sentAt is in the signed body, it can also refuse stale
// replays. Any 2xx answer is success; 408, 429, 5xx and network errors are
// retried; any other answer is final.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// Defaults of Options.
const (
	DefaultQueue       = 1000
	DefaultWorkers     = 2
	DefaultMaxAttempts = 6
	DefaultBaseDelay   = time.Second
	DefaultMaxDelay    = time.Minute
	DefaultTimeout     = 10 * time.Second
	// MinSecretLen is the shortest signing secret accepted.
	MinSecretLen = 16
	// maxDrain is how much of a receiver's answer is read, and thrown
	// away, so that its connection can be reused; a longer answer costs
	// the connection rather than the time to read it.
	maxDrain = 64 << 10
)

// Header names of a delivery.
const (
	SignatureHeader = "X-Auditlog-Signature"
	TimestampHeader = "X-Auditlog-Timestamp"
	DeliveryHeader  = "X-Auditlog-Delivery"
)

// EventFlagged is the Payload.Type of a flag notification.
const EventFlagged = "event.flagged"

// Target is a webhook receiver and the secret its deliveries are signed with.
type Target struct {
	URL    string
	Secret []byte
}

// Options configure Webhooks. Only the targets are required.
type Options struct {
	// Default receives the notifications of every tenant without a target
	// of its own; none when its URL is empty.
	Default Target
	// Tenants maps a tenant to its own receiver.
	Tenants map[string]Target
	// Queue bounds the notifications waiting for a worker; beyond it new
	// ones are dropped (and logged) rather than blocking the caller.
	Queue int
	// Workers is the number of deliveries sent at once.
	Workers int
	// MaxAttempts bounds the attempts per notification, the first included.
	MaxAttempts int
	// BaseDelay is the wait before the first retry; it doubles on each
	// further one up to MaxDelay, with random jitter so that receivers
	// coming back up are not hit by every retry at once.
	BaseDelay, MaxDelay time.Duration
	// Timeout bounds one attempt (DefaultTimeout when 0); it is the default
	// client's timeout and is ignored when Client is given.
	Timeout time.Duration
	// Client sends the requests; one that follows no redirects when nil.
	Client *http.Client
	// Logger receives delivery outcomes; slog.Default() when nil.
	Logger *slog.Logger
	// Clock stamps sentAt; time.Now when nil.
	Clock func() time.Time
}

// Payload is the JSON body of a delivery.
type Payload struct {
	// Type says what happened: EventFlagged.
	Type string `json:"type"`
	// DeliveryID is the same on every attempt for one notification, so a
	// receiver can drop repeats.
	DeliveryID string `json:"deliveryId"`
	Tenant     string `json:"tenant"`
	// SentAt is when this attempt was sent; Attempt counts from 1.
	SentAt  time.Time `json:"sentAt"`
	Attempt int       `json:"attempt"`
	// Notification is the notification the action user was sent.
	Notification audit.Notification `json:"notification"`
}

// Sign returns the value of the signature header for body signed with secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Webhooks queues notifications and delivers them in the background. It is
// safe for concurrent use; Close stops it.
type Webhooks struct {
	opts   Options
	client *http.Client
	log    *slog.Logger
	queue  chan *delivery

	mu     sync.Mutex
	closed bool

	// pending counts deliveries not finished: queued, in flight or waiting
	// for a retry; idle is signalled when it drops to zero.
	pending atomic.Int64
	idle    chan struct{}
	// stop ends the workers and every pending retry; ctx aborts requests
	// in flight at that moment.
	stop    chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	workers sync.WaitGroup
}

type delivery struct {
	target  Target
	n       audit.Notification
	attempt int
}

// New checks the targets and starts the workers.
func New(opts Options) (*Webhooks, error) {
	if opts.Default.URL != "" {
		if err := checkTarget(opts.Default); err != nil {
			return nil, fmt.Errorf("default webhook: %w", err)
		}
	}
	for tenant, t := range opts.Tenants {
		if !audit.ValidTenant(tenant) {
			return nil, fmt.Errorf("webhook of tenant %q: not a tenant name", tenant)
		}
		if err := checkTarget(t); err != nil {
			return nil, fmt.Errorf("webhook of tenant %s: %w", tenant, err)
		}
	}
	if opts.Queue <= 0 {
		opts.Queue = DefaultQueue
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = DefaultBaseDelay
	}
	if opts.MaxDelay < opts.BaseDelay {
		opts.MaxDelay = max(DefaultMaxDelay, opts.BaseDelay)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	w := &Webhooks{
		opts:   opts,
		client: opts.Client,
		log:    opts.Logger,
		queue:  make(chan *delivery, opts.Queue),
		idle:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
	}
	if w.client == nil {
		w.client = &http.Client{
			Timeout: opts.Timeout,
			// A receiver that moved must be reconfigured: a redirect would
			// otherwise turn the POST into a GET elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if w.log == nil {
		w.log = slog.Default()
	}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	for range opts.Workers {
		w.workers.Add(1)
		go w.work()
	}
	return w, nil
}

func checkTarget(t Target) error {
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("URL %q is not an absolute http(s) URL", t.URL)
	}
	if len(t.Secret) < MinSecretLen {
		return fmt.Errorf("signing secret must be at least %d bytes", MinSecretLen)
	}
	return nil
}

// target returns the receiver of a tenant's notifications.
func (w *Webhooks) target(tenant string) (Target, bool) {
	if t, ok := w.opts.Tenants[tenant]; ok {
		return t, true
	}
	return w.opts.Default, w.opts.Default.URL != ""
}

// Notify queues the notifications for delivery and returns at once. A
// notification whose tenant has no receiver is skipped; one that finds the
// queue full, or Webhooks closed, is dropped and logged.
func (w *Webhooks) Notify(ctx context.Context, ns []audit.Notification) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range ns {
		t, ok := w.target(n.Tenant)
		if !ok {
			continue
		}
		if w.closed {
			w.log.WarnContext(ctx, "webhook: closed, notification dropped", "tenant", n.Tenant, "notification_id", n.ID)
			continue
		}
		w.pending.Add(1)
		select {
		case w.queue <- &delivery{target: t, n: n}:
		default:
			w.finish()
			w.log.ErrorContext(ctx, "webhook: queue full, notification dropped", "tenant", n.Tenant, "notification_id", n.ID, "queue", cap(w.queue))
		}
	}
}

// Close stops taking notifications and waits until every queued one is
// delivered or given up, or until ctx ends; then it stops the workers,
// aborting requests in flight, and reports how many were left undelivered.
func (w *Webhooks) Close(ctx context.Context) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()

	err := w.drain(ctx)
	close(w.stop)
	w.cancel()
	w.workers.Wait()
	return err
}

func (w *Webhooks) drain(ctx context.Context) error {
	for w.pending.Load() > 0 {
		select {
		case <-w.idle:
		case <-ctx.Done():
			return fmt.Errorf("webhook: %d notifications undelivered: %w", w.pending.Load(), ctx.Err())
		}
	}
	return nil
}

func (w *Webhooks) finish() {
	if w.pending.Add(-1) == 0 {
		select {
		case w.idle <- struct{}{}:
		default:
		}
	}
}

func (w *Webhooks) work() {
	defer w.workers.Done()
	for {
		select {
		case <-w.stop:
			return
		case d := <-w.queue:
			w.deliver(d)
		}
	}
}

// deliver makes one attempt and decides what follows: done, or a retry
// after a backoff. A retry waits on a timer, not in the worker, so that one
// failing receiver does not hold up the others.
func (w *Webhooks) deliver(d *delivery) {
	d.attempt++
	status, retryAfter, err := w.send(d)
	log := w.log.With("tenant", d.n.Tenant, "notification_id", d.n.ID, "event_id", d.n.EventID,
		"webhook", redact(d.target.URL), "attempt", d.attempt)
	switch {
	case err == nil && status >= 200 && status < 300:
		log.Info("webhook: delivered", "status", status)
		w.finish()
		return
	case w.stopped():
		log.Warn("webhook: stopped before delivery", "status", status, "err", err)
		w.finish()
		return
	case err == nil && !retryable(status):
		log.Error("webhook: refused, not retrying", "status", status)
		w.finish()
		return
	case d.attempt >= w.opts.MaxAttempts:
		log.Error("webhook: giving up", "status", status, "err", err)
		w.finish()
		return
	}
	delay := w.backoff(d.attempt, retryAfter)
	log.Warn("webhook: failed, will retry", "status", status, "err", err, "retry_in", delay)
	time.AfterFunc(delay, func() {
		select {
		case w.queue <- d:
		case <-w.stop:
			w.finish()
		}
	})
}

func (w *Webhooks) stopped() bool {
	select {
	case <-w.stop:
		return true
	default:
		return false
	}
}

// send makes one attempt and returns the receiver's status and the wait it
// asked for with Retry-After, if any.
func (w *Webhooks) send(d *delivery) (int, time.Duration, error) {
	sentAt := w.opts.Clock().UTC().Truncate(time.Second)
	body, err := json.Marshal(Payload{
		Type: EventFlagged, DeliveryID: d.n.ID, Tenant: d.n.Tenant,
		SentAt: sentAt, Attempt: d.attempt, Notification: d.n,
	})
	if err != nil {
		return 0, 0, fmt.Errorf("encode payload: %w", err)
	}
	req, err := http.NewRequestWithContext(w.ctx, http.MethodPost, d.target.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "auditlog-webhook/1")
	req.Header.Set(SignatureHeader, Sign(d.target.Secret, body))
	req.Header.Set(TimestampHeader, strconv.FormatInt(sentAt.Unix(), 10))
	req.Header.Set(DeliveryHeader, d.n.ID)
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		// Only a body read to its end lets the client reuse the connection.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
		resp.Body.Close()
	}()
	var retryAfter time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		retryAfter = time.Duration(s) * time.Second
	}
	return resp.StatusCode, retryAfter, nil
}

// retryable reports whether an answer may succeed later.
func retryable(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// backoff returns the wait before the retry that follows attempt: the base
// delay doubled per attempt, capped, with half of it random ("equal
// jitter"), and at least what the receiver asked for, within the cap.
func (w *Webhooks) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := w.opts.MaxDelay
	if attempt-1 < 30 {
		d = min(w.opts.BaseDelay<<(attempt-1), w.opts.MaxDelay)
	}
	d = d/2 + rand.N(d/2+1)
	return max(d, min(retryAfter, w.opts.MaxDelay))
}

// redact keeps credentials and query strings, which may carry tokens, out
// of logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
