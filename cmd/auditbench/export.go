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

// export compares auditlog's CSV export of every generated event with a
// raw scan of the same events. Warm-ups export the smaller set of the
// export memory pair: enough to warm both paths, at a tenth of the time.
func (r *osRun) export(ctx context.Context) error {
	if err := r.findSmallExport(ctx); err != nil {
		return err
	}
	all := map[string]any{"components": r.generatedComponents()}
	probe := r.probe()
	side := func(read func(ctx context.Context, warmup bool) (int64, error)) side {
		return func(ctx context.Context, i int) (sample, error) {
			warmup := i < r.cfg.warmup
			want := r.dataset
			if warmup {
				want = r.smallRows
			}
			var rows int64
			s, took, err := probe.measure(ctx, float64(want), func() (err error) {
				rows, err = read(ctx, warmup)
				return err
			})
			if err != nil {
				return s, err
			}
			if rows != want {
				return s, fmt.Errorf("read %d rows of %d events", rows, want)
			}
			s.metrics["rate"] = float64(rows) / took.Seconds()
			return s, nil
		}
	}
	a := side(func(ctx context.Context, warmup bool) (int64, error) {
		if warmup {
			return downloadExport(ctx, r.viewer, r.smallFilter())
		}
		return downloadExport(ctx, r.viewer, all)
	})
	b := side(func(ctx context.Context, warmup bool) (int64, error) {
		if warmup {
			return r.rawScan(ctx, r.smallFilters())
		}
		return r.rawScan(ctx, r.datasetFilters())
	})
	as, bs, err := r.alternate(ctx, pairExport, nil, a, b, showRate)
	if err != nil {
		return err
	}
	row := rateRow(pairExport, "rows/s", as, bs, 0.8, "OpenSearch",
		fmt.Sprintf("CSV export of %d events", r.dataset), fmt.Sprintf("PIT + search_after scan, pages of %d", scanPage))
	r.rep.Rows = append(r.rep.Rows, row)
	return nil
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

// exportMemory compares the peak memory of a fresh auditlog process
// exporting every event with one exporting --export-small events: an
// export that streams needs about the same memory for both.
func (r *osRun) exportMemory(ctx context.Context) error {
	if err := r.findSmallExport(ctx); err != nil {
		return err
	}
	side := func(filter map[string]any, want int64) side {
		return func(ctx context.Context, _ int) (s sample, err error) {
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
	}
	a := side(map[string]any{"components": r.generatedComponents()}, r.dataset)
	b := side(r.smallFilter(), r.smallRows)
	show := func(s sample) string {
		return fmt.Sprintf("%.1f MiB (%s rows/s)", s.metrics["rss"], fnum(s.metrics["rate"], 0))
	}
	// Every measurement is a fresh process, and the export pair ran before:
	// no warm-up.
	as, bs, err := r.alternateN(ctx, pairExportMem, 0, nil, a, b, show)
	if err != nil {
		return err
	}
	sa, sb := summarize(metricOf(as, "rss")), summarize(metricOf(bs, "rss"))
	r.rep.Rows = append(r.rep.Rows, row{
		Pair: pairExportMem, Metric: "peak RSS MiB", A: sa, B: sb,
		ALabel: fmt.Sprintf("export %d", r.dataset), BLabel: fmt.Sprintf("export %d", r.smallRows),
		Ratio: figure(sa.Median / sb.Median), Goal: 1.2,
		CPUUnit: "s", AppCPUA: cpuPer1k(as, true), EngCPUA: cpuPer1k(as, false),
		AppCPUB: cpuPer1k(bs, true), EngCPUB: cpuPer1k(bs, false), Engine: "OpenSearch",
		Note: "B is auditlog too: each export runs in a fresh `auditlog serve` whose VmHWM (peak RSS, start-up included) is read after the download",
	})
	return nil
}
