package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/sioworkbook/workbook/inspector"
)

// Actor acts on the live sockets of the sessions the inspector shows: the
// session page's forms call it. The workbook's own servers implement it
// over sio (ServersActor); workbook proxy implements it by playing the
// server toward the client. What an actor does reaches the recorder as the
// packets it makes, like any other.
//
// Its methods are called from the HTTP handlers, concurrently.
type Actor interface {
	// Abilities says what the actor can do to session sid now.
	Abilities(sid string) Abilities
	// Emit sends an event, and waits for the answers when e.Ack is above
	// zero.
	Emit(ctx context.Context, e Emission) (Answer, error)
	// Disconnect disconnects the session's socket in namespace nsp
	// ("io server disconnect"); with closeConn, the whole connection is
	// closed.
	Disconnect(ctx context.Context, sid, nsp string, closeConn bool) error
	// Join puts the session's socket in namespace nsp into room.
	Join(ctx context.Context, sid, nsp, room string) error
	// Leave takes the session's socket in namespace nsp out of room.
	Leave(ctx context.Context, sid, nsp, room string) error
}

// Abilities is what an Actor can do to a session.
type Abilities struct {
	// Live: the actor holds the session and can emit to its socket and
	// disconnect it. When false, Why says why (in English).
	Live bool
	Why  string
	// NoRooms, when not empty, says why rooms are out of reach: joining,
	// leaving, and emitting to a room or to everyone.
	NoRooms string
}

// Target is who an Emission goes to.
type Target string

// The targets of an Emission.
const (
	ToSocket Target = "socket" // the session's socket in the namespace
	ToRoom   Target = "room"   // the sockets of a room of the namespace
	ToAll    Target = "all"    // every socket of the namespace
)

// Emission is an event the inspector sends.
type Emission struct {
	SID   string        // the session whose page sends it
	Nsp   string        // the namespace, "/" by default
	To    Target        // its socket, a room of the namespace, or everyone in it
	Room  string        // with ToRoom
	Event string        // the event's name
	Args  []any         // its arguments, as decoded from JSON
	Ack   time.Duration // above zero: ask for an acknowledgement and wait this long
}

// Answer is what came of an Emission.
type Answer struct {
	// Replies holds the acknowledgement's arguments for a socket; for a
	// room or everyone, the first argument of each socket's answer, in the
	// order they came (as sio's EmitWithAck returns them).
	Replies []any `json:"replies"`
	// TimedOut: the wait for answers ended before they all came.
	TimedOut bool `json:"timedOut,omitempty"`
}

// ErrNotLive is returned by an Actor for a session it does not hold.
var ErrNotLive = errors.New("inspector: the session is not live here")

// Limits of an action.
const (
	maxAckWait = time.Minute // the longest wait for an acknowledgement
	maxActBody = 1 << 20     // the largest action request
)

// ActHeader, on a request to an action endpoint, marks it as sent by a
// script of the inspector's own origin (a cross-site form cannot set it).
// A form sent without JavaScript has none: its Origin header must then
// name the inspector's host.
const ActHeader = "X-Workbook-Act"

// actResult is an action endpoint's answer.
type actResult struct {
	Action string  `json:"action"`
	OK     bool    `json:"ok"`
	Answer *Answer `json:"answer,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// actForm is what an action request holds.
type actForm struct {
	Action    string // emit, disconnect, join, leave
	Nsp       string
	To        Target
	Room      string
	Event     string
	Args      string // a JSON array
	Ack       bool
	Timeout   time.Duration
	CloseConn bool
}

// parseActForm reads and checks an action request.
func parseActForm(r *http.Request) (actForm, error) {
	f := actForm{
		Action: r.PostFormValue("action"), Nsp: strings.TrimSpace(r.PostFormValue("nsp")),
		To: Target(r.PostFormValue("to")), Room: strings.TrimSpace(r.PostFormValue("room")),
		Event: r.PostFormValue("event"), Args: strings.TrimSpace(r.PostFormValue("args")),
		Ack: r.PostFormValue("ack") != "", CloseConn: r.PostFormValue("close") != "",
	}
	if f.Nsp == "" {
		f.Nsp = "/"
	}
	if !strings.HasPrefix(f.Nsp, "/") || strings.Contains(f.Nsp, ",") {
		return f, fmt.Errorf("namespace %q: it starts with / and holds no comma", f.Nsp)
	}
	switch f.Action {
	case "emit":
		if f.Event == "" {
			return f, errors.New("an event needs a name")
		}
		switch f.To {
		case "":
			f.To = ToSocket
		case ToSocket, ToAll:
		case ToRoom:
			if f.Room == "" {
				return f, errors.New("which room? give its name")
			}
		default:
			return f, fmt.Errorf("to %q: want socket, room or all", f.To)
		}
		f.Timeout = 5 * time.Second
		if t := strings.TrimSpace(r.PostFormValue("timeout")); t != "" && f.Ack {
			s, err := strconv.ParseFloat(t, 64)
			if err != nil || s <= 0 || s > maxAckWait.Seconds() {
				return f, fmt.Errorf("timeout %q: want seconds, above 0 and at most %d", t, int(maxAckWait.Seconds()))
			}
			f.Timeout = time.Duration(s * float64(time.Second))
		}
	case "join", "leave":
		if f.Room == "" {
			return f, errors.New("which room? give its name")
		}
	case "disconnect":
	default:
		return f, fmt.Errorf("action %q: want emit, disconnect, join or leave", f.Action)
	}
	return f, nil
}

// parseArgs reads an event's arguments: a JSON array, or nothing for none.
// Numbers stay as written (json.Number), so that a large integer goes out
// as it came in.
func parseArgs(text string) ([]any, error) {
	if text == "" {
		return nil, nil
	}
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var args []any
	if err := d.Decode(&args); err != nil {
		return nil, fmt.Errorf("arguments: want a JSON array such as [\"hi\", 1]: %w", err)
	}
	if d.More() {
		return nil, errors.New("arguments: want one JSON array, and nothing after it")
	}
	return args, nil
}

// act serves POST /inspector/sessions/{sid}/act: it emits an event,
// disconnects the session's socket, or has it join or leave a room, through
// the Actor. It takes the token, as every page does, and more: without a
// token (a workbook on loopback), the request must come from loopback; and
// it must come from the inspector's own origin (ActHeader, or a matching
// Origin header). A script asking for JSON gets actResult; a form sent
// without JavaScript gets a page saying what came of it.
func (h *Handler) act(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(w, r) {
		return
	}
	r = withLang(w, r)
	sid := r.PathValue("sid")
	wantJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	answer := func(status int, res actResult) {
		if wantJSON {
			writeJSON(w, status, res)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = actResultPage(h.layout(r.Context(), "Action", "", ""), sid, res).Render(r.Context(), w)
	}
	if err := actAllowed(r, h.opts.Token); err != nil {
		answer(http.StatusForbidden, actResult{Error: err.Error()})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxActBody)
	f, err := parseActForm(r)
	res := actResult{Action: f.Action}
	if err != nil {
		res.Error = err.Error()
		answer(http.StatusBadRequest, res)
		return
	}
	var args []any
	if f.Action == "emit" {
		if args, err = parseArgs(f.Args); err != nil {
			res.Error = err.Error()
			answer(http.StatusBadRequest, res)
			return
		}
	}
	if h.opts.Actor == nil {
		res.Error = "this inspector cannot act: it serves no Socket.IO server (workbook inspect, or a read-only file)"
		answer(http.StatusConflict, res)
		return
	}
	ab := h.opts.Actor.Abilities(sid)
	if !ab.Live {
		res.Error = ab.Why
		answer(http.StatusConflict, res)
		return
	}
	if ab.NoRooms != "" && (f.Action == "join" || f.Action == "leave" || f.Action == "emit" && f.To != ToSocket) {
		res.Error = ab.NoRooms
		answer(http.StatusConflict, res)
		return
	}
	ctx := r.Context()
	switch f.Action {
	case "emit":
		e := Emission{SID: sid, Nsp: f.Nsp, To: f.To, Room: f.Room, Event: f.Event, Args: args}
		if f.Ack {
			e.Ack = f.Timeout
		}
		h.note(sid, "emit %q to %s from the inspector", f.Event, targetText(f))
		var a Answer
		if a, err = h.opts.Actor.Emit(ctx, e); err == nil && f.Ack {
			if a.Replies == nil {
				a.Replies = []any{}
			}
			res.Answer = &a
		}
	case "disconnect":
		h.note(sid, "disconnect %s from the inspector (close the connection: %t)", f.Nsp, f.CloseConn)
		err = h.opts.Actor.Disconnect(ctx, sid, f.Nsp, f.CloseConn)
	case "join":
		h.note(sid, "join %s to room %q from the inspector", f.Nsp, f.Room)
		err = h.opts.Actor.Join(ctx, sid, f.Nsp, f.Room)
	case "leave":
		h.note(sid, "take %s out of room %q from the inspector", f.Nsp, f.Room)
		err = h.opts.Actor.Leave(ctx, sid, f.Nsp, f.Room)
	}
	switch {
	case errors.Is(err, ErrNotLive):
		res.Error = err.Error()
		answer(http.StatusConflict, res)
	case err != nil:
		h.log.Info("inspector: an action failed", "sid", sid, "action", f.Action, "err", err)
		res.Error = err.Error()
		answer(http.StatusBadRequest, res)
	default:
		res.OK = true
		answer(http.StatusOK, res)
	}
}

// targetText names an emission's target in a debug line.
func targetText(f actForm) string {
	switch f.To {
	case ToRoom:
		return fmt.Sprintf("room %q of %s", f.Room, f.Nsp)
	case ToAll:
		return "every socket of " + f.Nsp
	}
	return "the socket of " + f.Nsp
}

// actNamespace is the debug namespace of the lines that say what the
// inspector did to a session.
const actNamespace = "workbook:inspector"

// note records a debug line about session sid, so that its trace tells
// which packets the inspector made.
func (h *Handler) note(sid, format string, args ...any) {
	if h.rec == nil {
		return
	}
	if o := h.rec.Observer(); o.Debug != nil {
		o.Debug(actNamespace, sid, format, args...)
	}
}

// actAllowed is the extra check of the action endpoints: they change what
// a live client sees, so a cross-site page must not reach them, and
// without a token only this machine may.
func actAllowed(r *http.Request, token string) error {
	if token == "" && !loopbackAddr(r.RemoteAddr) {
		return errors.New("actions need the inspector token, or a request from this machine")
	}
	if err := sameOrigin(r); err != nil {
		return err
	}
	if r.Header.Get(ActHeader) == "" && r.Header.Get("Origin") == "" {
		return errors.New("an action needs the " + ActHeader + " header, or a form of the inspector's own page")
	}
	return nil
}

// loopbackAddr reports whether a RemoteAddr ("ip:port") is on loopback.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// actURL is where the forms of session sid's page post.
func actURL(sid string) templ.SafeURL { return sessionURL(sid) + "/act" }

// replyText shows an answer's replies as JSON.
func replyText(a *Answer) string {
	if a == nil {
		return ""
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a.Replies); err != nil {
		return fmt.Sprint(a.Replies)
	}
	return strings.TrimSpace(b.String())
}

// actPanel is what the session page's forms need.
type actPanel struct {
	SID        string
	Abilities  Abilities
	Namespaces []string // seen in the session, "/" first
	HasActor   bool
}

// newActPanel is the action forms of session sid, whose packets are all.
func (h *Handler) newActPanel(sid string, all []inspector.Packet) actPanel {
	p := actPanel{SID: sid, HasActor: h.opts.Actor != nil, Namespaces: []string{"/"}}
	seen := map[string]bool{"/": true}
	for i := range all {
		if n := all[i].Nsp; n != "" && !seen[n] {
			seen[n] = true
			p.Namespaces = append(p.Namespaces, n)
		}
	}
	if p.HasActor {
		p.Abilities = h.opts.Actor.Abilities(sid)
	}
	return p
}

// firstNsp is the namespace the forms start with: the last one the session
// used besides "/", as that is most likely the one of interest.
func firstNsp(nsps []string) string {
	if len(nsps) == 0 {
		return "/"
	}
	return nsps[len(nsps)-1]
}

func init() {
	for en, w := range actSpanish {
		if _, dup := es[en]; dup {
			panic("inspector/web: the word " + strconv.Quote(en) + " has its Spanish twice")
		}
		es[en] = w
	}
}

// actSpanish is the Spanish of the action forms' words (see i18n.go).
var actSpanish = map[string]string{
	"Act on this session": "Actuar sobre esta sesión",
	"This inspector serves no Socket.IO server: it can only watch.": "Este inspector no sirve ningún servidor Socket.IO: solo puede observar.",
	"Nothing can be done to this session here:":                     "Aquí no se puede actuar sobre esta sesión:",
	"send to":                            "enviar a",
	"this socket":                        "este socket",
	"a room":                             "una sala",
	"everyone":                           "todos",
	"room":                               "sala",
	"arguments (JSON array)":             "argumentos (array JSON)",
	"ask for an ack, wait":               "pedir un ack, esperar",
	"Emit":                               "Emitir",
	"Join":                               "Unir",
	"Leave":                              "Sacar",
	"close the whole connection":         "cerrar toda la conexión",
	"Disconnect":                         "Desconectar",
	"Done.":                              "Hecho.",
	"Answer:":                            "Respuesta:",
	"No answer in time. Answers so far:": "Sin respuesta a tiempo. Respuestas hasta ahora:",
	"Sending…":                           "Enviando…",
	"Action":                             "Acción",
	"Back to the session":                "Volver a la sesión",
}
