package inspector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/sioworkbook/workbook/sio/engine"
)

// Packets are stored in two tables (SCHEMA.md): payloads, one row per
// distinct packet of a batch (a broadcast's bytes and decoded fields are
// stored once, however many sessions it went to), and packet_chunks, one
// row per session and batch listing that session's packets as compact
// references to payloads. The view packets turns them back into rows.

// The bounds of one chunk: a session that sends more in one batch gets
// several. maxChunkSpan bounds the distance between a packet's time and
// the chunk's first_at, so that a time range narrows the chunks to read.
const (
	maxChunkPackets = 256
	maxChunkSpan    = int64(60_000_000) // µs
)

// Flags of a packet reference in a chunk's list.
const (
	refWebSocket = 1 // else polling
	refOut       = 2 // else in
	refShift     = 2 // the payload id offset is above the flags
)

// pchunk is the packets of one session in one batch, as the writer gathers
// them.
type pchunk struct {
	ss       *sessState
	id       int64 // of its first packet, once the batch gives ids
	firstAt  int64
	ats      []int64
	refs     []int64 // payload id << refShift | flags
	attached []attachment
	live     []*Packet // with a live feed: the packets to publish, by index
	nlines   []uint8   // the debug lines derived from each packet (derived.go)
	debugN   int       // their sum, then (numberLines) those of the session's block
	// The block of line ids of the session in the batch (numberLines).
	debugID, debugEnd int64
}

// attachment says that packet k of a chunk is a binary attachment of
// packet parent.
type attachment struct {
	k      int
	parent packetRef
}

// packetRef names a packet of the batch being written (c and k: its id is
// known once the batch gives ids) or of an earlier one (id).
type packetRef struct {
	c  *pchunk
	k  int
	id int64
}

// resolve returns the id of the packet r names.
func (r packetRef) resolve() int64 {
	if r.c != nil {
		return r.c.id + int64(r.k)
	}
	return r.id
}

// wpayload is a payload of the batch being written.
type wpayload struct {
	id    int64
	f     sioFields
	isSIO bool
	// lines[flags] is 1 + the number of debug lines derived from a
	// delivery with those flags (refOut, refWebSocket); 0 until counted.
	lines [4]int8
}

// pchunks gathers the packets of a batch, and the payloads they refer
// to, reusing its buffers from batch to batch.
type pchunks struct {
	list  []*pchunk
	spare []*pchunk
	text  map[string]*wpayload // the payloads of the batch by their bytes
	bin   map[string]*wpayload // binary ones
	pays  []wpayload           // their storage
	npay  int
	buf   []byte
	args  []any // of the statements of insert
}

func (cs *pchunks) reset() {
	for _, c := range cs.list {
		c.ss = nil
		c.ats, c.refs, c.attached = c.ats[:0], c.refs[:0], c.attached[:0]
		c.debugN, c.nlines = 0, c.nlines[:0]
		clear(c.live)
		c.live = c.live[:0]
		cs.spare = append(cs.spare, c)
	}
	cs.list = cs.list[:0]
	cs.forgetPayloads()
	if cs.text == nil {
		cs.text, cs.bin = make(map[string]*wpayload), make(map[string]*wpayload)
	}
}

// forgetPayloads empties the payloads of the batch.
func (cs *pchunks) forgetPayloads() {
	clear(cs.text)
	clear(cs.bin)
	clear(cs.pays[:cs.npay]) // their fields point into the items' bytes
	cs.npay = 0
}

// chunk returns the chunk of ss to which a packet at at goes.
func (cs *pchunks) chunk(ss *sessState, at int64) *pchunk {
	c := ss.chunk
	if c != nil && len(c.ats) < maxChunkPackets && abs(at-c.firstAt) <= maxChunkSpan {
		return c
	}
	if n := len(cs.spare); n > 0 {
		c, cs.spare = cs.spare[n-1], cs.spare[:n-1]
	} else {
		c = &pchunk{}
	}
	c.ss, c.firstAt, c.id = ss, at, 0
	ss.chunk = c
	cs.list = append(cs.list, c)
	return c
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// payload returns the payload of the batch with bytes raw, and false, or
// a new one, and true. raw must stay unchanged until the batch ends (the
// map keeps it as its key).
func (cs *pchunks) payload(raw []byte, binary bool, next *int64) (*wpayload, bool) {
	m := cs.text
	if binary {
		m = cs.bin
	}
	key := unsafe.String(unsafe.SliceData(raw), len(raw))
	if p := m[key]; p != nil {
		return p, false
	}
	if cs.npay == len(cs.pays) {
		// A new slab: the payloads already handed out keep theirs.
		cs.pays = make([]wpayload, max(256, 2*len(cs.pays)))
		cs.npay = 0
	}
	p := &cs.pays[cs.npay]
	cs.npay++
	*p = wpayload{id: *next}
	*next++
	m[key] = p
	return p, true
}

// number gives ids to the chunks of the batch from next on, in the order
// they were opened, and returns the next free id. A session's chunks were
// opened in order, so its ids follow the order of its packets.
func (cs *pchunks) number(next int64) int64 {
	for _, c := range cs.list {
		c.id = next
		next += int64(len(c.ats))
	}
	return next
}

// encode returns the base and list of c, as packet_chunks stores them.
func (cs *pchunks) encode(c *pchunk) (base int64, list string) {
	base = c.refs[0] >> refShift
	for _, r := range c.refs[1:] {
		base = min(base, r>>refShift)
	}
	b := cs.buf[:0]
	for k, at := range c.ats {
		if k > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, at-c.firstAt, 10)
		b = append(b, ',')
		r := c.refs[k]
		b = strconv.AppendInt(b, (r>>refShift-base)<<refShift|r&(1<<refShift-1), 10)
	}
	cs.buf = b
	return base, unsafe.String(unsafe.SliceData(b), len(b)) // until the next encode
}

// attachedJSON returns the attached column of c: NULL, or its pairs.
func attachedJSON(c *pchunk) any {
	if len(c.attached) == 0 {
		return nil
	}
	b := []byte{'['}
	for i, a := range c.attached {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(a.k), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, a.parent.resolve(), 10)
		b = append(b, ']')
	}
	return string(append(b, ']'))
}

// chunkRows is how many chunks one statement inserts: one statement per
// chunk cost more than the row itself.
const chunkRows = 32

// insert writes the chunks of the batch, numbered, chunkRows a statement
// (b.pchunkN, then b.pchunk for the rest), and fills in the ids of their
// live packets.
func (cs *pchunks) insert(ctx context.Context, b *batch) error {
	const cols = 10
	args := cs.args[:0]
	defer func() {
		clear(args[:cap(args)])
		cs.args = args[:0]
	}()
	for _, c := range cs.list {
		base, list := cs.encode(c)
		// list is the text of cs.buf, which the next encode overwrites:
		// each row gets its own copy.
		args = append(args, c.id, c.ss.s.ID, len(c.ats), c.firstAt, base, strings.Clone(list),
			attachedJSON(c), c.debugID, c.debugN, c.debugEnd)
		if len(args) == chunkRows*cols {
			if _, err := b.pchunkN.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("inspector: insert packets: %w", err)
			}
			args = args[:0]
		}
		for k, p := range c.live {
			if p != nil {
				p.ID = c.id + int64(k)
			}
		}
		for _, a := range c.attached {
			if a.k < len(c.live) && c.live[a.k] != nil {
				c.live[a.k].AttachmentOf = a.parent.resolve()
			}
		}
	}
	for i := 0; i < len(args); i += cols {
		if _, err := b.pchunk.ExecContext(ctx, args[i:i+cols]...); err != nil {
			return fmt.Errorf("inspector: insert packets: %w", err)
		}
	}
	return nil
}

// A chunk as read back.

// chunkRef is one packet of a chunk as its list gives it.
type chunkRef struct {
	at      int64
	payload int64
	flags   int64
}

var errBadChunk = errors.New("malformed packet chunk")

// decodeList reads the list of a chunk into dst.
func decodeList(dst []chunkRef, firstAt, base int64, list []byte) ([]chunkRef, error) {
	dst = dst[:0]
	var nums [2]int64
	i := 0
	for pos := 0; pos <= len(list); {
		end := pos
		for end < len(list) && list[end] != ',' {
			end++
		}
		v, err := strconv.ParseInt(unsafe.String(unsafe.SliceData(list[pos:end]), end-pos), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errBadChunk, err)
		}
		nums[i] = v
		if i == 1 {
			dst = append(dst, chunkRef{at: firstAt + nums[0], payload: base + v>>refShift, flags: v & (1<<refShift - 1)})
		}
		i ^= 1
		pos = end + 1
	}
	if i != 0 {
		return nil, fmt.Errorf("%w: odd list", errBadChunk)
	}
	return dst, nil
}

// decodeAttached reads the attached column of a chunk: the parent of each
// attachment by its index.
func decodeAttached(text []byte) (map[int]int64, error) {
	if len(text) == 0 {
		return nil, nil
	}
	var pairs [][2]int64
	if err := json.Unmarshal(text, &pairs); err != nil {
		return nil, fmt.Errorf("%w: attached: %v", errBadChunk, err)
	}
	m := make(map[int]int64, len(pairs))
	for _, p := range pairs {
		m[int(p[0])] = p[1]
	}
	return m, nil
}

// refDir and refTransport name the flags of a reference.
func refDir(flags int64) string {
	if flags&refOut != 0 {
		return engine.Out.String()
	}
	return engine.In.String()
}

func refTransport(flags int64) string {
	if flags&refWebSocket != 0 {
		return engine.TransportWebSocket
	}
	return engine.TransportPolling
}
