package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/a-h/templ"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/web"
	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/admin"
	"github.com/sioworkbook/workbook/static"
)

// ServeCommand serves the workbook: the pages, the main Socket.IO server at
// /socket.io/ and the inspector at /inspector/, recording every packet.
type ServeCommand struct {
	Addr           string
	DB             string
	NoRecord       bool
	RecordCPU      float64
	Keep           time.Duration
	MaxDBSize      int64
	InspectorToken string
	AdminUI        adminUIFlags
	Redis          string
}

func (c *ServeCommand) flags() *flagSet {
	fs := newFlagSet("serve", "workbook [serve] [flags]", `
Serves the workbook on --addr: the pages, the Socket.IO server at
/socket.io/ and the inspector at /inspector/. Every packet is recorded to
the SQLite file --db (created if missing) unless --no-record is given.

With DEBUG set (DEBUG=* or a pattern such as DEBUG=engine,socket.io:*), the
server's trace is printed to stderr live, as with DEBUG=* node app.js.

By default the workbook listens on loopback only (127.0.0.1:3000): this
machine's browser reaches it, and nothing needs a token. For a class, give
--addr :3000 to listen on every interface.

The inspector pages show everyone's traffic: when --addr is not loopback
only (":3000" listens on every interface), they require a token, the one
given with --inspector-token or a random one printed at start. The
classroom (/classroom/: who is connected, who finished what) shows
everyone's progress and requires the same token.

The Scaling out chapter runs two Socket.IO nodes joined by a Redis adapter:
on the Redis of --redis, or without it on an embedded one that lives in
this process.`)
	fs.stringVar(&c.Addr, "addr", "WORKBOOK_ADDR", "HOST:PORT", defaultServeAddr, "listen address; :3000 listens on every interface, for a class")
	fs.dbFlag(&c.DB, "the SQLite file packets are recorded to")
	fs.boolVar(&c.NoRecord, "no-record", "WORKBOOK_NO_RECORD", false, "record nothing (the inspector shows --db if it exists)")
	fs.recordCPUFlag(&c.RecordCPU)
	fs.durationVar(&c.Keep, "keep", "WORKBOOK_KEEP", "DURATION", 0, "delete sessions that ended longer ago than this, e.g. 7d or 12h; 0 keeps them")
	fs.valueVar((*sizeValue)(&c.MaxDBSize), "max-db-size", "WORKBOOK_MAX_DB_SIZE", "SIZE", "delete the oldest sessions while --db is larger than this, e.g. 500MB or 1GB; 0 for no limit")
	fs.stringVar(&c.InspectorToken, "inspector-token", "WORKBOOK_INSPECTOR_TOKEN", "TOKEN", "", "token the inspector pages require (default: none on loopback, else a random one)")
	fs.stringVar(&c.Redis, "redis", "WORKBOOK_REDIS", "URL", "", "the Redis of the Scaling out chapter (redis://HOST:PORT/DB); default: an embedded one")
	c.AdminUI.register(fs)
	return fs
}

// Usage writes the help of serve.
func (c *ServeCommand) Usage(w io.Writer) { c.flags().usage(w) }

// Run serves until ctx is done, then closes every connection, flushes the
// recorder and closes the database.
func (c *ServeCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := c.flags()
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if err := checkSQLite(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	adm, err := c.AdminUI.open(c.Addr, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ln.Close()

	rec, err := openRecording(c.DB, !c.NoRecord, c.RecordCPU, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer func() {
		if cerr := rec.close(); cerr != nil && err == nil {
			err = fmt.Errorf("serve: %w", cerr)
		}
	}()

	token, generated := inspectorToken(c.Addr, c.InspectorToken)
	wb, err := newWorkbook(workbookConfig{
		Logger:   log,
		DB:       rec.db,
		Recorder: rec.rec,
		Debug:    debugObserver(stderr),
		Token:    token,
		Admin:    adm,
		Redis:    c.Redis,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer wb.close()

	bgctx, stopBackground := context.WithCancel(ctx)
	defer stopBackground() // before rec.close: deferred calls run last-in first-out
	if rec.rec != nil {
		if c.Keep > 0 || c.MaxDBSize > 0 {
			rec.db.StartRetention(bgctx, retentionEvery, c.Keep, c.MaxDBSize)
		}
	}

	base := "http://" + displayAddr(ln.Addr())
	fmt.Fprintf(stdout, "workbook listening on %s\n", base)
	fmt.Fprintf(stdout, "open %s/ in your browser\n", base)
	switch {
	case wb.pages == nil:
		fmt.Fprintf(stdout, "inspector: off (--no-record and no %s)\n", c.DB)
	case generated:
		fmt.Fprintf(stdout, "inspector: %s/inspector/?token=%s (the token is required: %s is not loopback only)\n", base, token, c.Addr)
	case token != "":
		fmt.Fprintf(stdout, "inspector: %s/inspector/ (the token of --inspector-token is required)\n", base)
	default:
		fmt.Fprintf(stdout, "inspector: %s/inspector/\n", base)
	}
	if generated {
		fmt.Fprintf(stdout, "classroom: %s/classroom/?token=%s\n", base, token)
	} else {
		fmt.Fprintf(stdout, "classroom: %s/classroom/\n", base)
	}
	c.AdminUI.announce(stdout, base)
	if c.Redis != "" {
		fmt.Fprintf(stdout, "scaling chapter: Redis at %s\n", lessons.RedactRedis(c.Redis))
	} else {
		fmt.Fprintln(stdout, "scaling chapter: embedded Redis (--redis URL for a real one)")
	}
	if rec.rec != nil {
		fmt.Fprintf(stdout, "recording to %s\n", c.DB)
	} else {
		fmt.Fprintln(stdout, "recording is off")
	}
	var h http.Handler = wb
	if loopbackOnly(c.Addr) {
		h = web.LoopbackHosts(wb) // no DNS rebinding onto a workbook with no token
	}
	return serveUntilDone(ctx, ln, h, wb.closeSockets)
}

// defaultServeAddr is where serve listens without --addr: loopback only,
// so that a learner on their own machine needs no token (as Jupyter does).
const defaultServeAddr = "127.0.0.1:3000"

// retentionEvery is how often serve applies --keep and --max-db-size.
var retentionEvery = 5 * time.Minute

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}

// workbookConfig is what newWorkbook needs; every field may be zero.
type workbookConfig struct {
	Logger   *slog.Logger
	DB       *inspector.DB       // nil: no inspector pages
	Recorder *inspector.Recorder // nil: nothing is recorded
	Debug    *sio.Observer       // nil: no live DEBUG trace
	Token    string              // required by the inspector pages if not empty
	Admin    *admin.Admin        // nil: no Admin UI namespace
	Redis    string              // the lessons' Redis URL; "": an embedded one
}

// workbook is the whole site: the main Socket.IO server, the pages and the
// inspector.
type workbook struct {
	mux *http.ServeMux
	io  *sio.Server

	// DB is the inspector's database, nil when there is none (--no-record
	// and no file). Recorder records what every Socket.IO server of the
	// workbook does, nil when recording is off. Observer is what each of
	// those servers must be given as Config.Observer: the recorder and the
	// DEBUG printer together (nil when both are off).
	DB       *inspector.DB
	Recorder *inspector.Recorder
	Observer *sio.Observer

	pages *web.Handler // the inspector, nil without a DB
	admin *admin.Admin // the Admin UI's side, nil without --admin-ui

	lessons  *lessons.Site // every other page, and a Socket.IO server per step
	progress *sql.DB       // the lessons' handle on DB's file, nil without a DB
}

func newWorkbook(cfg workbookConfig) (*workbook, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	var observers []*sio.Observer
	if cfg.Recorder != nil {
		observers = append(observers, cfg.Recorder.Observer())
	}
	if cfg.Debug != nil {
		observers = append(observers, cfg.Debug)
	}
	wb := &workbook{DB: cfg.DB, Recorder: cfg.Recorder, Observer: sio.Observers(observers...)}

	ioConfig := sio.Config{
		Logger:       log,
		ClientScript: static.SocketIOJS,
		ClientModule: static.SocketIOESM,
		Observer:     wb.Observer,
	}
	if cfg.Admin != nil {
		ioConfig = cfg.Admin.Config(ioConfig)
	}
	wb.io = sio.NewServer(ioConfig)
	if cfg.Admin != nil {
		if err := cfg.Admin.Attach(wb.io); err != nil {
			return nil, err
		}
		wb.admin = cfg.Admin
	}
	wb.io.OnConnection(func(s *sio.Socket) {
		log.Info("a user connected", "socket", s.ID())
		s.OnDisconnect(func(r sio.Reason) { log.Info("a user disconnected", "socket", s.ID(), "reason", r) })
		// "echo" answers with its arguments, binary ones included: something
		// to try from the browser console until the lessons are here.
		s.On("echo", func(e *sio.Event) {
			if e.HasAck() {
				_ = e.Ack(echoArgs(e)...)
			}
		})
	})

	wb.mux = http.NewServeMux()
	wb.mux.Handle("/socket.io/", wb.io)
	if cfg.DB != nil {
		wb.pages = web.New(cfg.DB, cfg.Recorder, web.Options{Token: cfg.Token, Logger: log, Actor: web.ServersActor(wb.servers)})
		wb.mux.Handle("/inspector/", wb.pages)
	} else {
		wb.mux.HandleFunc("/inspector/", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "The inspector is off: recording is off (--no-record) and there is no database to show.", http.StatusNotFound)
		})
	}

	// The lessons answer everything else: the home page, /lessons/..., and
	// one Socket.IO server per step under /lessons/<lesson>/<step>/socket.io/.
	// They keep progress in a table of their own (lesson_progress) in the
	// workbook's database, through a handle of their own on the file.
	if cfg.DB != nil && !cfg.DB.ReadOnly() {
		// mode=rw: the handle never creates the file (if it is deleted
		// while serve runs, it stays deleted).
		dsn := "file:" + (&url.URL{Path: cfg.DB.Path()}).EscapedPath() + "?mode=rw&_journal_mode=WAL&_busy_timeout=5000"
		var err error
		if wb.progress, err = sql.Open("sqlite3", dsn); err != nil {
			return nil, err
		}
	}
	opts := lessons.Options{
		Observer:  wb.Observer,
		DB:        wb.progress,
		Logger:    log,
		BrowserID: web.ClientCookie,
		// The classroom shows everyone's progress: the inspector's token
		// guards it too (none on loopback).
		Authorize: web.Guard(cfg.Token, "/classroom/"),
		Redis:     cfg.Redis,
	}
	if wb.pages != nil { // the inspector's pages, and the panel that needs them
		opts.InspectorURL = web.Prefix
		opts.Panel = func(client, pathPrefix, title, lang string) templ.Component {
			return web.Panel(web.PanelProps{Client: client, PathPrefix: pathPrefix, Title: title, Lang: lang})
		}
	}
	site, err := lessons.New(opts)
	if err != nil {
		if wb.progress != nil {
			wb.progress.Close()
		}
		wb.closeSockets()
		return nil, err
	}
	wb.lessons = site
	wb.mux.Handle("/", site)
	return wb, nil
}

// servers returns the workbook's Socket.IO servers running now: the main
// one and the lessons'. The inspector acts on their sessions.
func (wb *workbook) servers() []*sio.Server {
	out := []*sio.Server{wb.io}
	if wb.lessons != nil {
		out = append(out, wb.lessons.Servers()...)
	}
	return out
}

func (wb *workbook) ServeHTTP(w http.ResponseWriter, r *http.Request) { wb.mux.ServeHTTP(w, r) }

// closeSockets disconnects every client of the workbook and of the
// inspector's live feed, so that their long-polling requests end and the
// HTTP server can shut down at once.
func (wb *workbook) closeSockets() {
	if wb.admin != nil {
		wb.admin.Close()
	}
	// Shutdown, not Close: the handlers have returned when the recorder
	// closes after this (the lessons' servers wait for their sessions'
	// closes in Close).
	sctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	_ = wb.io.Shutdown(sctx)
	cancel()
	if wb.lessons != nil {
		_ = wb.lessons.Close() // also ends the step pages' live feeds
	}
	if wb.pages != nil {
		_ = wb.pages.Close()
	}
}

// close closes the Socket.IO server and the inspector pages (again: both
// are idempotent). The recorder and the database are closed by their
// owner, after this.
func (wb *workbook) close() {
	wb.closeSockets()
	if wb.progress != nil {
		_ = wb.progress.Close()
	}
}

// recording is the database and the recorder of a serving command; either
// may be nil.
type recording struct {
	path string
	db   *inspector.DB
	rec  *inspector.Recorder
	log  *slog.Logger
}

// openRecording opens the database at path and starts a recorder on it when
// record is true. When record is false it opens the database only if the
// file exists (the inspector can still show it) and records nothing.
func openRecording(path string, record bool, cpuShare float64, log *slog.Logger) (*recording, error) {
	r := &recording{path: path, log: log}
	if !record {
		if _, err := os.Stat(path); err != nil {
			return r, nil
		}
		// Nothing to write but the lessons' progress: a file this
		// process cannot write is shown read-only, without progress.
		db, err := inspector.Open(path)
		if err != nil {
			var rerr error
			if db, rerr = inspector.OpenReadOnly(path); rerr != nil {
				return nil, errors.Join(err, rerr)
			}
			log.Warn("the database cannot be written: the inspector shows it read-only, and lesson progress is not saved",
				"db", path, "err", err)
		}
		db.Logger = log
		r.db = db
		return r, nil
	}
	db, err := inspector.Open(path)
	if err != nil {
		return nil, err
	}
	db.Logger = log // retention
	r.db = db
	if record {
		r.rec = inspector.NewRecorder(db, inspector.RecorderOptions{Logger: log, CPUShare: cpuShare})
	}
	return r, nil
}

// observer returns the recorder's hooks, or nil (so that sio pays nothing)
// when nothing is recorded.
func (r *recording) observer() *sio.Observer {
	if r.rec == nil {
		return nil
	}
	return r.rec.Observer()
}

// close flushes and closes the recorder (nothing queued is lost), logs how
// many packets could not be stored if any, and closes the database. (While
// it runs, the recorder itself logs the count each time it grows, at most
// every 10 seconds.)
func (r *recording) close() error {
	var err error
	if r.rec != nil {
		err = r.rec.Close()
		if n := r.rec.Dropped(); n > 0 {
			r.log.Warn("packets could not be recorded", "dropped", n, "db", r.path)
		}
	}
	if r.db != nil {
		if cerr := r.db.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
