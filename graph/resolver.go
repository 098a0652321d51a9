package graph

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/checkpoint"
	"github.com/auditlog/auditlog/graph/generated"
	"github.com/auditlog/auditlog/live"
	"github.com/auditlog/auditlog/logthrottle"
	"github.com/auditlog/auditlog/token"
)

// Limits of the API, beyond those of the audit vocabulary.
const (
	// MaxIngestBatch is the most events one ingestEvents call takes.
	MaxIngestBatch = 1000
	// DefaultPageSize and MaxPageSize bound events(first:).
	DefaultPageSize = 50
	MaxPageSize     = 500
	// MaxIDs bounds the ids of flagEvents, unflagEvents and
	// markNotificationsRead.
	MaxIDs = app.MaxIDs
	// CursorTTL is how long a page cursor stays valid.
	CursorTTL = 24 * time.Hour
)

// Metrics receives what the resolvers count; the server backs it with
// Prometheus. Deps.Metrics may be nil.
type Metrics interface {
	// Ingested counts ingest outcomes: "captured", "duplicate",
	// "suppressed", "invalid", "forbidden", "unavailable" (the store could
	// not be reached; retryable) or "failed".
	Ingested(outcome string, n int)
}

// Notifier delivers notifications that were stored; see app.Notifier.
type Notifier = app.Notifier

// Deps are what the resolvers call.
type Deps struct {
	// App is the core the resolvers call: its store applies retention,
	// its Export is nil when exports are unavailable. Nil only in tests of
	// what needs no core.
	App *app.App
	// Signer signs page cursors (Resolver uses Signer.For("cursor")).
	Signer *token.Signer
	// Clock is time.Now when nil; Logger slog.Default() when nil.
	Clock   func() time.Time
	Logger  *slog.Logger
	Metrics Metrics
	// RequestID returns the id of the request a context belongs to, quoted
	// in internal errors; may be nil.
	RequestID func(ctx context.Context) string
	// Keys verify the tenant's checkpoints (Query.verify) and are listed by
	// Query.signingKeys; verify is unavailable without them.
	Keys *checkpoint.Keyring
	// OnUnavailable, when set, is told that the store failed the request
	// ctx belongs to (it did not answer, or not in time).
	OnUnavailable func(ctx context.Context)
}

// Resolver is the root resolver. It is safe for concurrent use.
type Resolver struct {
	app     *app.App
	cursors *token.Signer
	now     func() time.Time
	log     *slog.Logger
	metrics Metrics
	reqID   func(ctx context.Context) string
	live    *live.Tail
	keys    *checkpoint.Keyring
	// quiet rate-limits the log lines of failures that come in floods
	// (a store outage fails every request).
	quiet         *logthrottle.Throttle
	onUnavailable func(ctx context.Context)
}

// NewResolver returns the root resolver over deps.
func NewResolver(deps Deps) *Resolver {
	// Without an App only what needs no core works (the cursor fuzzers).
	r := &Resolver{
		app:     deps.App,
		cursors: deps.Signer.For("cursor"),
		now:     deps.Clock,
		log:     deps.Logger,
		metrics: deps.Metrics,
		reqID:   deps.RequestID,
		keys:    deps.Keys,

		onUnavailable: deps.OnUnavailable,
	}
	if deps.App != nil {
		r.live = deps.App.Live()
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	r.quiet = logthrottle.New(0, nil)
	if r.onUnavailable == nil {
		r.onUnavailable = func(context.Context) {}
	}
	if r.reqID == nil {
		r.reqID = func(context.Context) string { return "" }
	}
	return r
}

// ExecutableSchema returns the GraphQL schema served by r, with the costs
// of complexity.go for complexity limits.
func (r *Resolver) ExecutableSchema() graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{Resolvers: r, Complexity: complexity()})
}

// logUnavailable logs that the store could not be reached, at most once
// per logthrottle.DefaultInterval, counting the lines left out: during an
// outage every request fails so, and readiness already says it.
func (r *Resolver) logUnavailable(ctx context.Context, msg string, args ...any) {
	r.onUnavailable(ctx)
	ok, skipped := r.quiet.Allow(msg)
	if !ok {
		return
	}
	if skipped > 0 {
		args = append(args, "similar_left_out", skipped)
	}
	r.log.WarnContext(ctx, msg, args...)
}
