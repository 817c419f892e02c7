package inspector

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/sioworkbook/workbook/sio/engine"
)

// TimeFormat is the format of the "time" field of the JSON Lines export:
// RFC 3339 in UTC with microseconds.
const TimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// JSONLine is one line of the JSON Lines format of Export and Import: one
// packet, or a debug line. See SCHEMA.md. Other readers and writers of the
// format (inspector/har) use it.
type JSONLine struct {
	Time      string          `json:"time"`
	Session   string          `json:"session"`
	Dir       string          `json:"dir"`
	Transport string          `json:"transport"`
	EIOType   string          `json:"eio_type"`
	SIOType   *string         `json:"sio_type"`
	Nsp       *string         `json:"nsp"`
	Event     *string         `json:"event"`
	AckID     *int64          `json:"ack_id"`
	Args      json.RawMessage `json:"args"`
	Raw       string          `json:"raw"`
	RawBase64 bool            `json:"raw_base64,omitempty"` // raw is base64 (binary messages, text that is not UTF-8)
	Binary    bool            `json:"binary"`
	Size      int             `json:"size"`
	ID        int64           `json:"id,omitempty"`
	// AttachmentOf is the id of the BINARY_EVENT/BINARY_ACK an attachment
	// belongs to (informative: an import finds it again from the order).
	AttachmentOf *int64 `json:"attachment_of,omitempty"`

	Path       string `json:"path"`
	Client     string `json:"client"`
	RemoteAddr string `json:"remote_addr"`
	UserAgent  string `json:"user_agent"`
	// SessionInfo is on the first line of each session only.
	SessionInfo *SessionInfo `json:"session_info,omitempty"`

	// Debug is set on a debug line (ExportOptions.DebugLines), which has
	// only time and session besides.
	Debug *debugJSON `json:"debug,omitempty"`
}

// debugJSON is the debug field of a debug line.
type debugJSON struct {
	Namespace string `json:"namespace"`
	Message   string `json:"message"`
}

// debugLineJSON is a debug line as Export writes it.
type debugLineJSON struct {
	Time    string    `json:"time"`
	Session string    `json:"session"`
	Debug   debugJSON `json:"debug"`
}

// ExportOptions says what Export writes besides packets.
type ExportOptions struct {
	// DebugLines adds the debug lines of the exported sessions, merged
	// with the packets by time (a packet first on a tie), one per line:
	// {"time", "session", "debug": {"namespace", "message"}}. The filter
	// may then select by session, client and time only.
	DebugLines bool
}

// SessionInfo is the rest of a session row, on the first line of each
// session.
type SessionInfo struct {
	StartedAt   string `json:"started_at"`
	Transport   string `json:"transport"`
	Upgraded    string `json:"upgraded,omitempty"`
	UpgradedAt  string `json:"upgraded_at,omitempty"`
	EndedAt     string `json:"ended_at,omitempty"`
	CloseReason string `json:"close_reason,omitempty"`
}

func formatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

func formatOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Export writes the packets f selects as JSON Lines, oldest first: one
// packet per line (the format is in SCHEMA.md). A zero f.Limit means every
// packet here, not DefaultPacketLimit. progress, if not nil, is called now
// and then with the lines written and the lines to write. Export returns the
// number of lines written.
//
// Export reads one snapshot of the file: packets recorded meanwhile are not
// in it. Flush the Recorder first to include what is queued.
func (db *DB) Export(ctx context.Context, w io.Writer, f PacketFilter, progress func(done, total int64)) (int64, error) {
	return db.ExportWith(ctx, w, f, ExportOptions{}, progress)
}

// ExportWith is Export with options: with opts.DebugLines, the debug lines
// of the exported sessions too (read after the packets' snapshot: lines
// recorded meanwhile may be in it). progress counts packets.
func (db *DB) ExportWith(ctx context.Context, w io.Writer, f PacketFilter, opts ExportOptions, progress func(done, total int64)) (int64, error) {
	var lines *debugCursor
	if opts.DebugLines {
		if f.Event != "" || f.Nsp != "" || f.Dir != "" || f.Last || f.Limit > 0 || f.AfterID != 0 {
			return 0, errors.New("inspector: export: debug lines go with the session, client and time filters only")
		}
		lines = &debugCursor{db: db, f: PacketFilter{SID: f.SID, Client: f.Client, Since: f.Since, Until: f.Until}}
	}
	if f.Limit == 0 {
		f.Limit = -1
	}
	tx, err := db.r.BeginTx(ctx, nil) // one snapshot for the count and the rows
	if err != nil {
		return 0, fmt.Errorf("inspector: export: %w", err)
	}
	defer tx.Rollback()
	var total int64 = -1
	if progress != nil {
		if total, err = countPackets(ctx, tx, f); err != nil {
			return 0, fmt.Errorf("inspector: export: count: %w", err)
		}
		progress(0, total)
	}

	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	sessions := map[int64]*Session{}
	seen := map[int64]bool{}
	var n, packets int64
	// writeLines writes the debug lines before time until (all if zero).
	writeLines := func(until time.Time) error {
		for lines != nil {
			l, err := lines.peek(ctx)
			if err != nil {
				return fmt.Errorf("inspector: export: %w", err)
			}
			if l == nil || !until.IsZero() && !l.At.Before(until) {
				return nil
			}
			lines.next()
			if err := enc.Encode(debugLineJSON{Time: formatTime(l.At), Session: l.SID,
				Debug: debugJSON{Namespace: l.Namespace, Message: l.Message}}); err != nil {
				return fmt.Errorf("inspector: export: %w", err)
			}
			n++
		}
		return nil
	}
	write := func(p *Packet) error {
		if err := writeLines(p.At); err != nil {
			return err
		}
		s := sessions[p.SessionID]
		if s == nil {
			s = &Session{}
			if err := scanSession(tx.QueryRowContext(ctx, sqlSelectSession+` WHERE id = ?`, p.SessionID), s); err != nil {
				return fmt.Errorf("inspector: export: session %s: %w", p.SID, err)
			}
			sessions[p.SessionID] = s
		}
		l := packetLine(p, s)
		if !seen[p.SessionID] {
			seen[p.SessionID] = true
			l.SessionInfo = &SessionInfo{StartedAt: formatTime(s.StartedAt), Transport: s.Transport,
				Upgraded: s.Upgraded, UpgradedAt: formatOptTime(s.UpgradedAt),
				EndedAt: formatOptTime(s.EndedAt), CloseReason: s.CloseReason}
		}
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("inspector: export: %w", err)
		}
		n++
		packets++
		if progress != nil && packets%1000 == 0 {
			progress(packets, total)
		}
		return nil
	}
	if f.Last {
		// The last rows, oldest first.
		ps, err := collectPackets(ctx, tx, f)
		if err != nil {
			return n, fmt.Errorf("inspector: export: %w", err)
		}
		for i := range ps {
			if err := write(&ps[i]); err != nil {
				return n, err
			}
		}
	} else {
		limit := f.limit()
		scan := &packetScan{q: tx, f: f}
		err := scan.scan(ctx, func(p *Packet) (bool, error) {
			if err := write(p); err != nil {
				return false, err
			}
			return limit < 0 || packets < int64(limit), nil
		})
		if err != nil {
			return n, fmt.Errorf("inspector: export: %w", err)
		}
	}
	if err := writeLines(time.Time{}); err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("inspector: export: %w", err)
	}
	if progress != nil {
		progress(packets, total)
	}
	return n, nil
}

// debugCursor reads the debug lines a filter selects, a page at a time,
// skipping the lines of no session (they belong to no exported session).
type debugCursor struct {
	db    *DB
	f     PacketFilter
	page  []DebugLine
	after int64
	done  bool
}

func (c *debugCursor) peek(ctx context.Context) (*DebugLine, error) {
	for len(c.page) == 0 && !c.done {
		f := c.f
		f.AfterID, f.Limit = c.after, 1000
		page, err := c.db.DebugLines(ctx, f)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			c.done = true
			break
		}
		c.after = page[len(page)-1].ID
		for _, l := range page {
			if l.SID != "" {
				c.page = append(c.page, l)
			}
		}
	}
	if len(c.page) == 0 {
		return nil, nil
	}
	return &c.page[0], nil
}

func (c *debugCursor) next() { c.page = c.page[1:] }

func packetLine(p *Packet, s *Session) *JSONLine {
	l := &JSONLine{
		Time: formatTime(p.At), Session: p.SID, Dir: p.Dir, Transport: p.Transport, EIOType: p.EIOType,
		SIOType: optString(p.SIOType), Nsp: optString(p.Nsp), Event: optString(p.Event), AckID: p.AckID,
		Args: p.Args, Binary: p.Binary, Size: p.Size, ID: p.ID,
		Path: s.Path, Client: s.Client, RemoteAddr: s.RemoteAddr, UserAgent: s.UserAgent,
	}
	if p.SIOType != "" && p.Event == "" && (p.SIOType == "EVENT" || p.SIOType == "BINARY_EVENT") && len(p.Args) > 0 {
		// An event whose name is "" keeps its (empty) name.
		empty := ""
		l.Event = &empty
	}
	if p.AttachmentOf != 0 {
		a := p.AttachmentOf
		l.AttachmentOf = &a
	}
	if p.Binary || !utf8.Valid(p.Raw) {
		l.Raw, l.RawBase64 = base64.StdEncoding.EncodeToString(p.Raw), true
	} else {
		l.Raw = string(p.Raw)
	}
	return l
}

// importBatch is how many lines Import hands the writer at a time, each
// lot in a transaction of its own (import.go). 1024 lines take about 15 ms
// to write on a busy machine (2 cores at load 8, 2026-12-07): a recorder
// that waits for the lock between two of them waits well under its 100 ms
// batch interval.
const importBatch = 1024

// MaxImportLine is the longest line Import reads, in bytes. The longest
// line Export writes holds a packet of the largest message a server takes
// (1 MB by default) twice (raw and args), JSON-escaped: far less.
const MaxImportLine = 16 << 20

// ErrLineTooLong is returned by Import for a line longer than
// MaxImportLine.
var ErrLineTooLong = fmt.Errorf("inspector: import: a line is longer than %d MiB", MaxImportLine>>20)

// Import reads JSON Lines as Export writes them and stores the packets and
// their sessions. Only time, session, dir, transport and raw (with
// raw_base64/binary) are needed: the Engine.IO and Socket.IO fields are
// decoded again from raw, as the recorder does. The session fields (path,
// client, remote_addr, user_agent, session_info) are taken from the first
// line of each session that has them.
//
// r is stored in chunks of a few hundred lines, each committed on its own,
// so that a recorder writing to the same file waits for a chunk, not for
// the whole file (import.go). Until Import returns, readers may see its
// sessions grow. On a malformed line (Import names it), a line longer than
// MaxImportLine (ErrLineTooLong), or any other error, Import deletes what
// it stored, so that nothing of r is left and the corrected file imports
// whole. A session already in the database is skipped whole, so importing
// the same file twice adds nothing. A process killed during an import
// leaves the sessions it had begun, listed in import_pending: the next
// Import deletes them (once the dead run is 30 s old) and, given the same
// file, imports them whole.
//
// progress, if not nil, is called now and then with the bytes read and the
// size of r (-1 when unknown: r is not a file). Import returns the number of
// packets stored.
func (db *DB) Import(ctx context.Context, r io.Reader, progress func(done, total int64)) (n int64, err error) {
	var total int64 = -1
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			total = fi.Size()
		}
	}
	w := newWriter(db, db.logger())
	decided := map[string]bool{} // sid -> imported
	w.skip = func(sid string, found bool) bool {
		imp, ok := decided[sid]
		if !ok {
			imp = !found
			decided[sid] = imp
		}
		return !imp
	}
	var closes []item
	started := map[string]bool{}

	run, err := db.startImport(ctx)
	if err != nil {
		return 0, err
	}
	var b *batch // the open transaction, nil between two
	defer func() {
		if err != nil {
			if b != nil {
				b.rollback()
			}
			if aerr := run.abandon(ctx); aerr != nil {
				err = errors.Join(err, aerr)
			}
			n = 0
		}
	}()

	br := bufio.NewReaderSize(r, 256<<10)
	var (
		batch  []item
		read   int64
		lineNo int
		stored int64
		line   []byte
	)
	var sids []string // sessions of the lot, for import_pending
	// flush writes the lot in a transaction of its own; the last (end set)
	// also ends the run.
	flush := func(end bool) (err error) {
		if b, err = w.begin(ctx); err != nil {
			return fmt.Errorf("inspector: import: %w", err)
		}
		var none []Live
		if err := w.add(ctx, b, batch, nil, false, &none); err != nil {
			return fmt.Errorf("inspector: import: %w", err)
		}
		sids = sids[:0]
		for _, it := range batch {
			if decided[it.sid] {
				sids = append(sids, it.sid)
			}
		}
		if err := run.mark(ctx, b, sids); err != nil {
			return err
		}
		if end {
			if err := run.finish(ctx, b); err != nil {
				return err
			}
		}
		err = b.commit()
		b = nil
		if err != nil {
			w.forget()
			return fmt.Errorf("inspector: import: %w", err)
		}
		w.settle(false, &none)
		for _, it := range batch {
			if it.kind == kindPacket && decided[it.sid] {
				stored++
			}
		}
		batch = batch[:0]
		if progress != nil {
			progress(read, total)
		}
		return nil
	}
	if progress != nil {
		progress(0, total)
	}
	for {
		var rerr error
		line, rerr = readLine(br, line[:0], MaxImportLine)
		read += int64(len(line))
		if errors.Is(rerr, ErrLineTooLong) {
			return 0, fmt.Errorf("%w: line %d", rerr, lineNo+1)
		}
		if len(line) > 0 {
			lineNo++
			its, err := importLine(line, started)
			if err != nil {
				return 0, fmt.Errorf("inspector: import: line %d: %w", lineNo, err)
			}
			for _, it := range its {
				if it.kind == kindClosed {
					closes = append(closes, it)
				} else {
					batch = append(batch, it)
				}
			}
			if len(batch) >= importBatch {
				if err := flush(false); err != nil {
					return 0, err
				}
				if err := ctx.Err(); err != nil {
					return 0, fmt.Errorf("inspector: import: %w", err)
				}
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, fmt.Errorf("inspector: import: read: %w", rerr)
		}
	}
	// The ends last, so that the writer keeps every session in hand until
	// its last packet.
	batch = append(batch, closes...)
	if err := flush(true); err != nil {
		return 0, err
	}
	return stored, nil
}

// readLine appends the next line of br, with its newline, to buf. At the
// end of br it returns what is left and io.EOF; past limit bytes it stops
// reading and returns ErrLineTooLong, so that a huge line costs no more
// memory than limit.
func readLine(br *bufio.Reader, buf []byte, limit int) ([]byte, error) {
	for {
		frag, err := br.ReadSlice('\n')
		if len(buf)+len(frag) > limit {
			return buf[:0], ErrLineTooLong
		}
		if need := len(buf) + len(frag); need > cap(buf) {
			// Double, to the limit: append grows a large slice by a
			// quarter, which would allocate five times the line.
			nb := make([]byte, len(buf), min(max(2*cap(buf), need), limit))
			copy(nb, buf)
			buf = nb
		}
		buf = append(buf, frag...)
		if err != bufio.ErrBufferFull {
			return buf, err
		}
	}
}

// importLine turns one line into items: the packet, preceded on the
// session's first line by its opening (and upgrade), and its close (which
// Import holds back until the end).
func importLine(line []byte, started map[string]bool) ([]item, error) {
	var l JSONLine
	trimmed := trimSpace(line)
	if len(trimmed) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(trimmed, &l); err != nil {
		return nil, err
	}
	if l.Session == "" {
		return nil, errors.New(`no "session"`)
	}
	at, err := time.Parse(time.RFC3339Nano, l.Time)
	if err != nil {
		return nil, fmt.Errorf(`"time": %w`, err)
	}
	if d := l.Debug; d != nil {
		if d.Namespace == "" {
			return nil, errors.New(`a debug line with no "namespace"`)
		}
		return []item{{kind: kindDebug, at: at.UnixMicro(), sid: l.Session, ns: d.Namespace, text: d.Message}}, nil
	}
	var dir engine.Direction
	switch l.Dir {
	case "in":
		dir = engine.In
	case "out":
		dir = engine.Out
	default:
		return nil, fmt.Errorf(`"dir" %q is neither "in" nor "out"`, l.Dir)
	}
	if l.Transport != engine.TransportPolling && l.Transport != engine.TransportWebSocket {
		return nil, fmt.Errorf(`"transport" %q is neither "polling" nor "websocket"`, l.Transport)
	}
	raw := []byte(l.Raw)
	if l.RawBase64 || l.Binary {
		if raw, err = base64.StdEncoding.DecodeString(l.Raw); err != nil {
			return nil, fmt.Errorf(`"raw": %w`, err)
		}
	}
	it := item{kind: kindPacket, at: at.UnixMicro(), sid: l.Session, dir: dir, transport: l.Transport,
		binary: l.Binary, data: raw}
	if l.Binary {
		it.eio = engine.PacketMessage
	} else {
		if len(raw) == 0 || raw[0] < '0' || raw[0] > '6' {
			return nil, errors.New(`"raw" does not start with an Engine.IO packet type`)
		}
		it.eio = engine.PacketType(raw[0] - '0')
	}
	var out []item
	if !started[l.Session] {
		started[l.Session] = true
		open := item{kind: kindOpened, at: it.at, sid: l.Session, transport: l.Transport,
			open: &openInfo{path: l.Path, client: l.Client, addr: l.RemoteAddr, agent: l.UserAgent}}
		if si := l.SessionInfo; si != nil {
			if t, err := time.Parse(time.RFC3339Nano, si.StartedAt); err == nil {
				open.at = t.UnixMicro()
			}
			if si.Transport != "" {
				open.transport = si.Transport
			}
			out = append(out, open)
			if t, err := time.Parse(time.RFC3339Nano, si.UpgradedAt); err == nil && si.Upgraded != "" {
				out = append(out, item{kind: kindUpgraded, at: t.UnixMicro(), sid: l.Session, transport: si.Upgraded})
			}
			if t, err := time.Parse(time.RFC3339Nano, si.EndedAt); err == nil {
				out = append(out, item{kind: kindClosed, at: t.UnixMicro(), sid: l.Session, text: si.CloseReason})
			}
		} else {
			out = append(out, open)
		}
	}
	return append(out, it), nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}
