package main

import (
	"log/slog"
	"net/http"

	"github.com/sioworkbook/workbook/inspector"
)

// inspectorPages is the inspector's web handler.
type inspectorPages interface {
	http.Handler
	Close() error
}

// newInspectorPages is a placeholder until inspector/web lands.
func newInspectorPages(db *inspector.DB, rec *inspector.Recorder, token string, log *slog.Logger) inspectorPages {
	return placeholderPages{token}
}

type placeholderPages struct{ token string }

func (p placeholderPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.token != "" && r.URL.Query().Get("token") != p.token {
		http.Error(w, "token required", http.StatusUnauthorized)
		return
	}
	w.Write([]byte("inspector"))
}

func (placeholderPages) Close() error { return nil }
