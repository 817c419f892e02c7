package sio_test

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio"
)

// fixtureServer runs the Go fixture (internal/fixture) on a fixed loopback
// port, so that it can be restarted where clients expect it.
type fixtureServer struct {
	t    testing.TB
	addr string

	mu   sync.Mutex
	io   *sio.Server
	http *http.Server
	done chan struct{}
}

func startFixture(t testing.TB) *fixtureServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixtureServer{t: t, addr: ln.Addr().String()}
	f.serve(ln)
	t.Cleanup(f.stop)
	return f
}

func (f *fixtureServer) url() string { return "http://" + f.addr }

func (f *fixtureServer) serve(ln net.Listener) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.io = fixture.New(fixture.Config())
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", f.io)
	f.http = &http.Server{Handler: mux}
	f.done = make(chan struct{})
	go func(srv *http.Server, done chan struct{}) {
		srv.Serve(ln)
		close(done)
	}(f.http, f.done)
}

// stop closes every connection without a Socket.IO DISCONNECT, as a crash
// would, and stops listening.
func (f *fixtureServer) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.io.Close()
	f.http.Close()
	<-f.done
}

func (f *fixtureServer) restart() error {
	f.stop()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may take a moment to be free again
		if ln, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("listen again on %s: %w", f.addr, err)
	}
	f.serve(ln)
	return nil
}

// TestOfficialClientScenarios runs every scenario of interop/node/scenarios.mjs
// (the official socket.io-client) against our server. The same scenarios
// pass against the official Node server (internal/nodetest), so each one
// checks that we behave as it does.
func TestOfficialClientScenarios(t *testing.T) {
	nodetest.Setup(t)
	list := nodetest.Scenarios(t)
	shared := startFixture(t)
	t.Run("parallel", func(t *testing.T) {
		for _, sc := range list {
			if sc.Serial {
				continue
			}
			t.Run(sc.Name, func(t *testing.T) {
				t.Parallel()
				nodetest.RunScenario(t, shared.url(), sc.Name, nil)
			})
		}
	})
	for _, sc := range list {
		if !sc.Serial {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			f := startFixture(t)
			nodetest.RunScenario(t, f.url(), sc.Name, func(cmd string) error {
				if cmd != "restart" {
					return fmt.Errorf("unknown command %q", cmd)
				}
				return f.restart()
			})
		})
	}
}
