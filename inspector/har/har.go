// Package har reads and writes HTTP Archives (HAR 1.2) of Socket.IO
// traffic, for 'workbook import' and 'workbook export --format har'.
//
// Import reads what Chromium's DevTools ("Save all as HAR with content") and
// Playwright's recordHar write, and stores the Engine.IO traffic in it as if
// the workbook had recorded it: the polling requests' bodies and the
// WebSocket messages (the non-standard _webSocketMessages of both tools)
// become the packets of sessions keyed by the sid of their handshake.
//
//	stats, err := har.Import(ctx, db, f, nil)
//
// Export writes the packets of a database as a HAR that DevTools loads: one
// GET per run of packets the server sent on polling, one POST per run the
// client sent, one WebSocket entry per session that used one.
//
// Both go through the JSON Lines format of inspector.DB.Import and
// inspector.DB.Export's rows, so that an imported HAR follows the same rules
// as an imported JSONL file: one transaction, and a session already in the
// database is skipped, so importing a file twice adds nothing.
package har

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// archive is a HAR file: {"log": {...}}.
type archive struct {
	Log *harLog `json:"log"`
}

type harLog struct {
	Version string  `json:"version"`
	Creator creator `json:"creator"`
	Pages   []page  `json:"pages"`
	Entries []entry `json:"entries"`
}

type creator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type page struct {
	StartedDateTime string     `json:"startedDateTime"`
	ID              string     `json:"id"`
	Title           string     `json:"title"`
	PageTimings     pageTiming `json:"pageTimings"`
}

type pageTiming struct {
	OnContentLoad float64 `json:"onContentLoad"`
	OnLoad        float64 `json:"onLoad"`
}

// entry is one request. Time is its total duration in ms; the answer came
// at StartedDateTime + Time.
type entry struct {
	Pageref         string   `json:"pageref,omitempty"`
	StartedDateTime string   `json:"startedDateTime"`
	Time            float64  `json:"time"`
	Request         request  `json:"request"`
	Response        response `json:"response"`
	Cache           struct{} `json:"cache"`
	Timings         timings  `json:"timings"`
	ResourceType    string   `json:"_resourceType,omitempty"`
	// WebSocketMessages is what Chromium and Playwright add to the entry
	// of a WebSocket.
	WebSocketMessages []wsMessage `json:"_webSocketMessages,omitempty"`
}

type request struct {
	Method      string    `json:"method"`
	URL         string    `json:"url"`
	HTTPVersion string    `json:"httpVersion"`
	Cookies     []nameVal `json:"cookies"`
	Headers     []nameVal `json:"headers"`
	QueryString []nameVal `json:"queryString"`
	PostData    *postData `json:"postData,omitempty"`
	HeadersSize int64     `json:"headersSize"`
	BodySize    int64     `json:"bodySize"`
}

type postData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}

type response struct {
	Status      int       `json:"status"`
	StatusText  string    `json:"statusText"`
	HTTPVersion string    `json:"httpVersion"`
	Cookies     []nameVal `json:"cookies"`
	Headers     []nameVal `json:"headers"`
	Content     content   `json:"content"`
	RedirectURL string    `json:"redirectURL"`
	HeadersSize int64     `json:"headersSize"`
	BodySize    int64     `json:"bodySize"`
}

type content struct {
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"` // "base64" or absent
}

type nameVal struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type timings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl"`
}

// wsMessage is one WebSocket message: Type "send" (from the browser) or
// "receive"; Time in seconds since the epoch (Chromium) or milliseconds
// (Playwright); Opcode 1 (text, Data as sent) or 2 (binary, Data base64).
type wsMessage struct {
	Type   string  `json:"type"`
	Time   float64 `json:"time"`
	Opcode int     `json:"opcode"`
	Data   string  `json:"data"`
}

// Sniff reports whether the file that starts with head is a HAR rather than
// JSON Lines: a JSON object whose first key is "log". JSON Lines as
// 'workbook export' writes them start with {"time".
func Sniff(head []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	t, err := dec.Token()
	return err == nil && t == "log"
}

// SniffReader peeks at the start of r without consuming it, and returns a
// reader with all of r and whether it is a HAR (Sniff).
func SniffReader(r io.Reader) (io.Reader, bool) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4096)
	return br, Sniff(head)
}
