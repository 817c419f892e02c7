package sio_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"time"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
	"github.com/sioworkbook/workbook/sio/engine"
	"github.com/sioworkbook/workbook/sio/parser"
)

// exampleWait bounds every wait of the examples: long, as a busy machine
// may take its time, and never reached when all goes well.
const exampleWait = time.Minute

// serve mounts io at its path on a test server, and returns the server's
// URL and a function that closes both, Socket.IO first, so that no
// long-polling request keeps the test server waiting.
func serve(io *sio.Server) (url string, stop func()) {
	mux := http.NewServeMux()
	mux.Handle(io.Path(), io)
	ts := httptest.NewServer(mux)
	return ts.URL, func() { io.Close(); ts.Close() }
}

// Mount a server on a mux, connect a client, and exchange an event each way.
func Example() {
	io := sio.NewServer(sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("chat message", func(e *sio.Event) {
			io.Emit("chat message", "echo: "+e.String(0)) // to everyone, the sender included
		})
	})
	url, stop := serve(io) // in a program: http.Handle("/socket.io/", io)
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), exampleWait)
	defer cancel()
	s, err := client.Connect(ctx, url, client.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Disconnect()
	got := make(chan string, 1)
	s.On("chat message", func(e *client.Event) { got <- e.String(0) })
	s.Emit("chat message", "hello")
	fmt.Println(<-got)
	// Output: echo: hello
}

// Decoding arguments into your own types, and answering the client's
// acknowledgement callback.
func ExampleEvent_Bind() {
	type message struct {
		Text string `json:"text"`
		User string `json:"user"`
	}
	io := sio.NewServer(sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("msg", func(e *sio.Event) {
			var m message
			if err := e.Bind(&m); err != nil || m.Text == "" {
				e.Ack(map[string]any{"error": "empty message"})
				return
			}
			s.Broadcast().Emit("newmsg", m)
			e.Ack(map[string]any{"ok": true, "from": m.User})
		})
	})
	url, stop := serve(io)
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), exampleWait)
	defer cancel()
	s, err := client.Connect(ctx, url, client.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Disconnect()
	for _, m := range []map[string]any{{"text": "hi", "user": "ana"}, {"user": "bob"}} {
		res, err := s.EmitWithAck(ctx, "msg", m)
		fmt.Println(res, err)
	}
	// Output:
	// [map[from:ana ok:true]] <nil>
	// [map[error:empty message]] <nil>
}

// Asking a client for an acknowledgement and waiting for it.
func ExampleSocket_EmitWithAck() {
	io := sio.NewServer(sio.Config{})
	done := make(chan struct{})
	io.OnConnection(func(s *sio.Socket) {
		defer close(done)
		args, err := s.Timeout(exampleWait).EmitWithAck(context.Background(), "are you there?")
		if errors.Is(err, sio.ErrAckTimeout) {
			fmt.Println("no answer")
			return
		}
		fmt.Println("the client said", args)
	})
	url, stop := serve(io)
	defer stop()

	// The client answers the server's question with its acknowledgement.
	// Its handler is in place before it connects, as the question comes
	// at once.
	s, err := client.New(url, client.Options{NoAutoConnect: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Disconnect()
	s.On("are you there?", func(e *client.Event) { e.Ack("yes", 42) })
	ctx, cancel := context.WithTimeout(context.Background(), exampleWait)
	defer cancel()
	if err := s.ConnectContext(ctx); err != nil {
		fmt.Println(err)
		return
	}
	<-done
	// Output: the client said [yes 42]
}

// Rooms: a socket joins one on request; a broadcast to the room reaches
// its sockets only, one to everyone reaches all.
func ExampleSocket_Join() {
	io := sio.NewServer(sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("join", func(e *sio.Event) {
			s.Join(e.String(0))
			e.Ack("joined " + e.String(0))
		})
	})
	url, stop := serve(io)
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), exampleWait)
	defer cancel()
	news := map[string]chan string{}
	for _, name := range []string{"ana", "bob"} {
		// ForceNew: each client has a connection of its own, as two
		// browsers would.
		s, err := client.Connect(ctx, url, client.Options{ForceNew: true})
		if err != nil {
			fmt.Println(err)
			return
		}
		defer s.Disconnect()
		ch := make(chan string, 2)
		s.On("news", func(e *client.Event) { ch <- e.String(0) })
		news[name] = ch
		if name == "ana" {
			res, _ := s.EmitWithAck(ctx, "join", "lobby")
			fmt.Println("ana:", res[0])
		}
	}
	io.To("lobby").Emit("news", "for the lobby")
	io.Emit("news", "for everyone")
	fmt.Println("ana:", <-news["ana"], "/", <-news["ana"])
	fmt.Println("bob:", <-news["bob"])
	// Output:
	// ana: joined lobby
	// ana: for the lobby / for everyone
	// bob: for everyone
}

// A middleware that refuses connections without a token, with data the
// client reads in its ConnectError (err.data in JavaScript).
func ExampleNamespace_Use() {
	io := sio.NewServer(sio.Config{})
	admin := io.Of("/admin")
	admin.Use(func(s *sio.Socket) error {
		if s.Handshake().Auth["token"] != "secret" {
			return &sio.ConnectError{Message: "not authorized", Data: map[string]any{"reason": "bad token"}}
		}
		return nil
	})
	url, stop := serve(io)
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), exampleWait)
	defer cancel()
	for _, token := range []string{"guess", "secret"} {
		s, err := client.Connect(ctx, url+"/admin", client.Options{ForceNew: true, Auth: map[string]any{"token": token}})
		if ce, ok := errors.AsType[*client.ConnectError](err); ok {
			fmt.Printf("%s: refused: %s %v\n", token, ce.Message, ce.Data)
		} else if err == nil {
			fmt.Printf("%s: connected to %s\n", token, s.Namespace())
		}
		if s != nil {
			s.Disconnect()
		}
	}
	// Output:
	// guess: refused: not authorized map[reason:bad token]
	// secret: connected to /admin
}

// Dynamic namespaces: any name that matches exists, from the first client
// that connects to it.
func ExampleServer_OfRegexp() {
	io := sio.NewServer(sio.Config{})
	workspaces := io.OfRegexp(regexp.MustCompile(`^/workspace-\d+$`))
	workspaces.OnConnection(func(s *sio.Socket) {
		s.Emit("hello", s.Namespace().Name())
	})
	url, stop := serve(io)
	defer stop()

	s, err := client.New(url+"/workspace-42", client.Options{NoAutoConnect: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Disconnect()
	hello := make(chan string, 1)
	s.On("hello", func(e *client.Event) { hello <- e.String(0) })
	ctx, cancel := context.WithTimeout(context.Background(), exampleWait)
	defer cancel()
	if err := s.ConnectContext(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("welcome to", <-hello)
	// Output: welcome to /workspace-42
}

// An Observer sets the hooks it needs; this one lists the Socket.IO
// packets of a connection, as an inspector would record them.
func ExampleObserver() {
	var mu sync.Mutex
	var packets []string
	obs := &sio.Observer{
		SocketPacket: func(sid string, dir engine.Direction, p *parser.Packet) {
			mu.Lock()
			defer mu.Unlock()
			line := fmt.Sprintf("%-3s %s", dir, p.Type)
			if p.Type != parser.Connect { // a CONNECT carries the socket's id, which changes
				line += " " + string(p.Data)
			}
			packets = append(packets, line)
		},
	}
	io := sio.NewServer(sio.Config{Observer: obs})
	io.OnConnection(func(s *sio.Socket) {
		s.On("ping", func(e *sio.Event) { e.Ack("pong") })
	})
	url, stop := serve(io)
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), exampleWait)
	defer cancel()
	s, err := client.Connect(ctx, url, client.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Disconnect()
	if _, err := s.EmitWithAck(ctx, "ping"); err != nil {
		fmt.Println(err)
		return
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range packets {
		fmt.Println(p)
	}
	// Output:
	// in  CONNECT
	// out CONNECT
	// in  EVENT ["ping"]
	// out ACK ["pong"]
}

// Reading the client's auth payload without building the whole handshake.
func ExampleSocket_Auth() {
	io := sio.NewServer(sio.Config{})
	io.Use(func(s *sio.Socket) error {
		var auth struct{ Token string }
		if err := json.Unmarshal(s.Auth(), &auth); err != nil || auth.Token != "secret" {
			return &sio.ConnectError{Message: "not authorized"}
		}
		return nil
	})
	url, stop := serve(io)
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), exampleWait)
	defer cancel()
	for _, token := range []string{"guess", "secret"} {
		s, err := client.Connect(ctx, url, client.Options{ForceNew: true, NoReconnection: true, Auth: map[string]any{"token": token}})
		if ce, ok := errors.AsType[*client.ConnectError](err); ok {
			fmt.Printf("%s: refused: %s\n", token, ce.Message)
		} else if err == nil {
			fmt.Printf("%s: connected\n", token)
			s.Disconnect()
		}
	}
	// Output:
	// guess: refused: not authorized
	// secret: connected
}
