package proxy

import "testing"

// TestParseAckHeader: the proxy reads the namespace and id of an ACK or
// BINARY_ACK, and nothing else.
func TestParseAckHeader(t *testing.T) {
	for _, tc := range []struct {
		in      string
		ok      bool
		nsp     string
		id      uint64
		n       int
		payload string
	}{
		{`432000000000["a"]`, true, "/", 2000000000, 0, `["a"]`},
		{`43/chat,7[]`, true, "/chat", 7, 0, `[]`},
		{`461-/chat,12[{"_placeholder":true,"num":0}]`, true, "/chat", 12, 1, `[{"_placeholder":true,"num":0}]`},
		{`462-5[]`, true, "/", 5, 2, `[]`},
		{`42["event"]`, false, "", 0, 0, ""},
		{`43["no id"]`, false, "", 0, 0, ""},
		{`43/chat["no comma"]`, false, "", 0, 0, ""},
		{`46-1[]`, false, "", 0, 0, ""},
		{`460-1[]`, false, "", 0, 0, ""},
		{`3`, false, "", 0, 0, ""},
		{`2probe`, false, "", 0, 0, ""},
	} {
		h, ok := parseAckHeader([]byte(tc.in))
		if ok != tc.ok || ok && (h.nsp != tc.nsp || h.id != tc.id || h.attachments != tc.n || string(h.payload) != tc.payload) {
			t.Errorf("%s: %+v %v", tc.in, h, ok)
		}
	}
}
