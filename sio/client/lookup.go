package client

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"sync"
)

// managers holds the Managers that New shares, one per server and path.
var managers = struct {
	sync.Mutex
	m map[string]*Manager
}{m: make(map[string]*Manager)}

// New returns a socket for the namespace named by the path of rawURL ("/"
// when empty), as io(url, opts) does in JavaScript:
// "http://localhost:3000/admin" is namespace "/admin" of the server at
// localhost:3000, reached at Options.Path ("/socket.io/"). The URL's query
// is sent with every request.
//
// Sockets of one server share one Manager, and so one connection, unless
// Options.ForceNew is set or the shared Manager already has a socket for that
// namespace; the options of the first call make the shared Manager. Unless
// Options.NoAutoConnect is set, the socket starts connecting at once. The
// error is for a URL that cannot be parsed.
func New(rawURL string, opts Options) (*Socket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("client: no host in %q", rawURL)
	}
	secure := false
	switch u.Scheme {
	case "http", "ws":
	case "https", "wss":
		secure = true
	default:
		return nil, fmt.Errorf("client: unsupported scheme %q", u.Scheme)
	}
	nsp := u.Path
	if nsp == "" {
		nsp = "/"
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if secure {
			port = "443"
		}
	}
	scheme := "http"
	if secure {
		scheme = "https"
	}
	key := scheme + "://" + net.JoinHostPort(u.Hostname(), port) + normalizePath(opts.Path)

	managers.Lock()
	m := managers.m[key]
	switch {
	case opts.ForceNew || (m != nil && m.hasSocket(nsp)):
		m = NewManager(rawURL, opts)
	case m == nil:
		m = NewManager(rawURL, opts)
		managers.m[key] = m
	}
	managers.Unlock()
	return m.Socket(nsp, SocketOptions{Auth: opts.Auth, AckTimeout: opts.AckTimeout}), nil
}

// Connect is New followed by Socket.ConnectContext: it returns a connected
// socket, or an error (a *ConnectError when the server refused the socket or
// the connection could not be opened) after disconnecting the socket.
//
// Handlers added after Connect returns miss what the server emits as the
// socket connects; to catch that, set Options.NoAutoConnect, add the
// handlers to the socket New returns, then call ConnectContext.
func Connect(ctx context.Context, rawURL string, opts Options) (*Socket, error) {
	s, err := New(rawURL, opts)
	if err != nil {
		return nil, err
	}
	if err := s.ConnectContext(ctx); err != nil {
		s.Disconnect()
		return nil, err
	}
	return s, nil
}
