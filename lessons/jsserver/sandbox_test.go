package jsserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/lessons/jsserver"
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio/client"
)

// hostile is a server with a healthy "ping" beside the hostile handlers the
// tests call: after each, ping must still be answered.
const hostile = `io.on("connection", (socket) => {
  if (socket.handshake.auth.spinOnConnect) {
    while (true) {}
  }
  socket.on("ping", (callback) => callback("pong"));
  socket.on("spin", () => { while (true) {} });
  socket.on("boom", () => { null.x; });
  socket.on("repeat", () => { "x".repeat(2 ** 30); });
  socket.on("double", () => { let s = "x"; for (;;) { s += s; } });
  socket.on("timers", (callback) => {
    try {
      for (let i = 0; i < 1e6; i++) setTimeout(() => {}, 60000);
    } catch (err) {
      callback(String(err));
    }
  });
  socket.on("intervals", (callback) => {
    for (let i = 0; i < 1000; i++) {
      try { setInterval(() => {}, 0); } catch { break; }
    }
    callback("flooding");
  });
  socket.on("globals", (callback) => callback([typeof require, typeof process, typeof fetch, typeof XMLHttpRequest, typeof WebSocket]));
  socket.on("asyncBoom", async () => { await null; null.y; });
  socket.on("amplify", (callback) => {
    const sparse = [];
    sparse.length = 1e9;
    const big = "x".repeat(4e6);
    const tricks = [
      () => Math.max.apply(null, { length: 5e7 }),
      () => Reflect.apply(Math.max, null, sparse),
      () => [...sparse],
      () => Math.max(...sparse),
      () => JSON.stringify({ nested: [sparse] }),
      () => [].concat(sparse),
      () => new Set(sparse),
      () => sparse.join(),
      () => new Array(1e6).join(big),
      () => big.concat(big, big),
      () => big.replaceAll("x", big),
      () => Array.from({ length: 1e9 }),
      () => new Float64Array(1e9),
    ];
    callback(tricks.map((trick) => {
      try { trick(); return "allowed"; } catch (err) { return err.name; }
    }));
  });
});
`

// serve runs src as an instance with limits, on a test server. Unless the
// test sets one, handlers get 10 s, not 1: on a busy machine, under the
// race detector, the tests that are not about time must not meet it.
func serve(t *testing.T, src string, limits jsserver.Limits) (*jsserver.Instance, *step.Log, string) {
	t.Helper()
	if limits.HandlerTime == 0 {
		limits.HandlerTime = 10 * time.Second
	}
	log := step.NewLog(nil)
	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range log.Lines() {
				t.Logf("log: %s", l.Text)
			}
		}
	})
	in, err := jsserver.Start(jsserver.Config{Source: src, Log: log, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(in)
	t.Cleanup(func() {
		in.Close()
		srv.Close()
	})
	return in, log, srv.URL
}

// dial connects a client, which the test closes.
func dial(t *testing.T, url string, auth map[string]any) *client.Socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if auth == nil {
		auth = map[string]any{}
	}
	s, err := client.Connect(ctx, url, client.Options{Auth: auth, NoReconnection: true, ForceNew: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Manager().Close() })
	return s
}

// ask emits event with an ack and returns the answer's first value.
func ask(t *testing.T, s *client.Socket, event string) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	res, err := s.EmitWithAck(ctx, event)
	if err != nil {
		t.Fatalf("%s: %v", event, err)
	}
	if len(res) == 0 {
		return nil
	}
	return res[0]
}

// pong checks that the server still answers.
func pong(t *testing.T, s *client.Socket) {
	t.Helper()
	if got := ask(t, s, "ping"); got != "pong" {
		t.Fatalf("ping answered %v", got)
	}
}

func TestSyntaxErrorHasItsLine(t *testing.T) {
	err := jsserver.Validate("io.on(\"connection\", (socket) => {\n  socket.on(\"x\", () => {\n    let = ;\n  });\n});\n")
	var e *jsserver.Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate: %v, want an *Error", err)
	}
	if e.Line != 3 || !strings.Contains(e.Message, "SyntaxError") {
		t.Errorf("got %+v, want a SyntaxError on line 3", e)
	}
	b, _ := json.Marshal(e)
	var body struct {
		Error string `json:"error"`
		Line  int    `json:"line"`
	}
	if json.Unmarshal(b, &body) != nil || body.Line != 3 || body.Error == "" {
		t.Errorf("JSON %s, want {\"error\": ..., \"line\": 3}", b)
	}
	if _, err := jsserver.Start(jsserver.Config{Source: "\n\nio.on(\n", Log: step.NewLog(nil)}); !errors.As(err, &e) || e.Line == 0 {
		t.Errorf("Start of a broken script: %v, want an *Error with a line", err)
	}
}

func TestTopLevelExceptionHasItsLine(t *testing.T) {
	for src, want := range map[string]string{
		"// the tutorial's first line\n\nconst app = require(\"express\")();\n": "require",
		"console.log('a');\nundefinedThing.x = 1;\n":                            "ReferenceError",
		"\n\nwhile (true) {}\n":                                                 "more than",
	} {
		_, err := jsserver.Start(jsserver.Config{Source: src, Log: step.NewLog(nil), Limits: jsserver.Limits{HandlerTime: 200 * time.Millisecond}})
		var e *jsserver.Error
		if !errors.As(err, &e) {
			t.Errorf("%q: %v, want an *Error", src, err)
			continue
		}
		if !strings.Contains(e.Message, want) || (want != "more than" && e.Line != strings.Count(src, "\n")) {
			t.Errorf("%q: got %+v, want %q on line %d", src, e, want, strings.Count(src, "\n"))
		}
	}
}

func TestNoModulesNoProcessNoNetwork(t *testing.T) {
	_, _, url := serve(t, hostile, jsserver.Limits{})
	s := dial(t, url, nil)
	got, _ := json.Marshal(ask(t, s, "globals"))
	if string(got) != `["function","undefined","undefined","undefined","undefined"]` {
		t.Errorf("typeof require, process, fetch, XMLHttpRequest, WebSocket: %s", got)
	}
}

func TestExceptionIsLoggedWithLineAndServerGoesOn(t *testing.T) {
	_, log, url := serve(t, hostile, jsserver.Limits{})
	s := dial(t, url, nil)
	if err := s.Emit("boom"); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, `handler of "boom": Uncaught TypeError: Cannot read property 'x' of undefined (server.js line 7)`)
	pong(t, s)
}

// An async handler that throws: its rejection is logged, as Node prints
// an unhandled rejection, with the line.
func TestAsyncExceptionIsLogged(t *testing.T) {
	_, log, url := serve(t, hostile, jsserver.Limits{})
	s := dial(t, url, nil)
	if err := s.Emit("asyncBoom"); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, `handler of "asyncBoom": Uncaught (in promise) TypeError: Cannot read property 'y' of undefined (server.js line 24)`)
	pong(t, s)
}

// A built-in that would make a huge value in one call, which no
// interrupt can stop, is refused before it starts: from a huge array
// length set by hand, a huge list of arguments, or parts that multiply.
func TestAmplifiersAreRefused(t *testing.T) {
	_, _, url := serve(t, hostile, jsserver.Limits{})
	s := dial(t, url, nil)
	got, _ := ask(t, s, "amplify").([]any)
	if len(got) != 13 {
		t.Fatalf("amplify answered %v", got)
	}
	for i, v := range got {
		if v != "RangeError" {
			t.Errorf("trick %d: %v, want RangeError", i+1, v)
		}
	}
	pong(t, s)
}

// An infinite loop in a handler is interrupted, the log says where, and
// the server goes on serving the same client and others.
func TestInfiniteLoopIsInterrupted(t *testing.T) {
	_, log, url := serve(t, hostile, jsserver.Limits{HandlerTime: 300 * time.Millisecond})
	evil, good := dial(t, url, nil), dial(t, url, nil)
	if err := evil.Emit("spin"); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, `handler of "spin": the handler ran for more than 300ms and was interrupted`)
	pong(t, good)
	pong(t, evil)
}

// while(true){} inside connection: that connection handler is
// interrupted, the client stays connected, and other clients connect.
func TestInfiniteLoopInConnection(t *testing.T) {
	_, log, url := serve(t, hostile, jsserver.Limits{HandlerTime: 300 * time.Millisecond})
	dial(t, url, map[string]any{"spinOnConnect": true})
	waitLog(t, log, "connection handler: the handler ran for more than 300ms")
	pong(t, dial(t, url, nil))
}

// One instance stuck in a loop does not hold up another: with a handler
// time far beyond the test's deadlines, the other's answer proves it.
func TestSpinningInstanceLeavesOthersAlone(t *testing.T) {
	stuck, _, stuckURL := serve(t, hostile, jsserver.Limits{HandlerTime: time.Hour})
	_, _, url := serve(t, hostile, jsserver.Limits{})
	if err := dial(t, stuckURL, nil).Emit("spin"); err != nil {
		t.Fatal(err)
	}
	waitRunning(t, stuck)
	pong(t, dial(t, url, nil))
	stuck.Close() // interrupts the loop
	select {
	case <-stuck.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop a spinning instance")
	}
}

// waitRunning waits until in is busy in a handler.
func waitRunning(t *testing.T, in *jsserver.Instance) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !in.Busy() {
		if time.Now().After(deadline) {
			t.Fatal("the instance never started its handler")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHugeAllocationIsRefused(t *testing.T) {
	_, log, url := serve(t, hostile, jsserver.Limits{})
	s := dial(t, url, nil)
	if err := s.Emit("repeat"); err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, `handler of "repeat": Uncaught RangeError: repeat: 1073741824 is more than the sandbox allows (8388608) (server.js line 8)`)
	pong(t, s)
}

// A string that doubles until the heap has grown past the limit stops its
// instance, and only it.
func TestGrowingHeapStopsTheInstance(t *testing.T) {
	greedy, log, url := serve(t, hostile, jsserver.Limits{HeapGrowth: 64 << 20, HandlerTime: time.Minute})
	_, _, otherURL := serve(t, hostile, jsserver.Limits{})
	other := dial(t, otherURL, nil)
	if err := dial(t, url, nil).Emit("double"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-greedy.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("the greedy instance is still running")
	}
	if !errors.Is(greedy.Err(), jsserver.ErrMemory) {
		t.Errorf("Err() = %v, want ErrMemory", greedy.Err())
	}
	waitLog(t, log, "used too much memory")
	pong(t, other)
}

func TestTimersAreBounded(t *testing.T) {
	_, _, url := serve(t, hostile, jsserver.Limits{Timers: 50})
	s := dial(t, url, nil)
	if got, _ := ask(t, s, "timers").(string); !strings.Contains(got, "too many timers") {
		t.Errorf("a million timers: %q, want too many timers", got)
	}
	pong(t, s)
	_, _, url2 := serve(t, hostile, jsserver.Limits{Timers: 50})
	s2 := dial(t, url2, nil)
	if got := ask(t, s2, "intervals"); got != "flooding" {
		t.Fatalf("intervals: %v", got)
	}
	pong(t, s2)
}
