package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/auditlog/auditlog/audit"
)

// osRun is the state of the OpenSearch pairs: one auditlog process on one
// index prefix, and the raw series beside it.
type osRun struct {
	*bench
	eng     *engine
	env     auditlogEnv
	proc    *auditlogProc
	emitter *apiClient
	viewer  *apiClient
	// eventsPattern matches auditlog's event indices of the bench tenant.
	eventsPattern string
	// rawAlias starts the write aliases of the raw series, one per
	// component: <prefix>-raw-bench-<component>.
	rawAlias string
	// dataset is how many events the read pairs run over.
	dataset int64
	// smallEnd bounds the smaller export: the smallRows oldest events.
	smallEnd  time.Time
	smallRows int64
}

func (b *bench) runOpenSearch(ctx context.Context) (err error) {
	eng, err := newEngine(b.cfg.openSearchURL)
	if err != nil {
		return err
	}
	ver, err := eng.version(ctx)
	if err != nil {
		return fmt.Errorf("OpenSearch at %s: %w", b.cfg.openSearchURL, err)
	}
	b.rep.Machine["engine"] = ver + " (shared with other work: its CPU figures include that work)"
	b.rep.Machine["engine CPU from"] = eng.cpuSource()
	prefix := "auditbench-" + randomHex(4)
	b.rep.Prefix = prefix
	r := &osRun{
		bench:         b,
		eng:           eng,
		eventsPattern: prefix + "-events-" + benchTenant + "-*",
		rawAlias:      prefix + "-raw-" + benchTenant + "-",
		env: auditlogEnv{
			bin: b.bin, dataDir: filepath.Join(b.tmp, "opensearch-data"),
			openSearchURL: b.cfg.openSearchURL, prefix: prefix, secret: randomHex(32), extra: b.cfg.extraEnv,
			signingKey: base64.StdEncoding.EncodeToString(randomBytes(32)),
		},
	}
	defer func() {
		if b.cfg.keep {
			b.rep.Notes = append(b.rep.Notes, "kept the indices and templates named "+prefix+"*")
			return
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if cerr := eng.cleanup(cctx, prefix); cerr != nil {
			err = errors.Join(err, fmt.Errorf("delete the benchmark's indices %s*: %w", prefix, cerr))
		}
	}()
	b.progress("OpenSearch %s at %s, index prefix %s", ver, b.cfg.openSearchURL, prefix)

	// Creating the keys also makes the store set up its templates.
	emitterKey, err := r.env.createKey(ctx, "emitter")
	if err != nil {
		return err
	}
	viewerKey, err := r.env.createKey(ctx, "viewer")
	if err != nil {
		return err
	}
	if r.proc, err = startAuditlog(ctx, r.env, b.tmp); err != nil {
		return err
	}
	defer func() {
		if serr := r.proc.stop(); serr != nil {
			err = errors.Join(err, serr)
		}
	}()
	r.emitter = newAPIClient(r.proc.base, emitterKey)
	r.viewer = newAPIClient(r.proc.base, viewerKey)
	if err := r.setupRawSeries(ctx, prefix); err != nil {
		return err
	}

	// The export pairs share their runs (see exports).
	wantsExport := func() bool { return b.cfg.wants(pairExport) || b.cfg.wants(pairExportMem) }
	steps := []struct {
		pair  string
		wants bool
		fn    func(context.Context) error
	}{
		{pairBatch, b.cfg.wants(pairBatch), r.batchIngest},
		{pairSmall, b.cfg.wants(pairSmall), r.smallWriterIngest},
		{pairSearch, b.cfg.wants(pairSearch), r.searchPage},
		{pairDeep, b.cfg.wants(pairDeep), r.deepPage},
		{pairExport, wantsExport(), r.exports},
	}
	for _, s := range steps {
		if !s.wants {
			continue
		}
		if s.pair != pairBatch && s.pair != pairSmall && r.dataset == 0 {
			if err := r.topUp(ctx); err != nil {
				return err
			}
		}
		if err := s.fn(ctx); err != nil {
			return err
		}
	}
	if n := r.emitter.throttled.Load() + r.viewer.throttled.Load(); n > 0 {
		b.rep.Notes = append(b.rep.Notes, fmt.Sprintf("auditlog answered 429 (rate limited) %d times; those runs include the waits", n))
	}
	return nil
}

// setupRawSeries creates the raw side's index series: an index template
// over <prefix>-raw-* made of auditlog's own events component template
// (same settings, same mapping), and one write alias per component, like
// auditlog's series, so that B indexes into the same shape of indices.
func (r *osRun) setupRawSeries(ctx context.Context, prefix string) error {
	tmpl := obj{
		"index_patterns": []string{prefix + "-raw-*"},
		"priority":       100,
		"composed_of":    []string{prefix + "-events-mappings"},
	}
	if err := r.eng.do(ctx, http.MethodPut, "/_index_template/"+url.PathEscape(prefix+"-raw"), tmpl, nil); err != nil {
		return fmt.Errorf("create the raw series template: %w", err)
	}
	for _, c := range r.cat.Components() {
		alias := r.rawAlias + strings.ToLower(c.ID)
		body := obj{"aliases": obj{alias: obj{"is_write_index": true}}}
		if err := r.eng.do(ctx, http.MethodPut, "/"+url.PathEscape(alias+"-000001"), body, nil); err != nil {
			return fmt.Errorf("create raw index %s-000001: %w", alias, err)
		}
	}
	return nil
}

// probe charges CPU to the auditlog process and the node.
func (r *osRun) probe() cpuProbe { return cpuProbe{appPID: r.proc.pid(), engine: r.eng.cpu} }

func showRate(s sample) string { return fnum(s.metrics["rate"], 0) + "/s" }

// ingestPair runs one ingest pair: A sends aBodies with sendA from
// aClients clients, B sends the same events as _bulk bodies from
// cfg.clients clients.
func (r *osRun) ingestPair(ctx context.Context, pair string, stream, n, aClients int,
	encodeA func([]audit.Event) ([][]byte, error), sendA func(context.Context, []byte) error) ([]sample, []sample, error) {
	var events []audit.Event
	var aBodies, bBodies [][]byte
	prepare := func(i int) error {
		events = r.events(stream, i, n)
		var err error
		if aBodies, err = encodeA(events); err != nil {
			return err
		}
		bBodies, err = bulkBodies(events, r.cfg.batch, r.rawAlias, time.Now())
		return err
	}
	probe := r.probe()
	checked := false
	a := func(ctx context.Context, i int) (sample, error) {
		s, took, err := probe.measure(ctx, float64(n), func() error {
			return parallel(ctx, aClients, len(aBodies), func(ctx context.Context, k int) error { return sendA(ctx, aBodies[k]) })
		})
		if err != nil {
			return s, err
		}
		s.metrics["rate"] = float64(n) / took.Seconds()
		if !checked {
			checked = true
			if err := r.checkSameDocs(ctx, events); err != nil {
				return s, err
			}
		}
		return s, nil
	}
	b := func(ctx context.Context, i int) (sample, error) {
		s, took, err := probe.measure(ctx, float64(n), func() error {
			return parallel(ctx, r.cfg.clients, len(bBodies), func(ctx context.Context, k int) error { return r.eng.bulk(ctx, bBodies[k]) })
		})
		if err != nil {
			return s, err
		}
		s.metrics["rate"] = float64(n) / took.Seconds()
		return s, nil
	}
	return r.alternate(ctx, pair, prepare, a, b, showRate)
}

func (r *osRun) batchIngest(ctx context.Context) error {
	encode := func(evs []audit.Event) ([][]byte, error) { return ingestManyBodies(evs, r.cfg.batch) }
	as, bs, err := r.ingestPair(ctx, pairBatch, streamBatch, r.cfg.batchEvents, r.cfg.clients, encode, r.emitter.ingestMany)
	if err != nil {
		return err
	}
	r.rep.Rows = append(r.rep.Rows, rateRow(pairBatch, "events/s", as, bs, 0.90, "OpenSearch",
		fmt.Sprintf("ingestEvents ×%d, %d clients", r.cfg.batch, r.cfg.clients),
		fmt.Sprintf("_bulk create ×%d, %d clients", r.cfg.batch, r.cfg.clients)))
	return nil
}

func (r *osRun) smallWriterIngest(ctx context.Context) error {
	as, bs, err := r.ingestPair(ctx, pairSmall, streamSmall, r.cfg.smallEvents, r.cfg.smallClients, ingestOneBodies, r.emitter.ingestOne)
	if err != nil {
		return err
	}
	r.rep.Rows = append(r.rep.Rows, rateRow(pairSmall, "events/s", as, bs, 0.75, "OpenSearch",
		fmt.Sprintf("ingestEvent, %d clients", r.cfg.smallClients),
		fmt.Sprintf("_bulk create ×%d, %d clients", r.cfg.batch, r.cfg.clients)))
	return nil
}

// rateRow is the row of a throughput pair (higher is better).
func rateRow(pair, metric string, as, bs []sample, goal float64, engine, aLabel, bLabel string) row {
	ra, rb := summarize(metricOf(as, "rate")), summarize(metricOf(bs, "rate"))
	return row{
		Pair: pair, Metric: metric, A: ra, B: rb, ALabel: aLabel, BLabel: bLabel,
		Ratio: figure(ra.Median / rb.Median), Goal: goal, AtLeast: true,
		CPUUnit: "s", AppCPUA: cpuPer1k(as, true), EngCPUA: cpuPer1k(as, false),
		AppCPUB: cpuPer1k(bs, true), EngCPUB: cpuPer1k(bs, false), Engine: engine,
	}
}

// checkSameDocs verifies that the documents B indexes are those auditlog
// stored for the same events (but for the ingest time): otherwise the
// comparison would not be fair.
func (r *osRun) checkSameDocs(ctx context.Context, events []audit.Event) error {
	if err := r.eng.refresh(ctx, r.eventsPattern); err != nil {
		return err
	}
	sample := events[:min(len(events), 20)]
	ids := make([]string, len(sample))
	for i, e := range sample {
		ids[i] = e.ID
	}
	var resp struct {
		Hits struct {
			Hits []struct {
				ID     string          `json:"_id"`
				Source json.RawMessage `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	body := obj{"size": len(ids), "query": obj{"ids": obj{"values": ids}}}
	if err := r.eng.do(ctx, http.MethodPost, "/"+url.PathEscape(r.eventsPattern)+"/_search", body, &resp); err != nil {
		return fmt.Errorf("read back stored events: %w", err)
	}
	if len(resp.Hits.Hits) != len(ids) {
		return fmt.Errorf("read back stored events: %d of %d found", len(resp.Hits.Hits), len(ids))
	}
	byID := map[string]audit.Event{}
	for _, e := range sample {
		byID[e.ID] = e
	}
	for _, h := range resp.Hits.Hits {
		var stored map[string]any
		var at struct {
			IngestedAt time.Time `json:"ingestedAt"`
		}
		if err := json.Unmarshal(h.Source, &stored); err != nil {
			return err
		}
		if err := json.Unmarshal(h.Source, &at); err != nil {
			return err
		}
		mine, err := json.Marshal(docOf(byID[h.ID], benchTenant, at.IngestedAt))
		if err != nil {
			return err
		}
		var want map[string]any
		if err := json.Unmarshal(mine, &want); err != nil {
			return err
		}
		if !reflect.DeepEqual(stored, want) {
			return fmt.Errorf("the raw side's document of %s differs from auditlog's, so B would not index the same documents:\nauditlog: %s\nraw:      %s", h.ID, h.Source, mine)
		}
	}
	return nil
}

// generatedComponents are the components of the generated events: every
// catalog module but the service's own, AUDITLOG (as eventgen does).
func (b *bench) generatedComponents() []string {
	var out []string
	for _, c := range b.cat.Components() {
		if c.ID != "AUDITLOG" {
			out = append(out, c.ID)
		}
	}
	return out
}

// datasetFilters select the generated events of the bench tenant, as
// auditlog's store translates a filter on those components. They leave out
// the AUDITLOG events auditlog writes about itself (one per export), so
// the data set stays the same size from run to run.
func (r *osRun) datasetFilters() []obj {
	return []obj{{"term": obj{"tenant": benchTenant}}, {"terms": obj{"componentId": r.generatedComponents()}}}
}

// topUp ingests events through auditlog until the tenant holds
// --search-events events (the ingest pairs' events count), so the read
// pairs run over a data set of that size.
func (r *osRun) topUp(ctx context.Context) error {
	if err := r.eng.refresh(ctx, r.eventsPattern); err != nil {
		return err
	}
	have, err := r.eng.count(ctx, r.eventsPattern, boolFilter(r.datasetFilters()))
	if err != nil {
		return err
	}
	const chunk = 50_000
	need := int64(r.cfg.searchEvents) - have
	start := time.Now()
	for i, done := 0, int64(0); done < need; i++ {
		n := int(min(chunk, need-done))
		bodies, err := ingestManyBodies(r.events(streamTopUp, i, n), r.cfg.batch)
		if err != nil {
			return err
		}
		err = parallel(ctx, r.cfg.clients, len(bodies), func(ctx context.Context, k int) error { return r.emitter.ingestMany(ctx, bodies[k]) })
		if err != nil {
			return fmt.Errorf("top up the read data set: %w", err)
		}
		done += int64(n)
		r.progress("data set: %d of %d events (%s)", have+done, r.cfg.searchEvents, time.Since(start).Round(time.Second))
	}
	if err := r.eng.refresh(ctx, r.eventsPattern); err != nil {
		return err
	}
	if r.dataset, err = r.eng.count(ctx, r.eventsPattern, boolFilter(r.datasetFilters())); err != nil {
		return err
	}
	r.progress("read pairs run over %d events", r.dataset)
	return nil
}
