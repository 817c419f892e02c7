package inspector_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sioworkbook/workbook/inspector"
)

// describe writes a timeline item as "kind:what@offset_ms".
func describe(it inspector.TimelineItem) string {
	ms := it.Offset.Milliseconds()
	switch it.Kind {
	case inspector.TimelinePacket:
		return fmt.Sprintf("p:%s%s@%d", it.Packet.Dir, string(it.Packet.Raw[:min(len(it.Packet.Raw), 2)]), ms)
	case inspector.TimelineDebug:
		return fmt.Sprintf("d:%s@%d", it.Debug.Namespace, ms)
	}
	return fmt.Sprintf("e:%s@%d", it.Event, ms)
}

func TestTimeline(t *testing.T) {
	db := MustOpenDB(t)
	rec := MustRecorder(t, db, inspector.RecorderOptions{})
	recordSession(rec, "S1", t0)
	recordSession(rec, "S2", t0.Add(time.Second)) // another session, left out
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	full, err := db.Timeline(ctx, "S1", inspector.TimelineCursor{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range full.Items {
		got = append(got, describe(it))
		if it.Packet != nil && it.Packet.SID != "S1" || it.Debug != nil && it.Debug.SID != "S1" {
			t.Errorf("item of another session: %+v", it)
		}
	}
	// The lines derived from the packets (derived.go) come with them; the
	// probe's packets have none.
	want := []string{
		"e:open@0", "p:out0{@0", "d:engine@0", "p:in40@1", "d:engine:socket@1", "d:socket.io-parser@1",
		"p:out40@2", "d:engine:socket@2", "p:in42@3", "d:engine:socket@3", "d:socket.io-parser@3",
		"p:out43@4", "d:engine:socket@4",
		"p:in2p@5", "p:out3p@5", "p:out6@6", "e:upgrade@7", "p:in5@7",
		"p:in45@8", "p:out45@8", "d:engine:ws@8", "d:engine:socket@8", "d:socket.io-parser@8", "d:engine:socket@8", "d:engine:ws@8",
		"p:in\x01\x02@9", "p:out\xff@9", "p:in\x03@9",
		"d:engine:ws@9", "d:engine:socket@9", "d:engine:socket@9", "d:engine:ws@9", "d:engine:ws@9", "d:engine:socket@9",
		"p:out2@10", "d:engine:ws@10", "p:in3@11", "d:engine:ws@11", "d:engine:socket@11",
		"p:in41@12", "d:engine:ws@12", "d:engine:socket@12", "d:socket.io-parser@12", "d:socket.io:socket@12", "e:close@13",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("timeline:\n got %q\nwant %q", got, want)
	}
	if full.Next != nil {
		t.Errorf("one page, but a next cursor: %+v", full.Next)
	}
	if full.Total != len(want) {
		t.Errorf("total %d, want %d", full.Total, len(want))
	}
	if full.Session.SID != "S1" {
		t.Errorf("session %q", full.Session.SID)
	}

	// Pages of every size give the same items, in the same order.
	for _, size := range []int{1, 2, 3, 5, 7, 21, 22} {
		var paged []string
		c := inspector.TimelineCursor{}
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatalf("size %d: no end", size)
			}
			tl, err := db.Timeline(ctx, "S1", c, size)
			if err != nil {
				t.Fatal(err)
			}
			if len(tl.Items) > size {
				t.Fatalf("size %d: a page of %d", size, len(tl.Items))
			}
			if tl.Before != len(paged) || tl.Total != len(want) {
				t.Errorf("size %d, page %d: %d before and %d in all, want %d and %d", size, pages, tl.Before, tl.Total, len(paged), len(want))
			}
			for _, it := range tl.Items {
				paged = append(paged, describe(it))
			}
			if tl.Next == nil {
				break
			}
			if len(tl.Items) == 0 {
				t.Fatalf("size %d: an empty page with a next cursor", size)
			}
			c = *tl.Next
		}
		if strings.Join(paged, " ") != strings.Join(want, " ") {
			t.Errorf("size %d:\n got %q\nwant %q", size, paged, want)
		}
	}

	if _, err := db.Timeline(ctx, "nope", inspector.TimelineCursor{}, 0); !errors.Is(err, inspector.ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}
}
