package opensearch_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog/auditlog/store/opensearch"
	"github.com/auditlog/auditlog/store/opensearch/opensearchtest"
)

// stallingProxy forwards TCP connections to a node until stalled; from
// then on it forwards nothing more in either direction and keeps every
// connection open, as a hung network path or node does.
type stallingProxy struct {
	ln      net.Listener
	target  string
	stalled atomic.Bool
	done    chan struct{}
	wg      sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

// track keeps c to be closed when the test ends.
func (p *stallingProxy) track(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns = append(p.conns, c)
}

func newStallingProxy(t *testing.T, target string) *stallingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallingProxy{ln: ln, target: target, done: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		close(p.done)
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *stallingProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			p.track(c)
			if p.stalled.Load() {
				<-p.done
				return
			}
			node, err := net.Dial("tcp", p.target)
			if err != nil {
				return
			}
			defer node.Close()
			p.track(node)
			go p.pipe(node, c)
			p.pipe(c, node)
		}()
	}
}

// pipe copies src to dst until src ends or the proxy stalls; a stalled
// pipe holds both connections open until the test ends.
func (p *stallingProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if p.stalled.Load() {
			<-p.done
			return
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestHungNodeFailsRequestsInsteadOfParkingThem: a node that stops
// answering (the connection stays open, no response comes) fails the
// store's requests after the response timeout, even when the caller set
// no deadline, rather than parking the caller for good.
func TestHungNodeFailsRequestsInsteadOfParkingThem(t *testing.T) {
	t.Parallel()
	base := opensearchtest.URL(t)
	prefix := opensearchtest.Prefix(t, base)
	proxy := newStallingProxy(t, strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://"))
	ctx := context.Background()
	s, err := opensearch.New(ctx, opensearch.Config{
		URLs:                  []string{"http://" + proxy.ln.Addr().String()},
		Prefix:                prefix,
		ResponseHeaderTimeout: time.Second,
	})
	if err != nil {
		t.Fatalf("new store through the proxy: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping before the node hangs: %v", err)
	}

	proxy.stalled.Store(true)
	done := make(chan error, 1)
	go func() { done <- s.Ping(ctx) }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("ping of a hung node succeeded")
		}
	case <-time.After(time.Minute):
		// Far beyond the one-second response timeout: the request is parked.
		t.Fatal("ping of a hung node still waiting after a minute")
	}
}
