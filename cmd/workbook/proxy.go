package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/sioworkbook/workbook/inspector/proxy"
	"github.com/sioworkbook/workbook/inspector/web"
)

// ProxyCommand runs a recording reverse proxy in front of any Socket.IO
// server.
type ProxyCommand struct {
	Target         string
	Addr           string
	Path           string
	DB             string
	Inspector      bool
	InspectorToken string
	RecordCPU      float64
	MaxMessage     int64
	MaxBody        int64
}

func (c *ProxyCommand) flags() *flagSet {
	fs := newFlagSet("proxy", "workbook proxy --target URL [flags]", `
Serves on --addr a reverse proxy to the Socket.IO server at --target (your
own app: Node, or anything that speaks Engine.IO v4), recording every
packet of every session to the SQLite file --db, both transports and the
upgrade between them. Open your app through the proxy's address, then read
what it did with workbook sessions, trace, packets, export and replay, or
in the inspector pages.

Every request is forwarded unchanged: the app's pages and scripts as they
are, and the Engine.IO requests under --path (polling and WebSocket), whose
packets are recorded on the way. If the target does not answer, the proxy
answers 502.

With --inspector (the default), the proxy serves the inspector pages of
--db itself at /inspector/, which the target then cannot use; give
--inspector=false to forward /inspector/ too. The pages require a token as
serve's do: when --addr is not loopback only, the one given with
--inspector-token or a random one printed at start.

A message over --max-message (a WebSocket message from either side, a
polling POST) ends its session: the WebSocket is closed with 1009, the POST
answered 413 and not forwarded, as the official server does past its
maxHttpBufferSize (1e6 by default); the session is recorded as ended and
the proxy logs why. A polling answer larger than --max-body, once
decompressed, is forwarded as it came but not recorded.`)
	fs.stringVar(&c.Target, "target", "WORKBOOK_PROXY_TARGET", "URL", "", "the Socket.IO server to forward to, e.g. http://127.0.0.1:3001 (required)")
	fs.stringVar(&c.Addr, "addr", "WORKBOOK_ADDR", "HOST:PORT", "127.0.0.1:3000", "listen address")
	fs.stringVar(&c.Path, "path", "WORKBOOK_PROXY_PATH", "PATH", "/socket.io/", "the Socket.IO server's path on the target (its `path` option)")
	fs.dbFlag(&c.DB, "the SQLite file packets are recorded to")
	fs.boolVar(&c.Inspector, "inspector", "WORKBOOK_PROXY_INSPECTOR", true, "serve the inspector pages at /inspector/ instead of forwarding that path")
	fs.stringVar(&c.InspectorToken, "inspector-token", "WORKBOOK_INSPECTOR_TOKEN", "TOKEN", "", "token the inspector pages require (default: none on loopback, else a random one)")
	fs.recordCPUFlag(&c.RecordCPU)
	c.MaxMessage, c.MaxBody = proxy.DefaultMaxMessage, proxy.DefaultMaxBody
	fs.valueVar((*sizeValue)(&c.MaxMessage), "max-message", "WORKBOOK_PROXY_MAX_MESSAGE", "SIZE",
		"the largest WebSocket message (either way) or polling POST relayed; a larger one ends its session")
	fs.valueVar((*sizeValue)(&c.MaxBody), "max-body", "WORKBOOK_PROXY_MAX_BODY", "SIZE",
		"the largest polling answer recorded, once decompressed; a larger one is forwarded unrecorded")
	return fs
}

// Usage writes the help of proxy.
func (c *ProxyCommand) Usage(w io.Writer) { c.flags().usage(w) }

// Run serves until ctx is done, then closes every connection, flushes the
// recorder and closes the database.
func (c *ProxyCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := c.flags()
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	target, err := parseTarget(c.Target)
	if err != nil {
		return fmt.Errorf("proxy: --target: %w", err)
	}
	path := "/" + strings.Trim(c.Path, "/") + "/"
	if c.Inspector && strings.HasPrefix(path, web.Prefix) {
		return fmt.Errorf("proxy: --path %s is under the inspector's %s: give --inspector=false", c.Path, web.Prefix)
	}
	if c.MaxMessage <= 0 || c.MaxBody <= 0 {
		return fmt.Errorf("proxy: --max-message and --max-body must be above 0")
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	defer ln.Close()

	rec, err := openRecording(c.DB, true, c.RecordCPU, log)
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	defer func() {
		if cerr := rec.close(); cerr != nil && err == nil {
			err = fmt.Errorf("proxy: %w", cerr)
		}
	}()

	p, err := proxy.New(proxy.Config{
		Target: target, Path: path, Recorder: rec.rec, Logger: log,
		MaxMessage: c.MaxMessage, MaxBody: c.MaxBody,
	})
	if err != nil {
		return err
	}
	defer p.Close()

	mux := http.NewServeMux()
	mux.Handle("/", p)
	var pages *web.Handler
	token, generated := inspectorToken(c.Addr, c.InspectorToken)
	if c.Inspector {
		// The pages act on the sessions by injecting packets (proxy.Proxy.Emit).
		pages = web.New(rec.db, rec.rec, web.Options{Token: token, Logger: log, Actor: p})
		defer pages.Close()
		mux.Handle(web.Prefix, pages)
	}

	base := "http://" + displayAddr(ln.Addr())
	fmt.Fprintf(stdout, "workbook proxy listening on %s\n", base)
	fmt.Fprintf(stdout, "forwarding to %s, recording the Socket.IO traffic under %s\n", target, path)
	switch {
	case pages == nil:
		fmt.Fprintf(stdout, "inspector: off (--inspector=false); %s is forwarded\n", web.Prefix)
	case generated:
		fmt.Fprintf(stdout, "inspector: %s%s?token=%s (the token is required: %s is not loopback only)\n", base, web.Prefix, token, c.Addr)
	case token != "":
		fmt.Fprintf(stdout, "inspector: %s%s (the token of --inspector-token is required)\n", base, web.Prefix)
	default:
		fmt.Fprintf(stdout, "inspector: %s%s\n", base, web.Prefix)
	}
	fmt.Fprintf(stdout, "recording to %s\n", c.DB)
	return serveUntilDone(ctx, ln, mux, func() {
		_ = p.Close()
		if pages != nil {
			_ = pages.Close()
		}
	})
}

// parseTarget checks the URL of --target: http or https, with a host. A
// bare host:port is taken as http.
func parseTarget(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("required: the URL of the Socket.IO server to record, e.g. http://127.0.0.1:3001")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q: want an http:// or https:// URL with a host", s)
	}
	return u, nil
}
