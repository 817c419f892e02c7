package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
)

// TestServeRefusesRebinding: a workbook on loopback has no token, so it
// answers only requests whose Host names this machine. A page of another
// site whose name resolves to 127.0.0.1 (DNS rebinding) sends its own name
// as Host, with a matching Origin: every door is closed to it.
func TestServeRefusesRebinding(t *testing.T) {
	wb := startWorkbook(t, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "w.db"))
	u, err := url.Parse(wb.URL)
	if err != nil {
		t.Fatal(err)
	}
	evil := "attacker.example:" + u.Port()
	for _, c := range []struct{ method, path string }{
		{"GET", "/inspector/"},
		{"GET", "/classroom/data.json"},
		{"GET", "/inspector/socket.io/?EIO=4&transport=polling"},
		{"GET", "/socket.io/?EIO=4&transport=polling"},
		{"POST", "/lessons/errors/reconnect/faults/restart"},
		{"GET", "/"},
	} {
		for _, host := range []string{evil, "127.0.0.1:" + u.Port(), "localhost:" + u.Port()} {
			req, err := http.NewRequest(c.method, "http://127.0.0.1:"+u.Port()+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = host
			req.Header.Set("Origin", "http://"+host)
			req.AddCookie(&http.Cookie{Name: "wb_client", Value: "rebinding-test"})
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if refused := res.StatusCode == http.StatusForbidden; refused != (host == evil) {
				t.Errorf("%s %s with Host %s: %d", c.method, c.path, host, res.StatusCode)
			}
		}
	}
}
