// Package admin serves the official Socket.IO Admin UI (the @socket.io/admin-ui
// npm package, and its hosted copy at https://admin.socket.io) from a sio
// server: the server side of the UI's protocol on the "/admin" namespace, as
// instrument() does for a Node server.
//
// An Admin takes part in the server's Config (it watches the server through
// an Observer and the rooms through the adapter, and lets the UI's origins
// in with credentials), then attaches to the server it made:
//
//	a, err := admin.New(admin.Options{Username: "admin", PasswordHash: hash})
//	if err != nil { ... }                 // a hash that is not bcrypt
//	io := sio.NewServer(a.Config(sio.Config{}))
//	if err := a.Attach(io); err != nil { ... }
//	defer a.Close()
//
// # What the UI gets
//
// Each UI that connects gets "session" (after a login with a password),
// "config" ({supportedFeatures}), and "all_sockets"; then "server_stats"
// every 2 seconds, and as they happen "socket_connected",
// "socket_updated" (a transport upgrade), "socket_disconnected",
// "room_joined", "room_left", "event_received" and "event_sent". With
// Options.Production only "config" and "server_stats" are sent, as with
// NODE_ENV=production in Node.
//
// The UI's commands "emit", "join", "leave" and "_disconnect" act on the
// sockets of a namespace, all of them or those in a room (a socket's id is
// a room). With Options.ReadOnly they are ignored. A command with the wrong
// arguments, or naming a namespace that does not exist, is ignored and
// logged (it does not create the namespace). With a cluster adapter, a
// command reaches the sockets of every node.
//
// # Authentication
//
// With Options.Username and Options.PasswordHash (bcrypt, as made by
// htpasswd -nbBC 10 or bcrypt.GenerateFromPassword), a UI must log in;
// it then receives a session id that logs it in again after a reload, for
// 24 hours or until the Admin is closed. Without them anyone who reaches the
// server may use the UI: keep that to loopback.
//
// # Costs and limits
//
// While no UI is connected the Admin costs the server one atomic load per
// packet. While one is, each event to or from a socket is copied into a
// bounded queue that a single goroutine of the Admin drains, turning it
// into messages for the UIs; past the bound (Options.MaxQueued, or 8 MiB of
// event data), notifications are dropped and counted, and with the next
// "server_stats" the UIs get a fresh "all_sockets" so that their lists are
// right again (once per interval at most, however long the flood). The
// server is never slowed down to wait for a UI.
//
// # Concurrency
//
// New, Config and Attach are called once, in that order, while the server
// is built; Close may be called from any goroutine, more than once.
package admin
