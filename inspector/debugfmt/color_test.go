package debugfmt

import "testing"

// The vectors of DEBUG-FORMAT.md §1.2, computed with debug's own selectColor.
var colorVectors = []struct {
	ns    string
	hash  int32
	basic int
	c256  int
	css   string
}{
	{"engine", -1298662846, 5, 26, "#0033CC"},
	{"engine:socket", -98966613, 4, 75, "#3399FF"},
	{"engine:transport", -222025743, 4, 81, "#33CCFF"},
	{"engine:polling", -1427163509, 1, 63, "#3333FF"},
	{"engine:ws", 600616724, 3, 168, "#CC3366"},
	{"socket.io:server", 1526437724, 3, 206, "#FF33CC"},
	{"socket.io:namespace", 442256034, 6, 80, "#33CCCC"},
	{"socket.io:socket", 1535215500, 6, 214, "#FF9900"},
	{"socket.io:client", 1074551780, 3, 62, "#3333CC"},
	{"socket.io-parser", -1510759957, 2, 135, "#9933FF"},
	{"socket.io-adapter", 53540611, 2, 179, "#CC9933"},
	{"socket.io-client:manager", -14873398, 5, 166, "#CC3300"},
	{"socket.io-client:socket", -1201567050, 6, 196, "#FF0000"},
	{"engine.io-client:socket", 1018611655, 2, 209, "#FF6633"},
	{"engine.io-client:polling", -1141975569, 4, 79, "#33CC99"},
	{"engine.io-client:websocket", 1978114803, 4, 81, "#33CCFF"},
}

func TestColors(t *testing.T) {
	for _, v := range colorVectors {
		if h := hash(v.ns); h != v.hash {
			t.Errorf("hash(%q) = %d, want %d", v.ns, h, v.hash)
		}
		if c := ColorBasic(v.ns); c != v.basic {
			t.Errorf("ColorBasic(%q) = %d, want %d", v.ns, c, v.basic)
		}
		if c := Color256(v.ns); c != v.c256 {
			t.Errorf("Color256(%q) = %d, want %d", v.ns, c, v.c256)
		}
		if c := ColorCSS(v.ns); c != v.css {
			t.Errorf("ColorCSS(%q) = %s, want %s", v.ns, c, v.css)
		}
	}
}
