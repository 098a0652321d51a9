// Package livetest is a graphql-transport-ws client for tests of the live
// tail: it speaks the protocol over a real WebSocket connection.
package livetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/coder/websocket"
)

// Message is one message of the protocol.
type Message struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Client is one connection.
type Client struct {
	c *websocket.Conn
	// in, once Background started, holds what its reader received.
	in chan received
}

type received struct {
	m   Message
	err error
}

// Options vary Dial.
type Options struct {
	// Origin is sent as the Origin header when set.
	Origin string
	// ReceiveBuffer, when positive, sets the socket's kernel receive
	// buffer (bytes): a small one makes a client that stops reading hold
	// few bytes.
	ReceiveBuffer int
	// Init is the connection_init payload; {"Authorization": "Bearer key"}
	// when nil.
	Init map[string]any
}

// Dial connects to the GraphQL endpoint at baseURL (http://host:port) and
// initialises the connection with the key. It returns the close error when
// the server refuses the connection.
func Dial(ctx context.Context, baseURL, key string, opts Options) (*Client, error) {
	dialer := &net.Dialer{}
	if opts.ReceiveBuffer > 0 {
		dialer.Control = func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, opts.ReceiveBuffer)
			})
			return errors.Join(err, serr)
		}
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	header := http.Header{}
	if opts.Origin != "" {
		header.Set("Origin", opts.Origin)
	}
	u := "ws" + strings.TrimPrefix(baseURL, "http") + "/graphql"
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		HTTPClient: hc, HTTPHeader: header, Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: HTTP %d: %w", u, resp.StatusCode, err)
		}
		return nil, fmt.Errorf("dial %s: %w", u, err)
	}
	c.SetReadLimit(16 << 20)
	cl := &Client{c: c}
	init := opts.Init
	if init == nil {
		init = map[string]any{"Authorization": "Bearer " + key}
	}
	payload, _ := json.Marshal(init)
	if err := cl.Send(ctx, Message{Type: "connection_init", Payload: payload}); err != nil {
		c.CloseNow()
		return nil, err
	}
	m, err := cl.Next(ctx)
	if err != nil {
		c.CloseNow()
		return nil, err
	}
	if m.Type != "connection_ack" {
		c.CloseNow()
		return nil, fmt.Errorf("got %s %s, want connection_ack", m.Type, m.Payload)
	}
	return cl, nil
}

// Send sends one message.
func (cl *Client) Send(ctx context.Context, m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return cl.c.Write(ctx, websocket.MessageText, b)
}

// Subscribe starts the operation query with variables under id.
func (cl *Client) Subscribe(ctx context.Context, id, query string, vars map[string]any) error {
	payload, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	return cl.Send(ctx, Message{Type: "subscribe", ID: id, Payload: payload})
}

// Background reads the connection from now on as fast as it can,
// answering pings at once and keeping up to 100,000 messages for Next, as
// a browser client does; without it, Next reads only when called.
func (cl *Client) Background() {
	cl.in = make(chan received, 100_000)
	go func() {
		for {
			m, err := cl.read(context.Background())
			cl.in <- received{m, err}
			if err != nil {
				return
			}
		}
	}()
}

// Next returns the next message other than a ping or pong, answering pings.
// A closed connection is an error; CloseError tells its code and reason.
func (cl *Client) Next(ctx context.Context) (Message, error) {
	if cl.in == nil {
		return cl.read(ctx)
	}
	select {
	case r := <-cl.in:
		if r.err != nil {
			cl.in <- r // the end, for every later call too
		}
		return r.m, r.err
	case <-ctx.Done():
		return Message{}, ctx.Err()
	}
}

func (cl *Client) read(ctx context.Context) (Message, error) {
	for {
		_, b, err := cl.c.Read(ctx)
		if err != nil {
			return Message{}, err
		}
		var m Message
		if err := json.Unmarshal(b, &m); err != nil {
			return Message{}, fmt.Errorf("decode %q: %w", b, err)
		}
		switch m.Type {
		case "ping":
			if err := cl.Send(ctx, Message{Type: "pong"}); err != nil {
				return Message{}, err
			}
		case "pong":
		default:
			return m, nil
		}
	}
}

// Close closes the connection normally.
func (cl *Client) Close() { _ = cl.c.Close(websocket.StatusNormalClosure, "") }

// CloseError returns the close code and reason of err, ok when err is the
// peer's close.
func CloseError(err error) (code int, reason string, ok bool) {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return int(ce.Code), ce.Reason, true
	}
	return 0, "", false
}
