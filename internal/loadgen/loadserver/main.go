// Command loadserver serves the Go fixture of the interop tests
// (internal/fixture) with a heartbeat and bounds set by flags, and the Go
// runtime's own figures at /debug/stats, for the measurements of `workbook
// load` that need the server's goroutines: the soak and the slow consumer.
//
//	go run ./internal/loadgen/loadserver --addr 127.0.0.1:41500 &
//	workbook load --url http://127.0.0.1:41500 --scenario soak \
//	    --server-pid $! --debug-url http://127.0.0.1:41500/debug/stats
//
// /debug/stats answers {"goroutines": N, "heap_inuse": BYTES} (see
// loadgen.DebugStats). It prints "LISTENING <addr>" once it accepts
// connections and serves until SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/sioworkbook/workbook/internal/fixture"
	"github.com/sioworkbook/workbook/internal/loadgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadserver:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:3000", "listen address")
	pingInterval := flag.Duration("ping-interval", 25*time.Second, "Engine.IO ping interval")
	pingTimeout := flag.Duration("ping-timeout", 20*time.Second, "Engine.IO ping timeout")
	maxPackets := flag.Int("max-buffered-packets", 0, "outbound bound per connection, in packets (0: the default)")
	flag.Parse()

	cfg := fixture.Config()
	cfg.PingInterval, cfg.PingTimeout = *pingInterval, *pingTimeout
	cfg.ConnectTimeout = 45 * time.Second
	cfg.MaxBufferedPackets = *maxPackets
	io := fixture.New(cfg)
	defer io.Close()

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	mux.HandleFunc("GET /debug/stats", func(w http.ResponseWriter, r *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(loadgen.DebugStats{Goroutines: runtime.NumGoroutine(), HeapInuse: int64(ms.HeapInuse)})
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		io.Close()
		srv.Close()
	}()
	fmt.Println("LISTENING", ln.Addr())
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
