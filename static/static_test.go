package static_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/sioworkbook/workbook/static"
)

func TestEmbeddedClient(t *testing.T) {
	onDisk, err := os.ReadFile("socket.io.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(static.SocketIOJS, onDisk) {
		t.Error("SocketIOJS differs from socket.io.js")
	}
	if !bytes.Contains(static.SocketIOJS, []byte("globalThis.io = io;")) {
		t.Error("the classic script does not define window.io")
	}
	esm := static.SocketIOESM
	if !bytes.HasPrefix(esm, static.SocketIOJS) || !bytes.Contains(esm[len(static.SocketIOJS):], []byte("export default io;")) {
		t.Error("SocketIOESM is not the script followed by its exports")
	}
	if &esm[0] == &static.SocketIOJS[0] {
		t.Error("SocketIOESM shares memory with SocketIOJS")
	}
}
