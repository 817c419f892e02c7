package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio/client"
)

// syncBuffer is a bytes.Buffer safe for one writer and readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// workbookProc is a workbook running in-process, as `workbook ARGS...`.
type workbookProc struct {
	URL    string // http://127.0.0.1:PORT, from its first line
	Stdout *syncBuffer
	Stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// startWorkbook runs the workbook with args until Stop (or the end of the
// test) and waits for the URL it prints.
func startWorkbook(t *testing.T, args ...string) *workbookProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &workbookProc{Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() { p.done <- Run(ctx, args, p.Stdout, p.Stderr) }()
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Errorf("workbook %s: %v", strings.Join(args, " "), err)
		}
	})
	deadline := time.Now().Add(60 * time.Second) // generous: a busy CI machine under -race starts slowly
	for time.Now().Before(deadline) {
		out := p.Stdout.String()
		if i := strings.Index(out, "http://"); i >= 0 {
			if j := strings.IndexByte(out[i:], '\n'); j >= 0 {
				p.URL = out[i : i+j]
				return p
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("workbook %s ended: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, p.Stdout, p.Stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("workbook %s printed no URL\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), p.Stdout, p.Stderr)
	return nil
}

// Stop stops the workbook as SIGINT does and returns what Run returned.
func (p *workbookProc) Stop() error {
	p.once.Do(func() {
		p.cancel()
		select {
		case p.err = <-p.done:
		case <-time.After(15 * time.Second):
			p.err = fmt.Errorf("did not stop within 15 s")
		}
	})
	return p.err
}

// run runs a one-shot command and returns its stdout; it fails the test
// when the command fails.
func run(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := runErr(args...)
	if err != nil {
		t.Fatalf("workbook %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func runErr(args ...string) (stdout, stderr string, err error) {
	var o, e bytes.Buffer
	err = Run(context.Background(), args, &o, &e)
	return o.String(), e.String(), err
}

// exportLine is the part of an export line the tests look at.
type exportLine struct {
	Time        string          `json:"time"`
	Session     string          `json:"session"`
	Dir         string          `json:"dir"`
	Transport   string          `json:"transport"`
	EIOType     string          `json:"eio_type"`
	SIOType     *string         `json:"sio_type"`
	Nsp         *string         `json:"nsp"`
	Event       *string         `json:"event"`
	AckID       *int64          `json:"ack_id"`
	Args        json.RawMessage `json:"args"`
	Raw         string          `json:"raw"`
	RawBase64   bool            `json:"raw_base64"`
	Binary      bool            `json:"binary"`
	Path        string          `json:"path"`
	RemoteAddr  string          `json:"remote_addr"`
	SessionInfo *struct {
		Transport   string `json:"transport"`
		Upgraded    string `json:"upgraded"`
		EndedAt     string `json:"ended_at"`
		CloseReason string `json:"close_reason"`
	} `json:"session_info"`
}

func parseExport(t *testing.T, out string) []exportLine {
	t.Helper()
	var lines []exportLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l exportLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

// signature is one packet as the sequence checks see it.
func (l exportLine) signature() string {
	s := l.Dir + " " + l.EIOType
	if l.Binary {
		return l.Dir + " binary " + l.Raw
	}
	if l.SIOType != nil {
		s += " " + *l.SIOType + " " + *l.Nsp
	}
	if l.Event != nil {
		s += " " + *l.Event
	}
	if l.AckID != nil {
		s += fmt.Sprintf(" ack=%d", *l.AckID)
	}
	if l.SIOType != nil && (*l.SIOType == "EVENT" || *l.SIOType == "BINARY_EVENT" || *l.SIOType == "ACK" || *l.SIOType == "BINARY_ACK") {
		s += " " + string(l.Args)
	}
	return s
}

// checkSession checks that the export of one client session holds every
// packet the client and the server exchanged, in order, with the right
// fields. Heartbeats and the upgrade's probes are left out of the sequence.
func checkSession(t *testing.T, lines []exportLine, sid string, transport string, wantClosePacket bool) {
	t.Helper()
	if len(lines) == 0 {
		t.Fatal("empty export")
	}
	var got []string
	for i, l := range lines {
		if l.Session != sid {
			t.Errorf("line %d: session %q, want %q", i, l.Session, sid)
		}
		if _, err := time.Parse(time.RFC3339Nano, l.Time); err != nil || !strings.HasSuffix(l.Time, "Z") || len(l.Time) != len("2006-01-02T15:04:05.000000Z") {
			t.Errorf("line %d: time %q is not RFC 3339 UTC with microseconds", i, l.Time)
		}
		if i > 0 && l.Time < lines[i-1].Time {
			t.Errorf("line %d: time %s before the previous line's %s", i, l.Time, lines[i-1].Time)
		}
		if l.Path != "/socket.io/" || l.RemoteAddr != "127.0.0.1" {
			t.Errorf("line %d: path %q, remote_addr %q", i, l.Path, l.RemoteAddr)
		}
		if l.Binary != l.RawBase64 {
			t.Errorf("line %d: binary %v but raw_base64 %v", i, l.Binary, l.RawBase64)
		}
		switch l.EIOType {
		case "ping", "pong", "noop", "upgrade":
			continue
		}
		got = append(got, l.signature())
	}
	if got[0] != "out open" || !strings.HasPrefix(lines[0].Raw, `0{"sid":"`+sid+`"`) {
		t.Errorf("first packet %q (raw %q), want the handshake's open", got[0], lines[0].Raw)
	}
	want := []string{
		"out open",
		"in message CONNECT /",
		"out message CONNECT /",
		`in message EVENT / hello ["world",1]`,
		`in message BINARY_EVENT / upload [{"_placeholder":true,"num":0}]`,
		"in binary AQID",
		`in message BINARY_EVENT / echo ack=0 ["ping",{"_placeholder":true,"num":0}]`,
		"in binary BAU=",
		`out message BINARY_ACK / ack=0 ["ping",{"_placeholder":true,"num":0}]`,
		"out binary BAU=",
		"in message DISCONNECT /",
	}
	if wantClosePacket {
		want = append(want, "in close")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("packets of the session:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	info := lines[0].SessionInfo
	if info == nil {
		t.Fatal("no session_info on the first line")
	}
	if info.Transport != transport || info.EndedAt == "" || info.CloseReason == "" {
		t.Errorf("session_info %+v: want first transport %s, an end and a close reason", *info, transport)
	}
}

// checkExportImport exports db, imports it into a new database, exports
// that, and wants the same lines.
func checkExportImport(t *testing.T, db, first string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "export.jsonl")
	run(t, "export", "--db", db, "-o", file)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != first {
		t.Errorf("export -o wrote other lines than export to stdout")
	}
	db2 := filepath.Join(t.TempDir(), "second.db")
	out := run(t, "import", "--db", db2, file)
	if n := strings.Count(first, "\n"); out != fmt.Sprintf("imported %d packets into %s\n", n, db2) {
		t.Errorf("import said %q, want %d packets", out, n)
	}
	again := run(t, "export", "--db", db2)
	if again != first {
		t.Errorf("export of the imported database differs:\n%s\nfirst export:\n%s", again, first)
	}
	// Importing the same file again adds nothing.
	if out := run(t, "import", "--db", db2, file); out != fmt.Sprintf("imported 0 packets into %s\n", db2) {
		t.Errorf("second import said %q", out)
	}
}

// TestRecordExportImportNode is the acceptance test of recording: the
// official Node client talks to `workbook serve`, which is then stopped;
// `workbook export` has every packet of each session, in order, and an
// import into a second database exports the same lines.
func TestRecordExportImportNode(t *testing.T) {
	nodetest.Setup(t)
	db := filepath.Join(t.TempDir(), "tmp.db")
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
	if !strings.Contains(wb.Stdout.String(), "recording to "+db) {
		t.Errorf("serve did not say where it records:\n%s", wb.Stdout)
	}
	sids := map[string]string{}
	for _, transports := range []string{"polling", "polling,websocket"} {
		out := nodetest.Run(t, "record-client.mjs", "--url", wb.URL, "--transports", transports)
		if !strings.Contains(out, `ACK ["ping",{"buffer":[4,5]}]`) {
			t.Errorf("record-client (%s): no ack with the binary echo:\n%s", transports, out)
		}
		i := strings.Index(out, "DONE ")
		if i < 0 {
			t.Fatalf("record-client (%s) printed no DONE:\n%s", transports, out)
		}
		sids[transports] = strings.Fields(out[i+5:])[0]
		waitSessionEnded(t, db, sids[transports])
	}
	if err := wb.Stop(); err != nil {
		t.Fatal(err)
	}

	checkSession(t, parseExport(t, run(t, "export", "--format", "jsonl", "--db", db, "--session", sids["polling"])),
		sids["polling"], "polling", true)
	up := parseExport(t, run(t, "export", "--db", db, "--session", sids["polling,websocket"]))
	checkSession(t, up, sids["polling,websocket"], "polling", false)
	if info := up[0].SessionInfo; info == nil || info.Upgraded != "websocket" {
		t.Errorf("upgraded session: session_info %+v", info)
	}
	upgraded := false
	for _, l := range up {
		if l.EIOType == "upgrade" {
			upgraded = true
		}
		if upgraded && l.EIOType == "message" && l.Transport != "websocket" {
			t.Errorf("message over %s after the upgrade: %s", l.Transport, l.signature())
		}
		if l.EIOType == "message" && l.Event != nil && l.Transport != "websocket" {
			t.Errorf("event %s over %s: the client waits for the upgrade", *l.Event, l.Transport)
		}
	}
	if !upgraded {
		t.Error("no upgrade packet in the upgraded session")
	}
	checkExportImport(t, db, run(t, "export", "--db", db))
}

// TestRecordExportImportGo is the same loop with our Go client, which
// needs no Node.
func TestRecordExportImportGo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tmp.db")
	wb := startWorkbook(t, "--addr", "127.0.0.1:0", "--db", db) // serve is the default
	sid := goClientSession(t, wb.URL, []string{"polling"})
	waitSessionEnded(t, db, sid)
	if err := wb.Stop(); err != nil {
		t.Fatal(err)
	}
	all := run(t, "export", "--db", db)
	checkSession(t, parseExport(t, all), sid, "polling", true)
	checkExportImport(t, db, all)

	// With its debug lines, the session replays with its trace elsewhere.
	file := filepath.Join(t.TempDir(), "with-debug.jsonl")
	run(t, "export", "--db", db, "--session", sid, "--debug-lines", "-o", file)
	db2 := filepath.Join(t.TempDir(), "imported.db")
	run(t, "import", "--db", db2, file)
	want := run(t, "trace", "--db", db, "--session", sid, "--debug", "*,-workbook:*", "--color", "never")
	got := run(t, "trace", "--db", db2, "--session", sid, "--debug", "*,-workbook:*", "--color", "never")
	if !strings.Contains(want, "engine:socket") || got != want {
		t.Errorf("the imported session's debug lines differ:\n%s\nwant:\n%s", got, want)
	}
	if _, _, err := runErr("export", "--db", db, "--debug-lines", "--event", "hello"); err == nil {
		t.Error("--debug-lines with --event was accepted")
	}
}

// goClientSession runs the session of record-client.mjs with sio/client
// and returns the Engine.IO session id.
func goClientSession(t *testing.T, url string, transports []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, url, client.Options{Transports: transports, NoReconnection: true, ForceNew: true})
	if err != nil {
		t.Fatal(err)
	}
	sid := s.Manager().Engine().ID()
	if err := s.Emit("hello", "world", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Emit("upload", []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	reply, err := s.Timeout(5*time.Second).EmitWithAck(ctx, "echo", "ping", []byte{4, 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(reply) != 2 || reply[0] != "ping" || !bytes.Equal(reply[1].([]byte), []byte{4, 5}) {
		t.Errorf("echo answered %#v", reply)
	}
	s.Disconnect()
	return sid
}

// waitSessionEnded waits until the workbook recording to db has recorded
// the end of session sid (the client's last packets have arrived).
func waitSessionEnded(t *testing.T, db, sid string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var list []sessionJSON
		out, _, err := runErr("sessions", "--db", db, "--json")
		if err == nil && json.Unmarshal([]byte(out), &list) == nil {
			for _, s := range list {
				if s.SID == sid && s.EndedAt != nil {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the end of session %s is not recorded after 10 s: %v\n%s", sid, err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
