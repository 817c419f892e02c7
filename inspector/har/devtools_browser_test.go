package har_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/har"
	"github.com/sioworkbook/workbook/internal/browsertest"
)

// devtoolsView is what Chromium's own DevTools made of a HAR: each request
// as its Network panel holds it.
type devtoolsView struct {
	Error    string `json:"error"`
	Requests []struct {
		URL    string  `json:"url"`
		Method string  `json:"method"`
		Status int     `json:"status"`
		Type   string  `json:"type"`
		Issue  float64 `json:"issue"`
		Post   *string `json:"post"`
		Body   *string `json:"body"`
		Frames []struct {
			Type   string  `json:"type"`
			Time   float64 `json:"time"`
			Opcode int     `json:"opcode"`
			Text   string  `json:"text"`
		} `json:"frames"`
	} `json:"requests"`
}

// loadInDevTools opens the DevTools front end that Chromium bundles and
// reads the HAR with its own HAR module: the parser (HARFormat, which
// throws on a field of the wrong type) and the importer the Network
// panel's "Import HAR file" runs (Importer.requestsFromHARLog).
const loadInDevTools = `(async () => {
	const HAR = await import("./models/har/har.js");
	const root = new HAR.HARFormat.HARRoot(JSON.parse(%s));
	const requests = HAR.Importer.Importer.requestsFromHARLog(root.log);
	const out = [];
	for (const r of requests) {
		const content = await r.requestContentData();
		out.push({
			url: r.url(), method: r.requestMethod, status: r.statusCode, type: r.resourceType().name(),
			issue: r.issueTime(), post: await r.requestFormData(),
			body: content && typeof content.text === "string" ? content.text : null,
			frames: r.frames().map((f) => ({ type: f.type, time: f.time, opcode: f.opCode, text: f.text })),
		});
	}
	return { requests: out };
})().catch((e) => ({ error: String(e && e.stack || e) }))`

// TestExportLoadsInDevTools: 'workbook export --format har' is read by
// Chromium's DevTools with its own HAR parser and importer, without an
// error, and DevTools sees every request as written: method, URL, status,
// type, start, the polling bodies (the server's answers and the client's
// POSTs) and each WebSocket message with its direction, time in epoch
// seconds, opcode and data.
func TestExportLoadsInDevTools(t *testing.T) {
	chromium(t)
	b := browsertest.New(t)
	ctx := context.Background()
	db := openDB(t)
	importFile(t, db, "chrome.har")
	importFile(t, db, "playwright.har")
	var buf bytes.Buffer
	if _, err := har.Export(ctx, db, &buf, inspector.PacketFilter{}, har.ExportOptions{Base: "http://127.0.0.1:3000"}); err != nil {
		t.Fatal(err)
	}
	// What the export says, to compare with what DevTools read.
	var written struct {
		Log struct {
			Entries []struct {
				StartedDateTime string
				ResourceType    string `json:"_resourceType"`
				Request         struct {
					Method, URL string
					PostData    *struct{ Text string }
				}
				Response struct {
					Status  int
					Content struct{ Text string }
				}
				Messages []harMessage `json:"_webSocketMessages"`
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &written); err != nil {
		t.Fatal(err)
	}

	tab := b.NewTab(t)
	if err := tab.Navigate("devtools://devtools/bundled/devtools_app.html"); err != nil {
		t.Fatalf("Chromium's DevTools front end: %v", err)
	}
	quoted, _ := json.Marshal(buf.String())
	var got devtoolsView
	if err := tab.Eval(fmt.Sprintf(loadInDevTools, quoted), &got); err != nil {
		t.Fatal(err)
	}
	if got.Error != "" {
		t.Fatalf("DevTools could not load the export: %s", got.Error)
	}
	if len(got.Requests) != len(written.Log.Entries) || len(got.Requests) == 0 {
		t.Fatalf("DevTools read %d requests of %d entries", len(got.Requests), len(written.Log.Entries))
	}
	frames := 0
	// DevTools sorts the entries by start, as the export writes them.
	for i, e := range written.Log.Entries {
		r := got.Requests[i]
		if r.URL != e.Request.URL || r.Method != e.Request.Method || r.Status != e.Response.Status || r.Type != e.ResourceType {
			t.Errorf("entry %d: DevTools read %s %s %d %s, the export has %s %s %d %s", i, r.Method, r.URL, r.Status, r.Type,
				e.Request.Method, e.Request.URL, e.Response.Status, e.ResourceType)
			continue
		}
		if e.Request.PostData != nil && (r.Post == nil || *r.Post != e.Request.PostData.Text) {
			t.Errorf("entry %d: DevTools read the POST body %v, the export has %q", i, r.Post, e.Request.PostData.Text)
		}
		if e.ResourceType != "websocket" && (r.Body == nil || *r.Body != e.Response.Content.Text) {
			t.Errorf("entry %d: DevTools read the answer %v, the export has %q", i, r.Body, e.Response.Content.Text)
		}
		if len(r.Frames) != len(e.Messages) {
			t.Errorf("entry %d: DevTools read %d WebSocket messages of %d", i, len(r.Frames), len(e.Messages))
			continue
		}
		for k, m := range e.Messages {
			f := r.Frames[k]
			frames++
			if f.Type != m.Type || f.Opcode != m.Opcode || f.Text != m.Data || math.Abs(f.Time-m.Time) > 1e-6 {
				t.Errorf("entry %d message %d: DevTools read %+v, the export has %+v", i, k, f, m)
			}
			// DevTools counts a message's time in seconds, as the
			// request's start: they are minutes apart at most.
			if math.Abs(f.Time-r.Issue) > 3600 {
				t.Errorf("entry %d message %d at %v, the request at %v: not in the same unit", i, k, f.Time, r.Issue)
			}
		}
	}
	if frames == 0 {
		t.Error("no WebSocket message was compared")
	}
}

// harMessage is an entry's WebSocket message, as a HAR holds it.
type harMessage struct {
	Type   string
	Time   float64
	Opcode int
	Data   string
}
