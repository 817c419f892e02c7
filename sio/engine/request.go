package engine

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// handshakeReq is what a session keeps of its handshake request, for
// Session.Request, which rebuilds an *http.Request from it on each call.
// The request itself, its Header map and URL would cost an idle session
// about a kilobyte (more with a browser's headers); these strings cost what
// their text does. The request line's parts are copied, so that the line
// net/http read them from is not kept either.
type handshakeReq struct {
	method     string
	requestURI string
	host       string
	remoteAddr string
	header     string // the headers in their wire format (http.Header.Write)
	tls        *tls.ConnectionState
	protoMinor uint8 // of HTTP/1.x; a 2.x request keeps protoMajor 2
	protoMajor uint8
}

// keepRequest returns what a session keeps of r.
func keepRequest(r *http.Request) handshakeReq {
	var b strings.Builder
	_ = r.Header.Write(&b) // a strings.Builder does not fail
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI() // a request a test or a handler built
	}
	return handshakeReq{
		method:     internMethod(r.Method),
		requestURI: strings.Clone(uri),
		host:       r.Host,
		remoteAddr: r.RemoteAddr,
		header:     b.String(),
		tls:        r.TLS,
		protoMajor: uint8(r.ProtoMajor),
		protoMinor: uint8(r.ProtoMinor),
	}
}

func internMethod(m string) string {
	switch m {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	}
	return strings.Clone(m)
}

// request rebuilds the handshake request, with no body and no context of
// its own (Context returns context.Background()).
func (h *handshakeReq) request() *http.Request {
	u, err := url.ParseRequestURI(h.requestURI)
	if err != nil {
		u = &url.URL{} // net/http parsed it once: cannot happen
	}
	// The header's end: ReadMIMEHeader reads up to an empty line.
	tr := textproto.NewReader(bufio.NewReader(strings.NewReader(h.header + "\r\n")))
	header, err := tr.ReadMIMEHeader()
	if err != nil {
		header = textproto.MIMEHeader{} // what Header.Write wrote reads back: cannot happen
	}
	major, minor := int(h.protoMajor), int(h.protoMinor)
	return &http.Request{
		Method:     h.method,
		URL:        u,
		Proto:      fmt.Sprintf("HTTP/%d.%d", major, minor),
		ProtoMajor: major,
		ProtoMinor: minor,
		Header:     http.Header(header),
		Body:       http.NoBody,
		Host:       h.host,
		RemoteAddr: h.remoteAddr,
		RequestURI: h.requestURI,
		TLS:        h.tls,
	}
}
