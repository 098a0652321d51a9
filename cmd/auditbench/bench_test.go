package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
)

// These tests run the quick mode with tiny sizes: they check that the
// harness works end to end (every pair runs, alternates, checks that both
// sides did the same work, reports, cleans up), not the numbers.

// runQuick runs auditbench with args and returns the JSON report and the
// Markdown table.
func runQuick(t *testing.T, args ...string) (report, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts auditlog processes")
	}
	jsonPath := filepath.Join(t.TempDir(), "report.json")
	args = append([]string{"--quick", "--runs", "2", "--warmup", "1", "--json", jsonPath}, args...)
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), args, &stdout, &stderr); err != nil {
		t.Fatalf("auditbench %s: %v\n%s\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, b)
	}
	return rep, stdout.String()
}

// checkRows fails unless the report has exactly the rows wanted, each
// measured over both sides' runs with positive figures.
func checkRows(t *testing.T, rep report, table string, want map[string]int) {
	t.Helper()
	got := map[string]int{}
	for _, r := range rep.Rows {
		got[r.Pair]++
		for side, s := range map[string]summary{"A": r.A, "B": r.B} {
			if s.Runs != 2 || !(s.Min > 0) || s.Min > s.Median || s.Median > s.Max {
				t.Errorf("%s (%s) side %s: %+v", r.Pair, r.Metric, side, s)
			}
		}
		if math.IsNaN(float64(r.Ratio)) || r.Ratio <= 0 {
			t.Errorf("%s (%s): ratio %v", r.Pair, r.Metric, r.Ratio)
		}
		if math.IsNaN(float64(r.AppCPUA)) {
			t.Errorf("%s (%s): no auditlog CPU for A", r.Pair, r.Metric)
		}
		if !strings.Contains(table, "| "+r.Pair+" ("+r.Metric+") |") {
			t.Errorf("the table has no row %s (%s):\n%s", r.Pair, r.Metric, table)
		}
	}
	for pair, n := range want {
		if got[pair] != n {
			t.Errorf("%d rows of %s, want %d", got[pair], pair, n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("pairs reported: %v, want %v", got, want)
	}
}

func TestQuickEmbedded(t *testing.T) {
	rep, table := runQuick(t, "--opensearch-url", "", "--embedded-events", "1200")
	checkRows(t, rep, table, map[string]int{pairEmbedded: 1})
	if !strings.Contains(table, "OpenSearch pairs skipped") {
		t.Errorf("the table does not say the OpenSearch pairs were skipped:\n%s", table)
	}
}

func TestQuickOpenSearch(t *testing.T) {
	url := opensearchtest.URL(t)
	rep, table := runQuick(t, "--opensearch-url", url, "--embedded=false",
		"--batch-events", "1000", "--small-events", "300", "--search-events", "3000",
		"--search-requests", "4", "--deep-page", "3", "--export-small", "500")
	checkRows(t, rep, table, map[string]int{
		pairBatch: 1, pairSmall: 1, pairSearch: 2, pairDeep: 1, pairExport: 1, pairExportMem: 1,
	})
	if rep.Prefix == "" {
		t.Fatal("the report names no index prefix")
	}
	// Everything the run created on the node is gone.
	resp, err := http.Get(url + "/_cat/indices/" + rep.Prefix + "*?format=json&expand_wildcards=all")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("indices left behind: %s", body)
	}
	resp, err = http.Get(url + "/_index_template/" + rep.Prefix + "*")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	if strings.Contains(string(body), rep.Prefix) {
		t.Errorf("index templates left behind: %s", body)
	}
}

func TestCountCSV(t *testing.T) {
	header := "Event ID,Component\r\n"
	rows := strings.Repeat("01J,KMS\r\n", 1000)
	n, err := countCSV(strings.NewReader(header + rows + "# complete: 1000 rows\r\n"))
	if err != nil || n != 1000 {
		t.Errorf("complete export: %d rows, %v", n, err)
	}
	if _, err := countCSV(strings.NewReader(header + rows)); err == nil {
		t.Error("an export without its trailer counted as complete")
	}
	if _, err := countCSV(strings.NewReader("")); err == nil {
		t.Error("an empty body counted as complete")
	}
}

func TestPercentileAndSummary(t *testing.T) {
	var lat []time.Duration
	for i := 100; i >= 1; i-- {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(lat, 50); p != 50*time.Millisecond {
		t.Errorf("p50 = %v", p)
	}
	if p := percentile(lat, 99); p != 99*time.Millisecond {
		t.Errorf("p99 = %v", p)
	}
	s := summarize([]float64{5, 1, 4, 2})
	if s.Median != 3 || s.Min != 1 || s.Max != 5 || s.Runs != 4 {
		t.Errorf("summary %+v", s)
	}
}

func TestFnum(t *testing.T) {
	for v, want := range map[float64]string{1234567: "1,234,567", 12.345: "12.3", 1.234: "1.23", -4321: "-4,321"} {
		if got := fnum(v, 0); got != want {
			t.Errorf("fnum(%v) = %q, want %q", v, got, want)
		}
	}
}
