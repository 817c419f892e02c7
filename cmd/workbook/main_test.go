package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startCommand runs the workbook with args and returns the URL it printed.
func startCommand(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, args, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	lines := bufio.NewScanner(pr)
	urlc := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if i := strings.Index(lines.Text(), "http://"); i >= 0 {
				urlc <- lines.Text()[i:]
				break
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case u := <-urlc:
		return u
	case <-time.After(5 * time.Second):
		t.Fatal("the command printed no URL")
	}
	return ""
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestTestServerServesBothFixtures(t *testing.T) {
	base := startCommand(t, "testserver", "--addr", "127.0.0.1:0")
	for _, path := range []string{"/socket.io/", "/engine.io/"} {
		code, body := get(t, base+path+"?EIO=4&transport=polling")
		if code != 200 || !strings.HasPrefix(body, `0{"sid":"`) || !strings.Contains(body, `"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}`) {
			t.Errorf("%s handshake: %d %q", path, code, body)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	if err := Run(context.Background(), []string{"nope"}, io.Discard, io.Discard); err == nil {
		t.Fatal("no error for an unknown command")
	}
}
