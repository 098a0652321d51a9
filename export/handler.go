package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// writeGrace is how long one page may take to reach the client. The
// deadline moves with every page, so a slow but steady client can download
// for as long as it needs while a stalled one is cut off.
const writeGrace = 2 * time.Minute

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

	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		w.Header().Set("Retry-After", "10")
		http.Error(w, "too many exports in progress, try again", http.StatusServiceUnavailable)
		return
	}

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
	sent := &sentWriter{w: w}
	extendDeadline := func() {
		// Servers without deadlines report ErrNotSupported; nothing to extend then.
		_ = rc.SetWriteDeadline(time.Now().Add(writeGrace))
	}
	extendDeadline()
	rows, err := stream(ctx, sent, s.events, req.query(p.Tenant, s.opts.PageSize, cutoffs), func(int64) error {
		// A writer that cannot flush still streams once its buffer fills.
		if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return fmt.Errorf("flush: %w", err)
		}
		extendDeadline()
		return nil
	})
	if s.opts.OnExported != nil {
		s.opts.OnExported(context.WithoutCancel(ctx), p, req, rows, err == nil)
	}
	if err == nil {
		return
	}
	if ctx.Err() != nil {
		s.log.InfoContext(ctx, "export: client went away", "tenant", p.Tenant, "rows", rows)
	} else {
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

// sentWriter records whether anything was written to the response.
type sentWriter struct {
	w   io.Writer
	any bool
}

func (s *sentWriter) Write(p []byte) (int, error) {
	s.any = s.any || len(p) > 0
	return s.w.Write(p)
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
