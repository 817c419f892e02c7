package lessons

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/sioworkbook/workbook/lessons/jsserver"
	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/redisadapter"
)

// A step with CheckNodes is served by two nodes, as two copies of one app
// behind a load balancer: node A at the step's Socket.IO path, node B at
// nodeBPath under the step, each its own sio.Server with the Redis adapter
// on the Site's Redis. Their channels are the step's own ("wb#<lesson>/
// <step>"), and a browser's own server.js runs on two nodes of its own,
// on channels of that browser ("wb#<lesson>/<step>#<browser>"), so that
// nothing crosses between steps or learners. Client panes take turns:
// odd ones (?n=1, 3...) connect to node A, even ones to node B.

// nodeBPath is where node B of a two-node step answers, under the step's
// prefix.
const nodeBPath = "node-b/socket.io/"

// redisPing bounds the check that the Redis of Options.Redis answers.
const redisPing = 5 * time.Second

// clusterRedis is the Redis the two-node steps' adapters share.
type clusterRedis struct {
	client *redis.Client
	mini   *miniredis.Miniredis // nil with a real Redis
	label  string               // "embedded Redis", or the URL without its password
}

// openRedis connects to the Redis at rawURL, or starts an embedded one on
// 127.0.0.1 when rawURL is empty.
func openRedis(rawURL string) (*clusterRedis, error) {
	if rawURL == "" {
		m := miniredis.NewMiniRedis()
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("lessons: starting the embedded Redis: %w", err)
		}
		return &clusterRedis{client: redis.NewClient(&redis.Options{Addr: m.Addr()}), mini: m, label: "embedded Redis"}, nil
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("lessons: Redis URL %q: %w", RedactRedis(rawURL), err)
	}
	c := &clusterRedis{client: redis.NewClient(opts), label: RedactRedis(rawURL)}
	ctx, cancel := context.WithTimeout(context.Background(), redisPing)
	defer cancel()
	if err := c.client.Ping(ctx).Err(); err != nil {
		c.client.Close()
		return nil, fmt.Errorf("lessons: Redis at %s does not answer: %w", c.label, err)
	}
	return c, nil
}

// RedactRedis returns a Redis URL without its password, for pages and logs.
func RedactRedis(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(a Redis URL that does not parse)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.User(u.User.Username())
		}
		if u.User.Username() == "" {
			u.User = nil
		}
	}
	return u.String()
}

func (c *clusterRedis) close() {
	c.client.Close()
	if c.mini != nil {
		c.mini.Close()
	}
}

// adapters returns the NewAdapter of a node on channels prefixed key, and
// a function that closes every adapter it made.
func (s *Site) adapters(key string) (func(*sio.Namespace) sio.Adapter, func()) {
	newAdapter := redisadapter.New(s.redis.client, redisadapter.Config{Key: key, Logger: s.log})
	var mu sync.Mutex
	var made []*redisadapter.Adapter
	factory := func(n *sio.Namespace) sio.Adapter {
		a := newAdapter(n).(*redisadapter.Adapter)
		mu.Lock()
		made = append(made, a)
		mu.Unlock()
		return a
	}
	closeAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range made {
			_ = a.Close()
		}
		made = nil
	}
	return factory, closeAll
}

// nodeConfigs returns the configurations of the two nodes of st, watched
// by checker, on channels prefixed key, and a function that closes their
// adapters once the servers are closed.
func (s *Site) nodeConfigs(st *stepPage, checker *step.Checker, key string) (a, b sio.Config, closeAdapters func()) {
	a = s.serverConfig(st, checker)
	b = a
	b.Path = st.prefix() + nodeBPath
	var closeA, closeB func()
	a.NewAdapter, closeA = s.adapters(key)
	b.NewAdapter, closeB = s.adapters(key)
	return a, b, func() { closeA(); closeB() }
}

// nodeLogs are the views of a step's log for its nodes: each line says
// which node printed it.
func nodeLogs(l *step.Log) (a, b *step.Log) { return l.WithPrefix("[A] "), l.WithPrefix("[B] ") }

// newNodes starts the two nodes of st with Setup on each and CheckNodes
// on both, and returns node A; node B and the adapters' closing go in st.
func (s *Site) newNodes(st *stepPage, checker *step.Checker) *sio.Server {
	cfgA, cfgB, closeAdapters := s.nodeConfigs(st, checker, "wb#"+st.key())
	a, b := sio.NewServer(cfgA), sio.NewServer(cfgB)
	checker.Start(a)
	checker.Start(b)
	logA, logB := nodeLogs(st.log)
	st.def.Setup(a, logA)
	st.def.Setup(b, logB)
	st.def.CheckNodes(a, b, checker)
	s.watchPresence(a, st)
	s.watchPresence(b, st)
	st.mu.Lock()
	st.ioB, st.closeNodes = b, closeAdapters
	st.mu.Unlock()
	return a
}

// closeNodeB closes node B of a two-node step and the adapters of both
// nodes; node A is closed with the other steps' servers.
func (st *stepPage) closeNodeB() {
	st.mu.Lock()
	b, closeAdapters := st.ioB, st.closeNodes
	st.ioB, st.closeNodes = nil, nil
	st.mu.Unlock()
	if b != nil {
		b.Close()
	}
	if closeAdapters != nil {
		closeAdapters()
	}
}

// jsNodesConfig is jsConfig for a two-node step: the browser's server.js
// (src) runs on node A as the Manager's instance, and on node B as an
// instance started with it and stopped with it (the pair counts as one
// against the Manager's bounds), both on the browser's own channels.
func (s *Site) jsNodesConfig(st *stepPage, browser, src string) jsserver.Config {
	checker := s.newChecker(st)
	cfgA, cfgB, closeAdapters := s.nodeConfigs(st, checker, "wb#"+st.key()+"#"+browser)
	logA, logB := nodeLogs(st.log.ForBrowser(browser))
	var a *sio.Server
	var nodeB *jsserver.Instance
	return jsserver.Config{
		Log:    logA,
		Server: cfgA,
		Setup: func(srv *sio.Server) {
			a = srv
			checker.Start(a)
			s.watchPresence(a, st)
			in, err := jsserver.Start(jsserver.Config{Source: src, Log: logB, Server: cfgB, Setup: func(b *sio.Server) {
				checker.Start(b)
				s.watchPresence(b, st)
				st.def.CheckNodes(a, b, checker)
			}})
			if err != nil {
				logA.Println("[workbook] node B did not start:", err.Error())
			}
			nodeB = in
			st.mu.Lock()
			if st.jsCheckers == nil {
				st.jsCheckers = map[*sio.Server]*step.Checker{}
			}
			if st.jsNodeB == nil {
				st.jsNodeB = map[*sio.Server]*jsserver.Instance{}
			}
			st.jsCheckers[a] = checker
			st.jsNodeB[a] = in
			st.mu.Unlock()
		},
		Stopped: func() {
			st.mu.Lock()
			delete(st.jsCheckers, a)
			delete(st.jsNodeB, a)
			st.mu.Unlock()
			if nodeB != nil {
				nodeB.Close()
			}
			checker.Close()
			closeAdapters()
		},
	}
}

// socketIONodeB serves node B's path of a two-node step: the node B of
// the requesting browser's own server.js when it runs one, the step's
// node B otherwise.
func (s *Site) socketIONodeB(st *stepPage) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if browser := step.RequestBrowser(r); browser != "" {
			if in := s.js.Get(jsserver.Key{Browser: browser, Step: st.key()}); in != nil {
				st.mu.Lock()
				b, ok := st.jsNodeB[in.Server()]
				st.mu.Unlock()
				switch {
				case b != nil:
					b.ServeHTTP(w, r)
					return
				case ok: // not the step's node B instead: the learner's clients stay on their nodes
					http.Error(w, "node B of your server.js did not start: the server log says why", http.StatusServiceUnavailable)
					return
				}
			}
		}
		st.mu.Lock()
		b := st.ioB
		st.mu.Unlock()
		if b == nil {
			unavailable(w)
			return
		}
		b.ServeHTTP(w, r)
	})
}

// readSource reads the body of a PUT of server.js for a two-node step,
// which starts node B with the same source, and puts it back for the
// SourceHandler (which answers 413 past jsserver.MaxSource).
func readSource(r *http.Request) (string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, jsserver.MaxSource+1))
	if err != nil {
		return "", fmt.Errorf("reading the source: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return string(body), nil
}
