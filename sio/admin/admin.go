package admin

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/engine"
)

// HostedUI is the origin of the hosted Admin UI, allowed by default.
const HostedUI = "https://admin.socket.io"

// Errors returned by New and Attach.
var (
	// ErrPasswordHash: New was given a PasswordHash that is not a bcrypt
	// hash, or a Username without one (or the reverse).
	ErrPasswordHash = errors.New("admin: the password must be given as a bcrypt hash, with a username")
	// ErrNotConfigured: Attach was given a server whose Config did not go
	// through Config.
	ErrNotConfigured = errors.New("admin: the server's Config did not go through Admin.Config")
	// ErrAttached: Attach was called a second time.
	ErrAttached = errors.New("admin: already attached to a server")
)

// Options configure an Admin. The zero value serves the UI on "/admin",
// without authentication, to the hosted UI's origin; every field says what
// its zero value means.
type Options struct {
	// Namespace is the namespace the UI connects to. If empty, "/admin".
	Namespace string

	// Username and PasswordHash, a bcrypt hash, are what the UI must log
	// in with. If both are empty, anyone may connect.
	Username     string
	PasswordHash string

	// ReadOnly ignores the UI's commands (emit, join, leave, disconnect)
	// and tells it so: it shows no button for them.
	ReadOnly bool
	// ServerID names this server in the UI. If empty, the host name.
	ServerID string
	// Production sends only the figures (server_stats), not every socket
	// and event: mode "production" in Node.
	Production bool

	// Origins are the origins of the pages the UI may be served from:
	// Config lets them make credentialed requests (the UI connects with
	// withCredentials). "*" allows any origin. If nil, HostedUI. Origins
	// the server's CORS already allows stay allowed.
	Origins []string

	// StatsInterval is how often server_stats is sent. If zero, 2 seconds.
	StatsInterval time.Duration
	// MaxQueued bounds the notifications waiting to be sent to the UIs
	// (see the package doc). If zero, 4096.
	MaxQueued int
	// MaxQueuedBytes bounds the event data they hold. If zero, 8 MiB.
	MaxQueuedBytes int64

	// Logger receives the Admin's own log records (notifications dropped,
	// commands refused). If nil, slog.Default() is used.
	Logger *slog.Logger
}

// Admin is the server side of the Admin UI for one sio server. See the
// package doc for its life: New, Config, Attach, Close.
type Admin struct {
	opts     Options
	nspName  string
	hash     []byte
	log      *slog.Logger
	features []string

	configured atomic.Bool
	admins     atomic.Int32 // UIs connected now; nothing is watched while zero

	io  *sio.Server
	nsp *sio.Namespace

	agg      aggregate
	q        queue
	sessions sessionStore
	logins   pendingLogins
	bcrypts  chan struct{} // bounds the bcrypt comparisons running at once

	resync     atomic.Bool   // rebuild the socket map before the next notification
	resyncAll  atomic.Bool   // ... and send every UI all_sockets
	wake       chan struct{} // tells run that a resync is due
	done       chan struct{}
	closeOnce  sync.Once
	runExited  chan struct{}
	attachOnce atomic.Bool
}

// New checks opts and returns an Admin ready for Config.
func New(opts Options) (*Admin, error) {
	a := &Admin{
		opts:      opts,
		nspName:   opts.Namespace,
		log:       opts.Logger,
		bcrypts:   make(chan struct{}, 2),
		wake:      make(chan struct{}, 1),
		done:      make(chan struct{}),
		runExited: make(chan struct{}),
	}
	if a.nspName == "" {
		a.nspName = "/admin"
	} else if a.nspName[0] != '/' {
		a.nspName = "/" + a.nspName
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if (opts.Username == "") != (opts.PasswordHash == "") {
		return nil, ErrPasswordHash
	}
	if opts.PasswordHash != "" {
		if _, err := bcrypt.Cost([]byte(opts.PasswordHash)); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrPasswordHash, err)
		}
		a.hash = []byte(opts.PasswordHash)
	}
	if a.opts.StatsInterval <= 0 {
		a.opts.StatsInterval = 2 * time.Second
	}
	if a.opts.MaxQueued <= 0 {
		a.opts.MaxQueued = 4096
	}
	if a.opts.MaxQueuedBytes <= 0 {
		a.opts.MaxQueuedBytes = 8 << 20
	}
	if a.opts.ServerID == "" {
		a.opts.ServerID, _ = os.Hostname()
	}
	if !opts.ReadOnly {
		a.features = []string{"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"}
	}
	a.features = append(a.features, "AGGREGATED_EVENTS")
	if !opts.Production {
		a.features = append(a.features, "ALL_EVENTS")
	}
	a.q.init(a.opts.MaxQueued, a.opts.MaxQueuedBytes)
	a.q.onDrop = func() { a.resyncAll.Store(true) }
	a.sessions.init(1024, 24*time.Hour)
	return a, nil
}

// Features returns the features the UI is told about ("config").
func (a *Admin) Features() []string { return slices.Clone(a.features) }

// Config returns cfg with what the Admin needs: its Observer added to
// cfg.Observer, an adapter that reports room changes around cfg.NewAdapter's
// (the in-memory one if nil), and CORS that lets the UI's origins in with
// credentials.
func (a *Admin) Config(cfg sio.Config) sio.Config {
	a.configured.Store(true)
	cfg.Observer = sio.Observers(cfg.Observer, observer{a}.hooks())
	cfg.NewAdapter = a.adapter(cfg.NewAdapter)
	cfg.CORS = a.cors(cfg.CORS)
	return cfg
}

// cors returns base with credentials allowed for the UI's origins: the
// UI's requests carry credentials, so the answer must echo its origin with
// Access-Control-Allow-Credentials, never "*". An origin base allowed stays
// allowed (a base that allowed any origin echoes any origin now).
func (a *Admin) cors(base *engine.CORS) *engine.CORS {
	origins := a.opts.Origins
	if origins == nil {
		origins = []string{HostedUI}
	}
	var c engine.CORS
	if base != nil {
		c = *base
		anyOrigin := len(c.Origins) == 0 && c.AllowOrigin == nil
		if !anyOrigin {
			c.Origins = append(slices.Clone(c.Origins), origins...)
		}
	} else {
		c.Origins = slices.Clone(origins)
	}
	c.Credentials = true
	return &c
}

// Attach serves the UI's namespace on io, whose Config went through Config,
// and starts sending figures. It returns ErrNotConfigured or ErrAttached
// when called out of order.
func (a *Admin) Attach(io *sio.Server) error {
	if !a.configured.Load() {
		return ErrNotConfigured
	}
	if !a.attachOnce.CompareAndSwap(false, true) {
		return ErrAttached
	}
	a.io = io
	a.nsp = io.Of(a.nspName)
	if a.hash != nil {
		a.nsp.Use(a.authenticate)
	}
	a.nsp.OnConnection(a.onAdmin)
	go a.run()
	return nil
}

// Close stops the Admin's goroutine and disconnects the UIs. The server
// itself goes on. Close is idempotent.
func (a *Admin) Close() {
	a.closeOnce.Do(func() {
		close(a.done)
		if a.attachOnce.Load() {
			<-a.runExited
			for _, s := range a.nsp.Sockets() {
				s.Disconnect()
			}
		}
	})
}

// active reports whether a UI is connected: the only time anything is
// watched.
func (a *Admin) active() bool { return a.admins.Load() > 0 }

// verbose reports whether sockets and events are watched, not only the
// figures.
func (a *Admin) verbose() bool { return !a.opts.Production && a.active() }

// onAdmin runs for each UI that connects.
func (a *Admin) onAdmin(s *sio.Socket) {
	// The socket map is rebuilt before the first notification queued from
	// now on is read: while no UI was connected, nothing was watched.
	a.resync.Store(true)
	a.admins.Add(1)
	a.poke()
	s.OnDisconnect(func(sio.Reason) { a.admins.Add(-1) })
	if id := a.logins.take(s); id != "" {
		_ = s.Emit("session", id)
	}
	if !a.opts.ReadOnly {
		a.commands(s)
	}
	_ = s.Emit("config", map[string]any{"supportedFeatures": a.features})
	if !a.opts.Production {
		_ = s.Emit("all_sockets", a.allSockets())
	}
}

// poke wakes run without blocking.
func (a *Admin) poke() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// namespace returns the namespace called name if it exists; commands never
// create one.
func (a *Admin) namespace(name string) *sio.Namespace {
	for _, n := range a.io.Namespaces() {
		if n.Name() == name {
			return n
		}
	}
	return nil
}
