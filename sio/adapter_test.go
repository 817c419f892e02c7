package sio_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/sioworkbook/workbook/sio"
)

func selected(a sio.Adapter, opts sio.BroadcastOptions) []string {
	var ids []string
	a.Select(opts, func(id string) { ids = append(ids, id) })
	sort.Strings(ids)
	return ids
}

// The in-memory adapter keeps rooms of one socket and sockets in one room
// without maps of their own; it behaves the same as they grow and shrink.
func TestMemoryAdapterRooms(t *testing.T) {
	a := sio.NewMemoryAdapter()
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Fatalf("%s = %q, want %q", what, got, want)
		}
	}
	a.AddAll("a", "a")
	a.AddAll("b", "b")
	a.AddAll("c") // no rooms: still a socket the adapter knows
	check("all", selected(a, sio.BroadcastOptions{}), "a", "b", "c")
	check("rooms", a.Rooms(), "a", "b")
	a.AddAll("a", "x", "y")
	a.AddAll("b", "x")
	a.AddAll("b", "x") // twice: once
	check("a's rooms", a.SocketRooms("a"), "a", "x", "y")
	check("b's rooms", a.SocketRooms("b"), "b", "x")
	check("x", selected(a, sio.BroadcastOptions{Rooms: []string{"x"}}), "a", "b")
	check("x or y", selected(a, sio.BroadcastOptions{Rooms: []string{"x", "y"}}), "a", "b")
	check("x but y", selected(a, sio.BroadcastOptions{Rooms: []string{"x"}, Except: []string{"y"}}), "b")
	check("all but x", selected(a, sio.BroadcastOptions{Except: []string{"x"}}), "c")
	a.Del("a", "x")
	check("x after a left", selected(a, sio.BroadcastOptions{Rooms: []string{"x"}}), "b")
	check("a's rooms after x", a.SocketRooms("a"), "a", "y")
	a.Del("a", "y")
	a.Del("a", "nowhere")
	check("a's rooms after y", a.SocketRooms("a"), "a")
	a.AddAll("", "") // an empty name is a name
	check("empty room", selected(a, sio.BroadcastOptions{Rooms: []string{""}}), "")
	a.DelAll("")
	a.DelAll("b")
	check("rooms at the end", a.Rooms(), "a")
	check("all at the end", selected(a, sio.BroadcastOptions{}), "a", "c")
	a.DelAll("a")
	a.DelAll("c")
	check("none", selected(a, sio.BroadcastOptions{}))
	check("no rooms", a.Rooms())
}
