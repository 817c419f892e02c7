package sio_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/parser"
)

// countingAdapter is a custom adapter: the memory adapter's bookkeeping,
// with one operation overridden. An adapter for several nodes overrides
// them all, does its share through Namespace.Local and asks its peers for
// theirs.
type countingAdapter struct {
	*sio.MemoryAdapter
	broadcasts int
}

func (a *countingAdapter) Broadcast(ctx context.Context, p *parser.Packet, opts sio.BroadcastOptions) error {
	a.broadcasts++ // a real adapter would publish p to the other nodes here
	return a.MemoryAdapter.Broadcast(ctx, p, opts)
}

func Example_adapter() {
	var adapter *countingAdapter
	io := sio.NewServer(sio.Config{NewAdapter: func(n *sio.Namespace) sio.Adapter {
		a := &countingAdapter{MemoryAdapter: sio.NewMemoryAdapter()}
		if n.Name() == "/" {
			adapter = a
		}
		return a
	}})
	srv := httptest.NewServer(io)
	defer srv.Close()
	defer io.Close()

	if err := io.To("news").Emit("headline", "adapters carry clusters"); err != nil {
		log.Fatal(err)
	}
	n, _ := io.ServerCount(context.Background())
	fmt.Println("broadcasts:", adapter.broadcasts, "servers:", n)
	// Output: broadcasts: 1 servers: 1
}
