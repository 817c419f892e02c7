// Package static holds the workbook's browser assets, embedded in the
// binary so that `go install` gives a working workbook.
//
// Its main asset is our Socket.IO browser client, socket.io.js: a readable
// Socket.IO v4 client with the API of the official socket.io-client. A
// sio.Server serves it when its Config says so:
//
//	io := sio.NewServer(sio.Config{
//		ClientScript: static.SocketIOJS,
//		ClientModule: static.SocketIOESM,
//	})
//	mux.Handle("/socket.io/", io) // now also answers /socket.io/socket.io.js
package static

import _ "embed" // for //go:embed

// SocketIOJS is the browser client as a classic script: loaded with
// <script src=".../socket.io.js">, it defines window.io (with io.Manager,
// io.Socket and io.protocol = 5). Served at "<prefix>/socket.io.js", its
// io() connects to "<prefix>" of the same origin by default.
//
//go:embed socket.io.js
var SocketIOJS []byte

// SocketIOESM is the same client as an ES module, for
// `import { io } from "/socket.io/socket.io.esm.min.js"`: SocketIOJS
// followed by exports. It also sets window.io. In a module the script cannot
// see its own URL, so its default path is "/socket.io", as in the official
// client.
var SocketIOESM = append(append([]byte{}, SocketIOJS...), esmExports...)

const esmExports = `
const io = globalThis.io;
export default io;
export { io, io as connect };
export const { Manager, Socket, protocol, XHR, Fetch, WebSocket } = io;
`
