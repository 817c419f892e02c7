package engine

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const defaultCORSMethods = "GET,HEAD,PUT,PATCH,POST,DELETE"

// apply writes the CORS headers for r. It reports whether r was a preflight
// request, which it has then answered with 204.
func (c *CORS) apply(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	origin := r.Header.Get("Origin")
	anyOrigin := (len(c.Origins) == 0 && c.AllowOrigin == nil) || slices.Contains(c.Origins, "*")
	switch {
	case anyOrigin && !c.Credentials:
		h.Set("Access-Control-Allow-Origin", "*")
	case anyOrigin:
		if origin != "" {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		h.Add("Vary", "Origin")
	default:
		if origin != "" && (slices.Contains(c.Origins, origin) || (c.AllowOrigin != nil && c.AllowOrigin(origin))) {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		h.Add("Vary", "Origin")
	}
	if c.Credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if r.Method != http.MethodOptions {
		if len(c.ExposedHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposedHeaders, ","))
		}
		return false
	}
	if c.Methods != nil {
		h.Set("Access-Control-Allow-Methods", strings.Join(c.Methods, ","))
	} else {
		h.Set("Access-Control-Allow-Methods", defaultCORSMethods)
	}
	if c.AllowedHeaders != nil {
		h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowedHeaders, ","))
	} else if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
		h.Add("Vary", "Access-Control-Request-Headers")
	}
	if c.MaxAge > 0 {
		h.Set("Access-Control-Max-Age", strconv.FormatInt(int64(c.MaxAge.Seconds()), 10))
	}
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
	return true
}

func appendInt(b []byte, v int64) []byte { return strconv.AppendInt(b, v, 10) }
