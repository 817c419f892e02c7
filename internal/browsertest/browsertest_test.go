package browsertest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const testPage = `<!doctype html><title>t</title><script>
console.log("hello", 1);
console.debug("%cdebug line", "color: #FF0000");
window.answer = 41 + 1;
setTimeout(() => { throw new Error("boom") }, 0);
</script>`

func TestBrowser(t *testing.T) {
	b := New(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, testPage)
	}))
	t.Cleanup(srv.Close)

	t.Run("page", func(t *testing.T) {
		tab := b.NewTab(t)
		if err := tab.Navigate(srv.URL); err != nil {
			t.Fatal(err)
		}
		if err := tab.WaitFor("window.answer === 42", 5*time.Second); err != nil {
			t.Fatal(err)
		}
		var sum int
		if err := tab.Eval("new Promise(r => setTimeout(() => r(window.answer + 1), 10))", &sum); err != nil || sum != 43 {
			t.Errorf("Eval of a Promise = %d, %v; want 43", sum, err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for len(tab.Exceptions()) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		var sawLog, sawDebug bool
		for _, m := range tab.Console() {
			switch {
			case m.Type == chromedp.ConsoleLog && m.Text == "hello 1":
				sawLog = true
			case m.Type == chromedp.ConsoleDebug && len(m.Args) == 2 && m.Text == "debug line":
				sawDebug = true
			}
		}
		if !sawLog || !sawDebug {
			t.Errorf("console.log seen: %v, console.debug seen: %v; console:\n%s", sawLog, sawDebug, tab.ConsoleText())
		}
		if ex := tab.Exceptions(); len(ex) != 1 || !strings.Contains(ex[0].Text, "boom") {
			t.Errorf("exceptions %v, want the one of boom", ex)
		}
	})

	t.Run("isolated", func(t *testing.T) {
		one, two := b.NewTab(t), b.NewTab(t)
		for _, tab := range []*Tab{one, two} {
			if err := tab.Navigate(srv.URL); err != nil {
				t.Fatal(err)
			}
		}
		if err := one.Eval(`localStorage.debug = "*"`, nil); err != nil {
			t.Fatal(err)
		}
		var got *string
		if err := two.Eval(`localStorage.debug ?? null`, &got); err != nil || got != nil {
			t.Errorf("second tab sees localStorage.debug = %v, %v; want tabs isolated", got, err)
		}
	})

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if pids := processesUsing(b.dir); len(pids) != 0 {
		t.Errorf("processes %v still use the profile after Close", pids)
	}
}

func TestProxy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() { // a line echo server
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					fmt.Fprint(c, line)
				}
			}()
		}
	}()
	p := NewProxy(t, "http://"+ln.Addr().String())

	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	echo := func(c net.Conn, r *bufio.Reader, msg string, wait time.Duration) (string, error) {
		fmt.Fprintln(c, msg)
		c.SetReadDeadline(time.Now().Add(wait))
		return r.ReadString('\n')
	}

	c, r := dial()
	if got, err := echo(c, r, "one", time.Second); got != "one\n" {
		t.Fatalf("through the proxy: %q, %v", got, err)
	}
	p.Freeze()
	if got, err := echo(c, r, "two", 200*time.Millisecond); err == nil {
		t.Fatalf("frozen proxy answered %q", got)
	}
	c2, r2 := dial() // accepted, but not forwarded
	if got, err := echo(c2, r2, "three", 200*time.Millisecond); err == nil {
		t.Fatalf("frozen proxy answered a new connection: %q", got)
	}
	p.Thaw()
	c.SetReadDeadline(time.Now().Add(time.Second))
	if got, err := r.ReadString('\n'); err == nil {
		t.Errorf("connection open during the freeze still works after Thaw: %q", got)
	}
	c3, r3 := dial()
	if got, err := echo(c3, r3, "four", time.Second); got != "four\n" {
		t.Fatalf("after Thaw: %q, %v", got, err)
	}
}
