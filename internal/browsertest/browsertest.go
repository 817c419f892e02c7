// Package browsertest runs test pages in a headless Chromium, driven through
// the DevTools protocol (chromedp), for the tests of our browser client.
//
//	b := browsertest.New(t)   // one browser per test binary run is plenty
//	tab := b.NewTab(t)        // a tab with its own cookies and storage
//	if err := tab.Navigate(url); err != nil { ... }
//	if err := tab.WaitFor("window.__result !== undefined", 10*time.Second); err != nil { ... }
//	var result string
//	err := tab.Eval("window.__result", &result)
//	for _, m := range tab.Console() { ... } // console.* calls and uncaught exceptions
//
// New looks for Chromium at $CHROMIUM, or /usr/bin/chromium (Debian's
// package). Without it the test is skipped, unless the environment variable
// CI is set: then it fails.
//
// The browser runs with a temporary profile and without Chromium's background
// networking (updates, sync, QUIC probes), which would otherwise fill a
// closed network with connection attempts. When the test ends the browser is
// closed, and New's cleanup fails the test if any Chromium process of this
// profile outlives it.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// DefaultPath is where Debian's chromium package installs the browser.
const DefaultPath = "/usr/bin/chromium"

// MaxTabs is how many tabs a Browser keeps open at once: NewTab waits for a
// free slot beyond it, so that parallel tests do not starve each other of CPU
// (timing-sensitive pages, such as heartbeats of a few hundred milliseconds,
// suffer first).
const MaxTabs = 6

// Browser is a headless Chromium. Its methods may be called from any
// goroutine.
type Browser struct {
	ctx   context.Context // the browser's first chromedp context
	dir   string          // the profile (--user-data-dir)
	slots chan struct{}   // one per open tab

	closeOnce sync.Once
	closeErr  error
	cancel    func()
}

// New starts a headless Chromium that lives until t ends. It must be called
// from the goroutine running t.
func New(t testing.TB) *Browser {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = DefaultPath
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("browsertest: no Chromium (%v); install Debian's chromium package or set $CHROMIUM", err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir() // removed after the cleanup below has stopped the browser
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		// Tabs run side by side; none may have its timers slowed down.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
	)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: ctx, dir: dir, slots: make(chan struct{}, MaxTabs)}
	b.cancel = func() {
		// Close gracefully, then make sure: the allocator kills and waits.
		closeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		chromedp.Cancel(closeCtx)
		cancel()
		cancelBrowser()
		cancelAlloc()
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("browsertest: starting %s: %v", path, err)
	}
	return b
}

// Close stops the browser, then checks that no process of its profile is
// left, killing any that is. It returns an error naming the leftovers. It is
// idempotent; New's cleanup calls it.
func (b *Browser) Close() error {
	b.closeOnce.Do(func() {
		b.cancel()
		if pids := waitGone(b.dir, 3*time.Second); len(pids) > 0 {
			b.closeErr = fmt.Errorf("browsertest: Chromium processes %v outlived the browser (killed now)", pids)
		}
	})
	return b.closeErr
}

// Tab is one page of the browser, with its own browser context (cookies,
// localStorage and cache are not shared with other tabs). Its methods may be
// called from any goroutine.
type Tab struct {
	ctx context.Context

	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
}

// NewTab opens a tab that is closed when t ends. It waits while MaxTabs tabs
// are open.
func (b *Browser) NewTab(t testing.TB) *Tab {
	t.Helper()
	select {
	case b.slots <- struct{}{}:
	case <-b.ctx.Done():
		t.Fatal("browsertest: the browser is closed")
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	done := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-done
		<-b.slots
	})
	if err := chromedp.Do(ctx); err != nil { // creates the tab
		close(done)
		t.Fatalf("browsertest: opening a tab: %v", err)
	}
	tab := &Tab{ctx: ctx}
	messages := chromedp.Console(ctx)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return // the tab is closed
			}
			tab.mu.Lock()
			tab.messages = append(tab.messages, m)
			tab.mu.Unlock()
		}
	}()
	return tab
}

// Navigate loads url and waits for its load event.
func (tab *Tab) Navigate(url string) error {
	return chromedp.Do(tab.ctx, chromedp.Navigate(url))
}

// Eval evaluates a JavaScript expression in the page, waits for it if it is
// a Promise, and decodes its JSON value into out (unless out is nil).
func (tab *Tab) Eval(expr string, out any) error {
	raw, err := chromedp.Run(tab.ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return fmt.Errorf("browsertest: evaluating %s: %w", expr, err)
	}
	if out == nil {
		return nil
	}
	if len(raw) == 0 {
		raw = []byte("null") // undefined
	}
	return json.Unmarshal(raw, out)
}

// WaitFor evaluates expr every 20 ms until it is truthy, for at most timeout.
// An evaluation cut short by a navigation (the page being waited for is
// loading) counts as false, not as an error.
func (tab *Tab) WaitFor(expr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		if err := tab.Eval("Boolean("+expr+")", &ok); err != nil {
			if !navigating(err) || time.Now().After(deadline) {
				return err
			}
			ok = false
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("browsertest: %s still false after %v", expr, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// navigating reports whether err says the page went away during an
// evaluation: it navigated, or its JavaScript context was replaced.
func navigating(err error) bool {
	msg := err.Error()
	for _, s := range []string{"navigated or closed", "Execution context was destroyed", "Cannot find context with specified id"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// Console returns what the page has written to the console so far: every
// console.* call (console.debug included, whatever DevTools' level filter
// would show), uncaught exceptions and browser log entries, in order.
func (tab *Tab) Console() []chromedp.ConsoleMessage {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), tab.messages...)
}

// Exceptions returns the uncaught exceptions and unhandled rejections of the
// page so far.
func (tab *Tab) Exceptions() []chromedp.ConsoleMessage {
	var out []chromedp.ConsoleMessage
	for _, m := range tab.Console() {
		if m.IsException() {
			out = append(out, m)
		}
	}
	return out
}

// ConsoleText returns the console as text, one message a line, for test
// failure messages.
func (tab *Tab) ConsoleText() string {
	var b strings.Builder
	for _, m := range tab.Console() {
		fmt.Fprintln(&b, m.String())
	}
	return b.String()
}

// Emulate gives the tab a viewport of width × height CSS pixels and the
// colour scheme asked for (prefers-color-scheme: dark when dark), as a
// phone, a laptop or a dark desktop would show the page. It applies to the
// pages the tab loads from then on, and to the one it shows.
func (tab *Tab) Emulate(width, height int, dark bool) error {
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	return chromedp.Do(tab.ctx,
		chromedp.EmulateViewport(int64(width), int64(height)),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}))
}
