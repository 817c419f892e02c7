package sio_test

import (
	"context"
	"errors"
	"log"
	"net/http"
	"regexp"
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// A server with one event, mounted on the default mux.
func ExampleNewServer() {
	io := sio.NewServer(sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		log.Println("a user connected")
		s.On("chat message", func(e *sio.Event) {
			io.Emit("chat message", e.String(0)) // to everyone, the sender included
		})
		s.OnDisconnect(func(reason sio.Reason) {
			log.Println("a user disconnected:", reason)
		})
	})
	http.Handle("/socket.io/", io)
	// http.ListenAndServe(":3000", nil)
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
			e.Ack(map[string]any{"ok": true})
		})
	})
}

// Asking a client for an acknowledgement and waiting for it.
func ExampleSocket_EmitWithAck() {
	io := sio.NewServer(sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		args, err := s.Timeout(5*time.Second).EmitWithAck(context.Background(), "are you there?")
		if errors.Is(err, sio.ErrAckTimeout) {
			log.Println("no answer")
			return
		}
		log.Println("the client said", args)
	})
}

// Rooms: join on request, then broadcast to the room, leaving the sender out.
func ExampleSocket_Join() {
	io := sio.NewServer(sio.Config{})
	io.OnConnection(func(s *sio.Socket) {
		s.On("join", func(e *sio.Event) {
			room := e.String(0)
			s.Join(room)
			s.To(room).Emit("joined", s.ID())
		})
	})
	io.To("lobby").Except("muted").Emit("news", "the server restarts at noon")
}

// A middleware that refuses connections without a token, with data the
// client reads in err.data.
func ExampleNamespace_Use() {
	io := sio.NewServer(sio.Config{})
	admin := io.Of("/admin")
	admin.Use(func(s *sio.Socket) error {
		if s.Handshake().Auth["token"] != "secret" {
			return &sio.ConnectError{Message: "not authorized", Data: map[string]any{"reason": "bad token"}}
		}
		return nil
	})
}

// Dynamic namespaces: any name that matches exists.
func ExampleServer_OfRegexp() {
	io := sio.NewServer(sio.Config{})
	workspaces := io.OfRegexp(regexp.MustCompile(`^/workspace-\d+$`))
	workspaces.OnConnection(func(s *sio.Socket) {
		s.Emit("hello", s.Namespace().Name())
	})
}
