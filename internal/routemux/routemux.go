// Package routemux is an http.ServeMux that remembers the patterns it was
// given, so that a test can walk every route a handler serves (and a new
// route cannot slip past the test of who may reach it).
package routemux

import "net/http"

// Mux is an http.ServeMux that lists its patterns. Register routes before
// serving; after that, it is safe for use by multiple goroutines.
type Mux struct {
	http.ServeMux
	patterns []string
}

// Handle registers h for pattern, as http.ServeMux.Handle does.
func (m *Mux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// HandleFunc registers f for pattern, as http.ServeMux.HandleFunc does.
func (m *Mux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(f))
}

// Patterns returns the patterns registered, in order ("GET /classroom/{$}").
func (m *Mux) Patterns() []string { return append([]string(nil), m.patterns...) }
