package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/logthrottle"
)

// RequestIDHeader carries the request id, in and out.
const RequestIDHeader = "X-Request-Id"

// validRequestID accepts a caller's request id only if it is short and
// plain (letters, digits, '.', '_', '-'; at most 64), so that it cannot
// forge log lines or carry markup to whatever shows logs and headers;
// any other gets an id of ours instead.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// reqInfo is what one request's middleware learn, shared through its context.
type reqInfo struct {
	id     string
	tenant string
	// header is the response's, for what is learnt while it runs
	// (Retry-After when the store did not answer).
	header http.Header
}

type reqInfoKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if info, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok {
		return info.id
	}
	return ""
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// observe gives every request an id (echoed in X-Request-Id), then logs and
// counts it once it is served.
func observe(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{id: r.Header.Get(RequestIDHeader), header: w.Header()}
		if !validRequestID.MatchString(info.id) {
			info.id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, info.id)
		// Bodies are JSON, CSV or text: never let a browser guess HTML.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		// Deferred, so that a handler aborting its response with
		// http.ErrAbortHandler (a failed download) is still logged.
		defer func() {
			took := time.Since(start)
			route := r.Pattern // set by the mux on this request
			if route == "" {
				route = "unmatched"
			}
			m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
			m.latency.WithLabelValues(route).Observe(took.Seconds())
			attrs := []slog.Attr{
				slog.String("request_id", info.id), slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
				slog.Float64("duration_ms", float64(took.Microseconds())/1000), slog.String("remote", r.RemoteAddr),
			}
			// Download paths hold a credential; the route is enough.
			if !strings.HasPrefix(route, "GET /export/") {
				attrs = append(attrs, slog.String("path", r.URL.Path))
			}
			if info.tenant != "" {
				attrs = append(attrs, slog.String("tenant", info.tenant))
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "http request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines (streamed
// CSV downloads).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// authenticate puts the caller of an API key in the request context and
// notes its tenant for the access log.
func authenticate(a *auth.Authenticator, next http.Handler) http.Handler {
	return a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, err := auth.FromContext(r.Context()); err == nil {
			if info, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
				info.tenant = p.Tenant
			}
		}
		next.ServeHTTP(w, r)
	}))
}

// requireKey refuses a request without a valid API key with 401 and
// UNAUTHENTICATED, before its body is read: parsing and validating a query
// is work, and only callers with a key may make the server do it. With
// anonymous set (introspection on: the development setup, whose
// playground fetches the schema without a key), a request with no key at
// all goes on, and anonymousIntrospectionOnly lets it do nothing but
// introspect; one with a wrong key is still refused.
// OPTIONS requests, which run no operation, go on too. A key that could
// not be checked (the key store failed) gets 503: retry later.
func requireKey(log *slog.Logger, anonymous bool, next http.Handler) http.Handler {
	// During an outage every uncached key fails alike: a line per interval.
	quiet := logthrottle.New(0, nil)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := auth.FromContext(r.Context())
		switch {
		case err == nil, r.Method == http.MethodOptions:
		case !errors.Is(err, auth.ErrUnauthenticated):
			id := RequestID(r.Context())
			if ok, skipped := quiet.Allow("check API key"); ok {
				log.WarnContext(r.Context(), "cannot check API key", "request_id", id, "err", err, "similar_left_out", skipped)
			}
			w.Header().Set("Retry-After", "1")
			writeGraphQLError(w, http.StatusServiceUnavailable, CodeUnavailable,
				"cannot check the API key now; retry in a second (request id "+id+")", "requestId", id)
			return
		case !anonymous || r.Header.Get("Authorization") != "":
			// Anonymous access is for callers that send no key: a key that
			// does not verify is refused here, whatever the request.
			w.Header().Set("WWW-Authenticate", `Bearer realm="auditlog"`)
			writeGraphQLError(w, http.StatusUnauthorized, graph.CodeUnauthenticated, err.Error())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses bodies over max bytes with 413, before GraphQL parses
// anything.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			tooLarge(w, max)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			// A slow upload holds a worker slot: no longer than the
			// request may take.
			if deadline, ok := r.Context().Deadline(); ok {
				_ = http.NewResponseController(w).SetReadDeadline(deadline)
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				tooLarge(w, max)
				return
			case err != nil:
				writeGraphQLError(w, http.StatusBadRequest, graph.CodeBadUserInput, "cannot read the request body: "+err.Error())
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter, max int64) {
	w.Header().Set("Connection", "close")
	writeGraphQLError(w, http.StatusRequestEntityTooLarge, graph.CodeBadUserInput,
		fmt.Sprintf("request body is larger than %d bytes", max))
}
