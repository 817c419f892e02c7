package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/sioworkbook/workbook/sio/admin"
)

// adminUIFlags are the --admin-ui flags of serve and testserver: the
// official Socket.IO Admin UI on the server's /admin namespace.
type adminUIFlags struct {
	On           bool
	Username     string
	PasswordHash string
	ReadOnly     bool
	ServerID     string
	Origins      string
}

func (f *adminUIFlags) register(fs *flagSet) {
	fs.boolVar(&f.On, "admin-ui", "WORKBOOK_ADMIN_UI", false, "serve the official Socket.IO Admin UI's namespace /admin (loopback only unless a username and password hash are given)")
	fs.stringVar(&f.Username, "admin-ui-username", "WORKBOOK_ADMIN_UI_USERNAME", "NAME", "", "the Admin UI's username")
	fs.stringVar(&f.PasswordHash, "admin-ui-password-hash", "WORKBOOK_ADMIN_UI_PASSWORD_HASH", "HASH", "", "the bcrypt hash of the Admin UI's password (htpasswd -nbBC 10 '' PASSWORD)")
	fs.boolVar(&f.ReadOnly, "admin-ui-read-only", "WORKBOOK_ADMIN_UI_READ_ONLY", false, "the Admin UI only looks: no emit, join, leave or disconnect")
	fs.stringVar(&f.ServerID, "admin-ui-server-id", "WORKBOOK_ADMIN_UI_SERVER_ID", "ID", "", "the name of this server in the Admin UI (default: the host name)")
	fs.stringVar(&f.Origins, "admin-ui-origin", "WORKBOOK_ADMIN_UI_ORIGIN", "ORIGINS", admin.HostedUI, "comma-separated origins the Admin UI is served from (\"*\" for any)")
}

// open checks the flags for a server listening on addr and returns the
// Admin they ask for, or nil when --admin-ui is off.
func (f *adminUIFlags) open(addr string, log *slog.Logger) (*admin.Admin, error) {
	if !f.On {
		if f.Username != "" || f.PasswordHash != "" || f.ReadOnly || f.ServerID != "" {
			return nil, errors.New("the --admin-ui-* flags need --admin-ui")
		}
		return nil, nil
	}
	if f.PasswordHash == "" && f.Username == "" && !loopbackOnly(addr) {
		return nil, fmt.Errorf("--admin-ui on %s, which is not loopback only, needs --admin-ui-username and --admin-ui-password-hash", addr)
	}
	var origins []string
	for o := range strings.SplitSeq(f.Origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, strings.TrimSuffix(o, "/"))
		}
	}
	a, err := admin.New(admin.Options{
		Username:     f.Username,
		PasswordHash: f.PasswordHash,
		ReadOnly:     f.ReadOnly,
		ServerID:     f.ServerID,
		Origins:      origins,
		Logger:       log,
	})
	if err != nil {
		return nil, fmt.Errorf("--admin-ui: %w", err)
	}
	return a, nil
}

// announce prints where to point the Admin UI.
func (f *adminUIFlags) announce(w io.Writer, base string) {
	if !f.On {
		return
	}
	login := "no login"
	if f.Username != "" {
		login = "login " + f.Username
	}
	fmt.Fprintf(w, "admin UI: server URL %s, namespace /admin (%s; open %s or the UI of @socket.io/admin-ui)\n", base, login, admin.HostedUI)
}
