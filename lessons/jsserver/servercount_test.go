package jsserver_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/sioworkbook/workbook/lessons/jsserver"
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/client"
)

// nodesAdapter is a memory adapter that reports a cluster of n nodes, or
// err.
type nodesAdapter struct {
	*sio.MemoryAdapter
	n   int
	err error
}

func (a nodesAdapter) ServerCount(context.Context) (int, error) { return a.n, a.err }

// TestAdapterServerCount: adapter.serverCount() is a promise of what the
// namespace's adapter answers (a Redis adapter asks Redis), and rejects
// with its error.
func TestAdapterServerCount(t *testing.T) {
	const script = `io.on("connection", (socket) => {
  socket.on("nodes", async (callback) => {
    try {
      callback(await io.of("/").adapter.serverCount());
    } catch (err) {
      callback(err.message);
    }
  });
});`
	for _, c := range []struct {
		name string
		a    nodesAdapter
		want any
	}{
		{"three nodes", nodesAdapter{n: 3}, float64(3)},
		{"no answer", nodesAdapter{err: errors.New("redis is away")}, "adapter.serverCount(): redis is away"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in, err := jsserver.Start(jsserver.Config{Source: script, Log: step.NewLog(nil), Server: sio.Config{
				NewAdapter: func(*sio.Namespace) sio.Adapter {
					a := c.a
					a.MemoryAdapter = sio.NewMemoryAdapter()
					return a
				},
			}})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(in)
			t.Cleanup(func() { in.Close(); srv.Close() })
			s, err := connectTo(t, srv.URL, client.Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := call(t, s, "nodes"); len(got) != 1 || got[0] != c.want {
				t.Errorf("serverCount() gave %v, want %v", got, c.want)
			}
		})
	}
}
