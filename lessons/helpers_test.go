package lessons_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the "sqlite3" driver, as the inspector uses

	"github.com/sioworkbook/workbook/lessons"
)

// startSite serves a new Site on a local port until the test ends.
func startSite(t testing.TB, opts lessons.Options) (*lessons.Site, string) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler) // the steps' logs are checked through StepLog
	}
	site, err := lessons.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	t.Cleanup(func() {
		site.Close() // ends the live feeds, which the server would wait for
		srv.Close()
	})
	return site, srv.URL
}

// mustOpenDB opens a SQLite file in a temporary directory, as the
// inspector opens the workbook's database.
func mustOpenDB(t testing.TB) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "workbook.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// get fetches url with the given headers and returns the response and body.
func get(t testing.TB, url string, header http.Header) (*http.Response, string) {
	t.Helper()
	return request(t, "GET", url, header)
}

// request sends an empty request and returns the response and its body.
func request(t testing.TB, method, url string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

func cookie(browser string) http.Header {
	return http.Header{"Cookie": {"wb_client=" + browser}}
}

// sse is one Server-Sent Event.
type sse struct {
	Event string
	Data  string
}

func (e sse) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(e.Data), v); err != nil {
		t.Fatalf("event %s: %v: %s", e.Event, err, e.Data)
	}
}

// feed is a live feed being read: every event so far, in order.
type feed struct {
	mu     sync.Mutex
	events []sse
	ended  bool
	more   chan struct{} // closed and replaced at each new event
}

// follow opens the live feed at url as browser and reads it until the
// test ends.
func follow(t testing.TB, url, browser string) *feed {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Cookie", "wb_client="+browser)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live feed: %s %s", res.Status, res.Header.Get("Content-Type"))
	}
	f := &feed{more: make(chan struct{})}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Event != "" {
					f.mu.Lock()
					f.events = append(f.events, ev)
					close(f.more)
					f.more = make(chan struct{})
					f.mu.Unlock()
				}
				ev = sse{}
			case strings.HasPrefix(line, "event: "):
				ev.Event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = strings.TrimPrefix(line, "data: ")
			}
		}
		f.mu.Lock()
		f.ended = true
		close(f.more)
		f.mu.Unlock()
	}()
	return f
}

// wait returns the first event so far, or to come within 10 s, for which
// match returns true. Events of different kinds (a log line, a tick) do
// not always arrive in the order they happened, so wait consumes nothing.
func (f *feed) wait(t testing.TB, what string, match func(sse) bool) sse {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		f.mu.Lock()
		for _, ev := range f.events {
			if match(ev) {
				f.mu.Unlock()
				return ev
			}
		}
		more, ended := f.more, f.ended
		f.mu.Unlock()
		if ended {
			t.Fatalf("the live feed ended before %s", what)
		}
		select {
		case <-more:
		case <-timeout:
			t.Fatalf("no %s within 10 s", what)
		}
	}
}

// waitLog waits until the step's log holds lines that contain each of
// want, in that order.
func waitLog(t testing.TB, site *lessons.Site, lesson, step string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var texts []string
		for _, l := range site.StepLog(lesson, step) {
			texts = append(texts, l.Text)
		}
		if containsInOrder(texts, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s log %q does not hold %q in order", lesson, step, texts, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func containsInOrder(lines, want []string) bool {
	i := 0
	for _, l := range lines {
		if i < len(want) && strings.Contains(l, want[i]) {
			i++
		}
	}
	return i == len(want)
}

// waitDone waits until browser has completed every task of want (keys
// "lesson/step/task").
func waitDone(t testing.TB, site *lessons.Site, browser string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		done, err := site.Store().Done(context.Background(), browser)
		if err != nil {
			t.Fatal(err)
		}
		var missing []string
		for _, w := range want {
			parts := strings.SplitN(w, "/", 3)
			if _, ok := done[lessons.TaskKey{Lesson: parts[0], Step: parts[1], Task: parts[2]}]; !ok {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tasks not done for %s: %v (done: %v)", browser, missing, done)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
