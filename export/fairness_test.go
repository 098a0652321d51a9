package export_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/export"
)

// TestSlowReadersOfOneTenantDoNotBlockAnother: four slow readers of one
// tenant's exports get the tenant's share of the download slots (two of
// four) and the others 503; a second download of a link in progress is
// refused; another tenant's download meanwhile succeeds; and the slow
// downloads are cut below the minimum rate, without the trailer, so their
// readers know the files are partial. The slots are then free again.
func TestSlowReadersOfOneTenantDoNotBlockAnother(t *testing.T) {
	st := openSQLite(t)
	// ~9 MB of CSV: more than the socket buffers between server and client
	// hold, so a slow reader slows the server's writes.
	writeLargeLog(t, st, 20_000)
	other := "globex"
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	writeEvents(t, st, []audit.Event{event(other, "g-1", "KMS", at), event(other, "g-2", "KMS", at.Add(time.Minute))})
	x := newExporter(t, st, export.Options{MaxConcurrent: 4, MinRate: 256 << 10, RateWindow: time.Second, IdleTimeout: 3 * time.Second})
	slowTenant := viewer(t, st, tenant, "key-slow", audit.RoleViewer)
	otherTenant := viewer(t, st, other, "key-other", audit.RoleViewer)

	// Four links of the slow tenant: distinct requests, so distinct tokens.
	links := make([]string, 4)
	for i := range links {
		to := at.AddDate(1, 0, i)
		links[i] = x.link(t, slowTenant, export.Request{Filter: &audit.Filter{To: &to}}).URL
	}
	slow := slowClient()
	var streaming []*http.Response
	refused := 0
	for _, l := range links {
		resp, err := slow.Get(l)
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		switch resp.StatusCode {
		case http.StatusOK:
			streaming = append(streaming, resp)
		case http.StatusServiceUnavailable:
			refused++
			if resp.Header.Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
			resp.Body.Close()
		default:
			t.Fatalf("slow tenant's download: HTTP %d", resp.StatusCode)
		}
	}
	if len(streaming) != 2 || refused != 2 {
		t.Fatalf("of 4 downloads of one tenant with 4 slots: %d streaming, %d refused; want its share of 2", len(streaming), refused)
	}
	again, err := slow.Get(links[0])
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a second download of a link in progress: HTTP %d, want 429", again.StatusCode)
	}

	// The slow readers trickle at ~10 KB/s while another tenant downloads.
	done := make(chan readResult, len(streaming))
	cut := make(chan struct{})
	for _, resp := range streaming {
		go func() { done <- trickle(resp.Body, cut) }()
	}
	d := get(t, x.link(t, otherTenant, export.Request{Filter: &audit.Filter{}}).URL)
	if rows := d.rows(t); len(rows) != 2 {
		t.Errorf("the other tenant's download has %d rows, want 2", len(rows))
	}
	if e := waitExported(t, x); e.P.Tenant != other || !e.Complete {
		t.Errorf("first finished download: %+v, want the other tenant's, complete", e)
	}

	for range streaming {
		if e := waitExported(t, x); e.P.Tenant != tenant || e.Complete {
			t.Errorf("slow download ended %+v; want the slow tenant's, cut", e)
		}
	}
	close(cut) // the readers may take what is left in the buffers at once
	for range streaming {
		r := <-done
		if r.complete {
			t.Errorf("a cut download verifies complete (%d rows)", r.rows)
		}
	}
	// The slots are free again: a reader that keeps up gets the whole file.
	if rows := get(t, links[1]).rows(t); len(rows) != 20_000 {
		t.Errorf("after the cut, the whole export has %d rows, want 20000", len(rows))
	}
}

type readResult struct {
	rows     int
	complete bool
}

// trickle reads a download slowly (512 bytes per 50 ms) until cut is
// closed (the server cut it), then what is left at once, and verifies
// what it got.
func trickle(body io.ReadCloser, cut <-chan struct{}) readResult {
	defer body.Close()
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 512)
		for {
			select {
			case <-cut:
				_, err := io.Copy(pw, body)
				pw.CloseWithError(err)
				return
			default:
			}
			n, err := body.Read(buf)
			if _, werr := pw.Write(buf[:n]); werr != nil {
				return
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	rows, complete, _ := export.Verify(bufio.NewReader(pr))
	return readResult{rows, complete}
}

// slowClient is an HTTP client whose connections have a small receive
// buffer, as a reader on a slow link has in effect.
func slowClient() *http.Client {
	d := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	return &http.Client{Transport: &http.Transport{
		DialContext:       func(ctx context.Context, n, a string) (net.Conn, error) { return d.DialContext(ctx, n, a) },
		DisableKeepAlives: true,
	}}
}
