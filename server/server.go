// Package server is auditlog's HTTP surface: the GraphQL endpoint, the
// playground, signed CSV downloads, health and readiness checks and
// Prometheus metrics, behind request ids, access logs and body limits.
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
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/capture"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/indexer"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/token"
)

// Defaults of Config.
const (
	// DefaultMaxBodyBytes fits a full ingest batch of 1000 events with
	// large details.
	DefaultMaxBodyBytes = 32 << 20
	// DefaultComplexityLimit allows a few full pages of 500 events.
	DefaultComplexityLimit = 50000
	// DefaultDepthLimit is well above the deepest useful query
	// (events.edges.node.flag.by.name is 6).
	DefaultDepthLimit = 10
	// DefaultQueryCache is how many parsed queries are kept.
	DefaultQueryCache = 1000
)

// Config are the server's settings. The zero value serves the API without
// introspection or playground, with default limits.
type Config struct {
	// Introspection answers schema introspection queries.
	Introspection bool
	// Playground serves GraphiQL at "/".
	Playground bool
	// MaxBodyBytes bounds a request body; larger ones get 413.
	MaxBodyBytes int64
	// ComplexityLimit and DepthLimit bound GraphQL operations.
	ComplexityLimit int
	DepthLimit      int
	// QueryCache is how many parsed queries are kept.
	QueryCache int
}

// Deps are the components the server serves.
type Deps struct {
	Store   store.Store
	Capture *capture.Service
	Indexer *indexer.Indexer
	// Export serves /export/{token}; without it exportEvents is unavailable.
	Export *export.Service
	// Signer signs page cursors.
	Signer *token.Signer
	// Auth resolves API keys; built over Store when nil.
	Auth *auth.Authenticator
	// Metrics is built when nil; pass one to share it with the indexer
	// (Metrics.OnBatch).
	Metrics *Metrics
	Clock   func() time.Time
	Logger  *slog.Logger
}

// New returns the HTTP handler of auditlog.
func New(cfg Config, deps Deps) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.ComplexityLimit <= 0 {
		cfg.ComplexityLimit = DefaultComplexityLimit
	}
	if cfg.DepthLimit <= 0 {
		cfg.DepthLimit = DefaultDepthLimit
	}
	if cfg.QueryCache <= 0 {
		cfg.QueryCache = DefaultQueryCache
	}
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
		authn = auth.NewAuthenticator(deps.Store, auth.AuthenticatorOptions{Clock: deps.Clock, Logger: log})
	}

	resolver := graph.NewResolver(graph.Deps{
		Store:     deps.Store,
		Capture:   deps.Capture,
		Indexer:   deps.Indexer,
		Export:    deps.Export,
		Signer:    deps.Signer,
		Clock:     deps.Clock,
		Logger:    log,
		Metrics:   metrics,
		RequestID: RequestID,
	})
	gql := handler.New(resolver.ExecutableSchema())
	gql.AddTransport(transport.Options{})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](cfg.QueryCache))
	if cfg.Introspection {
		gql.Use(extension.Introspection{})
	}
	gql.Use(extension.FixedComplexityLimit(cfg.ComplexityLimit))
	gql.Use(depthLimit{max: cfg.DepthLimit})
	gql.SetErrorPresenter(resolver.ErrorPresenter())
	gql.SetRecoverFunc(resolver.RecoverFunc())
	gql.AroundResponses(countErrors(metrics))

	mux := http.NewServeMux()
	mux.Handle("/graphql", limitBody(cfg.MaxBodyBytes, authenticate(authn, gql)))
	if deps.Export != nil {
		mux.Handle("GET /export/{token}", deps.Export)
	}
	if cfg.Playground {
		mux.Handle("GET /{$}", playground.Handler("auditlog", "/graphql"))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := deps.Store.Ping(ctx); err != nil {
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

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body + "\n"))
}
