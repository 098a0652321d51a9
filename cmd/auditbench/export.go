package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const exportMutation = `mutation Export($filter: EventFilter) { exportEvents(filter: $filter) { url expiresAt } }`

// scanPage is the page size of both export sides: auditlog's export reads
// its store scan in pages of this size (export.DefaultPageSize).
const scanPage = 500

// downloadExport asks c's server for a CSV link to the events matching
// filter, downloads it and returns the rows it holds.
func downloadExport(ctx context.Context, c *apiClient, filter map[string]any) (int64, error) {
	var out struct {
		ExportEvents struct {
			URL string `json:"url"`
		} `json:"exportEvents"`
	}
	if err := c.query(ctx, exportMutation, map[string]any{"filter": filter}, &out); err != nil {
		return 0, err
	}
	u := out.ExportEvents.URL
	if strings.HasPrefix(u, "/") {
		u = c.base + u
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("download export: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return 0, fmt.Errorf("download export: HTTP %d: %s", resp.StatusCode, b)
	}
	return countCSV(resp.Body)
}

// countCSV reads an export to its end and returns the rows its trailer
// line states; without the trailer the file is incomplete, an error.
func countCSV(r io.Reader) (int64, error) {
	const keep = 256
	buf := make([]byte, 256<<10)
	tail := make([]byte, 0, 2*keep)
	for {
		n, err := r.Read(buf)
		if n >= keep {
			tail = append(tail[:0], buf[n-keep:n]...)
		} else {
			tail = append(tail, buf[:n]...)
			if len(tail) > keep {
				tail = append(tail[:0], tail[len(tail)-keep:]...)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("read export: %w", err)
		}
	}
	s := strings.TrimRight(string(tail), "\r\n")
	last := s[strings.LastIndexByte(s, '\n')+1:]
	rest, ok := strings.CutPrefix(last, "# complete: ")
	if !ok {
		return 0, fmt.Errorf("export is incomplete: it ends with %q", last)
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(rest, " rows"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("export trailer %q: %w", last, err)
	}
	return n, nil
}

// rawScan reads the events matching filters the way auditlog's export
// does (point in time, search_after on occurrence and id, pages of
// scanPage, the words left out) and discards them; it returns how many it
// read.
func (r *osRun) rawScan(ctx context.Context, filters []obj) (rows int64, err error) {
	var pit struct {
		PitID string `json:"pit_id"`
	}
	err = r.eng.do(ctx, http.MethodPost, "/"+url.PathEscape(r.eventsPattern)+"/_search/point_in_time?keep_alive=2m", nil, &pit)
	if err != nil {
		return 0, fmt.Errorf("open point in time: %w", err)
	}
	id := pit.PitID
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if cerr := r.eng.do(cctx, http.MethodDelete, "/_search/point_in_time", obj{"pit_id": []string{id}}, nil); cerr != nil && err == nil {
			err = fmt.Errorf("close point in time: %w", cerr)
		}
	}()
	var after []any
	for {
		body := obj{
			"size":             scanPage,
			"query":            boolFilter(filters),
			"sort":             []obj{{"occurredAt": obj{"order": "desc"}}, {"id": obj{"order": "desc"}}},
			"pit":              obj{"id": id, "keep_alive": "2m"},
			"track_total_hits": false,
			"_source":          obj{"excludes": []string{"words"}},
		}
		if after != nil {
			body["search_after"] = after
		}
		var page struct {
			PitID string `json:"pit_id"`
			Hits  struct {
				Hits []struct {
					Source json.RawMessage `json:"_source"`
					Sort   []any           `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		if err := r.eng.do(ctx, http.MethodPost, "/_search", body, &page); err != nil {
			return rows, fmt.Errorf("scan: %w", err)
		}
		if page.PitID != "" {
			id = page.PitID
		}
		hits := page.Hits.Hits
		rows += int64(len(hits))
		if len(hits) < scanPage {
			return rows, nil
		}
		after = hits[len(hits)-1].Sort
	}
}

// exports runs the export pair and the export memory pair in one
// rotation, as each measured export of every event serves both:
//
//	A  a fresh auditlog process exports every event (rows/s for the
//	   export pair, its peak RSS for the memory pair)
//	B  the raw scan of the same events (the export pair's B)
//	C  a fresh auditlog process exports --export-small events (the
//	   memory pair's B)
//
// Warm-ups export the smaller set: enough to warm the node at a tenth of
// the time (each auditlog process is fresh anyway).
func (r *osRun) exports(ctx context.Context) error {
	if err := r.findSmallExport(ctx); err != nil {
		return err
	}
	all := map[string]any{"components": r.generatedComponents()}
	fresh := func(filter map[string]any, want int64) side {
		return func(ctx context.Context, i int) (sample, error) {
			if i < r.cfg.warmup {
				filter, want = r.smallFilter(), r.smallRows
			}
			return r.freshExport(ctx, filter, want)
		}
	}
	raw := func(ctx context.Context, i int) (sample, error) {
		filters, want := r.datasetFilters(), r.dataset
		if i < r.cfg.warmup {
			filters, want = r.smallFilters(), r.smallRows
		}
		var rows int64
		s, took, err := r.probe().measure(ctx, float64(want), func() (err error) {
			rows, err = r.rawScan(ctx, filters)
			return err
		})
		if err != nil {
			return s, err
		}
		if rows != want {
			return s, fmt.Errorf("scanned %d rows of %d events", rows, want)
		}
		s.metrics["rate"] = float64(rows) / took.Seconds()
		return s, nil
	}
	names, sides := []string{"A"}, []side{fresh(all, r.dataset)}
	if r.cfg.wants(pairExport) {
		names, sides = append(names, "B"), append(sides, raw)
	}
	if r.cfg.wants(pairExportMem) {
		names, sides = append(names, "C"), append(sides, fresh(r.smallFilter(), r.smallRows))
	}
	show := func(s sample) string {
		if rss, ok := s.metrics["rss"]; ok {
			return fmt.Sprintf("%s rows/s, %.1f MiB", fnum(s.metrics["rate"], 0), rss)
		}
		return fnum(s.metrics["rate"], 0) + " rows/s"
	}
	got, err := r.rotate(ctx, "export", r.cfg.warmup, nil, names, sides, show)
	if err != nil {
		return err
	}
	if r.cfg.wants(pairExport) {
		r.rep.Rows = append(r.rep.Rows, rateRow(pairExport, "rows/s", got[0], got[1], 0.8, "OpenSearch",
			fmt.Sprintf("CSV export of %d events", r.dataset), fmt.Sprintf("PIT + search_after scan, pages of %d", scanPage)))
	}
	if r.cfg.wants(pairExportMem) {
		as, cs := got[0], got[len(got)-1]
		sa, sc := summarize(metricOf(as, "rss")), summarize(metricOf(cs, "rss"))
		r.rep.Rows = append(r.rep.Rows, row{
			Pair: pairExportMem, Metric: "peak RSS MiB", A: sa, B: sc,
			ALabel: fmt.Sprintf("export %d", r.dataset), BLabel: fmt.Sprintf("export %d", r.smallRows),
			Ratio: figure(sa.Median / sc.Median), Goal: 1.2,
			CPUUnit: "s", AppCPUA: cpuPer1k(as, true), EngCPUA: cpuPer1k(as, false),
			AppCPUB: cpuPer1k(cs, true), EngCPUB: cpuPer1k(cs, false), Engine: "OpenSearch",
			Note: "B is auditlog too; every export runs in a fresh `auditlog serve` whose VmHWM (peak RSS, start-up included) is read after the download",
		})
	}
	return nil
}

// freshExport starts an auditlog process, exports the events matching
// filter through it and reads its peak memory before stopping it.
func (r *osRun) freshExport(ctx context.Context, filter map[string]any, want int64) (s sample, err error) {
	p, err := startAuditlog(ctx, r.env, r.tmp)
	if err != nil {
		return s, err
	}
	defer func() {
		if serr := p.stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	c := newAPIClient(p.base, r.viewer.key)
	probe := cpuProbe{appPID: p.pid(), engine: r.eng.cpu}
	var rows int64
	s, took, err := probe.measure(ctx, float64(want), func() (err error) {
		rows, err = downloadExport(ctx, c, filter)
		return err
	})
	if err != nil {
		return s, err
	}
	if rows != want {
		return s, fmt.Errorf("exported %d rows, want %d", rows, want)
	}
	rss, err := peakRSS(p.pid())
	if err != nil {
		return s, err
	}
	s.metrics["rss"] = float64(rss) / (1 << 20)
	s.metrics["rate"] = float64(rows) / took.Seconds()
	return s, nil
}

// findSmallExport sets the range of the smaller export, once.
func (r *osRun) findSmallExport(ctx context.Context) error {
	if r.smallRows > 0 {
		return nil
	}
	end, n, err := r.smallExportEnd(ctx, int64(r.cfg.exportSmall))
	if err != nil {
		return fmt.Errorf("find the range of the %d-event export: %w", r.cfg.exportSmall, err)
	}
	r.smallEnd, r.smallRows = end, n
	return nil
}

// smallFilter is the GraphQL filter of the smaller export, smallFilters
// its translation.
func (r *osRun) smallFilter() map[string]any {
	return map[string]any{"components": r.generatedComponents(), "to": r.smallEnd.Format(time.RFC3339Nano)}
}

func (r *osRun) smallFilters() []obj {
	return append(r.datasetFilters(), obj{"range": obj{"occurredAt": obj{"lt": r.smallEnd.Format(time.RFC3339Nano)}}})
}

// smallExportEnd returns the instant before which about n of the tenant's
// events occurred, and how many exactly: the "to" of the smaller export.
func (r *osRun) smallExportEnd(ctx context.Context, n int64) (time.Time, int64, error) {
	countBefore := func(t time.Time) (int64, error) {
		return r.eng.count(ctx, r.eventsPattern, boolFilter(append(r.datasetFilters(),
			obj{"range": obj{"occurredAt": obj{"lt": t.UTC().Format(time.RFC3339Nano)}}})))
	}
	lo, hi := dataEnd.Add(-dataSpan).UnixMilli(), dataEnd.UnixMilli()
	for lo < hi {
		mid := lo + (hi-lo)/2
		c, err := countBefore(time.UnixMilli(mid))
		if err != nil {
			return time.Time{}, 0, err
		}
		if c >= n {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	end := time.UnixMilli(lo).UTC()
	c, err := countBefore(end)
	return end, c, err
}
