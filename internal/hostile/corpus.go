// Package hostile sends a corpus of hostile inputs, over raw HTTP and raw
// WebSocket, to a Socket.IO server that implements the interop fixture
// contract (internal/fixture, interop/node/fixture-server.mjs) and writes
// down what the server answered, in a transcript that holds no session
// ids and no timing, so that two servers can be compared line by line.
//
// An input is a file of testdata/corpus: comment lines (#), an optional
// "known N: why" line naming a difference from the official server that
// issue N is fixing, the steps (one a line, see Step), then, after a line
// "--- node", the transcript the official server gave, written by
// `go test ./internal/hostile -update`.
package hostile

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// NodeMarker separates a case's steps from the official server's transcript.
const NodeMarker = "--- node"

// Case is one input of the corpus.
type Case struct {
	Name    string // the file's name without .txt
	Path    string
	Comment []string // the leading comment lines, without "# "
	Known   string   // "N: why" when the official server answers otherwise, on purpose or until issue item N is fixed
	Steps   []Step
	Node    []string // the official server's transcript, as recorded
}

// Step is one action of a case: Op and its arguments, strings given in Go
// syntax ("4\x1e2" for a payload of two packets).
//
//	open                 polling handshake (GET), keeps the sid
//	post BODY            POST BODY to the session
//	post-raw QUERY BODY  POST BODY to /socket.io/?QUERY (sid=SID is replaced)
//	get                  GET the session's next packets (pings are answered)
//	get-raw QUERY        GET /socket.io/?QUERY (sid=SID is replaced)
//	get2                 two GETs of the session at once
//	ws                   a WebSocket handshake (transport=websocket, no sid)
//	upgrade              upgrade the polling session to WebSocket (2probe, 3probe, 5)
//	upgrade-again        a second WebSocket upgrade of the same session
//	send TEXT            a text frame on the WebSocket
//	sendbin BYTES        a binary frame on the WebSocket
//	connect              CONNECT to "/" and read up to the CONNECT reply
//	probe                emit "echo" with an ack and wait for the answer
//	                     or the end of the connection
type Step struct {
	Op   string
	Args []string
}

func (s Step) String() string {
	var b strings.Builder
	b.WriteString(s.Op)
	for _, a := range s.Args {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(a))
	}
	return b.String()
}

// arity is how many arguments each step takes.
var arity = map[string]int{
	"open": 0, "post": 1, "post-raw": 2, "get": 0, "get-raw": 1, "get2": 0, "ws": 0,
	"upgrade": 0, "upgrade-again": 0, "send": 1, "sendbin": 1, "connect": 0, "probe": 0,
}

// Load reads every case of dir, in name order.
func Load(dir string) ([]*Case, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	var cases []*Case
	for _, f := range files {
		c, err := LoadCase(f)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// LoadCase reads one case.
func LoadCase(path string) (*Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c := &Case{Name: strings.TrimSuffix(filepath.Base(path), ".txt"), Path: path}
	inNode := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case inNode:
			c.Node = append(c.Node, line)
		case line == NodeMarker:
			inNode = true
		case strings.HasPrefix(line, "#"):
			c.Comment = append(c.Comment, strings.TrimSpace(strings.TrimPrefix(line, "#")))
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "known "):
			c.Known = strings.TrimPrefix(line, "known ")
		default:
			st, err := parseStep(line)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, n, err)
			}
			c.Steps = append(c.Steps, st)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(c.Steps) == 0 {
		return nil, fmt.Errorf("%s: no steps", path)
	}
	return c, nil
}

func parseStep(line string) (Step, error) {
	op, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	n, ok := arity[op]
	if !ok {
		return Step{}, fmt.Errorf("unknown step %q", op)
	}
	st := Step{Op: op}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return Step{}, fmt.Errorf("step %s: arguments are Go strings: %w", op, err)
		}
		a, _ := strconv.Unquote(q)
		st.Args = append(st.Args, a)
		rest = rest[len(q):]
	}
	if len(st.Args) != n {
		return Step{}, fmt.Errorf("step %s takes %d arguments, got %d", op, n, len(st.Args))
	}
	return st, nil
}

// WriteNode rewrites the case's file with transcript as the official
// server's answer.
func (c *Case) WriteNode(transcript []string) error {
	b, err := os.ReadFile(c.Path)
	if err != nil {
		return err
	}
	head, _, _ := strings.Cut(string(b), NodeMarker+"\n")
	head = strings.TrimRight(head, "\n") + "\n"
	out := head + NodeMarker + "\n" + strings.Join(transcript, "\n") + "\n"
	c.Node = transcript
	return os.WriteFile(c.Path, []byte(out), 0o644)
}
