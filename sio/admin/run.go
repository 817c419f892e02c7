package admin

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/parser"
)

// processStart stands for the process's start in server_stats' uptime.
var processStart = time.Now()

// run is the Admin's one goroutine: it turns queued notifications into
// messages for the UIs and sends server_stats. It owns the socket map.
func (a *Admin) run() {
	defer close(a.runExited)
	sockets := make(socketMap)
	tick := time.NewTicker(a.opts.StatsInterval)
	defer tick.Stop()
	a.sendStats()
	var dropped int64
	for {
		select {
		case <-a.done:
			return
		case it := <-a.q.ch:
			a.q.got(&it)
			a.syncIfDue(sockets)
			a.handle(sockets, &it)
		case <-a.wake:
			a.syncIfDue(sockets)
		case <-tick.C:
			if a.resyncAll.Swap(false) {
				// Notifications were dropped: the UIs' lists may be wrong.
				// Every socket again, at most once per tick, however long
				// the flood lasts.
				a.resync.Store(true)
				a.syncIfDue(sockets)
				if a.verbose() {
					_ = a.nsp.Emit("all_sockets", a.allSockets())
				}
				if n := a.q.dropped.Load(); n >= 2*dropped {
					a.log.Warn("admin: notifications for the UI dropped; it was sent every socket again", "dropped", n)
					dropped = n
				}
			}
			a.sendStats()
		}
	}
}

// socketMap finds the socket ids of an Engine.IO session, by namespace:
// Socket.IO packets are observed by session.
type socketMap map[string]map[string]string // sid -> nsp -> socket id

// syncIfDue rebuilds m from the server's sockets when a UI has just
// connected: nothing was watched before.
func (a *Admin) syncIfDue(m socketMap) {
	if !a.resync.Swap(false) {
		return
	}
	clear(m)
	for _, n := range a.io.Namespaces() {
		for _, s := range n.Sockets() {
			m.set(s.SessionID(), n.Name(), s.ID())
		}
	}
}

func (m socketMap) set(sid, nsp, id string) {
	byNsp := m[sid]
	if byNsp == nil {
		byNsp = make(map[string]string, 1)
		m[sid] = byNsp
	}
	byNsp[nsp] = id
}

func (a *Admin) handle(m socketMap, it *item) {
	if !a.verbose() {
		return
	}
	at := jsDate(it.at)
	switch it.kind {
	case kindConnected:
		m.set(it.sid, it.nsp, it.id)
		if n := a.namespace(it.nsp); n != nil {
			if s := n.Socket(it.id); s != nil {
				_ = a.nsp.Emit("socket_connected", serialize(s), at)
			}
		}
	case kindDisconnected:
		id, ok := m[it.sid][it.nsp]
		if !ok {
			return
		}
		delete(m[it.sid], it.nsp)
		_ = a.nsp.Emit("socket_disconnected", it.nsp, id, it.text, at)
	case kindClosed:
		for nsp, id := range m[it.sid] {
			_ = a.nsp.Emit("socket_disconnected", nsp, id, it.text, at)
		}
		delete(m, it.sid)
	case kindUpgraded:
		for nsp, id := range m[it.sid] {
			_ = a.nsp.Emit("socket_updated", map[string]any{"id": id, "nsp": nsp, "transport": it.text})
		}
	case kindEvent:
		id, ok := m[it.sid][it.nsp]
		if !ok {
			return
		}
		// The args as the UI wants them: [event, ...args].
		var args any = it.data
		if len(it.atts) > 0 {
			v, err := parser.Value(it.data, it.atts)
			if err != nil {
				return
			}
			args = v
		}
		name := "event_received"
		if it.out {
			name = "event_sent"
		}
		_ = a.nsp.Emit(name, it.nsp, id, args, at)
	case kindRoom:
		name := "room_left"
		if it.joined {
			name = "room_joined"
		}
		_ = a.nsp.Emit(name, it.nsp, it.text, it.id, at)
	}
}

// sendStats sends server_stats to the UIs.
func (a *Admin) sendStats() {
	if !a.active() {
		a.agg.take() // nothing counted is kept for later UIs
		return
	}
	_ = a.nsp.Emit("server_stats", a.stats())
}

// serverStats is the payload of server_stats.
type serverStats struct {
	ServerID            string            `json:"serverId"`
	Hostname            string            `json:"hostname"`
	PID                 int               `json:"pid"`
	Uptime              float64           `json:"uptime"` // seconds
	ClientsCount        int               `json:"clientsCount"`
	PollingClientsCount int               `json:"pollingClientsCount"`
	AggregatedEvents    []aggregatedEvent `json:"aggregatedEvents"`
	Namespaces          []namespaceStats  `json:"namespaces"`
}

type namespaceStats struct {
	Name         string `json:"name"`
	SocketsCount int    `json:"socketsCount"`
}

func (a *Admin) stats() serverStats {
	host, _ := os.Hostname()
	st := serverStats{
		ServerID:         a.opts.ServerID,
		Hostname:         host,
		PID:              os.Getpid(),
		Uptime:           time.Since(processStart).Seconds(),
		AggregatedEvents: a.agg.take(),
		Namespaces:       []namespaceStats{},
	}
	sessions := a.io.Engine().Sessions()
	st.ClientsCount = len(sessions)
	for _, s := range sessions {
		if s.Transport() == "polling" {
			st.PollingClientsCount++
		}
	}
	for _, n := range a.io.Namespaces() {
		st.Namespaces = append(st.Namespaces, namespaceStats{Name: n.Name(), SocketsCount: n.Len()})
	}
	return st
}

// allSockets is the payload of all_sockets: every socket of every namespace.
func (a *Admin) allSockets() []socketInfo {
	all := []socketInfo{}
	for _, n := range a.io.Namespaces() {
		for _, s := range n.Sockets() {
			all = append(all, serialize(s))
		}
	}
	return all
}

// socketInfo is a socket as the UI lists it.
type socketInfo struct {
	ID        string          `json:"id"`
	ClientID  string          `json:"clientId"`
	Transport string          `json:"transport"`
	Nsp       string          `json:"nsp"`
	Data      json.RawMessage `json:"data"`
	Handshake handshakeInfo   `json:"handshake"`
	Rooms     []string        `json:"rooms"`
}

type handshakeInfo struct {
	Address string            `json:"address"`
	Headers map[string]string `json:"headers"`
	Query   map[string]any    `json:"query"`
	Issued  int64             `json:"issued"` // milliseconds since the epoch
	Secure  bool              `json:"secure"`
	Time    string            `json:"time"` // as JavaScript's Date.toString
	URL     string            `json:"url"`
	XDomain bool              `json:"xdomain"`
}

func serialize(s *sio.Socket) socketInfo {
	h := s.Handshake()
	info := socketInfo{
		ID:        s.ID(),
		ClientID:  s.SessionID(),
		Transport: s.Transport(),
		Nsp:       s.Namespace().Name(),
		Data:      json.RawMessage("{}"),
		Rooms:     s.Rooms(),
		Handshake: handshakeInfo{
			Address: h.Address,
			Headers: make(map[string]string, len(h.Headers)),
			Query:   queryObject(h.Query),
			Issued:  h.Time.UnixMilli(),
			Secure:  h.Secure,
			Time:    h.Time.Format("Mon Jan 02 2006 15:04:05 GMT-0700 (MST)"),
			URL:     h.URL,
			XDomain: h.XDomain,
		},
	}
	// The UI groups the sockets of one connection by the first 12
	// characters of its Engine.IO id, as Node's instrument does.
	if len(info.ClientID) > 12 {
		info.ClientID = info.ClientID[:12]
	}
	if d := s.Data(); d != nil {
		if b, err := json.Marshal(d); err == nil && len(b) > 0 && b[0] == '{' {
			info.Data = b
		}
	}
	for k, v := range h.Headers {
		info.Handshake.Headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	// Behind a proxy, the address the proxy was given, as Node shows it.
	for _, k := range []string{"cf-connecting-ip", "x-forwarded-for"} {
		if v := info.Handshake.Headers[k]; v != "" {
			info.Handshake.Address = v
			break
		}
	}
	return info
}

// queryObject is a query as Node parses one: a string per key, an array of
// strings for a key given more than once.
func queryObject(q url.Values) map[string]any {
	out := make(map[string]any, len(q))
	for k, v := range q {
		if len(v) == 1 {
			out[k] = v[0]
		} else {
			out[k] = v
		}
	}
	return out
}

// jsDate formats t as JSON.stringify(new Date()) does.
func jsDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
