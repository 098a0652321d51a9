package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// ServeHTTP serves GET /export/{token}: it verifies the link, re-checks the
// key that made it, and streams the CSV. Mount it with
// mux.Handle("GET /export/{token}", svc); without a {token} wildcard the
// last path segment is the token.
//
// A failure after the first bytes were sent aborts the response without
// its final chunk, and a complete file ends with a trailer line, so a
// client can always tell a partial file from a whole one.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// The token is a credential: keep it out of Referer headers and caches.
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")

	tok := r.PathValue("token")
	if tok == "" {
		tok = r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	}
	var c claims
	if err := s.signer.Verify(tok, &c); err != nil || c.Kind != claimsKind {
		http.Error(w, "export link is invalid or expired", http.StatusForbidden)
		return
	}
	req, err := normalize(c.Request)
	if err != nil {
		http.Error(w, "export link is invalid or expired", http.StatusForbidden)
		return
	}
	ctx := r.Context()
	p, err := s.principal(ctx, c)
	if errors.Is(err, ErrForbidden) {
		http.Error(w, "export is no longer allowed for this key", http.StatusForbidden)
		return
	}
	if err != nil {
		s.log.ErrorContext(ctx, "export: check key", "tenant", c.Principal.Tenant, "err", err)
		http.Error(w, "export unavailable, try again", http.StatusServiceUnavailable)
		return
	}

	release, status, msg := s.acquire(p.Tenant, tok)
	if release == nil {
		w.Header().Set("Retry-After", "10")
		http.Error(w, msg, status)
		return
	}
	defer release()

	var cutoffs map[string]time.Time
	if s.opts.Cutoffs != nil {
		if cutoffs, err = s.opts.Cutoffs(ctx, p.Tenant); err != nil {
			s.log.ErrorContext(ctx, "export: retention cutoffs", "tenant", p.Tenant, "err", err)
			http.Error(w, "export unavailable, try again", http.StatusServiceUnavailable)
			return
		}
	}

	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": Filename(req, time.Now())}))
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}

	rc := http.NewResponseController(w)
	sent := &pacedWriter{w: w, rc: rc, idle: s.opts.IdleTimeout, minRate: s.opts.MinRate, window: s.opts.RateWindow}
	sent.start(time.Now())
	rows, err := stream(ctx, sent, s.events, req.query(p.Tenant, s.opts.PageSize, cutoffs), func(int64) error {
		// A writer that cannot flush still streams once its buffer fills.
		if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return fmt.Errorf("flush: %w", err)
		}
		return nil
	})
	if s.opts.OnExported != nil {
		s.opts.OnExported(context.WithoutCancel(ctx), p, req, rows, err == nil)
	}
	if err == nil {
		return
	}
	switch {
	case sent.cut != nil: // before ctx: cutting the connection ends it
		s.log.InfoContext(ctx, "export cut: client too slow", "tenant", p.Tenant, "rows", rows, "why", sent.cut)
	case ctx.Err() != nil:
		s.log.InfoContext(ctx, "export: client went away", "tenant", p.Tenant, "rows", rows)
	default:
		s.log.ErrorContext(ctx, "export failed", "tenant", p.Tenant, "rows", rows, "err", err)
	}
	if !sent.any {
		for _, k := range []string{"Content-Type", "Content-Disposition"} {
			h.Del(k)
		}
		http.Error(w, "export failed, try again", http.StatusServiceUnavailable)
		return
	}
	// Headers and rows are out: abort so that net/http closes the connection
	// without the final chunk and the client sees a truncated transfer
	// rather than a short file that looks whole.
	panic(http.ErrAbortHandler)
}

// acquire takes a download slot for a tenant's link: one of the replica's,
// within the tenant's share, and the link's only one. It returns the
// function giving them back, or nil and the refusal's status and message.
func (s *Service) acquire(tenant, link string) (release func(), status int, msg string) {
	s.mu.Lock()
	switch {
	case s.byLink[link]:
		s.mu.Unlock()
		return nil, http.StatusTooManyRequests, "this link is being downloaded already; one download of a link at a time"
	case s.byTenant[tenant] >= s.opts.MaxPerTenant:
		s.mu.Unlock()
		return nil, http.StatusServiceUnavailable, "too many exports of this tenant in progress, try again"
	}
	select {
	case s.slots <- struct{}{}:
	default:
		s.mu.Unlock()
		return nil, http.StatusServiceUnavailable, "too many exports in progress, try again"
	}
	s.byTenant[tenant]++
	s.byLink[link] = true
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.byTenant[tenant]--; s.byTenant[tenant] == 0 {
			delete(s.byTenant, tenant)
		}
		delete(s.byLink, link)
		<-s.slots
	}, 0, ""
}

// errTooSlow cuts a download whose client takes less than the minimum rate.
var errTooSlow = errors.New("export: the client reads slower than the minimum rate")

// pacedWriter writes a download, cutting it when the client takes nothing
// for idle (a write deadline, moved on as bytes go out) or takes fewer
// than minRate bytes per second of the time spent writing to it, over a
// window of such time, so that a slow reader cannot hold a slot for hours.
// Only time blocked on the client counts: a slow store between pages is
// not the client's fault. It records whether anything was written.
type pacedWriter struct {
	w       io.Writer
	rc      *http.ResponseController
	idle    time.Duration
	minRate int64
	window  time.Duration

	any      bool
	cut      error
	extended time.Time     // when the write deadline was last moved
	winTime  time.Duration // time spent writing in this window
	winBytes int64
}

func (p *pacedWriter) start(now time.Time) { p.extend(now) }

func (p *pacedWriter) extend(now time.Time) {
	p.extended = now
	// Servers without deadlines report ErrNotSupported; no idle cut then.
	if p.rc != nil {
		_ = p.rc.SetWriteDeadline(now.Add(p.idle))
	}
}

func (p *pacedWriter) Write(b []byte) (int, error) {
	if p.winTime >= p.window {
		if p.minRate > 0 && float64(p.winBytes) < float64(p.minRate)*p.winTime.Seconds() {
			p.cut = fmt.Errorf("%w: %d bytes in %v of writing", errTooSlow, p.winBytes, p.winTime.Round(time.Millisecond))
			return 0, p.cut
		}
		p.winTime, p.winBytes = 0, 0
	}
	now := time.Now()
	// Moving the deadline costs a system call: a few times per idle period
	// is enough.
	if now.Sub(p.extended) > p.idle/4 {
		p.extend(now)
	}
	n, err := p.w.Write(b)
	p.winTime += time.Since(now)
	p.any = p.any || n > 0
	p.winBytes += int64(n)
	if err != nil && p.cut == nil && errors.Is(err, os.ErrDeadlineExceeded) {
		p.cut = fmt.Errorf("export: the client took nothing for %v: %w", p.idle, err)
	}
	return n, err
}

// Filename names the download after what it holds, e.g.
// auditlog-KMS-20260101-20260201.csv; a range without an end ends at the
// download date. Only [A-Za-z0-9._-] survive, so it is safe in any header
// and on any file system.
func Filename(req Request, now time.Time) string {
	var parts []string
	switch {
	case req.Filter == nil && len(req.IDs) == 1:
		parts = []string{"event", req.IDs[0]}
	case req.Filter == nil:
		parts = []string{"selected", strconv.Itoa(len(req.IDs)), day(now)}
	default:
		f := req.Filter
		comp := "all"
		if len(f.Components) > 0 {
			comp = strings.Join(f.Components, "_")
			if len(f.Components) > 4 {
				comp = strconv.Itoa(len(f.Components)) + "-components"
			}
		}
		from, to := "start", day(now)
		if f.From != nil {
			from = day(*f.From)
		}
		if f.To != nil {
			to = day(*f.To)
		}
		parts = []string{comp, from, to}
	}
	return "auditlog-" + sanitize(strings.Join(parts, "-")) + ".csv"
}

// day formats t as 20260102, or 20260102T150405Z when t is not midnight UTC.
func day(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format("20060102")
	}
	return t.Format("20060102T150405Z")
}

func sanitize(s string) string {
	const maxLen = 120
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= maxLen {
			break
		}
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

var _ http.Handler = (*Service)(nil)
