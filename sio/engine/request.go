package engine

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
	"strings"
)

// handshakeReq is what a session keeps of its handshake request, for
// Session.Request, which rebuilds an *http.Request from it on first call.
// The request itself, its Header map and URL would cost an idle session
// about a kilobyte (more with a browser's headers); these strings cost what
// their text does. The request line's parts are copied, so that the line
// net/http read them from is not kept either.
type handshakeReq struct {
	method     string
	requestURI string
	host       string
	remoteAddr string
	header     string // "key\x00value\x00" for each value; neither holds a NUL
	values     uint32 // how many values header holds
	tls        *tls.ConnectionState
	protoMinor uint8 // of HTTP/1.x; a 2.x request keeps protoMajor 2
	protoMajor uint8
}

// keepRequest returns what a session keeps of r.
func keepRequest(r *http.Request) handshakeReq {
	n, values := 0, 0
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 2
		}
		values += len(vs)
	}
	var b strings.Builder
	b.Grow(n)
	for k, vs := range r.Header {
		for _, v := range vs {
			b.WriteString(k)
			b.WriteByte(0)
			b.WriteString(v)
			b.WriteByte(0)
		}
	}
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
		values:     uint32(values),
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

// request rebuilds the handshake request.
func (h *handshakeReq) request() *http.Request {
	u, err := url.ParseRequestURI(h.requestURI)
	if err != nil {
		u = &url.URL{} // net/http parsed it once: cannot happen
	}
	// The values share one array: a header's values are next to each
	// other in h.header, as keepRequest wrote them.
	header := make(http.Header, h.values)
	all := make([]string, 0, h.values)
	for rest := h.header; rest != ""; {
		k, after, _ := strings.Cut(rest, "\x00")
		v, after2, _ := strings.Cut(after, "\x00")
		rest = after2
		all = append(all, v)
		if vs := header[k]; len(vs) > 0 && &vs[len(vs)-1] == &all[len(all)-2] {
			header[k] = all[len(all)-len(vs)-1 : len(all) : len(all)]
		} else {
			header[k] = all[len(all)-1 : len(all) : len(all)]
		}
	}
	major, minor := int(h.protoMajor), int(h.protoMinor)
	proto := "HTTP/1.1"
	switch {
	case major == 1 && minor == 0:
		proto = "HTTP/1.0"
	case major == 2:
		proto = "HTTP/2.0"
	}
	r := &http.Request{
		Method:     h.method,
		URL:        u,
		Proto:      proto,
		ProtoMajor: major,
		ProtoMinor: minor,
		Header:     header,
		Body:       http.NoBody,
		Host:       h.host,
		RemoteAddr: h.remoteAddr,
		RequestURI: h.requestURI,
		TLS:        h.tls,
	}
	return r.WithContext(context.Background())
}
