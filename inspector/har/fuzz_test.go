package har_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sioworkbook/workbook/inspector/har"
)

// FuzzConvert feeds arbitrary files to the HAR reader: it returns an error
// or JSON Lines, never panics, and every line it writes is a packet of a
// named session, as many as it counts.
func FuzzConvert(f *testing.F) {
	for _, name := range []string{"chrome.har", "playwright.har"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"log":{"entries":[{"startedDateTime":"2026-01-01T00:00:00Z","request":{"method":"GET","url":"http://h/socket.io/?EIO=4&transport=polling"},"response":{"status":200,"content":{"text":"0{\"sid\":\"x\"}\u001e40"}}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		st, err := har.Convert(bytes.NewReader(data), &out)
		if err != nil {
			return
		}
		lines := 0
		sc := bufio.NewScanner(&out)
		sc.Buffer(nil, len(data)*8+1024)
		for sc.Scan() {
			var l struct {
				Session, Dir, Transport, Raw string
			}
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("line %d is not JSON: %v\n%s", lines+1, err, sc.Bytes())
			}
			if l.Session == "" || (l.Dir != "in" && l.Dir != "out") ||
				(l.Transport != "polling" && l.Transport != "websocket") {
				t.Fatalf("line %d: %s", lines+1, sc.Bytes())
			}
			lines++
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if lines != st.Packets {
			t.Fatalf("%d lines, Stats.Packets %d", lines, st.Packets)
		}
	})
}
