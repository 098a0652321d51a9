package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/live"
	"github.com/auditlog/auditlog/live/livetest"
	"github.com/auditlog/auditlog/server"
)

// BenchmarkIngestEvents measures ingestEvents over HTTP into SQLite, 100
// events per request; events/s is reported.
func BenchmarkIngestEvents(b *testing.B) {
	e := newEnv(b, server.Config{})
	emitter := e.key("acme", audit.RoleEmitter)
	const batch = 100
	n := 0
	b.ResetTimer()
	for b.Loop() {
		inputs := make([]any, batch)
		for i := range inputs {
			inputs[i] = fullEvent(fmt.Sprintf("bench-%d", n), base.Add(time.Duration(n)*time.Second))
			n++
		}
		var res struct{ IngestEvents []ingestResult }
		e.query(emitter, ingestMany, map[string]any{"es": inputs}, &res)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkExplorePage measures the Explore query (page, facets,
// histogram) over 10,000 events.
func BenchmarkExplorePage(b *testing.B) {
	e := newEnv(b, server.Config{})
	emitter, viewer := e.key("acme", audit.RoleEmitter), e.key("acme", audit.RoleViewer)
	for from := 0; from < 10000; from += 1000 {
		inputs := make([]any, 1000)
		for i := range inputs {
			ev := fullEvent(fmt.Sprintf("e-%d", from+i), base.Add(time.Duration(from+i)*time.Minute))
			ev["status"] = []string{"SUCCESS", "FAILED", "IN_PROGRESS"}[i%3]
			inputs[i] = ev
		}
		var res struct{ IngestEvents []ingestResult }
		e.query(emitter, ingestMany, map[string]any{"es": inputs}, &res)
	}
	filter := map[string]any{"components": []string{"KMS"}, "statuses": []string{"SUCCESS", "FAILED"}}
	b.ResetTimer()
	for b.Loop() {
		var p explorePage
		e.query(viewer, exploreQuery, map[string]any{"filter": filter}, &p)
	}
}

// BenchmarkLiveTailLatency measures the time from an ingest's
// acknowledgement to the event's arrival at a live-tail subscriber, with
// the default poll interval (500 ms); p50 and p99 in ms are reported. Run
// with -benchtime=Nx: each iteration waits for its event.
func BenchmarkLiveTailLatency(b *testing.B) {
	for _, backend := range []string{"sqlite", "opensearch"} {
		b.Run(backend, func(b *testing.B) {
			e := newLiveEnv(b, backend, server.Config{}, live.Config{})
			emitter := e.key("acme", audit.RoleEmitter)
			e.ingest(emitter, liveEvent("warm-up", "KMS", "SUCCESS")) // the series exists
			cl, err := livetest.Dial(b.Context(), e.url, e.key("acme", audit.RoleViewer), livetest.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer cl.Close()
			cl.Background()
			if err := cl.Subscribe(b.Context(), "1", eventsAdded, nil); err != nil {
				b.Fatal(err)
			}
			time.Sleep(time.Second)
			var lat []time.Duration
			n := 0
			for b.Loop() {
				id := fmt.Sprintf("lat-%d", n)
				n++
				e.ingest(emitter, liveEvent(id, "KMS", "SUCCESS"))
				acked := time.Now()
				for {
					ctx, cancel := context.WithTimeout(b.Context(), 30*time.Second)
					m, err := cl.Next(ctx)
					cancel()
					if err != nil {
						b.Fatalf("event %s: %v", id, err)
					}
					if strings.Contains(string(m.Payload), `"id":"`+id+`"`) {
						break
					}
				}
				lat = append(lat, time.Since(acked))
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}

// BenchmarkIngestWithSubscribers is BenchmarkIngestEvents with ten live
// subscribers of the tenant attached, reading every event: compare their
// events/s to see what the live tail costs ingest.
func BenchmarkIngestWithSubscribers(b *testing.B) {
	e := newLiveEnv(b, "sqlite", server.Config{}, live.Config{})
	emitter, viewer := e.key("acme", audit.RoleEmitter), e.key("acme", audit.RoleViewer)
	for i := range 10 {
		cl, err := livetest.Dial(b.Context(), e.url, viewer, livetest.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer cl.Close()
		cl.Background()
		if err := cl.Subscribe(b.Context(), fmt.Sprint(i), eventsAdded, nil); err != nil {
			b.Fatal(err)
		}
	}
	const batch = 100
	n := 0
	b.ResetTimer()
	for b.Loop() {
		inputs := make([]any, batch)
		for i := range inputs {
			inputs[i] = fullEvent(fmt.Sprintf("bench-%d", n), base.Add(time.Duration(n)*time.Second))
			n++
		}
		var res struct{ IngestEvents []ingestResult }
		e.query(emitter, ingestMany, map[string]any{"es": inputs}, &res)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
