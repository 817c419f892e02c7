package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/static"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("WORKBOOK_ADDR", ":3000"), "listen address HOST:PORT (env WORKBOOK_ADDR)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: workbook serve [flags]")
		fmt.Fprintln(stderr, "\nServes the workbook. Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	h := newWorkbook(log)
	defer h.close()
	log.Info("workbook listening", "url", "http://"+displayAddr(ln.Addr()))
	return serveUntilDone(ctx, ln, h)
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}

// workbook is the whole site: the main Socket.IO server and the pages.
type workbook struct {
	mux *http.ServeMux
	io  *sio.Server
}

func newWorkbook(log *slog.Logger) *workbook {
	io := sio.NewServer(sio.Config{Logger: log, ClientScript: static.SocketIOJS, ClientModule: static.SocketIOESM})
	io.OnConnection(func(s *sio.Socket) {
		log.Info("a user connected", "socket", s.ID())
		s.OnDisconnect(func(r sio.Reason) { log.Info("a user disconnected", "socket", s.ID(), "reason", r) })
	})
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, homePage)
	})
	return &workbook{mux: mux, io: io}
}

func (wb *workbook) ServeHTTP(w http.ResponseWriter, r *http.Request) { wb.mux.ServeHTTP(w, r) }

func (wb *workbook) close() { wb.io.Close() }

const homePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Socket.IO Workbook</title></head>
<body>
<h1>Socket.IO Workbook</h1>
<p>The Socket.IO server is running at <code>/socket.io/</code>. The lessons are being written.</p>
</body></html>
`
