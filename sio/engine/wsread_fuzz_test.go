package engine

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"testing/iotest"
	"time"
)

// discardConn takes the control frames a reader writes (pongs, closes).
type discardConn struct{ net.Conn }

func (discardConn) Write(b []byte) (int, error)      { return len(b), nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }

// readAll reads messages from r as a burst does, until an error, and
// returns them with that error.
func readAll(r io.Reader, limit int64) (msgs []string, err error) {
	fr := framePool.Get().(*frameReader)
	defer putFrameReader(fr)
	fr.src = prefixed{conn: r}
	fr.br.Reset(&fr.src)
	o := newWSOut(discardConn{})
	for {
		op, data, err := readMessage(fr, o, limit, false)
		if err != nil {
			return msgs, err
		}
		switch {
		case op == 0 && data == nil:
		case op != opText && op != opBinary:
			panic("a message with opcode " + string(rune('0'+op)))
		case int64(len(data)) > limit:
			panic("a message past the limit")
		default:
			msgs = append(msgs, string(rune('0'+op))+string(data))
		}
	}
}

// The frame reader never panics, never returns a message past the limit,
// and reads the same messages and the same end whether the bytes come at
// once or one at a time.
func FuzzWebSocketFrames(f *testing.F) {
	f.Add([]byte("\x81\x82\x01\x02\x03\x045C"), int64(100))                                                 // "4A" masked
	f.Add([]byte("\x01\x81\x00\x00\x00\x00a\x89\x80\x00\x00\x00\x00\x80\x81\x00\x00\x00\x00b"), int64(100)) // fragments, a ping between
	f.Add([]byte("\x88\x82\x00\x00\x00\x00\x03\xe8"), int64(100))                                           // close 1000
	f.Add([]byte("\x81\x7e\x01\x00\x00\x00\x00\x00"), int64(100))                                           // over the limit
	f.Add([]byte("\x81\x02ab"), int64(100))                                                                 // unmasked
	f.Fuzz(func(t *testing.T, in []byte, limit int64) {
		if limit <= 0 || limit > 1<<20 {
			limit = 1 << 10
		}
		msgs, err := readAll(bytes.NewReader(in), limit)
		msgs1, err1 := readAll(iotest.OneByteReader(bytes.NewReader(in)), limit)
		if len(msgs) != len(msgs1) {
			t.Fatalf("%d messages at once, %d byte by byte", len(msgs), len(msgs1))
		}
		for i := range msgs {
			if msgs[i] != msgs1[i] {
				t.Fatalf("message %d: %q at once, %q byte by byte", i, msgs[i], msgs1[i])
			}
		}
		if (err == nil) != (err1 == nil) || err != nil && err.Error() != err1.Error() {
			t.Fatalf("ended with %v at once, %v byte by byte", err, err1)
		}
		var pe *protocolError
		switch {
		case errors.As(err, &pe), errors.Is(err, errReadLimit), errors.Is(err, errClientClose),
			errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		default:
			t.Fatalf("ended with %v", err)
		}
	})
}
