package engine_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/sio/engine"
)

// echo answers every message with itself.
type echo struct{}

func (echo) Open(s *engine.Session) engine.SessionHandler { return echoSession{s} }

type echoSession struct{ s *engine.Session }

func (e echoSession) Message(data []byte, binary bool) {
	e.s.Send(engine.Message{Data: data, Binary: binary})
}

func (e echoSession) Close(reason engine.Reason) {}

// Mount an echo server and talk to it as a polling client does: handshake,
// POST a payload, GET the answers.
func Example() {
	mux := http.NewServeMux()
	mux.Handle("/engine.io/", engine.NewServer(engine.Config{}, echo{}))
	ts := httptest.NewServer(mux)
	defer ts.Close()

	get := func(query string) string {
		res, err := http.Get(ts.URL + "/engine.io/?" + query)
		if err != nil {
			panic(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	open := get("EIO=4&transport=polling")
	sid := open[len(`0{"sid":"`):][:20]
	fmt.Println(strings.Replace(open, sid, "<sid>", 1))

	res, err := http.Post(ts.URL+"/engine.io/?EIO=4&transport=polling&sid="+sid, "text/plain;charset=UTF-8",
		strings.NewReader("4hello\x1ebAQIDBA=="))
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Printf("%q\n", get("EIO=4&transport=polling&sid="+sid))
	// Output:
	// 0{"sid":"<sid>","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
	// "4hello\x1ebAQIDBA=="
}

// Refused requests are answered as the official server answers them.
func ExampleServer_ServeHTTP_errors() {
	ts := httptest.NewServer(engine.NewServer(engine.Config{}, echo{}))
	defer ts.Close()
	for _, query := range []string{"EIO=4&transport=carrier-pigeon", "EIO=4&transport=polling&sid=nope", "EIO=3&transport=polling"} {
		res, err := http.Get(ts.URL + "/?" + query)
		if err != nil {
			panic(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Println(res.StatusCode, string(b))
	}
	// Output:
	// 400 {"code":0,"message":"Transport unknown"}
	// 400 {"code":1,"message":"Session ID unknown"}
	// 400 {"code":5,"message":"Unsupported protocol version"}
}

// A configuration for browsers on other origins, with a faster heartbeat
// and a check of every handshake.
func ExampleConfig() {
	cfg := engine.Config{
		PingInterval: 10 * time.Second,
		PingTimeout:  5 * time.Second,
		CORS:         &engine.CORS{Origins: []string{"https://app.example"}, Credentials: true},
		AllowRequest: func(r *http.Request) error {
			if r.Header.Get("Origin") != "https://app.example" {
				return fmt.Errorf("origin not allowed")
			}
			return nil
		},
	}
	ts := httptest.NewServer(engine.NewServer(cfg, echo{}))
	defer ts.Close()
	res, err := http.Get(ts.URL + "/?EIO=4&transport=polling")
	if err != nil {
		panic(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, string(b))
	// Output:
	// 403 {"code":4,"message":"origin not allowed"}
}

// Encode packets for a polling response, and decode a request body.
func ExampleAppendPayload() {
	body := engine.AppendPayload(nil, []engine.Packet{
		{Type: engine.PacketMessage, Data: []byte("hello")},
		{Type: engine.PacketMessage, Data: []byte{1, 2, 3, 4}, Binary: true},
		{Type: engine.PacketPing},
	})
	fmt.Printf("%q\n", body)

	packets, err := engine.DecodePayload([]byte("4hi\x1ebAQID\x1e3"))
	fmt.Println(err)
	for _, p := range packets {
		fmt.Println(p.Type, p.Binary, p.Data)
	}
	// Output:
	// "4hello\x1ebAQIDBA==\x1e2"
	// <nil>
	// message false [104 105]
	// message true [1 2 3]
	// pong false []
}

// One encoded message can go to many sessions: Send does not copy it.
func ExampleSession_Send() {
	var sessions []*engine.Session // e.g. kept by a Handler's Open
	msg := engine.Message{Data: []byte(`2["news","extra!"]`)}
	for _, s := range sessions {
		if err := s.Send(msg); err != nil {
			// ErrClosed or ErrQueueFull: the session is over
			continue
		}
	}
}
