package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sioworkbook/workbook/sio/client"
)

// TestAdminUIFlagsRefused: --admin-ui without a login on an address that is
// not loopback only, a password that is not a bcrypt hash, and --admin-ui-*
// flags without --admin-ui are refused before anything listens.
func TestAdminUIFlagsRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--no-record", "--addr", "0.0.0.0:0", "--admin-ui"}, "needs --admin-ui-username and --admin-ui-password-hash"},
		{[]string{"testserver", "--addr", ":0", "--admin-ui"}, "needs --admin-ui-username and --admin-ui-password-hash"},
		{[]string{"testserver", "--addr", "127.0.0.1:0", "--admin-ui", "--admin-ui-username", "a", "--admin-ui-password-hash", "plain"}, "bcrypt"},
		{[]string{"testserver", "--addr", "127.0.0.1:0", "--admin-ui-read-only"}, "need --admin-ui"},
	} {
		err := Run(context.Background(), tc.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
}

// TestTestServerAdminUI: testserver --admin-ui serves /admin to a UI that
// logs in, and its polling answers echo an origin with credentials; the
// fixture the protocol suites read is unchanged: a handshake without
// Origin, an unknown namespace refused.
func TestTestServerAdminUI(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	base := startCommand(t, "testserver", "--addr", "127.0.0.1:0", "--ping-interval", "25s", "--ping-timeout", "20s",
		"--admin-ui", "--admin-ui-username", "admin", "--admin-ui-password-hash", string(hash), "--admin-ui-server-id", "fixture")

	req, _ := http.NewRequest("GET", base+"/socket.io/?EIO=4&transport=polling", nil)
	req.Header.Set("Origin", "http://ui.example:8080")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Access-Control-Allow-Origin") != "http://ui.example:8080" || res.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("polling answer to another origin: %v", res.Header)
	}
	if code, body := get(t, base+"/socket.io/?EIO=4&transport=polling"); code != 200 || !strings.Contains(body, `"pingInterval":25000`) {
		t.Errorf("handshake without Origin: %d %q", code, body)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := client.Connect(ctx, base+"/random", client.Options{ForceNew: true, NoReconnection: true}); err == nil || !strings.Contains(err.Error(), "Invalid namespace") {
		t.Errorf("/random: %v, want Invalid namespace", err)
	}
	ui, err := client.New(base+"/admin", client.Options{ForceNew: true, NoAutoConnect: true, NoReconnection: true,
		Auth: map[string]any{"username": "admin", "password": "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ui.Disconnect()
	stats := make(chan string, 1)
	ui.On("server_stats", func(e *client.Event) {
		select {
		case stats <- string(e.Raw()[0]):
		default:
		}
	})
	if err := ui.ConnectContext(ctx); err != nil {
		t.Fatalf("the UI could not log in: %v", err)
	}
	select {
	case s := <-stats:
		if !strings.Contains(s, `"serverId":"fixture"`) {
			t.Errorf("server_stats %s", s)
		}
	case <-ctx.Done():
		t.Fatal("no server_stats")
	}
}

// TestServeAdminUI: serve --admin-ui on loopback serves /admin without a
// login, next to the workbook's own namespace.
func TestServeAdminUI(t *testing.T) {
	wb := startWorkbook(t, "serve", "--no-record", "--db", t.TempDir()+"/none.db", "--addr", "127.0.0.1:0", "--admin-ui")
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(wb.Stdout.String(), "admin UI: server URL "+wb.URL); {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not say where the Admin UI connects:\n%s", wb.Stdout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	base := wb.URL
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ui, err := client.New(base+"/admin", client.Options{ForceNew: true, NoAutoConnect: true, NoReconnection: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ui.Disconnect()
	config := make(chan string, 1)
	ui.On("config", func(e *client.Event) { config <- string(e.Raw()[0]) })
	if err := ui.ConnectContext(ctx); err != nil {
		t.Fatalf("the UI could not connect: %v", err)
	}
	select {
	case c := <-config:
		if !strings.Contains(c, `"EMIT"`) {
			t.Errorf("config %s", c)
		}
	case <-ctx.Done():
		t.Fatal("no config")
	}
}
