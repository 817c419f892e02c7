package inspector

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/sioworkbook/workbook/sio/parser"
)

// maxChunkBytes bounds the JSON of one chunk: a session that writes more in
// one batch gets several chunks.
const maxChunkBytes = 1 << 20

// chunk is the debug lines of one session in one batch, as the JSON array
// stored in debug_chunks.lines.
type chunk struct {
	sid             string
	firstID, lastID int64
	firstAt, lastAt int64
	n               int
	json            []byte
}

// chunks gathers the debug lines of a batch by session, in the order the
// sessions first wrote, reusing its buffers from batch to batch.
type chunks struct {
	list  []*chunk
	bySID map[string]*chunk // the chunk still open for each session
	spare []*chunk
}

func (cs *chunks) reset() {
	for _, c := range cs.list {
		c.json = c.json[:0]
		if cap(c.json) > maxChunkBytes {
			c.json = nil
		}
		cs.spare = append(cs.spare, c)
	}
	cs.list = cs.list[:0]
	clear(cs.bySID)
}

// add appends a line of session sid to the session's chunk.
func (cs *chunks) add(id, at int64, sid, namespace, msg string) {
	c := cs.bySID[sid]
	if c == nil || len(c.json) >= maxChunkBytes {
		if n := len(cs.spare); n > 0 {
			c, cs.spare = cs.spare[n-1], cs.spare[:n-1]
		} else {
			c = &chunk{}
		}
		c.sid, c.firstID, c.firstAt, c.n = sid, id, at, 0
		c.json = append(c.json[:0], '[')
		if cs.bySID == nil {
			cs.bySID = make(map[string]*chunk)
		}
		cs.bySID[sid] = c
		cs.list = append(cs.list, c)
	}
	if c.n > 0 {
		c.json = append(c.json, ',')
	}
	c.json = append(c.json, '[')
	c.json = strconv.AppendInt(c.json, id, 10)
	c.json = append(c.json, ',')
	c.json = strconv.AppendInt(c.json, at, 10)
	c.json = append(c.json, ',')
	c.json = parser.AppendJSONString(c.json, namespace)
	c.json = append(c.json, ',')
	c.json = parser.AppendJSONString(c.json, msg)
	c.json = append(c.json, ']')
	c.lastID, c.lastAt = id, at
	c.n++
}

// insert writes the chunks of the batch with stmt (sqlInsertChunk).
func (cs *chunks) insert(ctx context.Context, stmt *sql.Stmt) error {
	for _, c := range cs.list {
		c.json = append(c.json, ']')
		text := unsafe.String(unsafe.SliceData(c.json), len(c.json)) // stored as TEXT
		if _, err := stmt.ExecContext(ctx, c.firstID, c.lastID, c.sid, c.firstAt, c.lastAt, c.n, text); err != nil {
			return fmt.Errorf("inspector: insert debug lines: %w", err)
		}
	}
	return nil
}
