package lessons

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/sioworkbook/workbook/lessons/step"
)

// tick says that a browser completed a task; Done is how many tasks of the
// workbook it has completed now.
type tick struct {
	Key  TaskKey
	Done int
}

// hub hands ticks to the live feeds of the browser they belong to.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan tick]struct{} // browser id -> feeds
}

func newHub() *hub { return &hub{subs: map[string]map[chan tick]struct{}{}} }

func (h *hub) subscribe(browser string) (<-chan tick, func()) {
	ch := make(chan tick, 16)
	h.mu.Lock()
	if h.subs[browser] == nil {
		h.subs[browser] = map[chan tick]struct{}{}
	}
	h.subs[browser][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[browser], ch)
		if len(h.subs[browser]) == 0 {
			delete(h.subs, browser)
		}
		h.mu.Unlock()
	}
}

func (h *hub) publish(browser string, t tick) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[browser] {
		select {
		case ch <- t:
		default: // a feed that far behind reloads its state when it reconnects
		}
	}
}

// logLine is a line of the server log as the live feed sends it.
type logLine struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
	Mine bool      `json:"mine"` // about a client of the browser reading it
}

// startEvents begins a Server-Sent Events response: its headers (no
// caching, no proxy buffering) and the browser's retry delay.
func startEvents(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
}

// liveHeartbeat keeps idle feeds open through proxies and lets a feed
// notice a browser that has gone.
const liveHeartbeat = 20 * time.Second

// serveLive is the live feed of a step page, as Server-Sent Events:
//
//	event: log       data: {"at": "<RFC 3339>", "text": "A user connected", "mine": true}
//	event: task      data: {"task": "connect"}          (a task of this step, done)
//	event: progress  data: {"done": 3, "total": 10}     (the whole workbook)
//
// The log holds the lines about the requesting browser's own clients
// (step.Log.For), unless the query says ?log=all: then every line, "mine"
// telling which are its own. Other learners' lines carry their names and
// messages, so a learner sees them only by asking.
//
// It opens with the log lines kept so far and the tasks already done, so
// a page that reconnects catches up. The feed never goes through the step's
// Socket.IO server: the learner's panes see only the tutorial's traffic.
func (s *Site) serveLive(w http.ResponseWriter, r *http.Request, st *stepPage) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	browser := ""
	if c, err := r.Cookie(step.BrowserCookie); err == nil {
		browser = c.Value
	}
	everyone := r.URL.Query().Get("log") == "all"
	backlog, lines, stop := st.log.Follow(64)
	defer stop()
	var ticks <-chan tick
	if browser != "" {
		var unsubscribe func()
		ticks, unsubscribe = s.hub.subscribe(browser)
		defer unsubscribe()
	}

	startEvents(w)
	send := func(event string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
		return err
	}
	sendLine := func(line step.Line) error {
		mine := browser != "" && (line.Browser == browser || line.Browser == step.Everyone)
		if !mine && !everyone {
			return nil
		}
		return send("log", logLine{At: line.At, Text: line.Text, Mine: mine})
	}
	for _, line := range backlog {
		_ = sendLine(line)
	}
	if browser != "" {
		done, err := s.store.Done(r.Context(), browser)
		if err != nil {
			s.log.Error("lessons: progress not read", "err", err)
		}
		for k := range done {
			if k.Lesson == st.Lesson.Slug && k.Step == st.Slug {
				_ = send("task", map[string]string{"task": k.Task})
			}
		}
		_ = send("progress", map[string]int{"done": s.count(done), "total": s.total})
	}
	flusher.Flush()

	heartbeat := time.NewTicker(liveHeartbeat)
	defer heartbeat.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		case line, ok := <-lines:
			if !ok {
				return
			}
			err = sendLine(line)
		case t := <-ticks:
			if t.Key.Lesson == st.Lesson.Slug && t.Key.Step == st.Slug {
				err = send("task", map[string]string{"task": t.Key.Task})
			}
			if err == nil {
				err = send("progress", map[string]int{"done": t.Done, "total": s.total})
			}
		case <-heartbeat.C:
			_, err = fmt.Fprint(w, ": ping\n\n")
		}
		if err != nil {
			return
		}
		flusher.Flush()
	}
}
