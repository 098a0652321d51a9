package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
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
