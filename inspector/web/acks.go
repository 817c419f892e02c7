package web

import (
	"cmp"
	"context"
	"fmt"
	"slices"

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

// ackWindow is how many packets on either side of a replay page (or of a
// batch the replay follows) are read to link the page's EVENTs and ACKs to
// peers beyond it: a page of the timeline's worth.
const ackWindow = replayPageSize

// timelineAcks links the acks of a timeline page's packets, with up to
// ackWindow packets before and after the page, so that an EVENT whose ACK
// is on the next page, or an ACK whose EVENT is on the page before, is
// linked too. An EVENT of a closed session is flagged missing only when
// the read reached the session's end; past the window it carries no flag,
// since the ACK may still be further on.
func (h *Handler) timelineAcks(ctx context.Context, tl *inspector.Timeline) (map[int64]ackLink, error) {
	var page []inspector.Packet
	first, last := int64(0), int64(0)
	for i := range tl.Items {
		p := tl.Items[i].Packet
		if p == nil {
			continue
		}
		if first == 0 || p.ID < first {
			first = p.ID
		}
		last = max(last, p.ID)
		if p.AckID != nil {
			page = append(page, *p)
		}
	}
	if len(page) == 0 {
		return nil, nil
	}
	sid := tl.Session.SID
	before, err := h.db.Packets(ctx, inspector.PacketFilter{SID: sid, BeforeID: first, Limit: ackWindow, Last: true})
	if err != nil {
		return nil, fmt.Errorf("packets before the page: %w", err)
	}
	after, err := h.db.Packets(ctx, inspector.PacketFilter{SID: sid, AfterID: last, Limit: ackWindow})
	if err != nil {
		return nil, fmt.Errorf("packets after the page: %w", err)
	}
	all := make([]inspector.Packet, 0, len(before)+len(page)+len(after))
	all = append(all, before...)
	all = append(all, page...)
	all = append(all, after...)
	slices.SortFunc(all, func(a, b inspector.Packet) int { return cmp.Compare(a.ID, b.ID) })
	ended := !tl.Session.EndedAt.IsZero()
	acks := pairAcks(all, ended && len(after) < ackWindow)
	if ended {
		for id, l := range acks {
			if l.State == ackWaiting {
				delete(acks, id) // past the window: not known
			}
		}
	}
	return acks, nil
}
