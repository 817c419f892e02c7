package engine_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sioworkbook/workbook/sio/engine"
)

var sidPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{20}$`)

func TestHandshakePolling(t *testing.T) {
	e := newEnv(t, engine.Config{PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond}, nil)
	status, body, res := e.do("GET", e.url("EIO=4&transport=polling"), "", nil)
	if status != 200 {
		t.Fatalf("status = %d", status)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	op := parseOpen(t, body)
	if !sidPattern.MatchString(op.SID) {
		t.Errorf("sid %q is not 20 characters of URL-safe base64", op.SID)
	}
	if !slices.Equal(op.Upgrades, []string{"websocket"}) || op.PingInterval != 300 || op.PingTimeout != 200 || op.MaxPayload != 1000000 {
		t.Errorf("open packet = %+v", op)
	}
	s := e.h.session(t)
	if s.ID() != op.SID || s.Transport() != "polling" {
		t.Errorf("session %s on %s", s.ID(), s.Transport())
	}
	if s.Request().URL.Query().Get("transport") != "polling" || s.Request().Body != http.NoBody {
		t.Errorf("Request() = %v", s.Request())
	}
	if n := e.srv.Count(); n != 1 {
		t.Errorf("Count = %d", n)
	}
}

func TestHandshakeWebSocket(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	ws := e.dial("EIO=4&transport=websocket")
	msg, err := ws.read()
	if err != nil {
		t.Fatal(err)
	}
	op := parseOpen(t, msg)
	if len(op.Upgrades) != 0 || op.Upgrades == nil || op.PingInterval != 25000 || op.PingTimeout != 20000 || op.MaxPayload != 1000000 {
		t.Errorf("open packet = %+v", op)
	}
	s := e.h.session(t)
	if s.ID() != op.SID || s.Transport() != "websocket" {
		t.Errorf("session %s on %s", s.ID(), s.Transport())
	}
	ws.send("4hello")
	ws.mustRead("4hello")
}

func TestSessionIDsAreUnique(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	seen := map[string]bool{}
	for range 50 {
		p := e.handshake()
		if seen[p.sid] {
			t.Fatalf("duplicate sid %s", p.sid)
		}
		seen[p.sid] = true
	}
}

type errorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func checkError(t *testing.T, status int, body string, wantStatus, wantCode int, wantMsg string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("status = %d, want %d (body %q)", status, wantStatus, body)
	}
	var eb errorBody
	if err := json.Unmarshal([]byte(body), &eb); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if eb.Code != wantCode || eb.Message != wantMsg {
		t.Errorf("body = %+v, want code %d %q", eb, wantCode, wantMsg)
	}
}

func TestErrorCodes(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	tests := []struct {
		name, method, query string
		status, code        int
		msg                 string
	}{
		{"no transport", "GET", "EIO=4", 400, 0, "Transport unknown"},
		{"bad transport", "GET", "EIO=4&transport=abc", 400, 0, "Transport unknown"},
		{"unknown sid", "GET", "EIO=4&transport=polling&sid=nope", 400, 1, "Session ID unknown"},
		{"POST handshake", "POST", "EIO=4&transport=polling", 400, 2, "Bad handshake method"},
		{"PUT handshake", "PUT", "EIO=4&transport=polling", 400, 2, "Bad handshake method"},
		{"websocket without upgrade", "GET", "EIO=4&transport=websocket", 400, 3, "Bad request"},
		{"websocket sid without upgrade", "GET", "EIO=4&transport=websocket&sid=" + p.sid, 400, 3, "Bad request"},
		{"no EIO", "GET", "transport=polling", 400, 5, "Unsupported protocol version"},
		{"EIO=abc", "GET", "EIO=abc&transport=polling", 400, 5, "Unsupported protocol version"},
		{"EIO=3", "GET", "EIO=3&transport=polling", 400, 5, "Unsupported protocol version"},
		{"EIO=40", "GET", "EIO=40&transport=polling", 400, 5, "Unsupported protocol version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, res := e.do(tt.method, e.url(tt.query), "", nil)
			checkError(t, status, body, tt.status, tt.code, tt.msg)
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
	// the session survived all that
	p.mustPost("4still")
	p.mustGet("4still")
}

func TestOtherMethodOnSession(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	p := e.handshake()
	for _, m := range []string{"PUT", "DELETE", "OPTIONS"} {
		status, _, _ := e.do(m, e.url(p.query()), "", nil)
		if status != 500 {
			t.Errorf("%s = %d, want 500", m, status)
		}
	}
}

func TestWebSocketRejectedBeforeUpgrade(t *testing.T) {
	e := newEnv(t, engine.Config{}, nil)
	for _, tt := range []struct {
		query  string
		status int
		msg    string
	}{
		{"transport=websocket", 400, "Unsupported protocol version"},
		{"EIO=abc&transport=websocket", 400, "Unsupported protocol version"},
		{"EIO=4", 400, "Transport unknown"},
		{"EIO=4&transport=abc", 400, "Transport unknown"},
		{"EIO=4&transport=websocket&sid=unknown", 400, "Session ID unknown"},
		{"EIO=4&transport=polling", 400, "Bad request"},
	} {
		_, res, err := websocket.DefaultDialer.Dial(e.wsURL(tt.query), nil)
		if !errors.Is(err, websocket.ErrBadHandshake) || res == nil {
			t.Fatalf("%s: dial err = %v", tt.query, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status || string(body) != tt.msg {
			t.Errorf("%s: %d %q, want %d %q", tt.query, res.StatusCode, body, tt.status, tt.msg)
		}
	}
}

func TestAllowRequest(t *testing.T) {
	allow := true
	var msg string
	e := newEnv(t, engine.Config{AllowRequest: func(r *http.Request) error {
		if allow || r.URL.Query().Get("token") == "ok" {
			return nil
		}
		return errors.New(msg)
	}}, nil)
	p := e.handshake()
	allow = false
	msg = "go away"
	status, body, _ := e.do("GET", e.url("EIO=4&transport=polling"), "", nil)
	checkError(t, status, body, 403, 4, "go away")
	msg = ""
	status, body, _ = e.do("GET", e.url("EIO=4&transport=polling"), "", nil)
	checkError(t, status, body, 403, 4, "Forbidden")
	// not asked about existing sessions
	p.mustPost("4x")
	p.mustGet("4x")
	status, _, _ = e.do("GET", e.url("EIO=4&transport=polling&token=ok"), "", nil)
	if status != 200 {
		t.Errorf("allowed handshake = %d", status)
	}
	// WebSocket handshakes are asked too
	_, res, err := websocket.DefaultDialer.Dial(e.wsURL("EIO=4&transport=websocket"), nil)
	if err == nil || res == nil || res.StatusCode != 403 {
		t.Errorf("forbidden WebSocket: %v %v", err, res)
	}
}

func TestTransportsOption(t *testing.T) {
	t.Run("polling only", func(t *testing.T) {
		e := newEnv(t, engine.Config{Transports: []string{"polling"}}, nil)
		p := e.handshake()
		if len(p.open.Upgrades) != 0 {
			t.Errorf("upgrades = %v", p.open.Upgrades)
		}
		_, res, err := websocket.DefaultDialer.Dial(e.wsURL("EIO=4&transport=websocket"), nil)
		if err == nil || res.StatusCode != 400 {
			t.Fatalf("websocket handshake: %v", err)
		}
		_, res, err = websocket.DefaultDialer.Dial(e.wsURL("EIO=4&transport=websocket&sid="+p.sid), nil)
		if err == nil || res.StatusCode != 400 {
			t.Fatalf("websocket upgrade: %v", err)
		}
		body, _ := io.ReadAll(res.Body)
		if string(body) != "Transport unknown" {
			t.Errorf("body = %q", body)
		}
	})
	t.Run("websocket only", func(t *testing.T) {
		e := newEnv(t, engine.Config{Transports: []string{"websocket"}}, nil)
		status, body, _ := e.do("GET", e.url("EIO=4&transport=polling"), "", nil)
		checkError(t, status, body, 400, 0, "Transport unknown")
		ws := e.dial("EIO=4&transport=websocket")
		msg, _ := ws.read()
		parseOpen(t, msg)
	})
	t.Run("upgrades disabled", func(t *testing.T) {
		e := newEnv(t, engine.Config{DisableUpgrades: true}, nil)
		p := e.handshake()
		if len(p.open.Upgrades) != 0 || p.open.Upgrades == nil {
			t.Errorf("upgrades = %v", p.open.Upgrades)
		}
		ws := e.dial("EIO=4&transport=websocket&sid=" + p.sid)
		ws.expectClosed()
		p.mustPost("4still polling")
		p.mustGet("4still polling")
	})
}

func TestCORS(t *testing.T) {
	t.Run("any origin", func(t *testing.T) {
		e := newEnv(t, engine.Config{CORS: &engine.CORS{Origins: []string{"*"}}}, nil)
		status, _, res := e.do("OPTIONS", e.url("EIO=4&transport=polling"), "", http.Header{
			"Origin": {"https://a.example"}, "Access-Control-Request-Method": {"POST"},
			"Access-Control-Request-Headers": {"content-type"},
		})
		if status != 204 {
			t.Errorf("preflight status = %d", status)
		}
		h := res.Header
		if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Methods") != "GET,HEAD,PUT,PATCH,POST,DELETE" ||
			h.Get("Access-Control-Allow-Headers") != "content-type" {
			t.Errorf("preflight headers = %v", h)
		}
		_, body, res := e.do("GET", e.url("EIO=4&transport=polling"), "", http.Header{"Origin": {"https://a.example"}})
		parseOpen(t, body)
		if res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET headers = %v", res.Header)
		}
		// errors carry the headers too
		_, _, res = e.do("GET", e.url("EIO=4"), "", http.Header{"Origin": {"https://a.example"}})
		if res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("error headers = %v", res.Header)
		}
	})
	t.Run("credentials", func(t *testing.T) {
		e := newEnv(t, engine.Config{CORS: &engine.CORS{Origins: []string{"*"}, Credentials: true, MaxAge: time.Hour,
			AllowedHeaders: []string{"X-A", "X-B"}, ExposedHeaders: []string{"X-C"}, Methods: []string{"GET", "POST"}}}, nil)
		_, _, res := e.do("OPTIONS", e.url("EIO=4&transport=polling"), "", http.Header{"Origin": {"https://a.example"}})
		h := res.Header
		if h.Get("Access-Control-Allow-Origin") != "https://a.example" || h.Get("Access-Control-Allow-Credentials") != "true" ||
			h.Get("Vary") != "Origin" || h.Get("Access-Control-Max-Age") != "3600" || h.Get("Access-Control-Allow-Headers") != "X-A,X-B" ||
			h.Get("Access-Control-Allow-Methods") != "GET,POST" {
			t.Errorf("preflight headers = %v", h)
		}
		_, _, res = e.do("GET", e.url("EIO=4&transport=polling"), "", http.Header{"Origin": {"https://b.example"}})
		if res.Header.Get("Access-Control-Allow-Origin") != "https://b.example" || res.Header.Get("Access-Control-Expose-Headers") != "X-C" {
			t.Errorf("GET headers = %v", res.Header)
		}
	})
	t.Run("listed origins", func(t *testing.T) {
		e := newEnv(t, engine.Config{CORS: &engine.CORS{Origins: []string{"https://good.example"},
			AllowOrigin: func(o string) bool { return o == "https://also.example" }}}, nil)
		for origin, want := range map[string]string{
			"https://good.example": "https://good.example",
			"https://also.example": "https://also.example",
			"https://evil.example": "",
		} {
			_, _, res := e.do("GET", e.url("EIO=4&transport=polling"), "", http.Header{"Origin": {origin}})
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != want || res.Header.Get("Vary") != "Origin" {
				t.Errorf("origin %s: allow %q vary %q, want %q", origin, got, res.Header.Get("Vary"), want)
			}
		}
	})
	t.Run("off", func(t *testing.T) {
		e := newEnv(t, engine.Config{}, nil)
		status, body, res := e.do("OPTIONS", e.url("EIO=4&transport=polling"), "", http.Header{"Origin": {"https://a.example"}})
		checkError(t, status, body, 400, 2, "Bad handshake method")
		if res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("CORS header without CORS config")
		}
	})
}
