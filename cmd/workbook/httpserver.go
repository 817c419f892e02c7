package main

import (
	"net/http"
	"time"
)

// The limits of every HTTP server the workbook runs (serve, testserver,
// proxy), on the official server's defaults where it has one.
//
// There is deliberately no ReadTimeout or WriteTimeout: they would bound
// whole requests, and a long-polling GET waits up to the ping interval for
// something to send, a POST may carry a large payload slowly, and a
// WebSocket lives for hours (its connection is hijacked, so the server's
// deadlines no longer apply to it). The Engine.IO server bounds the time it
// reads bodies itself.
var (
	// httpIdleTimeout closes a keep-alive connection that has had no
	// request for this long. Node's http.Server keepAliveTimeout is 5 s.
	httpIdleTimeout = 5 * time.Second
	// httpReadHeaderTimeout bounds the time a client takes to send a
	// request's line and headers.
	httpReadHeaderTimeout = 10 * time.Second
)

// httpMaxHeaderBytes bounds a request's line and headers, as Node's
// default --max-http-header-size does (16 KiB); larger ones get 431.
const httpMaxHeaderBytes = 16 << 10

// newHTTPServer returns the HTTP server for h with the limits above.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: httpReadHeaderTimeout,
		IdleTimeout:       httpIdleTimeout,
		MaxHeaderBytes:    httpMaxHeaderBytes,
	}
}
