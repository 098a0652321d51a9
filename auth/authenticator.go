package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/store"
)

// Defaults of AuthenticatorOptions.
const (
	// DefaultCacheTTL is how long a key lookup is reused: a revoked key
	// stops working within it, on every replica.
	DefaultCacheTTL = 5 * time.Second
	// DefaultTouchInterval is how often a key's LastUsedAt is written at
	// most, so that busy keys do not turn every request into a write.
	DefaultTouchInterval = time.Minute
	// DefaultLookupTimeout bounds one look-up of a key in the store (shared
	// by every request with that key) and one record of its use, so that
	// a store that does not answer fails the check fast instead of holding
	// its callers for their whole request timeout.
	DefaultLookupTimeout = 5 * time.Second
	// maxCached bounds the lookup cache against floods of unknown keys.
	maxCached = 10000
)

// AuthenticatorOptions tune an Authenticator. The zero value is usable.
type AuthenticatorOptions struct {
	Clock         func() time.Time
	Logger        *slog.Logger
	CacheTTL      time.Duration
	TouchInterval time.Duration
	LookupTimeout time.Duration
}

// Authenticator resolves API keys to principals. It is safe for concurrent use.
type Authenticator struct {
	keys       store.KeyStore
	now        func() time.Time
	log        *slog.Logger
	ttl        time.Duration
	touchEvery time.Duration
	timeout    time.Duration
	// flights makes concurrent look-ups of one key one store call: a
	// burst of requests with an uncached key (every key, after the cache
	// expired during an outage) would otherwise make as many.
	flights singleflight.Group

	mu      sync.Mutex
	cache   map[string]lookup // by key hash
	touched map[string]time.Time
}

// lookup is a cached KeyByHash answer; found is false for unknown hashes.
type lookup struct {
	key   audit.APIKey
	found bool
	at    time.Time
}

// NewAuthenticator returns an Authenticator reading keys from ks.
func NewAuthenticator(ks store.KeyStore, opts AuthenticatorOptions) *Authenticator {
	a := &Authenticator{
		keys: ks, now: opts.Clock, log: opts.Logger, ttl: opts.CacheTTL, touchEvery: opts.TouchInterval, timeout: opts.LookupTimeout,
		cache: map[string]lookup{}, touched: map[string]time.Time{},
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.ttl <= 0 {
		a.ttl = DefaultCacheTTL
	}
	if a.touchEvery <= 0 {
		a.touchEvery = DefaultTouchInterval
	}
	if a.timeout <= 0 {
		a.timeout = DefaultLookupTimeout
	}
	return a
}

// Authenticate returns the principal of an API key. An unknown, malformed
// or revoked key is ErrUnauthenticated; a store failure is another error.
func (a *Authenticator) Authenticate(ctx context.Context, key string) (audit.Principal, error) {
	if !wellFormed(key) {
		return audit.Principal{}, fmt.Errorf("malformed API key: %w", ErrUnauthenticated)
	}
	hash := HashKey(key)
	l, err := a.lookup(ctx, hash)
	if err != nil {
		return audit.Principal{}, err
	}
	// The store found the key by its hash; comparing again in constant time
	// guards against a backend whose lookup is looser than equality.
	if !l.found || subtle.ConstantTimeCompare([]byte(l.key.Hash), []byte(hash)) != 1 {
		return audit.Principal{}, fmt.Errorf("unknown API key: %w", ErrUnauthenticated)
	}
	if l.key.RevokedAt != nil {
		return audit.Principal{}, fmt.Errorf("API key %s was revoked: %w", l.key.ID, ErrUnauthenticated)
	}
	a.touch(ctx, l.key.ID)
	p := l.key.Principal
	p.KeyID = l.key.ID
	return p, nil
}

func (a *Authenticator) lookup(ctx context.Context, hash string) (lookup, error) {
	a.mu.Lock()
	l, ok := a.cache[hash]
	a.mu.Unlock()
	if ok && a.now().Sub(l.at) < a.ttl {
		return l, nil
	}
	// The shared look-up runs on its own deadline, not its first caller's:
	// that caller leaving must not fail the others waiting for it.
	flight := a.flights.DoChan(hash, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.timeout)
		defer cancel()
		return a.fetch(fctx, hash)
	})
	select {
	case res := <-flight:
		if res.Err != nil {
			return lookup{}, res.Err
		}
		return res.Val.(lookup), nil
	case <-ctx.Done():
		return lookup{}, fmt.Errorf("look up API key: %w", ctx.Err())
	}
}

// fetch reads a key from the store and caches the answer.
func (a *Authenticator) fetch(ctx context.Context, hash string) (lookup, error) {
	now := a.now()
	var l lookup
	key, err := a.keys.KeyByHash(ctx, hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		l = lookup{at: now}
	case err != nil:
		return lookup{}, fmt.Errorf("look up API key: %w", err)
	default:
		l = lookup{key: key, found: true, at: now}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cache) >= maxCached {
		for h, old := range a.cache {
			if now.Sub(old.at) >= a.ttl {
				delete(a.cache, h)
			}
		}
		if len(a.cache) >= maxCached {
			clear(a.cache)
		}
	}
	a.cache[hash] = l
	return l, nil
}

// touch records the key's use, at most once per touch interval per replica.
// A failure is logged, not returned: it must not refuse a valid caller.
func (a *Authenticator) touch(ctx context.Context, id string) {
	now := a.now()
	a.mu.Lock()
	last, ok := a.touched[id]
	due := !ok || now.Sub(last) >= a.touchEvery
	if due {
		a.touched[id] = now
	}
	a.mu.Unlock()
	if !due {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	if err := a.keys.TouchKey(ctx, id, now.UTC()); err != nil {
		a.log.WarnContext(ctx, "record API key use", "key_id", id, "err", err)
	}
}

type ctxKey struct{}

// result is what the middleware learnt about the caller.
type result struct {
	p   audit.Principal
	err error
}

// Middleware authenticates the request's "Authorization: Bearer <key>"
// header and puts the outcome in the request context for FromContext. It
// refuses nothing itself: the routes decide (the server's /graphql refuses
// a request without a valid key before reading it, health checks need no
// key, and signed download links carry their own principal).
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := result{err: fmt.Errorf("missing Authorization: Bearer <api key> header: %w", ErrUnauthenticated)}
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, key, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				res.err = fmt.Errorf("authorization header is not \"Bearer <api key>\": %w", ErrUnauthenticated)
			} else {
				res.p, res.err = a.Authenticate(r.Context(), strings.TrimSpace(key))
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, res)))
	})
}

// WithPrincipal returns a context carrying p as the authenticated caller
// (for commands acting on behalf of a principal, and tests).
func WithPrincipal(ctx context.Context, p audit.Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, result{p: p})
}

// FromContext returns the authenticated caller, or an error wrapping
// ErrUnauthenticated when there is none.
func FromContext(ctx context.Context) (audit.Principal, error) {
	res, ok := ctx.Value(ctxKey{}).(result)
	if !ok {
		return audit.Principal{}, fmt.Errorf("no credentials: %w", ErrUnauthenticated)
	}
	return res.p, res.err
}

// Require returns the caller if they may do action: ErrUnauthenticated
// without a valid key, ErrForbidden when the role does not allow it.
func Require(ctx context.Context, action Action) (audit.Principal, error) {
	p, err := FromContext(ctx)
	if err != nil {
		return audit.Principal{}, err
	}
	if err := Authorize(p, action); err != nil {
		return audit.Principal{}, err
	}
	return p, nil
}
