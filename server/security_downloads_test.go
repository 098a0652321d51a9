package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
	"github.com/auditlog/auditlog/store"
)

// heldScans is a store whose scans (CSV downloads) wait for release once
// they are inside, and say so on inside.
type heldScans struct {
	store.Store
	inside  chan struct{}
	release chan struct{}
}

func (s *heldScans) ScanEvents(ctx context.Context, q audit.Query, fn func(audit.Event) error) error {
	s.inside <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Store.ScanEvents(ctx, q, fn)
}

// TestDownloadsAreLimited: with room for two CSV downloads at once (both
// of which one tenant may take), a viewer's third parallel download gets
// 503 with Retry-After while two stream, and downloads work again once
// they are done. Each download has a link of its own: one link is
// downloaded once at a time.
func TestDownloadsAreLimited(t *testing.T) {
	hs := &heldScans{inside: make(chan struct{}, 8), release: make(chan struct{})}
	e := newEnvWith(t, server.Config{}, envOptions{maxDownloads: 2, maxPerTenant: 2, wrap: func(st store.Store) store.Store {
		hs.Store = st
		return hs
	}})
	var res struct{ IngestEvents []ingestResult }
	e.query(e.key("acme", audit.RoleEmitter), ingestMany, map[string]any{"es": []any{fullEvent("d-1", base), fullEvent("d-2", base)}}, &res)
	e.refresh()
	viewer := e.key("acme", audit.RoleViewer)
	// Links differ by their filter.
	links := map[string]string{}
	for _, f := range []string{`{}`, `{components: ["CMS"]}`, `{components: ["KMS"]}`, `{flagged: false}`} {
		var link struct{ ExportEvents struct{ URL string } }
		e.query(viewer, `mutation { exportEvents(filter: `+f+`) { url } }`, nil, &link)
		links[f] = e.url + link.ExportEvents.URL
	}

	download := func(url string) (int, string, string) {
		// A guard against hanging should the limit go, not a measure.
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("GET: %v", err)
			return 0, "", ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After"), string(body)
	}
	var wg sync.WaitGroup
	statuses := make(chan int, 2)
	for _, f := range []string{`{components: ["CMS"]}`, `{components: ["KMS"]}`} {
		wg.Go(func() {
			status, _, _ := download(links[f])
			statuses <- status
		})
	}
	<-hs.inside
	<-hs.inside
	status, retry, body := download(links[`{}`])
	if status != http.StatusServiceUnavailable || retry == "" {
		t.Errorf("a third download while two stream: %d, Retry-After %q, %s; want 503 with Retry-After", status, retry, body)
	}
	close(hs.release)
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusOK {
			t.Errorf("a held download ended with %d", s)
		}
	}
	if status, _, body := download(links[`{flagged: false}`]); status != http.StatusOK || !strings.Contains(body, "d-2") {
		t.Errorf("a download after the others: %d %s", status, body)
	}
}
