package main

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/redisadapter"
)

// redisAdapter connects to the Redis at url and returns the adapter
// factory for sio.Config.NewAdapter, and a function that closes the client
// and every adapter it made.
func redisAdapter(url string, log *slog.Logger) (func(*sio.Namespace) sio.Adapter, func(), error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("--redis %q: %w", url, err)
	}
	rdb := redis.NewClient(opts)
	newAdapter := redisadapter.New(rdb, redisadapter.Config{Logger: log})
	var made []*redisadapter.Adapter
	factory := func(n *sio.Namespace) sio.Adapter {
		a := newAdapter(n).(*redisadapter.Adapter)
		made = append(made, a) // namespaces are made under the server's lock
		return a
	}
	closeAll := func() {
		for _, a := range made {
			_ = a.Close()
		}
		_ = rdb.Close()
	}
	return factory, closeAll, nil
}

// clusterHandlers are the fixture's cluster operations (testserver
// --redis), the same as interop/node/cluster-node.mjs: each answers with
// the ack callback when the client passes one. addr is what the server
// puts before the tag when it answers a server-side "sse".
func clusterHandlers(io *sio.Server, addr string) {
	io.OnServerSideEmit("sse", func(args []any, ack func(any)) {
		if ack != nil && len(args) > 0 {
			ack(fmt.Sprintf("%s:%v", addr, args[0]))
		}
	})
	ack := func(e *sio.Event, args ...any) {
		if e.HasAck() {
			_ = e.Ack(args...)
		}
	}
	io.OnConnection(func(s *sio.Socket) {
		// "join" and "to" are the fixture's own room events on "/"
		// (fixture.RoomEvents), which act the same through the adapter.
		s.On("leave", func(e *sio.Event) { s.Leave(e.String(0)); ack(e, true) })
		s.On("except", func(e *sio.Event) {
			args := e.Args()
			if len(args) >= 2 {
				_ = io.Except(e.String(0)).Emit(e.String(1), args[2:]...)
			}
			ack(e, true)
		})
		s.On("fetch", func(e *sio.Event) {
			socks, _ := io.In(e.String(0)).FetchRemoteSockets(context.Background())
			ids := make([]string, 0, len(socks))
			for _, r := range socks {
				ids = append(ids, r.ID)
			}
			sort.Strings(ids)
			ack(e, ids)
		})
		s.On("remote-join", func(e *sio.Event) { _ = io.In(e.String(0)).SocketsJoin(e.String(1)); ack(e, true) })
		s.On("remote-leave", func(e *sio.Event) { _ = io.In(e.String(0)).SocketsLeave(e.String(1)); ack(e, true) })
		s.On("remote-disconnect", func(e *sio.Event) { _ = io.In(e.String(0)).CloseSockets(); ack(e, true) })
		s.On("bcast-ack", func(e *sio.Event) {
			res, _ := io.To(e.String(0)).Timeout(2*time.Second).EmitWithAck(context.Background(), e.String(1))
			ack(e, sortedAnswers(res))
		})
		s.On("sse", func(e *sio.Event) {
			res, _ := io.ServerSideEmitWithAck(context.Background(), "sse", e.Arg(0))
			ack(e, sortedAnswers(res))
		})
		s.On("server-count", func(e *sio.Event) {
			n, _ := io.ServerCount(context.Background())
			ack(e, n)
		})
	})
}

// sortedAnswers sorts answers as JavaScript's Array.prototype.sort does:
// by their string forms.
func sortedAnswers(res []any) []any {
	out := append([]any{}, res...)
	sort.SliceStable(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}
