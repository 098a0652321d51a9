package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// sample is one measured run of one side of a pair.
type sample struct {
	// metrics holds the run's figures by metric key (e.g. "rate", "p50").
	metrics map[string]float64
	// work is what the run did (events or requests): CPU is reported per
	// 1,000 of them.
	work float64
	// appCPU is the CPU time of the auditlog process during the run,
	// engCPU that of the engine (the OpenSearch node, or this process for
	// the bare SQLite side); negative when not measured.
	appCPU, engCPU time.Duration
}

// cpuProbe reads the CPU time of the processes a run is charged to.
type cpuProbe struct {
	appPID int                                              // auditlog; 0: none
	engine func(ctx context.Context) (time.Duration, error) // nil: none
}

type cpuMark struct {
	app, eng time.Duration
	at       time.Time
}

func (p cpuProbe) mark(ctx context.Context) (cpuMark, error) {
	m := cpuMark{app: -1, eng: -1}
	var err error
	if p.appPID != 0 {
		if m.app, err = cpuTime(p.appPID); err != nil {
			return m, err
		}
	}
	if p.engine != nil {
		if m.eng, err = p.engine(ctx); err != nil {
			return m, err
		}
	}
	m.at = time.Now()
	return m, nil
}

// measure runs fn and returns its wall time and the CPU time charged to
// the probe's processes meanwhile.
func (p cpuProbe) measure(ctx context.Context, work float64, fn func() error) (sample, time.Duration, error) {
	start, err := p.mark(ctx)
	if err != nil {
		return sample{}, 0, err
	}
	if err := fn(); err != nil {
		return sample{}, 0, err
	}
	elapsed := time.Since(start.at)
	end, err := p.mark(ctx)
	if err != nil {
		return sample{}, 0, err
	}
	s := sample{metrics: map[string]float64{}, work: work, appCPU: -1, engCPU: -1}
	if start.app >= 0 {
		s.appCPU = end.app - start.app
	}
	if start.eng >= 0 {
		s.engCPU = end.eng - start.eng
	}
	return s, elapsed, nil
}

// side runs one side of a pair for run number i (warm-ups first).
type side func(ctx context.Context, i int) (sample, error)

// alternate runs warm-ups and then measured runs of both sides, A, B, A,
// B, …, so that a change of load on the machine during the pair hits both.
// prepare, if set, runs before each A, unmeasured (e.g. to generate the
// events both sides of run i write).
func (b *bench) alternate(ctx context.Context, name string, prepare func(i int) error, a, bs side, show func(sample) string) (as, bss []sample, err error) {
	got, err := b.rotate(ctx, name, b.cfg.warmup, prepare, []string{"A", "B"}, []side{a, bs}, show)
	if err != nil {
		return nil, nil, err
	}
	return got[0], got[1], nil
}

// rotate runs warmup unmeasured rounds and then cfg.runs measured ones; a
// round runs every side once, in order. It returns each side's measured
// samples.
func (b *bench) rotate(ctx context.Context, name string, warmup int, prepare func(i int) error, names []string, sides []side, show func(sample) string) ([][]sample, error) {
	out := make([][]sample, len(sides))
	for i := range warmup + b.cfg.runs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if prepare != nil {
			if err := prepare(i); err != nil {
				return nil, fmt.Errorf("%s: prepare run %d: %w", name, i, err)
			}
		}
		shown := make([]string, len(sides))
		for k, run := range sides {
			s, err := run(ctx, i)
			if err != nil {
				return nil, fmt.Errorf("%s: %s, run %d: %w", name, names[k], i, err)
			}
			if i >= warmup {
				out[k] = append(out[k], s)
			}
			shown[k] = names[k] + " " + show(s)
		}
		label := "warm-up"
		if i >= warmup {
			label = fmt.Sprintf("run %d/%d", i-warmup+1, b.cfg.runs)
		}
		b.progress("%s %s: %s", name, label, strings.Join(shown, " | "))
	}
	return out, nil
}

// parallel calls fn(k) for k in [0, n) from workers goroutines; the first
// error stops the others from starting new calls.
func parallel(ctx context.Context, workers, n int, fn func(ctx context.Context, k int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				if err := fn(ctx, k); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// summary is the median and range of one figure over the measured runs.
type summary struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Runs   int     `json:"runs"`
}

func summarize(vs []float64) summary {
	if len(vs) == 0 {
		return summary{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	return summary{Median: median(s), Min: s[0], Max: s[len(s)-1], Runs: len(s)}
}

// median of sorted values.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// percentile returns the nearest-rank percentile p (0–100) of values.
func percentile(values []time.Duration, p float64) time.Duration {
	if len(values) == 0 {
		return 0
	}
	s := slices.Clone(values)
	slices.Sort(s)
	rank := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(rank, len(s)-1))]
}

// metricOf collects one metric of every sample.
func metricOf(samples []sample, key string) []float64 {
	out := make([]float64, 0, len(samples))
	for _, s := range samples {
		out = append(out, s.metrics[key])
	}
	return out
}

// cpuPer1k returns the median CPU seconds per 1,000 units of work of the
// samples (for requests: milliseconds per request, the same number), or
// NaN when not measured.
func cpuPer1k(samples []sample, app bool) figure {
	var vs []float64
	for _, s := range samples {
		d := s.engCPU
		if app {
			d = s.appCPU
		}
		if d < 0 || s.work <= 0 {
			return figure(math.NaN())
		}
		vs = append(vs, d.Seconds()*1000/s.work)
	}
	return figure(summarize(vs).Median)
}
