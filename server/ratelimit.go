package server

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/auditlog/auditlog/auth"
)

// maxRateBuckets bounds the rate limiter's memory against floods of new
// keys or addresses; idle buckets are evicted first.
const maxRateBuckets = 10000

// rateLimiter keeps one token bucket per API key. It is safe for
// concurrent use.
type rateLimiter struct {
	limit rate.Limit
	burst int
	max   int
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newRateLimiter(perSecond float64, burst int, clock func() time.Time) *rateLimiter {
	if clock == nil {
		clock = time.Now
	}
	return &rateLimiter{
		limit: rate.Limit(perSecond), burst: max(burst, 1), max: maxRateBuckets, now: clock,
		buckets: map[string]*bucket{}, lastSweep: clock(),
	}
}

// wait takes a token from key's bucket and returns 0, or, when the bucket
// is empty, takes nothing and returns how long until a token is there.
func (l *rateLimiter) wait(key string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max || now.Sub(l.lastSweep) > time.Minute {
			l.evict(now)
		}
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Minute // cannot happen with burst >= 1
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// evict drops buckets idle long enough to have refilled: a new bucket for
// such a key behaves the same, so nothing is forgotten. If that is not
// enough room, the least recently seen bucket goes too.
func (l *rateLimiter) evict(now time.Time) {
	l.lastSweep = now
	full := time.Duration(float64(l.burst) / float64(l.limit) * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.seen) >= full {
			delete(l.buckets, k)
		}
	}
	for len(l.buckets) >= l.max {
		oldest, at := "", now
		for k, b := range l.buckets {
			if !b.seen.After(at) {
				oldest, at = k, b.seen
			}
		}
		delete(l.buckets, oldest)
	}
}

// size is how many buckets are kept (tests).
func (l *rateLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// limitRate refuses requests over the rate of their API key with 429 and
// Retry-After. Requests without a valid key share one bucket per client
// address, so floods of bad keys are throttled as well. It runs after
// authentication, before the body is read.
func limitRate(l *rateLimiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := "addr:" + clientHost(r)
		if p, err := auth.FromContext(r.Context()); err == nil {
			key = "key:" + p.KeyID
		}
		if d := l.wait(key); d > 0 {
			secs := int(math.Ceil(d.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeGraphQLError(w, http.StatusTooManyRequests, CodeRateLimited,
				"too many requests for this API key; retry after "+strconv.Itoa(secs)+"s", "retryAfter", secs)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
