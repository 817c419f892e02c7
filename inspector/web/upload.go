package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/har"
)

// MaxUpload is the largest file the import endpoint takes, in bytes.
const MaxUpload = 256 << 20

// ImportHeader must be on a request to the import endpoint (any value):
// a form or a simple cross-site request cannot set it, and a cross-site
// script that sets it must first ask, which the inspector does not answer.
const ImportHeader = "X-Workbook-Import"

// importResult is the import endpoint's answer.
type importResult struct {
	Format   string `json:"format"`   // "har" or "jsonl"
	Packets  int64  `json:"packets"`  // packets stored (0 when every session was there already)
	Sessions int    `json:"sessions"` // HAR: sessions found
	Skipped  int    `json:"skipped"`  // HAR: entries that are not Engine.IO
}

// importFile serves POST /inspector/import: the body is a file as
// 'workbook import' reads it (JSON Lines of 'workbook export', or a HAR,
// told from the content), stored with the same rules. It takes the token
// (as every page) and ImportHeader, from the inspector's own origin only.
func (h *Handler) importFile(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(w, r) {
		return
	}
	if err := sameOrigin(r); err != nil {
		jsonError(w, http.StatusForbidden, err.Error())
		return
	}
	if r.Header.Get(ImportHeader) == "" {
		jsonError(w, http.StatusForbidden, "an import needs the "+ImportHeader+" header")
		return
	}
	if h.db.ReadOnly() {
		jsonError(w, http.StatusConflict, "the database is read-only")
		return
	}
	if r.ContentLength > MaxUpload {
		jsonError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is over %d MiB", MaxUpload>>20))
		return
	}
	body := http.MaxBytesReader(w, r.Body, MaxUpload)
	rd, isHAR := har.SniffReader(body)
	var res importResult
	var err error
	if isHAR {
		var st har.Stats
		st, err = har.Import(r.Context(), h.db, rd, nil)
		res = importResult{Format: "har", Packets: st.Stored, Sessions: st.Sessions, Skipped: st.Skipped}
	} else {
		res.Format = "jsonl"
		res.Packets, err = h.db.Import(r.Context(), rd, nil)
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		jsonError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is over %d MiB", MaxUpload>>20))
	case err != nil:
		// A file that does not read: say why; the import deleted what it
		// had stored.
		h.log.Info("inspector: an import was refused", "err", err)
		jsonError(w, http.StatusBadRequest, err.Error())
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// unsafeName matches what a file name should not hold.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// download serves GET /inspector/sessions/{sid}/download: the session as
// a JSON Lines file, with its debug lines, as 'workbook export
// --session SID --debug-lines' writes it and 'workbook import' (or a drop
// on /inspector/) reads it.
func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(w, r) {
		return
	}
	sid := r.PathValue("sid")
	if _, err := h.db.Session(r.Context(), sid); errors.Is(err, inspector.ErrNotFound) {
		jsonError(w, http.StatusNotFound, "no session "+strconv.Quote(sid))
		return
	} else if err != nil {
		h.log.Error("inspector: download", "sid", sid, "err", err)
		jsonError(w, http.StatusInternalServerError, "the inspector could not read its database")
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="session-`+unsafeName.ReplaceAllString(sid, "_")+`.jsonl"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err := h.db.ExportWith(r.Context(), w, inspector.PacketFilter{SID: sid}, inspector.ExportOptions{DebugLines: true}, nil)
	if err != nil {
		// The status is gone with the first bytes: the file is cut short.
		h.log.Warn("inspector: download cut short", "sid", sid, "err", err)
	}
}

// downloadURL is the JSON Lines file of session sid.
func downloadURL(sid string) string { return string(sessionURL(sid)) + "/download" }
