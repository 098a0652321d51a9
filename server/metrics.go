package server

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the server's Prometheus registry and the instruments in it.
// It is owned by one server, never the global default registry, so that
// several servers (tests) can run in one process.
type Metrics struct {
	reg *prometheus.Registry

	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	graphqlErrs  *prometheus.CounterVec
	ingested     *prometheus.CounterVec
	batches      *prometheus.CounterVec
	batchEvents  prometheus.Histogram
	batchLatency prometheus.Histogram
}

// NewMetrics returns a registry with the server's instruments and the Go
// runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "auditlog_http_requests_total",
			Help: "HTTP requests served, by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "auditlog_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"route"}),
		graphqlErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "auditlog_graphql_errors_total",
			Help: "GraphQL errors returned, by extensions.code.",
		}, []string{"code"}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "auditlog_ingest_events_total",
			Help: "Events ingested through the API, by outcome (captured, duplicate, suppressed, invalid, forbidden, failed).",
		}, []string{"outcome"}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "auditlog_indexer_batches_total",
			Help: "Store writes of the indexer (group commits), by result.",
		}, []string{"result"}),
		batchEvents: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "auditlog_indexer_batch_events",
			Help:    "Events per indexer store write.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 6),
		}),
		batchLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "auditlog_indexer_batch_duration_seconds",
			Help:    "Time of one indexer store write.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.graphqlErrs, m.ingested, m.batches, m.batchEvents, m.batchLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for callers adding their own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Ingested counts ingest outcomes (graph.Metrics).
func (m *Metrics) Ingested(outcome string, n int) {
	m.ingested.WithLabelValues(outcome).Add(float64(n))
}

// OnBatch counts one indexer store write; pass it as indexer.Options.OnBatch.
func (m *Metrics) OnBatch(events int, took time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.batches.WithLabelValues(result).Inc()
	m.batchEvents.Observe(float64(events))
	m.batchLatency.Observe(took.Seconds())
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
