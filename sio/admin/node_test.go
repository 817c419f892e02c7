package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/internal/nodetest"
	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/admin"
)

// TestSameAsNode plays the same scene against the official server with the
// official instrument() (interop/node/admin-server.mjs) and against ours,
// and compares the shape of every message the UI gets: names, argument
// counts, object keys and value types.
func TestSameAsNode(t *testing.T) {
	node := nodetest.Start(t, "admin-server.mjs", "--port", "0")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	line, err := node.WaitLine(ctx, "LISTENING ")
	if err != nil {
		t.Fatalf("admin-server.mjs: %v\n%s", err, node.Report())
	}
	nodeURL := "http://127.0.0.1:" + strings.TrimPrefix(line, "LISTENING ")

	srv := start(t, admin.Options{ServerID: "go"})
	srv.io.OnConnection(func(s *sio.Socket) {
		s.Join("lobby")
		s.On("hello", func(e *sio.Event) {
			_ = s.Emit("welcome", e.Arg(0))
			_ = e.Ack("ok")
		})
	})

	goShapes := scene(t, srv.url)
	nodeShapes := scene(t, nodeURL)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range nodeShapes {
			if !yield(k) {
				return
			}
		}
	}) {
		if goShapes[name] != nodeShapes[name] {
			t.Errorf("%s:\n  ours: %s\n  node: %s", name, goShapes[name], nodeShapes[name])
		}
	}
	for name := range goShapes {
		if _, ok := nodeShapes[name]; !ok {
			t.Errorf("%s is sent by ours only: %s", name, goShapes[name])
		}
	}
}

// scene connects a UI and an application client to url, has the client
// send "hello" and leave, and returns the shape of the first message of
// each name the UI got (of the last server_stats).
func scene(t *testing.T, url string) map[string]string {
	t.Helper()
	u := mustUI(t, url, nil)
	u.waitFor(t, "all_sockets", nil)
	app := connectApp(t, url)
	id := app.ID()
	u.waitFor(t, "socket_updated", func(m message) bool {
		return fmt.Sprint(m.args[0]) != "" && strings.Contains(fmt.Sprint(m.args[0]), id)
	})
	if _, err := app.Timeout(wait).EmitWithAck(context.Background(), "hello", "ana"); err != nil {
		t.Fatal(err)
	}
	u.waitFor(t, "event_sent", nil)
	app.Disconnect()
	u.waitFor(t, "room_left", nil)
	last := u.waitFor(t, "server_stats", func(m message) bool {
		return strings.Contains(string(m.raw[0]), `"packetsIn"`) && strings.Contains(string(m.raw[0]), `"rawDisconnection"`)
	})
	shapes := map[string]string{}
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, m := range u.msgs {
		if _, seen := shapes[m.name]; seen || m.name == "server_stats" {
			continue
		}
		if m.name == "event_received" || m.name == "event_sent" {
			if m.args[0] != "/" {
				continue // the UI's own namespace: neither sends it
			}
		}
		shapes[m.name] = shapeOfArgs(m.args)
	}
	shapes["server_stats"] = shapeOfArgs(last.args)
	return shapes
}

// shapeOfArgs describes a message's arguments in order.
func shapeOfArgs(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = shapeOf(a)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// shapeOf describes v without its values: object keys (sorted) with the
// shape of their values, arrays by the shapes their elements have (each
// once, sorted), and type names. Headers and query differ by client and
// count as "object".
func shapeOf(v any) string {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			s := shapeOf(v[k])
			if k == "headers" || k == "query" {
				s = "object"
			}
			parts = append(parts, k+":"+s)
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		var elems []string
		for _, e := range v {
			elems = append(elems, shapeOf(e))
		}
		sort.Strings(elems)
		return "[" + strings.Join(slices.Compact(elems), "|") + "]"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	case []byte:
		return "binary"
	case json.RawMessage:
		return "raw"
	}
	return fmt.Sprintf("%T", v)
}
