package sio_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/sio"
)

// The engine's limits set in sio.Config reach the engine: with
// MaxBufferedBytes of 2,500, a polling client that never comes for its
// packets is disconnected at the third emit of 1,000 bytes.
func TestConfigMaxBufferedBytesReachesEngine(t *testing.T) {
	io, srv := newServer(t, sio.Config{MaxBufferedBytes: 2500})
	errs := make(chan error, 1)
	io.OnConnection(func(s *sio.Socket) {
		big := strings.Repeat("x", 1000)
		var err error
		for range 5 {
			if err = s.Emit("big", big); err != nil {
				break
			}
		}
		errs <- err
	})
	base := srv.URL + "/socket.io/?EIO=4&transport=polling"
	open := pollRequest(t, http.MethodGet, base, "")
	sid := open[strings.Index(open, `"sid":"`)+7:]
	sid = sid[:strings.IndexByte(sid, '"')]
	pollRequest(t, http.MethodPost, base+"&sid="+sid, "40")
	if err := <-errs; err == nil {
		t.Fatal("five emits of 1,000 bytes to a client that reads nothing all succeeded past MaxBufferedBytes 2,500")
	}
}

func pollRequest(t *testing.T, method, url, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %q %v", method, url, resp.StatusCode, b, err)
	}
	return string(b)
}
