package export

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"
)

// slowSink takes every write, slowly: a client reading at about 1 KB per 10 ms.
type slowSink struct{ *httptest.ResponseRecorder }

func (s slowSink) Write(b []byte) (int, error) {
	time.Sleep(10 * time.Millisecond)
	return s.ResponseRecorder.Write(b)
}

// TestPacedWriterCutsBelowTheMinimumRate: a client that keeps taking
// bytes, but fewer per second than the minimum over a window, is cut with
// errTooSlow; one above the minimum is not.
func TestPacedWriterCutsBelowTheMinimumRate(t *testing.T) {
	for _, c := range []struct {
		minRate int64
		cut     bool
	}{
		{minRate: 1 << 20, cut: true},  // ~100 KB/s taken, 1 MB/s required
		{minRate: 1 << 10, cut: false}, // 1 KB/s required
	} {
		sink := slowSink{httptest.NewRecorder()}
		p := &pacedWriter{w: sink, rc: nil, idle: time.Minute, minRate: c.minRate, window: 50 * time.Millisecond}
		p.start(time.Now()) // no deadline: a recorder has none (rc nil)
		var err error
		chunk := make([]byte, 1<<10)
		for range 30 {
			if _, err = p.Write(chunk); err != nil {
				break
			}
		}
		if cut := errors.Is(err, errTooSlow); cut != c.cut {
			t.Errorf("min rate %d B/s: cut %v (err %v), want %v", c.minRate, cut, err, c.cut)
		}
	}
}

// TestPacedWriterIgnoresTimeBetweenWrites: pauses between writes (a slow
// store between pages) are not the client's: a client that takes every
// write at once is never cut, however long the pauses.
func TestPacedWriterIgnoresTimeBetweenWrites(t *testing.T) {
	p := &pacedWriter{w: httptest.NewRecorder(), idle: time.Minute, minRate: 1 << 20, window: 20 * time.Millisecond}
	p.start(time.Now())
	chunk := make([]byte, 1<<10)
	for range 10 {
		time.Sleep(10 * time.Millisecond)
		if _, err := p.Write(chunk); err != nil {
			t.Fatalf("cut a client that takes every write at once: %v", err)
		}
	}
}
