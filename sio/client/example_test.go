package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// newExampleServer serves a sio server on a test HTTP server: the examples'
// other side.
func newExampleServer(setup func(io *sio.Server)) (url string, stop func()) {
	io := sio.NewServer(sio.Config{})
	setup(io)
	srv := httptest.NewServer(io)
	return srv.URL, func() {
		io.Close()
		srv.Close()
	}
}

// Connect, emit an event and wait for the server's acknowledgement.
func Example() {
	url, stop := newExampleServer(func(io *sio.Server) {
		io.OnConnection(func(s *sio.Socket) {
			s.On("hello", func(e *sio.Event) { e.Ack("hello, " + e.String(0)) })
		})
	})
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, url, client.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Manager().Close()

	res, err := s.EmitWithAck(ctx, "hello", "gopher")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res[0])
	// Output: hello, gopher
}

// Handlers added before connecting see what the server emits on
// connection; binary data comes back as []byte.
func ExampleSocket_On() {
	url, stop := newExampleServer(func(io *sio.Server) {
		io.OnConnection(func(s *sio.Socket) {
			s.Emit("welcome", "you are "+s.Handshake().Auth["name"].(string), []byte{0xca, 0xfe})
		})
	})
	defer stop()

	s, err := client.New(url, client.Options{
		NoAutoConnect: true,
		Auth:          map[string]any{"name": "ada"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Manager().Close()
	done := make(chan struct{})
	s.On("welcome", func(e *client.Event) {
		var text string
		var data []byte
		if err := e.Bind(&text, &data); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %x\n", text, data)
		close(done)
	})
	s.Connect()
	<-done
	// Output: you are ada cafe
}

// A middleware refuses the socket with data; the client gets a
// *ConnectError and does not retry until Connect is called again.
func ExampleConnectError() {
	url, stop := newExampleServer(func(io *sio.Server) {
		io.Of("/admin").Use(func(s *sio.Socket) error {
			if s.Handshake().Auth["token"] != "secret" {
				return &sio.ConnectError{Message: "not authorized", Data: map[string]any{"hint": "token"}}
			}
			return nil
		})
	})
	defer stop()

	_, err := client.Connect(context.Background(), url+"/admin", client.Options{ForceNew: true})
	var ce *client.ConnectError
	if errors.As(err, &ce) {
		fmt.Println(ce.Message, ce.Data)
	}

	s, err := client.Connect(context.Background(), url+"/admin", client.Options{
		ForceNew: true,
		Auth:     map[string]any{"token": "secret"},
	})
	fmt.Println(err, s.Connected())
	s.Disconnect()
	// Output:
	// not authorized map[hint:token]
	// <nil> true
}

// One Manager, one connection, two namespaces; the Manager's callbacks and
// the sockets' handlers run one at a time, in order.
func ExampleManager() {
	url, stop := newExampleServer(func(io *sio.Server) {
		io.Of("/chat").OnConnection(func(s *sio.Socket) { s.Emit("topic", "gophers") })
	})
	defer stop()

	m := client.NewManager(url, client.Options{NoAutoConnect: true, Transports: []string{"websocket"}})
	done := make(chan struct{})
	m.OnOpen(func() { fmt.Println("open") })
	m.OnClose(func(r client.Reason) { fmt.Println("close:", r); close(done) })

	main := m.Socket("/", client.SocketOptions{})
	chat := m.Socket("/chat", client.SocketOptions{})
	chat.On("topic", func(e *client.Event) {
		fmt.Println("topic:", e.String(0))
		chat.Disconnect()
		main.Disconnect() // the last socket: the Manager closes
	})
	chat.OnDisconnect(func(r client.Reason) { fmt.Println("chat:", r) })
	main.Connect()
	chat.Connect()
	<-done
	// Output:
	// open
	// topic: gophers
	// chat: io client disconnect
	// close: forced close
}

// Asking for an acknowledgement that never comes.
func ExampleSocket_Timeout() {
	url, stop := newExampleServer(func(io *sio.Server) {})
	defer stop()

	s, err := client.Connect(context.Background(), url, client.Options{ForceNew: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Manager().Close()
	_, err = s.Timeout(50*time.Millisecond).EmitWithAck(context.Background(), "nobody listens")
	fmt.Println(err, errors.Is(err, client.ErrAckTimeout))
	// Output: operation has timed out true
}
