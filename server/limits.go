package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/health"
)

// Codes of errors the HTTP layer answers itself, beside the GraphQL codes
// of graph (BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// INTERNAL). They tell a client to retry later rather than to fix its
// request, which none of those says.
const (
	// CodeRateLimited comes with 429 and Retry-After: the API key sent
	// more requests than its rate allows.
	CodeRateLimited = "RATE_LIMITED"
	// CodeUnavailable comes with 503 and Retry-After: the server is busy,
	// or its store does not answer (graph.CodeUnavailable, the code of a
	// store that failed a request or an ingest item, is the same code).
	CodeUnavailable = graph.CodeUnavailable
)

// limitConcurrency lets at most n requests through at once. A request that
// finds no free slot waits up to wait for one, then gets 503 with
// Retry-After, so that a burst queues briefly but an overload sheds load
// instead of piling up goroutines and store connections.
func limitConcurrency(n int, wait time.Duration, next http.Handler) http.Handler {
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		default:
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case slots <- struct{}{}:
			case <-t.C:
				w.Header().Set("Retry-After", "1")
				writeGraphQLError(w, http.StatusServiceUnavailable, CodeUnavailable, "the server is busy; retry in a second")
				return
			case <-r.Context().Done():
				return // the client went away while waiting
			}
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}

// requireStore refuses requests with 503 and Retry-After while the store
// does not answer, before they take a slot or wait for it: a client is told
// at once instead of after its timeout, and a hung store piles up nothing.
func requireStore(m *health.Monitor, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := m.Err(); err != nil && r.Method != http.MethodOptions {
			w.Header().Set("Retry-After", "1")
			writeGraphQLError(w, http.StatusServiceUnavailable, CodeUnavailable,
				"the store does not answer; retry shortly (ingests with the same event ids)")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withTimeout gives a request's context a deadline, so that store calls of
// a slow query (and the key check, and a slow upload) are cancelled rather
// than holding a slot indefinitely.
// Streamed downloads are not under it; they set write deadlines per page.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// writeGraphQLError answers with a GraphQL-shaped error body, so that
// clients read every refusal the same way. kv are extra extensions.
func writeGraphQLError(w http.ResponseWriter, status int, code, msg string, kv ...any) {
	ext := map[string]any{"code": code}
	for i := 0; i+1 < len(kv); i += 2 {
		ext[kv[i].(string)] = kv[i+1]
	}
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{"message": msg, "extensions": ext}}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
