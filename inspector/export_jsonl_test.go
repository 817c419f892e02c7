package inspector_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
)

func TestExport(t *testing.T) {
	db := fillDB(t)
	ctx := context.Background()
	var buf bytes.Buffer
	var calls int
	var lastDone, lastTotal int64
	n, err := db.Export(ctx, &buf, inspector.PacketFilter{SID: "A"}, func(done, total int64) {
		calls++
		lastDone, lastTotal = done, total
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 17 || calls < 2 || lastDone != 17 || lastTotal != 17 {
		t.Fatalf("n %d, progress called %d times, last %d/%d", n, calls, lastDone, lastTotal)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 17 {
		t.Fatalf("%d lines", len(lines))
	}
	var objs []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		objs = append(objs, m)
	}
	// The fields of the issue, on every line.
	for i, m := range objs {
		for _, k := range []string{"time", "session", "dir", "transport", "eio_type", "sio_type", "nsp", "event", "ack_id", "args", "raw"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d has no %q: %s", i, k, lines[i])
			}
		}
	}
	open := objs[0]
	if open["time"] != "2025-03-01T12:00:00.123456Z" || open["session"] != "A" || open["dir"] != "out" ||
		open["transport"] != "polling" || open["eio_type"] != "open" || open["sio_type"] != nil ||
		open["ack_id"] != nil || open["args"] != nil || open["raw"] != `0{"sid":"A"}` || open["session_info"] == nil ||
		open["path"] != "/lessons/a/socket.io/" || open["client"] != "client-A" {
		t.Errorf("open line: %s", lines[0])
	}
	if objs[1]["session_info"] != nil {
		t.Errorf("session_info on the second line: %s", lines[1])
	}
	ev := objs[3]
	if ev["sio_type"] != "EVENT" || ev["nsp"] != "/" || ev["event"] != "chat" || ev["ack_id"] != 1.0 ||
		ev["time"] != "2025-03-01T12:00:00.126456Z" {
		t.Errorf("event line: %s", lines[3])
	}
	if !strings.Contains(lines[3], `"args":["hi",{"n":1}]`) {
		t.Errorf("args not kept as JSON: %s", lines[3])
	}
	att := objs[11]
	if att["binary"] != true || att["raw_base64"] != true || att["raw"] != "AQI=" || att["sio_type"] != nil {
		t.Errorf("attachment line: %s", lines[11])
	}

	t.Run("Last", func(t *testing.T) {
		var buf bytes.Buffer
		n, err := db.Export(ctx, &buf, inspector.PacketFilter{Last: true, Limit: 2}, nil)
		if err != nil || n != 2 {
			t.Fatal(n, err)
		}
		if !strings.Contains(buf.String(), `"session":"D"`) || strings.Index(buf.String(), `"eio_type":"message","sio_type":"EVENT"`) < 0 {
			t.Errorf("%s", buf.String())
		}
	})
}

func TestExportImport(t *testing.T) {
	src := fillDB(t)
	ctx := context.Background()
	var buf bytes.Buffer
	if _, err := src.Export(ctx, &buf, inspector.PacketFilter{}, nil); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "export.jsonl")
	writeFile(t, file, buf.String())

	dst := MustOpenDB(t)
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lastDone, lastTotal int64
	n, err := dst.Import(ctx, f, func(done, total int64) { lastDone, lastTotal = done, total })
	if err != nil {
		t.Fatal(err)
	}
	if n != 3*17+1 || lastDone != int64(buf.Len()) || lastTotal != int64(buf.Len()) {
		t.Fatalf("imported %d, progress %d/%d of %d bytes", n, lastDone, lastTotal, buf.Len())
	}

	// The same sessions and packets (ids aside).
	ss1, _ := src.Sessions(ctx, inspector.SessionFilter{})
	ss2, _ := dst.Sessions(ctx, inspector.SessionFilter{})
	if len(ss1) != len(ss2) {
		t.Fatalf("%d sessions, then %d", len(ss1), len(ss2))
	}
	for i := range ss1 {
		a, b := ss1[i], ss2[i]
		b.ID = a.ID
		if !sameSession(a, b) {
			t.Errorf("session\n got %+v\nwant %+v", b, a)
		}
	}
	ps1, _ := src.Packets(ctx, inspector.PacketFilter{Limit: -1})
	ps2, _ := dst.Packets(ctx, inspector.PacketFilter{Limit: -1})
	if len(ps1) != len(ps2) {
		t.Fatalf("%d packets, then %d", len(ps1), len(ps2))
	}
	for i := range ps1 {
		if a, b := packetLine(ps1[i], ps1), packetLine(ps2[i], ps2); a != b || !ps1[i].At.Equal(ps2[i].At) {
			t.Errorf("packet %d:\n got %s %v\nwant %s %v", i, b, ps2[i].At, a, ps1[i].At)
		}
	}

	// Export again: the same text, but for the ids.
	var again bytes.Buffer
	dst.Export(ctx, &again, inspector.PacketFilter{}, nil)
	if stripIDs(t, again.String()) != stripIDs(t, buf.String()) {
		t.Errorf("export of the import differs:\n%s\n%s", again.String(), buf.String())
	}

	t.Run("Twice", func(t *testing.T) {
		n, err := dst.Import(ctx, strings.NewReader(buf.String()), nil)
		if err != nil || n != 0 {
			t.Fatalf("second import: %d, %v", n, err)
		}
		st, _ := dst.Stats(ctx)
		if st.Packets != 3*17+1 {
			t.Errorf("%d packets after importing twice", st.Packets)
		}
	})
}

// stripIDs removes the fields that name rows of one database.
func stripIDs(t *testing.T, s string) string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "id")
		delete(m, "attachment_of")
		b, _ := json.Marshal(m)
		out = append(out, string(b))
	}
	return strings.Join(out, "\n")
}

func TestImport(t *testing.T) {
	ctx := context.Background()
	t.Run("Minimal", func(t *testing.T) {
		// Only the fields an import needs; sio fields are decoded from raw.
		db := MustOpenDB(t)
		in := `{"time":"2025-03-01T12:00:00.000001Z","session":"M","dir":"in","transport":"websocket","raw":"42[\"hi\",1]"}
{"time":"2025-03-01T12:00:00.000002+01:00","session":"M","dir":"out","transport":"websocket","raw":"451-[\"b\",{\"_placeholder\":true,\"num\":0}]"}

{"time":"2025-03-01T12:00:01Z","session":"M","dir":"out","transport":"websocket","raw":"/w==","binary":true}
`
		n, err := db.Import(ctx, strings.NewReader(in), nil)
		if err != nil || n != 3 {
			t.Fatal(n, err)
		}
		ps, _ := db.Packets(ctx, inspector.PacketFilter{SID: "M"})
		if len(ps) != 3 || ps[0].Event != "hi" || string(ps[0].Args) != "[1]" || ps[1].SIOType != "BINARY_EVENT" ||
			ps[2].AttachmentOf != ps[1].ID || !ps[2].Binary || ps[2].Raw[0] != 0xff ||
			!ps[1].At.Equal(time.Date(2025, 3, 1, 11, 0, 0, 2000, time.UTC)) {
			t.Errorf("%+v", ps)
		}
		s, _ := db.Session(ctx, "M")
		if s == nil || s.Transport != "websocket" || !s.StartedAt.Equal(ps[0].At) || s.Packets != 3 {
			t.Errorf("%+v", s)
		}
	})
	for _, tt := range []struct{ name, line, err string }{
		{"ErrJSON", `{"time":`, "line 2"},
		{"ErrTime", `{"time":"yesterday","session":"X","dir":"in","transport":"polling","raw":"2"}`, `"time"`},
		{"ErrDir", `{"time":"2025-03-01T12:00:00Z","session":"X","dir":"up","transport":"polling","raw":"2"}`, `"dir"`},
		{"ErrTransport", `{"time":"2025-03-01T12:00:00Z","session":"X","dir":"in","transport":"pigeon","raw":"2"}`, `"transport"`},
		{"ErrRaw", `{"time":"2025-03-01T12:00:00Z","session":"X","dir":"in","transport":"polling","raw":"hello"}`, `"raw"`},
		{"ErrBase64", `{"time":"2025-03-01T12:00:00Z","session":"X","dir":"in","transport":"polling","raw":"!!","binary":true}`, `"raw"`},
		{"ErrSession", `{"time":"2025-03-01T12:00:00Z","dir":"in","transport":"polling","raw":"2"}`, `"session"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			good := `{"time":"2025-03-01T12:00:00Z","session":"G","dir":"in","transport":"polling","raw":"2"}`
			n, err := db.Import(ctx, strings.NewReader(good+"\n"+tt.line+"\n"+good+"\n"), nil)
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "line 2") {
				t.Fatalf("err %v, want one naming line 2 and %s", err, tt.err)
			}
			if n != 0 {
				t.Errorf("%d reported stored, want 0: the file is imported whole or not at all", n)
			}
			if st, _ := db.Stats(ctx); st.Sessions != 0 || st.Packets != 0 {
				t.Errorf("a failed import left %+v", st)
			}
		})
	}
}
