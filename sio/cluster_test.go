package sio_test

import (
	"context"
	"slices"
	"testing"

	"github.com/sioworkbook/workbook/sio"
)

// With the memory adapter the cluster operations reach this process only:
// one server, no other node to answer a server-side emit, and the fetched
// sockets are this node's, with their rooms and data.
func TestMemoryAdapterClusterOperations(t *testing.T) {
	io, srv := newServer(t, sio.Config{})
	ctx := context.Background()
	ran := make(chan struct{}, 1)
	io.OnServerSideEmit("ping", func([]any, func(any)) { ran <- struct{}{} })
	a, b := dialRaw(t, srv), dialRaw(t, srv)
	ida, idb := a.connect("/", ""), b.connect("/", "")
	io.Sockets().Socket(ida).SetData(map[string]any{"n": 1})
	if err := io.In(ida).SocketsJoin("r"); err != nil {
		t.Fatal(err)
	}
	if n, err := io.ServerCount(ctx); err != nil || n != 1 {
		t.Fatalf("ServerCount = %d, %v; want 1", n, err)
	}
	if answers, err := io.ServerSideEmitWithAck(ctx, "ping"); err != nil || len(answers) != 0 {
		t.Fatalf("ServerSideEmitWithAck = %v, %v; want no answer", answers, err)
	}
	select {
	case <-ran:
		t.Fatal("the sending node's own handler ran")
	default:
	}
	socks, err := io.In("r").FetchRemoteSockets(ctx)
	if err != nil || len(socks) != 1 {
		t.Fatalf("FetchRemoteSockets(r) = %v, %v", socks, err)
	}
	rs := socks[0]
	rooms := slices.Clone(rs.Rooms)
	slices.Sort(rooms) // in no particular order
	want := []string{ida, "r"}
	slices.Sort(want)
	if rs.ID != ida || rs.Socket() == nil || !slices.Equal(rooms, want) || rs.Handshake == nil {
		t.Fatalf("remote socket = %+v", rs)
	}
	if m, _ := rs.Data.(map[string]any); m["n"] != 1 {
		t.Fatalf("data = %v", rs.Data)
	}
	if err := rs.Emit("hello", "you"); err != nil {
		t.Fatal(err)
	}
	a.expect(`42["hello","you"]`)
	if err := rs.Leave("r"); err != nil {
		t.Fatal(err)
	}
	if got := io.Sockets().Socket(ida).Rooms(); !slices.Equal(got, []string{ida}) {
		t.Fatalf("rooms after Leave = %v", got)
	}
	if err := io.Except(ida).DisconnectSockets(); err != nil {
		t.Fatal(err)
	}
	b.expect("41")
	if io.Sockets().Socket(idb) != nil {
		t.Fatal("b still connected")
	}
}
