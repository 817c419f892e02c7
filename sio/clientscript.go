package sio

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"
)

// clientFile is a browser client script that a Server serves under its Path
// (Config.ClientScript and Config.ClientModule).
//
// Browsers revalidate it on every load ("max-age=0", like the official
// server) and get a 304 while its strong ETag, a hash of the content, still
// matches; so a new build of the script is picked up at once and an
// unchanged one costs no body.
type clientFile struct {
	body []byte
	etag string // `"<first 128 bits of sha256(body), in hex>"`
}

// clientFiles maps the names the official server answers to the scripts
// given; it is nil when there are none.
func clientFiles(script, module []byte) map[string]*clientFile {
	files := map[string]*clientFile{}
	if script != nil {
		f := newClientFile(script)
		files["socket.io.js"] = f
		files["socket.io.min.js"] = f
	}
	if module != nil {
		files["socket.io.esm.min.js"] = newClientFile(module)
	}
	if len(files) == 0 {
		return nil
	}
	return files
}

func newClientFile(body []byte) *clientFile {
	sum := sha256.Sum256(body)
	return &clientFile{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// ServeHTTP answers GET and HEAD with the script through http.ServeContent,
// which handles If-None-Match (304), ranges and HEAD; other methods get 405.
func (f *clientFile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=0")
	h.Set("ETag", f.etag)
	// A public file: let pages of any origin import the module form.
	h.Set("Access-Control-Allow-Origin", "*")
	// No modification time: the ETag alone decides what is fresh.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
