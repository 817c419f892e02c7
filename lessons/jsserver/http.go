package jsserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// MaxSource is the largest server.js a PUT may bring: far above any
// lesson's, far below what would cost the workbook.
const MaxSource = 64 << 10

// SourceHandler serves one step's /lessons/<lesson>/<step>/server.js for
// the browser of each request:
//
//	PUT     the body is the source: the browser's instance starts with it
//	        (replacing the one it had). 200 {"running": true}; 400
//	        {"error": "...", "line": N} for a syntax error or an exception
//	        of the top level, and the instance the browser had keeps
//	        running; 400 without a browser id; 413 past MaxSource.
//	DELETE  stops the browser's instance: its requests go to the default
//	        server again. 200 {"running": false}.
//	GET     the source in use: the instance's, or Finished when the browser
//	        runs none (header X-Workbook-Server: javascript or default).
//
// A SourceHandler may be used by multiple goroutines.
type SourceHandler struct {
	// Manager keeps the instances; required.
	Manager *Manager
	// Step is "lesson/step"; required.
	Step string
	// Finished is the step's own server.js, the finished version.
	Finished string
	// Browser returns the browser id of r (the wb_client cookie), "" when
	// it has none; required.
	Browser func(r *http.Request) string
	// Config returns the configuration of a new instance for browser, with
	// everything but Source (a new step.Checker each time: see the package
	// doc); required.
	Config func(browser string) Config
}

// ServeHTTP implements the methods described on SourceHandler.
func (h *SourceHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	browser := h.Browser(r)
	key := Key{Browser: browser, Step: h.Step}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		src, kind := h.Finished, "default"
		if browser != "" {
			if in := h.Manager.Get(key); in != nil {
				src, kind = in.Source(), "javascript"
			}
		}
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Workbook-Server", kind)
		_, _ = io.WriteString(w, src)
	case http.MethodPut:
		if browser == "" {
			writeJSON(w, http.StatusBadRequest, &Error{Message: "no browser id (cookie wb_client): whose server is this?"})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxSource))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeJSON(w, http.StatusRequestEntityTooLarge, &Error{Message: fmt.Sprintf("server.js is larger than %d KiB", MaxSource>>10)})
				return
			}
			writeJSON(w, http.StatusBadRequest, &Error{Message: "reading the source: " + err.Error()})
			return
		}
		cfg := h.Config(browser)
		cfg.Source = string(body)
		if _, err := h.Manager.Start(key, cfg); err != nil {
			var e *Error
			if errors.As(err, &e) {
				writeJSON(w, http.StatusBadRequest, e)
				return
			}
			writeJSON(w, http.StatusInternalServerError, &Error{Message: err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"running": true})
	case http.MethodDelete:
		if browser != "" {
			h.Manager.Stop(key)
		}
		writeJSON(w, http.StatusOK, map[string]bool{"running": false})
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Route returns the handler of a step's Socket.IO path: the instance of
// the request's browser, when it runs one, and fallback (the step's default
// server) otherwise.
func (m *Manager) Route(step string, browser func(r *http.Request) string, fallback http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b := browser(r); b != "" {
			if in := m.Get(Key{Browser: b, Step: step}); in != nil {
				in.ServeHTTP(w, r)
				return
			}
		}
		fallback.ServeHTTP(w, r)
	})
}
