// Package server is auditlog's HTTP surface: the GraphQL endpoint, the
// console and the playground, signed CSV downloads, health and readiness
// checks and Prometheus metrics, behind request ids, access logs and body
// limits.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/health"
	"github.com/auditlog/auditlog/web"
)

// Defaults of Config.
const (
	// DefaultMaxBodyBytes fits an ingest batch of 1000 events averaging
	// 8 KiB; bigger batches are split by the client.
	DefaultMaxBodyBytes = 8 << 20
	// DefaultComplexityLimit allows a few full pages of 500 events
	// (costs in graph/complexity.go).
	DefaultComplexityLimit = 50000
	// DefaultDepthLimit is well above the deepest useful query
	// (events.edges.node.flag.by.name is 6).
	DefaultDepthLimit = 10
	// DefaultParserTokenLimit bounds the work of parsing and validating one
	// query: validation is quadratic in the fields of a selection (about
	// 0.1s at this limit). The Explore query is a few hundred tokens;
	// batches go in variables, which are not tokens.
	DefaultParserTokenLimit = 5000
	// DefaultQueryCache is how many parsed queries are kept.
	DefaultQueryCache = 1000
	// DefaultMaxConcurrent and DefaultQueueWait bound GraphQL requests in
	// progress; more wait up to DefaultQueueWait for a slot, then get 503.
	DefaultMaxConcurrent = 64
	DefaultQueueWait     = time.Second
	// DefaultRequestTimeout bounds one GraphQL request.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultRateLimit and DefaultRateBurst are the requests per second an
	// API key may sustain and briefly exceed, per replica. Generous: a
	// module's emitter key may front many small concurrent writers (group
	// commit makes that cheap); the limit stops a runaway client, not them.
	DefaultRateLimit = 2000
	DefaultRateBurst = 4000
)

// Config are the server's settings. The zero value serves the API without
// introspection or playground, with default limits.
type Config struct {
	// Introspection answers schema introspection queries, also to callers
	// without an API key (the playground fetches the schema before a key
	// is entered; such callers get nothing else), and lets validation
	// errors suggest field names (the schema is public then). Off, a
	// request without a valid key is refused with 401 before its body is
	// read.
	Introspection bool
	// Playground serves GraphiQL at "/playground" (the console is at "/").
	Playground bool
	// MaxBodyBytes bounds a request body; larger ones get 413.
	MaxBodyBytes int64
	// ComplexityLimit, DepthLimit and ParserTokenLimit bound GraphQL
	// operations; over them is BAD_USER_INPUT before anything runs.
	ComplexityLimit  int
	DepthLimit       int
	ParserTokenLimit int
	// QueryCache is how many parsed queries are kept.
	QueryCache int
	// MaxConcurrent bounds the GraphQL requests executing at once; a
	// request waits up to QueueWait for a slot, then gets 503.
	MaxConcurrent int
	QueueWait     time.Duration
	// RequestTimeout bounds one GraphQL request (not CSV downloads).
	RequestTimeout time.Duration
	// RateLimit is the requests per second one API key may sustain, and
	// RateBurst how many it may send at once; beyond, 429 with
	// Retry-After. A negative RateLimit turns rate limiting off.
	RateLimit float64
	RateBurst int
	// Live bounds the WebSocket connections of the live tail.
	Live LiveConfig
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	setDefault(&c.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&c.ComplexityLimit, DefaultComplexityLimit)
	setDefault(&c.DepthLimit, DefaultDepthLimit)
	setDefault(&c.ParserTokenLimit, DefaultParserTokenLimit)
	setDefault(&c.QueryCache, DefaultQueryCache)
	setDefault(&c.MaxConcurrent, DefaultMaxConcurrent)
	setDefault(&c.QueueWait, DefaultQueueWait)
	setDefault(&c.RequestTimeout, DefaultRequestTimeout)
	if c.RateLimit == 0 {
		c.RateLimit = DefaultRateLimit
	}
	setDefault(&c.RateBurst, DefaultRateBurst)
	c.Live = c.Live.withDefaults()
	return c
}

func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Deps are what the server serves: the resolvers' dependencies (whose
// App is the core, and whose Clock and Logger the server uses too) and the
// server's own.
type Deps struct {
	graph.Deps
	// Auth resolves API keys; built over the App's store when nil.
	Auth *auth.Authenticator
	// Metrics is built when nil; pass one to share it with the indexer
	// (Metrics.OnBatch).
	Metrics *Metrics
	// Health, when set, says whether the store answers: /readyz reports
	// it, and while the store does not answer /graphql refuses requests
	// at once with 503 UNAVAILABLE and Retry-After. Without it /readyz
	// pings the store and requests run regardless. The caller runs it.
	Health *health.Monitor
}

// New returns the HTTP handler of auditlog.
func New(cfg Config, deps Deps) http.Handler {
	cfg = cfg.withDefaults()
	log := deps.Logger
	if log == nil {
		log = slog.Default()
	}
	metrics := deps.Metrics
	if metrics == nil {
		metrics = NewMetrics()
	}
	authn := deps.Auth
	if authn == nil {
		authn = auth.NewAuthenticator(deps.App.Store(), auth.AuthenticatorOptions{Clock: deps.Clock, Logger: log})
	}

	gd := deps.Deps
	gd.Logger, gd.Metrics, gd.RequestID = log, metrics, RequestID
	// The store did not answer: tell the client when to retry, and check
	// the store now so that the requests after this one are refused at
	// once if it is down.
	gd.OnUnavailable = func(ctx context.Context) {
		if info, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok {
			info.header.Set("Retry-After", "1")
		}
		if deps.Health != nil {
			deps.Health.Suspect()
		}
	}
	resolver := graph.NewResolver(gd)
	gql := handler.New(resolver.ExecutableSchema())
	tail := deps.App.Live()
	if tail != nil {
		gql.AddTransport(newLiveTransport(cfg.Live, authn, log))
	}
	gql.AddTransport(transport.Options{})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](cfg.QueryCache))
	gql.SetParserTokenLimit(cfg.ParserTokenLimit)
	// Suggestions ("Did you mean ...?") would spell out a hidden schema.
	gql.SetDisableSuggestion(!cfg.Introspection)
	if cfg.Introspection {
		gql.Use(extension.Introspection{})
		gql.Use(anonymousIntrospectionOnly{})
	} else {
		gql.Use(noIntrospection{})
	}
	// Before the walks of the depth and complexity limits: fragments
	// spread within fragments are counted once each, in linear time.
	gql.Use(expansionLimit{max: cfg.ComplexityLimit})
	gql.Use(depthLimit{max: cfg.DepthLimit})
	gql.Use(graph.ComplexityLimit(cfg.ComplexityLimit))
	gql.AroundFields(guardOperations)
	gql.SetErrorPresenter(presentErrors(resolver.ErrorPresenter()))
	gql.SetRecoverFunc(resolver.RecoverFunc())
	gql.AroundResponses(countErrors(metrics))

	// Every request is bounded from its first store call: the key check
	// (a store look-up unless cached) runs within the request's deadline
	// and a worker slot, as does the body read (under a read deadline),
	// so a store that hangs holds at most MaxConcurrent requests, each
	// until its deadline, and the others wait QueueWait at most for 503.
	// While Health says the store does not answer, requests are refused
	// before any of that. Within the slot, cheapest refusals first: the key
	// and its rate need headers only, and a request without a valid key is
	// refused before its body is read.
	var api http.Handler = noStore(refuseUnsupported(gql))
	api = limitBody(cfg.MaxBodyBytes, api)
	api = requireKey(log, cfg.Introspection, api)
	if cfg.RateLimit > 0 {
		api = limitRate(newRateLimiter(cfg.RateLimit, cfg.RateBurst, deps.Clock), api)
	}
	api = authenticate(authn, api)
	api = limitConcurrency(cfg.MaxConcurrent, cfg.QueueWait, api)
	api = withTimeout(cfg.RequestTimeout, api)
	if deps.Health != nil {
		api = requireStore(deps.Health, api)
	}

	mux := http.NewServeMux()
	// Other methods get 405 and an Allow header (below), rather than
	// gqlgen's 400 "transport not supported".
	for _, method := range []string{http.MethodPost, http.MethodGet, http.MethodOptions} {
		h := api
		if method == http.MethodGet && tail != nil {
			h = liveRoute(cfg.Live, gql, api) // WebSocket upgrades (live.go)
		}
		mux.Handle(method+" /graphql", h)
	}
	// GET's pattern matches HEAD too, which GraphQL has no answer for (and
	// a HEAD answer no body).
	mux.HandleFunc("HEAD /graphql", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", graphQLMethods)
		w.WriteHeader(http.StatusMethodNotAllowed)
	})
	// Any other method: 405 with Allow, and a GraphQL error body like
	// every other refusal (the mux's own 405 is plain text).
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", graphQLMethods)
		writeGraphQLError(w, http.StatusMethodNotAllowed, graph.CodeBadUserInput,
			"method "+r.Method+" is not allowed on /graphql; use POST, or GET for queries", "reason", ReasonMethodNotAllowed)
	})
	if exp := deps.App.Export(); exp != nil {
		mux.Handle("GET /export/{token}", exp)
	}
	ui := web.New()
	for _, route := range web.Routes {
		mux.Handle("GET "+route, ui.Console())
	}
	mux.Handle("GET /assets/", ui.Assets())
	if cfg.Playground {
		mux.Handle("GET /playground", ui.Playground())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if deps.Health != nil {
			if err := deps.Health.Err(); err != nil {
				writeText(w, http.StatusServiceUnavailable, "store unavailable")
				return
			}
			writeText(w, http.StatusOK, "ok")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := deps.App.Store().Ping(ctx); err != nil {
			log.WarnContext(ctx, "not ready: store ping failed", "request_id", RequestID(ctx), "err", err)
			writeText(w, http.StatusServiceUnavailable, "store unavailable")
			return
		}
		writeText(w, http.StatusOK, "ok")
	})
	mux.Handle("GET /metrics", metrics.handler())

	return observe(log, metrics, mux)
}

// countErrors counts the GraphQL errors of every response by code.
func countErrors(m *Metrics) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp != nil {
			for _, e := range resp.Errors {
				code, _ := e.Extensions["code"].(string)
				if code == "" {
					code = "OTHER"
				}
				m.graphqlErrs.WithLabelValues(code).Inc()
			}
		}
		return resp
	}
}

// noStore keeps API responses, which hold audit data, out of caches.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body + "\n"))
}

// NotReady is what a server serves until its store opened: /healthz 200
// (the process runs), /readyz 503, and every other request 503 with
// Retry-After, as GraphQL errors with code UNAVAILABLE.
func NotReady() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusServiceUnavailable, "store unavailable")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "1")
		writeGraphQLError(w, http.StatusServiceUnavailable, CodeUnavailable, "starting: the store does not answer yet; retry shortly")
	})
	return mux
}
