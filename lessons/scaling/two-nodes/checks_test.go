package twonodes

import "testing"

// TestCrossings: a message crosses when it came in on one node and went
// out on the other to the same browser, in either order, as it was or
// within a longer text; never on one node, for another browser or event.
func TestCrossings(t *testing.T) {
	x := &crossings{seen: map[crossKey]*recent{}}
	k := crossKey{"b1", "chat message"}
	if x.in(k, 0, "hi") || x.out(k, 0, "hi") {
		t.Error("in and out on node A: crossed")
	}
	if x.out(crossKey{"b2", "chat message"}, 1, "hi") || x.out(crossKey{"b1", "news"}, 1, "hi") {
		t.Error("another browser's or event's message crossed")
	}
	if !x.out(k, 1, "hi (js)") {
		t.Error("in on A, out on B within a longer text: not crossed")
	}
	k2 := crossKey{"b3", "news"}
	if x.out(k2, 0, "from B") || !x.in(k2, 1, "from B") {
		t.Error("out on A seen before in on B: not crossed")
	}
	if x.in(crossKey{"", "news"}, 0, "x") || x.in(k, 0, "") {
		t.Error("no browser, or an empty message, counted")
	}
}
