package debugfmt_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sioworkbook/workbook/inspector/debugfmt"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// syncBuffer is a bytes.Buffer that tests can read while a Printer writes.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines returns the lines written so far, as "namespace message" (the
// printers of these tests use Plain mode without dates).
func (s *syncBuffer) lines() []string {
	out := strings.Split(s.String(), "\n")
	return out[:len(out)-1]
}

func plainPrinter(w *syncBuffer, debug string) *debugfmt.Printer {
	return debugfmt.NewPrinterOptions(w, debugfmt.Options{Selector: debugfmt.ParseSelector(debug), Mode: debugfmt.Plain, HideDate: true})
}

func TestPrinterDebugLines(t *testing.T) {
	var buf syncBuffer
	p := plainPrinter(&buf, "engine:*,-engine:polling")
	p.Debug("engine", "", "handling \"GET\" http request")
	p.Debug("engine:socket", "abc", "sending packet \"message\" (2[\"hi\"])")
	p.Debug("engine:polling", "abc", "writing")
	p.Debug("engine:ws", "abc", "received \"\x1b[2J\x1b]0;pwned\a\u009b\"\nsecond line\tok")
	want := "engine:socket sending packet \"message\" (2[\"hi\"])\n" +
		"engine:ws received \"\\x1b[2J\\x1b]0;pwned\\x07\\u009b\"\nsecond line\tok\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if buf.writes != 2 {
		t.Errorf("%d writes, want one per line (2)", buf.writes)
	}
}

func TestPrinterColoredDiffs(t *testing.T) {
	var buf syncBuffer
	clock := time.Date(2026, 11, 27, 11, 4, 31, 447e6, time.UTC)
	p := debugfmt.NewPrinterOptions(&buf, debugfmt.Options{
		Selector: debugfmt.ParseSelector("*"),
		Mode:     debugfmt.Basic,
		Now:      func() time.Time { clock = clock.Add(250 * time.Millisecond); return clock },
	})
	p.Debug("engine:socket", "", "one")
	p.Debug("engine:socket", "", "two")
	p.Print("engine:ws", "three")
	want := "  \x1b[34;1mengine:socket \x1b[0mone \x1b[34m+0ms\x1b[0m\n" +
		"  \x1b[34;1mengine:socket \x1b[0mtwo \x1b[34m+250ms\x1b[0m\n" +
		"  \x1b[33;1mengine:ws \x1b[0mthree \x1b[33m+0ms\x1b[0m\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestPrinterSetSelector(t *testing.T) {
	var buf syncBuffer
	p := plainPrinter(&buf, "engine")
	p.Debug("engine", "", "1")
	p.Debug("engine:ws", "", "2")
	p.SetSelector(debugfmt.ParseSelector("*,-engine"))
	p.Debug("engine", "", "3")
	p.Debug("engine:ws", "", "4")
	if got, want := buf.String(), "engine 1\nengine:ws 4\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := p.Selector().String(); got != "*,-engine" {
		t.Errorf("Selector() = %q", got)
	}
}

func TestPrinterNil(t *testing.T) {
	var p *debugfmt.Printer
	s := &engine.Session{}
	p.Debug("engine", "", "x")
	p.Print("engine", "x")
	p.Opened(s)
	p.Upgraded(s, "websocket")
	p.Closed(s, engine.ReasonTransportClose)
	p.Packet(s, engine.In, "polling", engine.Packet{Type: engine.PacketPing})
	p.SocketPacket("", engine.In, &parser.Packet{})
	if p.Enabled("engine") {
		t.Error("a nil Printer enables a namespace")
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv("DEBUG", "-engine")
	if p := debugfmt.FromEnv(); p != nil {
		t.Errorf("DEBUG=-engine: FromEnv() = %v, want nil", p)
	}
	t.Setenv("DEBUG", "engine,socket.io:*")
	p := debugfmt.FromEnv()
	if p == nil || !p.Enabled("socket.io:client") || p.Enabled("engine:ws") {
		t.Errorf("DEBUG=engine,socket.io:*: FromEnv() = %v", p)
	}
}

func TestOptionsFromEnv(t *testing.T) {
	unsetEnv(t, "CI") // supports-color answers differently on CI machines
	t.Setenv("DEBUG", "engine")
	t.Setenv("DEBUG_HIDE_DATE", "on")
	t.Setenv("DEBUG_COLORS", "")
	o := debugfmt.OptionsFromEnv(&bytes.Buffer{})
	if o.Selector.String() != "engine" || o.Mode != debugfmt.Plain || !o.HideDate {
		t.Errorf("OptionsFromEnv = %+v", o)
	}
	t.Setenv("DEBUG_HIDE_DATE", "0")
	t.Setenv("DEBUG_COLORS", "1")
	t.Setenv("TERM", "xterm-256color")
	t.Setenv("FORCE_COLOR", "")
	o = debugfmt.OptionsFromEnv(&bytes.Buffer{})
	if o.Mode != debugfmt.ANSI256 || o.HideDate {
		t.Errorf("OptionsFromEnv = %+v, want 256 colours into a pipe with FORCE_COLOR set", o)
	}
}

func TestPacketMessage(t *testing.T) {
	long := `2["big","` + strings.Repeat("é", 200) + `"]`
	tests := []struct {
		dir       engine.Direction
		transport string
		p         engine.Packet
		want      string
	}{
		{engine.In, "websocket", engine.Packet{Type: engine.PacketMessage, Data: []byte(`2["hi"]`)}, `sid received packet "message" (2["hi"]) over websocket`},
		{engine.Out, "polling", engine.Packet{Type: engine.PacketPing}, `sid sent packet "ping" over polling`},
		{engine.In, "websocket", engine.Packet{Type: engine.PacketPing, Data: []byte("probe")}, `sid received packet "ping" (probe) over websocket`},
		{engine.Out, "websocket", engine.Packet{Type: engine.PacketMessage, Data: []byte{1, 2, 3}, Binary: true}, `sid sent packet "message" (<binary 3 bytes>) over websocket`},
		{engine.Out, "polling", engine.Packet{Type: engine.PacketMessage, Data: []byte(long)}, `sid sent packet "message" (2["big","` + strings.Repeat("é", 123) + `… (411 bytes)) over polling`},
	}
	for _, tt := range tests {
		if got := debugfmt.PacketMessage("sid", tt.dir, tt.transport, tt.p); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

func TestSocketPacketMessage(t *testing.T) {
	tests := []struct {
		dir  engine.Direction
		p    parser.Packet
		want string
	}{
		{engine.In, parser.Packet{Type: parser.Event, Namespace: "/", Data: []byte(`["hi",1]`)}, `sid received EVENT nsp=/ data=["hi",1]`},
		{engine.Out, parser.Packet{Type: parser.Ack, Namespace: "/chat", HasID: true, ID: 3, Data: []byte(`["ok"]`)}, `sid sent ACK nsp=/chat id=3 data=["ok"]`},
		{engine.In, parser.Packet{Type: parser.BinaryEvent, Data: []byte(`["up",{"_placeholder":true,"num":0}]`), Attachments: [][]byte{{1}}},
			`sid received BINARY_EVENT nsp=/ data=["up",{"_placeholder":true,"num":0}] attachments=1`},
		{engine.In, parser.Packet{Type: parser.Disconnect, Namespace: "/admin"}, `sid received DISCONNECT nsp=/admin`},
		{engine.Out, parser.Packet{Type: parser.Connect, Namespace: "/", Data: []byte(`{"sid":"x"}`)}, `sid sent CONNECT nsp=/ data={"sid":"x"}`},
	}
	for _, tt := range tests {
		if got := debugfmt.SocketPacketMessage("sid", tt.dir, &tt.p); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

// startServer runs a sio.Server observed by p whose "hi" handler answers
// "hello" with the same argument.
func startServer(t *testing.T, p *debugfmt.Printer) *httptest.Server {
	t.Helper()
	io := sio.NewServer(sio.Config{Observer: p.Observer()})
	io.OnConnection(func(s *sio.Socket) {
		s.On("hi", func(e *sio.Event) { s.Emit("hello", e.String(0)) })
	})
	srv := httptest.NewServer(io)
	t.Cleanup(func() {
		srv.Close()
		io.Close()
	})
	return srv
}

// talk opens a WebSocket session by hand, joins "/", emits "hi" and reads
// the answer, then closes the connection. It returns the session id.
func talk(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	read := func(prefix string) string {
		t.Helper()
		ws.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, b, err := ws.ReadMessage()
		if err != nil || !strings.HasPrefix(string(b), prefix) {
			t.Fatalf("read %q, %v; want prefix %q", b, err, prefix)
		}
		return string(b)
	}
	open := read(`0{"sid":"`)
	sid := regexp.MustCompile(`"sid":"([^"]+)"`).FindStringSubmatch(open)[1]
	ws.WriteMessage(websocket.TextMessage, []byte("40"))
	read("40")
	ws.WriteMessage(websocket.TextMessage, []byte(`42["hi","there"]`))
	read(`42["hello","there"]`)
	return sid
}

// waitFor waits until a line satisfies ok, and returns all lines.
func waitFor(t *testing.T, buf *syncBuffer, what string, ok func(line string) bool) []string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		lines := buf.lines()
		if slices.ContainsFunc(lines, ok) {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("no line %s in\n%s", what, strings.Join(lines, "\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func namespaces(lines []string) []string {
	var out []string
	for _, l := range lines {
		ns, _, _ := strings.Cut(l, " ")
		if !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	slices.Sort(out)
	return out
}

// TestPrinterServer runs a real server with a raw WebSocket client under
// several DEBUG values, and checks which namespaces print.
func TestPrinterServer(t *testing.T) {
	tests := []struct {
		debug string
		want  []string // exactly the namespaces printed
	}{
		{"engine:*", []string{"engine:socket", "engine:ws"}},
		{"engine*,-engine:ws", []string{"engine", "engine:socket"}},
		{"*,-engine*", []string{"socket.io-parser", "socket.io:client", "socket.io:namespace", "socket.io:server", "socket.io:socket", "workbook:engine", "workbook:socket.io"}},
		{"socket.io:*", []string{"socket.io:client", "socket.io:namespace", "socket.io:server", "socket.io:socket"}},
		{"workbook:*", []string{"workbook:engine", "workbook:socket.io"}},
		{"*", []string{"engine", "engine:socket", "engine:ws", "socket.io-parser", "socket.io:client", "socket.io:namespace", "socket.io:server", "socket.io:socket", "workbook:engine", "workbook:socket.io"}},
	}
	for _, tt := range tests {
		t.Run(tt.debug, func(t *testing.T) {
			var buf syncBuffer
			p := plainPrinter(&buf, tt.debug)
			srv := startServer(t, p)
			talk(t, srv)
			// The session's end is among the last things reported.
			lines := waitFor(t, &buf, "for the disconnection", func(l string) bool {
				return strings.Contains(l, "transport close") || strings.Contains(l, "read ended")
			})
			time.Sleep(50 * time.Millisecond) // let the closing lines of the other layers arrive
			lines = buf.lines()
			if got := namespaces(lines); !slices.Equal(got, tt.want) {
				t.Errorf("DEBUG=%s printed namespaces %q, want %q\n%s", tt.debug, got, tt.want, strings.Join(lines, "\n"))
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		var buf syncBuffer
		srv := startServer(t, plainPrinter(&buf, ""))
		talk(t, srv)
		time.Sleep(50 * time.Millisecond)
		if s := buf.String(); s != "" {
			t.Errorf("DEBUG= printed\n%s", s)
		}
	})
}

// TestPrinterServerPacketLines checks the lines of the Printer's own
// namespaces for one conversation.
func TestPrinterServerPacketLines(t *testing.T) {
	var buf syncBuffer
	srv := startServer(t, plainPrinter(&buf, "workbook:*"))
	sid := talk(t, srv)
	lines := waitFor(t, &buf, "closed", func(l string) bool { return strings.HasSuffix(l, "closed (transport close)") })
	want := []string{
		`workbook:engine SID opened over websocket from 127.0.0.1:`,
		`workbook:engine SID sent packet "open" ({"sid":"SID",`,
		`workbook:engine SID received packet "message" (0) over websocket`,
		`workbook:socket.io SID received CONNECT nsp=/`,
		`workbook:socket.io SID sent CONNECT nsp=/ data={"sid":"`,
		`workbook:engine SID sent packet "message" (0{"sid":"`,
		`workbook:engine SID received packet "message" (2["hi","there"]) over websocket`,
		`workbook:socket.io SID received EVENT nsp=/ data=["hi","there"]`,
		`workbook:socket.io SID sent EVENT nsp=/ data=["hello","there"]`,
		`workbook:engine SID sent packet "message" (2["hello","there"]) over websocket`,
		`workbook:engine SID closed (transport close)`,
	}
	// The writer goroutine reports what it sent while the reader goes on,
	// so only the presence of each line is certain, not their order.
	for _, w := range want {
		w = strings.ReplaceAll(w, "SID", sid)
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, w) }) {
			t.Errorf("no line %q in\n%s", w, strings.Join(lines, "\n"))
		}
	}
	if n := len(lines); n != len(want) {
		t.Errorf("%d lines, want %d", n, len(want))
	}
}

// TestPrinterServerPolling checks the polling transport's namespace alone.
func TestPrinterServerPolling(t *testing.T) {
	var buf syncBuffer
	srv := startServer(t, plainPrinter(&buf, "engine:polling"))
	res, err := http.Get(srv.URL + "/socket.io/?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	lines := waitFor(t, &buf, "writing the open packet", func(l string) bool { return strings.HasPrefix(l, `engine:polling writing "0{`) })
	if got := namespaces(lines); !slices.Equal(got, []string{"engine:polling"}) {
		t.Errorf("namespaces %q\n%s", got, strings.Join(lines, "\n"))
	}
}

// TestPrinterConcurrent calls every method from many goroutines while the
// selector changes, and checks that each line comes out whole.
func TestPrinterConcurrent(t *testing.T) {
	var buf syncBuffer
	p := plainPrinter(&buf, "*")
	s := &engine.Session{}
	var wg sync.WaitGroup
	const workers, calls = 8, 200
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				ns := fmt.Sprintf("ns:%d", i%20) // more namespaces than any one call site
				p.Debug(ns, "", "w%d i%d", w, i)
				p.Packet(s, engine.Out, "websocket", engine.Packet{Type: engine.PacketMessage, Data: []byte(`2["x"]`)})
				p.SocketPacket("", engine.In, &parser.Packet{Type: parser.Event, Data: []byte(`["x"]`)})
				if i%50 == 0 {
					p.SetSelector(debugfmt.ParseSelector("*"))
				}
			}
		})
	}
	wg.Go(func() {
		for range calls {
			p.Opened(s)
			p.Upgraded(s, "websocket")
			p.Closed(s, engine.ReasonTransportClose)
		}
	})
	wg.Wait()
	lines := buf.lines()
	if want := workers*calls*3 + calls*3; len(lines) != want {
		t.Errorf("%d lines, want %d", len(lines), want)
	}
	re := regexp.MustCompile(`^(ns:\d+ w\d i\d+|workbook:engine  sent packet "message" \(2\["x"\]\) over websocket|workbook:socket\.io  received EVENT nsp=/ data=\["x"\]|workbook:engine  (opened over |upgraded to websocket|closed \(transport close\)))$`)
	for _, l := range lines {
		if !re.MatchString(l) {
			t.Fatalf("broken line %q", l)
		}
	}
}

// unsetEnv removes key from the environment for the rest of the test.
func unsetEnv(t *testing.T, key string) {
	t.Helper()
	t.Setenv(key, "") // registers the restore
	os.Unsetenv(key)
}
