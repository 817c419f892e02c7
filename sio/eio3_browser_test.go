package sio_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/browsertest"
	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
)

// v2Page runs socket.io-client 2.5.0 in the browser against ?server= over
// ?transport=: binary both ways, in events and acks. A browser's client
// sends and receives binary polling payloads (application/octet-stream),
// which the Node client never does (it asks for base64), so this is where
// the binary form meets the official client. window.__result is "ok" or
// what went wrong.
const v2Page = `<!doctype html>
<script src="socket.io.js"></script>
<script>
const q = new URLSearchParams(location.search);
const fail = (why) => { window.__result = String(why); };
const bytes = (b) => Array.from(new Uint8Array(b)).join(",");
const buf = (...b) => new Uint8Array(b).buffer; // the v2 client sends ArrayBuffers as binary, not views
const s = io(q.get("server"), { transports: [q.get("transport")], forceNew: true, reconnection: false, withCredentials: false });
s.on("connect_error", fail);
s.on("connect", () => {
  const t = s.io.engine.transport;
  if (q.get("transport") === "polling" && !t.supportsBinary) return fail("polling without binary support");
  s.emit("message", "é😀", buf(0, 1, 2, 255), { nested: buf(7) });
  s.once("message-back", (text, bin, obj) => {
    if (text !== "é😀" || bytes(bin) !== "0,1,2,255" || bytes(obj.nested) !== "7") return fail("message-back " + text + " " + JSON.stringify(bin));
    s.emit("message-with-ack", buf(9, 8), "x", (b, x) => {
      if (bytes(b) !== "9,8" || x !== "x") return fail("ack " + bytes(b) + " " + x);
      s.emit("get-binary", (b1, o) => {
        if (bytes(b1) !== "1,2,3" || bytes(o.nested.data) !== "4,5" || bytes(o.list[0]) !== "6") return fail("get-binary");
        window.__result = "ok";
        s.close();
      });
    });
  });
});
setTimeout(() => fail("timed out"), 8000);
</script>`

// TestEIO3BrowserClientV2 runs v2Page in Chromium against our server and
// the official one, both with allowEIO3, over each transport.
func TestEIO3BrowserClientV2(t *testing.T) {
	nodeDir := nodetest.Setup(t)
	b := browsertest.New(t)

	cfg := fixture.Config()
	cfg.AllowEIO3 = true
	io := fixture.New(cfg)
	// which polling bodies were binary, to show that the binary form was used
	var binaryPost, binaryGet atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/socket.io/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/octet-stream" {
			binaryPost.Store(true)
		}
		io.ServeHTTP(w, r)
		if w.Header().Get("Content-Type") == "application/octet-stream" {
			binaryGet.Store(true)
		}
	})
	mux.HandleFunc("/v2/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/socket.io.js") {
			http.ServeFile(w, r, filepath.Join(nodeDir, "node_modules/socket.io-client-v2/dist/socket.io.js"))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(v2Page))
	})
	ours := httptest.NewServer(mux)
	t.Cleanup(func() {
		io.Close()
		ours.Close()
	})

	for _, server := range []struct{ name, url string }{{"ours", ours.URL}, {"official", startOfficialEIO3(t)}} {
		for _, transport := range []string{"polling", "websocket"} {
			t.Run(server.name+"/"+transport, func(t *testing.T) {
				tab := b.NewTab(t)
				page := ours.URL + "/v2/?transport=" + transport + "&server=" + server.url
				if err := tab.Navigate(page); err != nil {
					t.Fatal(err)
				}
				if err := tab.WaitFor("window.__result !== undefined", 15*time.Second); err != nil {
					t.Fatalf("%v\n%s", err, tab.ConsoleText())
				}
				var result string
				if err := tab.Eval("window.__result", &result); err != nil {
					t.Fatal(err)
				}
				if result != "ok" {
					raw, _ := json.Marshal(result)
					t.Errorf("page result %s\n%s", raw, tab.ConsoleText())
				}
				if server.name == "ours" && transport == "polling" && (!binaryPost.Load() || !binaryGet.Load()) {
					t.Errorf("binary polling payloads: POST %v, GET %v; want both", binaryPost.Load(), binaryGet.Load())
				}
			})
		}
	}
}
