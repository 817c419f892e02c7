package hostile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wait bounds every read of an answer: long enough for a starved machine,
// short enough that a case that gets no answer does not stall the corpus.
const wait = 5 * time.Second

// sidPattern matches the session and socket ids of both servers (20
// characters of URL-safe base64) where they appear in answers.
// The quotes may be escaped: answers are written as Go strings.
var sidPattern = regexp.MustCompile(`(\\?"sid\\?":\\?")[A-Za-z0-9_-]{20}`)

// normalise removes what differs from run to run: ids.
func normalise(s string) string { return sidPattern.ReplaceAllString(s, `${1}<sid>`) }

// Runner sends cases to one server.
type Runner struct {
	URL  string // the server, "http://127.0.0.1:3000"
	HTTP *http.Client
}

// NewRunner returns a runner for the server at url, whose HTTP client keeps
// no idle connection (so the server's goroutines can be counted after).
func NewRunner(url string) *Runner {
	return &Runner{URL: url, HTTP: &http.Client{
		Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true},
		Timeout:   wait,
	}}
}

// session is the state of one case as it runs.
type session struct {
	r   *Runner
	ctx context.Context
	sid string
	ws  *websocket.Conn
	out []string
}

// Run plays c's steps and returns the transcript. A step that cannot go on
// (no sid, no WebSocket) writes why and ends the case.
func (r *Runner) Run(ctx context.Context, c *Case) []string {
	s := &session{r: r, ctx: ctx}
	defer s.close()
	for _, st := range c.Steps {
		if err := s.step(st); err != nil {
			s.log("%s: stopped: %v", st.Op, err)
			break
		}
	}
	return s.out
}

func (s *session) log(format string, args ...any) {
	s.out = append(s.out, normalise(fmt.Sprintf(format, args...)))
}

func (s *session) close() {
	if s.ws != nil {
		s.ws.Close()
	}
	if s.sid != "" && s.ws == nil {
		// Let a polling session go now rather than at its ping timeout.
		s.request(http.MethodPost, "EIO=4&transport=polling&sid="+s.sid, "1")
	}
}

func (s *session) url(query string) string {
	return s.r.URL + "/socket.io/?" + strings.ReplaceAll(query, "sid=SID", "sid="+s.sid)
}

// request sends one HTTP request and returns its status and body.
func (s *session) request(method, query, body string) (int, string, error) {
	var rd io.Reader
	if method == http.MethodPost {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(s.ctx, method, s.url(query), rd)
	if err != nil {
		return 0, "", err
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	resp, err := s.r.HTTP.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func (s *session) step(st Step) error {
	switch st.Op {
	case "open":
		code, body, err := s.request(http.MethodGet, "EIO=4&transport=polling", "")
		if err != nil {
			return err
		}
		s.log("open: %d %q", code, body)
		if m := regexp.MustCompile(`"sid":"([^"]+)"`).FindStringSubmatch(body); m != nil {
			s.sid = m[1]
			return nil
		}
		return errors.New("no sid")
	case "post":
		return s.post("EIO=4&transport=polling&sid=SID", st.Args[0])
	case "post-raw":
		return s.post(st.Args[0], st.Args[1])
	case "get-raw":
		code, body, err := s.request(http.MethodGet, st.Args[0], "")
		if err != nil {
			s.log("get: %v", failure(err))
			return nil
		}
		s.log("get: %d %q", code, body)
	case "get":
		s.get("get")
	case "get2":
		var wg sync.WaitGroup
		res := make([]string, 2)
		for i := range res {
			wg.Go(func() {
				code, body, err := s.request(http.MethodGet, "EIO=4&transport=polling&sid=SID", "")
				if err != nil {
					res[i] = failure(err)
					return
				}
				res[i] = fmt.Sprintf("%d %q", code, withoutPings(body))
			})
		}
		wg.Wait()
		slices.Sort(res)
		s.log("get2: %s | %s", res[0], res[1])
	case "ws":
		return s.dial("ws", "EIO=4&transport=websocket")
	case "upgrade":
		if err := s.dial("upgrade", "EIO=4&transport=websocket&sid=SID"); err != nil {
			return err
		}
		if err := s.ws.WriteMessage(websocket.TextMessage, []byte("2probe")); err != nil {
			return err
		}
		s.read("upgrade", func(m string) bool { return m == "3probe" })
		if s.ws == nil {
			return errors.New("no WebSocket")
		}
		if err := s.ws.WriteMessage(websocket.TextMessage, []byte("5")); err != nil {
			return err
		}
		// The server's first ping on the WebSocket says the upgrade is
		// done: a POST sent before it would race it.
		s.ws.SetReadDeadline(time.Now().Add(wait))
		defer s.ws.SetReadDeadline(time.Time{})
		for {
			_, b, err := s.ws.ReadMessage()
			if err != nil {
				return fmt.Errorf("waiting for the first ping: %w", err)
			}
			if string(b) == "2" {
				return s.ws.WriteMessage(websocket.TextMessage, []byte("3"))
			}
			s.log("upgrade: got %q", b)
		}
	case "upgrade-again":
		first := s.ws
		s.ws = nil
		err := s.dial("upgrade-again", "EIO=4&transport=websocket&sid=SID")
		if s.ws != nil {
			s.ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
			s.read("upgrade-again", func(m string) bool { return m == "3probe" })
			if s.ws != nil {
				s.ws.Close()
			}
		}
		s.ws = first
		if err != nil {
			s.log("upgrade-again: %v", err)
		}
	case "send", "sendbin":
		if s.ws == nil {
			return errors.New("no WebSocket")
		}
		kind := websocket.TextMessage
		if st.Op == "sendbin" {
			kind = websocket.BinaryMessage
		}
		// A write to a connection the server has just closed may fail or
		// not, depending on timing: what the server does shows in the
		// next read, not here.
		s.ws.WriteMessage(kind, []byte(st.Args[0]))
	case "connect":
		// Up to the refusal of "/", or the "auth" event the fixture sends
		// when it accepts: the input that follows then cannot overtake
		// them. Another namespace's reply may come first (a case may have
		// asked for one just before).
		return s.send("connect", "40", func(m string) bool { return strings.HasPrefix(m, `42["auth",`) || strings.HasPrefix(m, "44{") })
	case "probe":
		return s.send("probe", `4299["echo","probe"]`, func(m string) bool { return m == `4399["probe"]` })
	default:
		return fmt.Errorf("unknown step %q", st.Op)
	}
	return nil
}

// failure names an HTTP request that got no answer, without the details
// (ports, addresses) that differ from run to run.
func failure(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "no answer (timeout)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(err.Error(), "reset"):
		return "connection closed"
	}
	return "failed"
}

func (s *session) post(query, body string) error {
	code, resp, err := s.request(http.MethodPost, query, body)
	if err != nil {
		s.log("post: %s", failure(err))
		return nil
	}
	s.log("post: %d %q", code, resp)
	return nil
}

// send writes a packet on the session's transport, then reads until done
// accepts a packet, the session ends, or wait passes. It writes down every
// packet but pings, and how it ended.
func (s *session) send(name, packet string, done func(string) bool) error {
	if s.ws != nil {
		s.ws.WriteMessage(websocket.TextMessage, []byte(packet))
		s.read(name, done)
		return nil
	}
	if s.sid == "" {
		return errors.New("no session")
	}
	code, resp, err := s.request(http.MethodPost, "EIO=4&transport=polling&sid=SID", packet)
	if err != nil {
		s.log("%s: post %s", name, failure(err))
		return nil
	}
	if code != http.StatusOK || resp != "ok" {
		s.log("%s: post %d %q", name, code, resp)
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		code, body, err := s.request(http.MethodGet, "EIO=4&transport=polling&sid=SID", "")
		if err != nil {
			s.log("%s: get %s", name, failure(err))
			return nil
		}
		if code != http.StatusOK {
			s.log("%s: get %d %q", name, code, body)
			return nil
		}
		if strings.HasPrefix(body, "2") || strings.Contains(body, "\x1e2") {
			s.request(http.MethodPost, "EIO=4&transport=polling&sid=SID", "3")
		}
		// One line a packet: how packets are grouped into responses is a
		// matter of timing.
		for p := range strings.SplitSeq(withoutPings(body), "\x1e") {
			switch {
			case p == "":
			case done(p):
				s.log("%s: %q", name, p)
				return nil
			case p == "1":
				s.log("%s: closed (1)", name)
				return nil
			default:
				s.log("%s: got %q", name, p)
			}
		}
	}
	s.log("%s: no answer", name)
	return nil
}

// get reads the polling session until something other than a ping comes.
func (s *session) get(name string) {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		code, body, err := s.request(http.MethodGet, "EIO=4&transport=polling&sid=SID", "")
		if err != nil {
			s.log("%s: %s", name, failure(err))
			return
		}
		if b := withoutPings(body); code != http.StatusOK || b != "" {
			s.log("%s: %d %q", name, code, b)
			return
		}
		s.request(http.MethodPost, "EIO=4&transport=polling&sid=SID", "3")
	}
	s.log("%s: no answer", name)
}

// withoutPings drops the ping packets of a polling payload: when they come
// is a matter of timing.
func withoutPings(body string) string {
	ps := strings.Split(body, "\x1e")
	ps = slices.DeleteFunc(ps, func(p string) bool { return p == "2" })
	return strings.Join(ps, "\x1e")
}

// dial opens a WebSocket; a refusal is written down with its status and
// body, and ends nothing (the case goes on with what it has).
func (s *session) dial(name, query string) error {
	u := "ws" + strings.TrimPrefix(s.url(query), "http")
	d := websocket.Dialer{HandshakeTimeout: wait}
	ws, resp, err := d.DialContext(s.ctx, u, nil)
	if err != nil {
		if resp != nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			s.log("%s: %d %q", name, resp.StatusCode, b)
			return errors.New("refused")
		}
		s.log("%s: %s", name, failure(err))
		return errors.New("refused")
	}
	s.ws = ws
	if s.sid == "" {
		// A WebSocket-only session: the open packet comes first.
		s.read(name, func(m string) bool {
			if m := regexp.MustCompile(`"sid":"([^"]+)"`).FindStringSubmatch(m); m != nil {
				s.sid = m[1]
			}
			return strings.HasPrefix(m, "0")
		})
	}
	return nil
}

// read reads the WebSocket until done accepts a message, it closes, or wait
// passes, answering pings.
func (s *session) read(name string, done func(string) bool) {
	s.ws.SetReadDeadline(time.Now().Add(wait))
	defer s.ws.SetReadDeadline(time.Time{})
	for {
		kind, b, err := s.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			var ne net.Error
			switch {
			case errors.As(err, &ce):
				s.log("%s: closed %d", name, ce.Code)
			case errors.As(err, &ne) && ne.Timeout():
				s.log("%s: no answer", name)
			default:
				s.log("%s: closed without a close frame", name)
			}
			s.ws.Close()
			s.ws = nil
			return
		}
		m := string(b)
		if kind == websocket.BinaryMessage {
			s.log("%s: binary %q", name, m)
			continue
		}
		switch {
		case m == "2":
			s.ws.WriteMessage(websocket.TextMessage, []byte("3"))
		case done(m):
			s.log("%s: %q", name, m)
			return
		default:
			s.log("%s: got %q", name, m)
		}
	}
}

// Canary is a client connected to "/" for the whole corpus: after each
// case it broadcasts and must get its own broadcast and nothing else.
type Canary struct {
	ws *websocket.Conn
	n  int
}

// NewCanary connects a canary to the server at url.
func NewCanary(ctx context.Context, url string) (*Canary, error) {
	s := &session{r: NewRunner(url), ctx: ctx}
	if err := s.dial("canary", "EIO=4&transport=websocket"); err != nil {
		return nil, fmt.Errorf("hostile: canary: %v", s.out)
	}
	s.send("canary", "40", func(m string) bool { return strings.HasPrefix(m, "40") })
	if s.ws == nil {
		return nil, fmt.Errorf("hostile: canary: %v", s.out)
	}
	c := &Canary{ws: s.ws}
	// The fixture greets every socket with "auth".
	if extra := c.until(`42["auth",{}]`); extra != nil {
		return nil, fmt.Errorf("hostile: canary: %v", extra)
	}
	return c, nil
}

// Check broadcasts and returns what came before the broadcast came back,
// which should be nothing, or why it did not come back.
func (c *Canary) Check() []string {
	c.n++
	msg := `42["bcast","canary",` + strconv.Itoa(c.n) + `]`
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		return []string{"canary: write: " + err.Error()}
	}
	return c.until(msg)
}

func (c *Canary) until(want string) []string {
	var extra []string
	c.ws.SetReadDeadline(time.Now().Add(wait))
	for {
		kind, b, err := c.ws.ReadMessage()
		if err != nil {
			return append(extra, "canary: "+err.Error())
		}
		switch m := string(b); {
		case kind == websocket.TextMessage && m == "2":
			c.ws.WriteMessage(websocket.TextMessage, []byte("3"))
		case kind == websocket.TextMessage && m == want:
			return extra
		default:
			extra = append(extra, fmt.Sprintf("%q", bytes.Clone(b)))
		}
	}
}

// Close ends the canary's connection.
func (c *Canary) Close() { c.ws.Close() }
