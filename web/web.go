// Package web serves the console, the web app built from this folder's
// TypeScript sources into dist/ (committed, so that a Go build needs no
// Node), and the GraphiQL playground bundled with it.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// CSP is the console's Content-Security-Policy: everything from this
// origin only, no inline scripts or styles, no framing.
const CSP = "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// playgroundCSP adds the data: fonts and images GraphiQL's stylesheet
// embeds; scripts stay this origin's only.
const playgroundCSP = "default-src 'self'; font-src 'self' data:; img-src 'self' data:; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// Routes are the console's client-side routes: each is answered with the
// console's page, which shows the view the path names.
var Routes = []string{"/{$}", "/explore", "/settings/audit-logs", "/settings/audit-logs/{component}"}

// Handler serves the console's assets (/assets/…) and its page for the
// client-side routes in Routes.
type Handler struct {
	files fs.FS
	index []byte
	pg    []byte
}

// New returns the handler of the built console. It panics when the build
// is missing from the binary: a broken tree, not a runtime condition.
func New() *Handler {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		panic("web: the console is not built into dist/ (cd web && npm ci && npm run build): " + err.Error())
	}
	pg, err := fs.ReadFile(files, "playground.html")
	if err != nil {
		panic("web: the playground is not built into dist/: " + err.Error())
	}
	return &Handler{files: files, index: index, pg: pg}
}

// Console answers a client-side route with the console's page.
func (h *Handler) Console() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page(w, h.index, CSP)
	})
}

// Playground answers with GraphiQL's page.
func (h *Handler) Playground() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page(w, h.pg, playgroundCSP)
	})
}

// Assets serves the built scripts and styles under /assets/. Their names
// carry a hash of their content, so they can be cached for good.
func (h *Handler) Assets() http.Handler {
	files := http.FileServerFS(h.files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if !strings.HasPrefix(name, "assets/") {
			http.NotFound(w, r)
			return
		}
		if st, err := fs.Stat(h.files, name); err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		securityHeaders(w, CSP)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}

func page(w http.ResponseWriter, body []byte, csp string) {
	securityHeaders(w, csp)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page names the current assets: always ask for it anew.
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(body)
}

func securityHeaders(w http.ResponseWriter, csp string) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}
