package health_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog/auditlog/health"
)

// TestMonitorFollowsTheStore: not ready until a probe passes; a failing
// store makes it not ready and a recovered one ready again, each change
// logged once however many probes fail or pass.
func TestMonitorFollowsTheStore(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	var probes atomic.Int64
	var mu sync.Mutex
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&syncWriter{mu: &mu, w: &logs}, nil))
	m := health.New(func(context.Context) error {
		probes.Add(1)
		if down.Load() {
			return errors.New("connection refused")
		}
		return nil
	}, health.Options{Interval: time.Millisecond, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, Logger: log})
	if m.Ready() {
		t.Fatal("ready before any probe")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx) }()
	defer func() { cancel(); <-done }()

	waitProbes := func(n int64) {
		target := probes.Load() + n
		for probes.Load() < target {
			time.Sleep(time.Millisecond)
		}
	}
	waitProbes(5)
	if m.Ready() || m.Err() == nil {
		t.Fatalf("ready while every probe fails")
	}
	down.Store(false)
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if err := m.Wait(wctx); err != nil {
		t.Fatalf("not ready once the store answers: %v", err)
	}
	waitProbes(5)
	down.Store(true)
	for m.Ready() {
		m.Suspect()
		time.Sleep(time.Millisecond)
	}
	waitProbes(5)
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if n := strings.Count(out, "store unavailable"); n != 2 {
		t.Errorf("%d 'unavailable' lines for two outages of many failed probes; want 2:\n%s", n, out)
	}
	if n := strings.Count(out, "store available"); n != 1 {
		t.Errorf("%d 'available' lines for one recovery; want 1:\n%s", n, out)
	}
}

type syncWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
