package web

import (
	"github.com/sioworkbook/workbook/inspector"
)

// ackLink ties an EVENT that asked for an acknowledgement to its ACK, in
// either direction (client → server, or server → client).
type ackLink struct {
	Peer  int64 // the other packet's id; 0 when the ACK never came
	RTT   int64 // µs from the EVENT to its ACK
	State string
}

// States of an ackLink.
const (
	ackAnswered = "answered" // the EVENT's ACK came (on the EVENT and on the ACK)
	ackMissing  = "missing"  // the session ended, or the id was asked again, with no ACK
	ackWaiting  = "waiting"  // the session is open and the ACK may still come
	ackOrphan   = "orphan"   // an ACK that answers no EVENT the page has read
)

func isEventType(t string) bool { return t == "EVENT" || t == "BINARY_EVENT" }
func isAckType(t string) bool   { return t == "ACK" || t == "BINARY_ACK" }

// pairAcks links each EVENT with an ack id to the ACK that answers it: the
// next ACK of the same namespace and id going the other way. packets are a
// session's, in id order; closed says the session ended, so that an EVENT
// left unanswered is missing rather than waiting. The result is keyed by
// packet id, and has both ends of each pair.
func pairAcks(packets []inspector.Packet, closed bool) map[int64]ackLink {
	type key struct {
		nsp  string
		id   int64
		from string // the EVENT's direction
	}
	out := map[int64]ackLink{}
	pending := map[key]*inspector.Packet{}
	for i := range packets {
		p := &packets[i]
		if p.AckID == nil {
			continue
		}
		switch {
		case isEventType(p.SIOType):
			k := key{p.Nsp, *p.AckID, p.Dir}
			if old := pending[k]; old != nil {
				// The id is asked again: the first will never be answered.
				out[old.ID] = ackLink{State: ackMissing}
			}
			pending[k] = p
		case isAckType(p.SIOType):
			from := "in"
			if p.Dir == "in" {
				from = "out"
			}
			k := key{p.Nsp, *p.AckID, from}
			ev := pending[k]
			if ev == nil {
				out[p.ID] = ackLink{State: ackOrphan}
				continue
			}
			delete(pending, k)
			rtt := p.At.Sub(ev.At).Microseconds()
			out[ev.ID] = ackLink{Peer: p.ID, RTT: rtt, State: ackAnswered}
			out[p.ID] = ackLink{Peer: ev.ID, RTT: rtt, State: ackAnswered}
		}
	}
	for _, ev := range pending {
		st := ackWaiting
		if closed {
			st = ackMissing
		}
		out[ev.ID] = ackLink{State: st}
	}
	return out
}
