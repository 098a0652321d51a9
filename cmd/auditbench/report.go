package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// row is one line of the result table: one figure of one pair.
type row struct {
	Pair   string  `json:"pair"`
	Metric string  `json:"metric"` // what is compared, e.g. "events/s"
	A      summary `json:"a"`
	B      summary `json:"b"`
	ALabel string  `json:"aLabel"`
	BLabel string  `json:"bLabel"`
	// Ratio is median A / median B.
	Ratio figure `json:"ratio"`
	// Goal is the ratio aimed at: at least it (AtLeast) or at most it.
	Goal    float64 `json:"goal"`
	AtLeast bool    `json:"atLeast"`
	// CPU per 1,000 units of work (CPUUnit): auditlog and engine, A and B.
	CPUUnit string `json:"cpuUnit"`
	AppCPUA figure `json:"appCpuA"`
	EngCPUA figure `json:"engCpuA"`
	AppCPUB figure `json:"appCpuB"`
	EngCPUB figure `json:"engCpuB"`
	// Engine names what EngCPU measured.
	Engine string `json:"engine"`
	Note   string `json:"note,omitempty"`
}

// Met reports whether the ratio reaches the goal.
func (r row) Met() bool {
	ratio := float64(r.Ratio)
	if math.IsNaN(ratio) {
		return false
	}
	if r.AtLeast {
		return ratio >= r.Goal
	}
	return ratio <= r.Goal
}

// figure is a number that may be unknown (NaN); JSON writes that as null.
type figure float64

func (f figure) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

func (f *figure) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = figure(math.NaN())
		return nil
	}
	return json.Unmarshal(b, (*float64)(f))
}

// report is everything a run prints.
type report struct {
	Started  time.Time         `json:"started"`
	Took     string            `json:"took"`
	Machine  map[string]string `json:"machine"`
	Settings map[string]string `json:"settings"`
	Rows     []row             `json:"rows"`
	Notes    []string          `json:"notes,omitempty"`
	// Prefix starts the names of the OpenSearch indices the run made (and
	// deleted, unless --keep).
	Prefix string `json:"opensearchPrefix,omitempty"`
}

func newReport(cfg config) *report {
	r := &report{Started: time.Now(), Machine: machine(), Settings: map[string]string{}}
	r.Machine["load at start (1, 5, 15 min)"] = loadAvg()
	set := func(k string, v any) { r.Settings[k] = fmt.Sprint(v) }
	set("runs (after warm-up)", fmt.Sprintf("%d (+%d)", cfg.runs, cfg.warmup))
	set("seed", cfg.seed)
	set("batch ingest", fmt.Sprintf("%d events/run, batches of %d, %d clients", cfg.batchEvents, cfg.batch, cfg.clients))
	set("small-writer ingest", fmt.Sprintf("%d events/run, %d clients", cfg.smallEvents, cfg.smallClients))
	set("read pairs", fmt.Sprintf("%d events, %d requests/run, %d rows/page, deep page %d", cfg.searchEvents, cfg.searchRequests, cfg.pageSize, cfg.deepPage))
	set("export memory", fmt.Sprintf("all events vs %d", cfg.exportSmall))
	if len(cfg.extraEnv) > 0 {
		set("auditlog environment", strings.Join(cfg.extraEnv, " "))
	}
	set("embedded ingest", fmt.Sprintf("%d events/run, batches of %d, %d clients", cfg.embeddedEvents, cfg.batch, cfg.clients))
	return r
}

func (r *report) finish() {
	r.Machine["load at end (1, 5, 15 min)"] = loadAvg()
	r.Took = time.Since(r.Started).Round(time.Second).String()
}

// machine describes where the run happens.
func machine() map[string]string {
	m := map[string]string{
		"cores": strconv.Itoa(runtime.NumCPU()),
		"go":    runtime.Version(),
		"os":    runtime.GOOS + "/" + runtime.GOARCH,
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				if kb, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64); err == nil {
					m["memory"] = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m["cpu"] = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}

// write prints the report as Markdown.
func (r *report) write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## auditbench, %s (took %s)\n\n", r.Started.UTC().Format("2006-01-02 15:04 UTC"), r.Took)
	for _, kv := range sortedPairs(r.Machine) {
		fmt.Fprintf(&b, "- %s: %s\n", kv[0], kv[1])
	}
	for _, kv := range sortedPairs(r.Settings) {
		fmt.Fprintf(&b, "- %s: %s\n", kv[0], kv[1])
	}
	b.WriteString("\nMedians over the measured runs, (min–max) below them; A/B is the ratio of the medians. ")
	b.WriteString("CPU is per 1,000 events (ingest, export) or per request (ms, read pairs), median over runs: ")
	b.WriteString("auditlog = the `auditlog serve` process, engine = the OpenSearch node, or for the bare SQLite side this process.\n\n")
	b.WriteString("| pair | A (auditlog) | B (raw engine) | A/B | goal | met | CPU A: auditlog / engine | CPU B: auditlog / engine |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, x := range r.Rows {
		goal := "≤ "
		if x.AtLeast {
			goal = "≥ "
		}
		met := "no"
		if x.Met() {
			met = "yes"
		}
		fmt.Fprintf(&b, "| %s (%s) | %s | %s | %s | %s%.2f | %s | %s / %s | %s / %s |\n",
			x.Pair, x.Metric,
			cell(x.ALabel, x.A), cell(x.BLabel, x.B),
			fnum(float64(x.Ratio), 2), goal, x.Goal, met,
			cpuCell(x.AppCPUA, x.CPUUnit), cpuCell(x.EngCPUA, x.CPUUnit), cpuCell(x.AppCPUB, x.CPUUnit), cpuCell(x.EngCPUB, x.CPUUnit))
	}
	for _, x := range r.Rows {
		if x.Note != "" {
			fmt.Fprintf(&b, "\n- %s: %s", x.Pair, x.Note)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n- %s", n)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JSON report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

func sortedPairs(m map[string]string) [][2]string {
	var out [][2]string
	for k, v := range m {
		out = append(out, [2]string{k, v})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

func cell(label string, s summary) string {
	return fmt.Sprintf("%s: %s<br>(%s–%s)", label, fnum(s.Median, 0), fnum(s.Min, 0), fnum(s.Max, 0))
}

func cpuCell(v figure, unit string) string {
	if math.IsNaN(float64(v)) {
		return "–"
	}
	return fnum(float64(v), 3) + " " + unit
}

// fnum formats v with thousands separators; small values get decimals.
func fnum(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	if decimals == 0 && math.Abs(v) < 100 {
		decimals = 1
		if math.Abs(v) < 10 {
			decimals = 2
		}
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
