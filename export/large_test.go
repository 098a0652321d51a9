package export_test

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/store"
)

const (
	largeCount = 200_000
	// heapBound is far below the size of the file (minFileBytes): the
	// export must not hold the rows, only a page at a time. Measured: at
	// most 5 MB (SQLite) and 7 MB (OpenSearch) during an 88 MB file.
	heapBound    = 16 << 20
	minFileBytes = 60 << 20
)

// writeLargeLog stores n events of the tenant, two per second so that ties
// on OccurredAt are broken by id, each making a row of about 450 bytes.
func writeLargeLog(t *testing.T, st store.Store, n int) {
	t.Helper()
	const batch = 5000
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	events := make([]audit.Event, 0, batch)
	for i := 0; i < n; i += batch {
		events = events[:0]
		for j := i; j < min(i+batch, n); j++ {
			at := base.Add(time.Duration(j/2) * time.Second)
			events = append(events, audit.Event{
				ID:            fmt.Sprintf("ev-%07d", j),
				Tenant:        tenant,
				ComponentID:   "KMS",
				Submodule:     "Article lifecycle",
				EventType:     "ARTICLE_PUBLISHED",
				EventTypeName: "Article published",
				Description: fmt.Sprintf("Article KB-%06d \"Resetting your VPN token\" was published to the "+
					"All employees audience after review by the approval matrix", j),
				Priority: audit.PriorityHigh,
				Status:   audit.StatusSuccess,
				ActionUser: audit.User{Type: audit.UserDashboard, ID: "u-alice", Name: "Alice Admin",
					Email: "alice@acme.test", IPAddress: "203.0.113.7",
					UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"},
				OccurredAt: at,
				IngestedAt: at.Add(time.Second),
				Details:    map[string]any{"article": fmt.Sprintf("KB-%06d", j), "version": float64(j % 7)},
			})
		}
		res, err := st.WriteEvents(ctx(t), events)
		if err != nil {
			t.Fatalf("write events %d..: %v", i, err)
		}
		for k, r := range res {
			if r.Err != nil {
				t.Fatalf("write event %s: %v", events[k].ID, r.Err)
			}
		}
	}
	refresh(t, st)
}

// streamCheck is what the client saw of a download it read to the end.
type streamCheck struct {
	rows     int
	bytes    int64
	maxHeap  uint64
	complete bool
	err      error
}

// readLarge reads an export newest first as it arrives, checking that rows
// are in strictly descending (occurred at, id) order, hence without
// repeats, and sampling the heap every few thousand rows. Nothing of the
// file is kept.
func readLarge(t *testing.T, body io.Reader) streamCheck {
	t.Helper()
	var sc streamCheck
	counted := &countingReader{r: body}
	// export.Verify reads the same bytes alongside, as a client would.
	pr, pw := io.Pipe()
	verified := make(chan streamCheck, 1)
	go func() {
		rows, complete, err := export.Verify(pr)
		_, _ = io.Copy(io.Discard, pr)
		verified <- streamCheck{rows: rows, complete: complete, err: err}
	}()
	cr := csv.NewReader(bufio.NewReader(io.TeeReader(counted, pw)))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var prevAt, prevID string
	var m runtime.MemStats
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			sc.err = err
			break
		}
		if rec[0] == export.Columns[0] || strings.HasPrefix(rec[0], "#") {
			continue // header, trailer
		}
		at, id := rec[19], rec[0]
		if prevID != "" && (at > prevAt || at == prevAt && id >= prevID) {
			t.Fatalf("row %d (%s, %s) does not come after (%s, %s) newest first", sc.rows+1, at, id, prevAt, prevID)
		}
		prevAt, prevID = strings.Clone(at), strings.Clone(id)
		sc.rows++
		if sc.rows%5000 == 0 {
			runtime.ReadMemStats(&m)
			sc.maxHeap = max(sc.maxHeap, m.HeapInuse)
		}
	}
	pw.CloseWithError(sc.err)
	v := <-verified
	sc.complete = v.complete
	if sc.err == nil {
		sc.err = v.err
	}
	if v.rows != sc.rows && sc.err == nil {
		t.Errorf("Verify counted %d rows, the reader %d", v.rows, sc.rows)
	}
	sc.bytes = counted.n
	return sc
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestExportLargeLogInConstantMemory(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st store.Store) {
		p := viewer(t, st, tenant, "key-1", audit.RoleViewer)
		start := time.Now()
		writeLargeLog(t, st, largeCount)
		t.Logf("wrote %d events in %v", largeCount, time.Since(start).Round(time.Millisecond))
		x := newExporter(t, st, export.Options{})

		t.Run("whole", func(t *testing.T) {
			link := x.link(t, p, export.Request{Filter: &audit.Filter{Components: []string{"KMS"}}})
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			start := time.Now()
			resp, err := http.Get(link.URL)
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			sc := readLarge(t, resp.Body)
			t.Logf("%d rows, %d MB in %v; heap in use %d MB before, at most %d MB during",
				sc.rows, sc.bytes>>20, time.Since(start).Round(time.Millisecond), m.HeapInuse>>20, sc.maxHeap>>20)
			if sc.err != nil || !sc.complete || sc.rows != largeCount {
				t.Fatalf("read %d rows, complete %v, err %v; want %d complete rows", sc.rows, sc.complete, sc.err, largeCount)
			}
			if sc.bytes < minFileBytes {
				t.Fatalf("file is %d bytes; the fixture must make it at least %d for the heap bound to mean anything", sc.bytes, minFileBytes)
			}
			if sc.maxHeap > heapBound {
				t.Fatalf("heap in use reached %d MB while streaming a %d MB file; bound %d MB", sc.maxHeap>>20, sc.bytes>>20, heapBound>>20)
			}
			if e := waitExported(t, x); e.Rows != largeCount || !e.Complete {
				t.Fatalf("OnExported got %d rows, complete %v", e.Rows, e.Complete)
			}
		})

		t.Run("client goes away", func(t *testing.T) {
			link := x.link(t, p, export.Request{Filter: &audit.Filter{}})
			resp, err := http.Get(link.URL)
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			r := bufio.NewReader(resp.Body)
			for range 2000 {
				if _, err := r.ReadString('\n'); err != nil {
					t.Fatalf("read: %v", err)
				}
			}
			resp.Body.Close()
			// The server notices when its writes fail, stops the scan and
			// records an incomplete export.
			e := waitExported(t, x)
			if e.Complete || e.Rows >= largeCount {
				t.Fatalf("OnExported got %d rows, complete %v, after the client left at row 2000", e.Rows, e.Complete)
			}
			t.Logf("server stopped after %d rows", e.Rows)
		})
	})
}
