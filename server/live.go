package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/graph"
	"github.com/auditlog/auditlog/live"
)

// Defaults of the live tail's WebSocket connections (Config.Live).
const (
	// DefaultLiveMaxConnections bounds the open WebSocket connections.
	DefaultLiveMaxConnections = 256
	// DefaultLiveWriteTimeout is how long one message may take to leave;
	// a connection whose peer takes none for that long is closed.
	DefaultLiveWriteTimeout = 10 * time.Second
	// DefaultLiveSendBuffer is the kernel's send buffer of a connection,
	// in bytes: with the subscription's buffer, what a slow subscriber
	// may hold before it is found slow (Linux would let it grow to MBs).
	DefaultLiveSendBuffer = 256 << 10
	// liveInitTimeout is how long a client has to send connection_init.
	liveInitTimeout = 10 * time.Second
	// liveKeepAlive is the interval of pings to the client.
	liveKeepAlive = 25 * time.Second
	// liveReadLimit bounds one message from the client: a subscribe
	// message is a query and a filter.
	liveReadLimit = 64 << 10
)

// Close codes of the live tail's connections, beyond graphql-transport-ws's.
const (
	// closeForbidden is graphql-transport-ws's code for a refused
	// connection_init (no valid key).
	closeForbidden = 4403
	// closeSlow closes the connection of a slow subscriber (RFC 6455
	// "policy violation"); the reason says so.
	closeSlow = int(websocket.StatusPolicyViolation)
)

// LiveConfig are the settings of the live tail's WebSocket connections.
// Zero fields take the defaults.
type LiveConfig struct {
	// Origins are the host patterns (path.Match syntax, e.g.
	// "console.example.com" or "*.example.com") of other origins whose
	// pages may open the WebSocket; pages of the server's own host always
	// may, clients that send no Origin (not browsers) too.
	Origins        []string
	MaxConnections int
	WriteTimeout   time.Duration
	SendBuffer     int
}

func (c LiveConfig) withDefaults() LiveConfig {
	setDefault(&c.MaxConnections, DefaultLiveMaxConnections)
	setDefault(&c.WriteTimeout, DefaultLiveWriteTimeout)
	setDefault(&c.SendBuffer, DefaultLiveSendBuffer)
	return c
}

// liveRouteKey marks a request that came through the live route, the only
// one the WebSocket transport serves.
type liveRouteKey struct{}

// liveTransport is gqlgen's WebSocket transport, for the live route only.
type liveTransport struct{ transport.Websocket }

func (t liveTransport) Supports(r *http.Request) bool {
	_, ok := r.Context().Value(liveRouteKey{}).(*liveConn)
	return ok && t.Websocket.Supports(r)
}

// newLiveTransport returns the WebSocket transport: the API key comes in
// connection_init, as browsers cannot set headers on a WebSocket.
func newLiveTransport(cfg LiveConfig, authn *auth.Authenticator, log *slog.Logger) liveTransport {
	return liveTransport{transport.Websocket{
		Implementation: liveSockets{cfg: cfg},
		InitTimeout:    liveInitTimeout,
		// graphql-transport-ws clients answer pings; coder/websocket's
		// own pings would not show in the protocol.
		PingPongInterval: liveKeepAlive,
		PayloadReadLimit: ptr(int64(liveReadLimit)),
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			h := payload.Authorization()
			scheme, key, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				ctx = transport.WithWebsocketCloseCode(ctx, closeForbidden)
				return transport.AppendCloseReason(ctx, "unauthenticated"), nil,
					errors.New(`connection_init payload needs {"Authorization": "Bearer <api key>"}`)
			}
			p, err := authn.Authenticate(ctx, strings.TrimSpace(key))
			if err != nil {
				ctx = transport.WithWebsocketCloseCode(ctx, closeForbidden)
				if !errors.Is(err, auth.ErrUnauthenticated) {
					log.ErrorContext(ctx, "check API key of a live connection", "request_id", RequestID(ctx), "err", err)
					return transport.AppendCloseReason(ctx, "cannot check the API key now; retry"), nil, errors.New("cannot check the API key now; retry in a second")
				}
				return transport.AppendCloseReason(ctx, "unauthenticated"), nil, err
			}
			if info, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok {
				info.tenant = p.Tenant
			}
			ctx = auth.WithPrincipal(ctx, p)
			key = strings.TrimSpace(key)
			ctx = live.WithRecheck(ctx, func(ctx context.Context) error {
				again, err := authn.Authenticate(ctx, key)
				switch {
				case errors.Is(err, auth.ErrUnauthenticated):
					return fmt.Errorf("%w: %w", live.ErrRevoked, err)
				case err != nil:
					return err
				case again.Tenant != p.Tenant || again.Role != p.Role:
					return fmt.Errorf("%w: its tenant or role changed", live.ErrRevoked)
				}
				return nil
			})
			if c, ok := ctx.Value(liveRouteKey{}).(*liveConn); ok {
				ctx = live.WithDisconnect(ctx, c.closeSlow)
			}
			return ctx, nil, nil
		},
	}}
}

func ptr[T any](v T) *T { return &v }

// liveRoute sends WebSocket upgrades of /graphql to gql (whose WebSocket
// transport serves only them), at most max at once; other requests go to
// api. The upgrade skips api's key header, body, timeout and concurrency
// limits: the key comes in connection_init, and a connection lives long.
func liveRoute(cfg LiveConfig, gql, api http.Handler) http.Handler {
	slots := make(chan struct{}, cfg.MaxConnections)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			api.ServeHTTP(w, r)
			return
		}
		if err := checkOrigin(r, cfg.Origins); err != nil {
			writeGraphQLError(w, http.StatusForbidden, graph.CodeForbidden, err.Error())
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		default:
			w.Header().Set("Retry-After", "5")
			writeGraphQLError(w, http.StatusServiceUnavailable, CodeUnavailable,
				fmt.Sprintf("this server already holds %d live connections, its most; retry later", cfg.MaxConnections))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		ctx := context.WithValue(r.Context(), liveRouteKey{}, &liveConn{})
		gql.ServeHTTP(w, r.WithContext(ctx))
	})
}

// checkOrigin refuses a page of another origin than the server's host or
// the allowed patterns: a WebSocket is not bound by the same-origin policy,
// so any page could otherwise open one with a key it holds. Clients that
// send no Origin are not browsers. The rules are coder/websocket's, checked
// here to answer with a GraphQL error.
func checkOrigin(r *http.Request, patterns []string) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return fmt.Errorf("origin %q is not a URL", origin)
	}
	if strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(u.Host)); ok {
			return nil
		}
	}
	return fmt.Errorf("pages of origin %s may not open the live tail (allow it with --live-origins)", origin)
}

// liveConn is the socket of one live connection, known once accepted.
type liveConn struct {
	mu   sync.Mutex
	sock *liveSocket
}

func (c *liveConn) set(s *liveSocket) {
	c.mu.Lock()
	c.sock = s
	c.mu.Unlock()
}

// closeSlow closes the connection of a slow subscriber with the reason.
func (c *liveConn) closeSlow(reason string) {
	c.mu.Lock()
	s := c.sock
	c.mu.Unlock()
	if s != nil {
		s.closeWith(closeSlow, reason)
	}
}

// liveSockets accepts WebSocket connections over coder/websocket, with a
// bounded send buffer and write timeout (gqlgen's adapter writes without
// any, so a peer that stops reading would hold its writer forever).
type liveSockets struct{ cfg LiveConfig }

func (l liveSockets) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	for k, vs := range opts.ResponseHeader {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	c, err := websocket.Accept(sendBuffered{ResponseWriter: w, size: l.cfg.SendBuffer}, r, &websocket.AcceptOptions{
		Subprotocols:   opts.Subprotocols,
		OriginPatterns: l.cfg.Origins,
	})
	if err != nil {
		return nil, err
	}
	s := &liveSocket{c: c, writeTimeout: l.cfg.WriteTimeout}
	if lc, ok := r.Context().Value(liveRouteKey{}).(*liveConn); ok {
		lc.set(s)
	}
	return s, nil
}

// sendBuffered sets the kernel send buffer of the connection it hijacks.
type sendBuffered struct {
	http.ResponseWriter
	size int
}

func (s sendBuffered) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err == nil {
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetWriteBuffer(s.size) // a hint; the default is no failure
		}
	}
	return conn, brw, err
}

// liveSocket is one accepted connection (transport.WebsocketConn).
type liveSocket struct {
	c            *websocket.Conn
	writeTimeout time.Duration
	// closing is set once a close began: nothing more is written.
	closing atomic.Bool
	// readDeadline, when set, closes the connection (a ping not answered).
	mu       sync.Mutex
	deadline *time.Timer
}

func (s *liveSocket) Subprotocol() string { return s.c.Subprotocol() }

func (s *liveSocket) SetReadLimit(n int64) { s.c.SetReadLimit(n) }

func (s *liveSocket) NextReader() (int, io.Reader, error) {
	typ, data, err := s.c.Read(context.Background())
	if err != nil {
		switch websocket.CloseStatus(err) {
		case websocket.StatusNormalClosure, websocket.StatusNoStatusRcvd, websocket.StatusGoingAway:
			return 0, nil, transport.ErrWebsocketClosed
		}
		return 0, nil, err
	}
	return int(typ), bytes.NewReader(data), nil
}

func (s *liveSocket) WriteJSON(v any) error {
	if s.closing.Load() {
		return net.ErrClosed
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.writeTimeout)
	defer cancel()
	// On timeout coder/websocket closes the connection.
	return s.c.Write(ctx, websocket.MessageText, data)
}

// WriteClose starts the close handshake in the background: it waits up to
// five seconds for the peer's answer, which must not stall the transport.
func (s *liveSocket) WriteClose(code int, reason string) error {
	s.closeWith(code, reason)
	return nil
}

func (s *liveSocket) closeWith(code int, reason string) {
	if s.closing.Swap(true) {
		return
	}
	s.stopDeadline()
	go func() { _ = s.c.Close(websocket.StatusCode(code), reason) }()
}

func (s *liveSocket) Close() error {
	if s.closing.Load() {
		return nil // the handshake closes the connection
	}
	s.stopDeadline()
	return s.c.CloseNow()
}

// SetReadDeadline closes the connection at t unless cleared (zero t): the
// transport sets it when it pings, and clears it on the pong.
func (s *liveSocket) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deadline != nil {
		s.deadline.Stop()
		s.deadline = nil
	}
	if !t.IsZero() {
		s.deadline = time.AfterFunc(time.Until(t), func() { s.closeWith(int(websocket.StatusPolicyViolation), "no pong") })
	}
	return nil
}

func (s *liveSocket) stopDeadline() { _ = s.SetReadDeadline(time.Time{}) }
