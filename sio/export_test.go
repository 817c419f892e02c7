package sio

// SetConnectHook makes fn run on the connection's handler goroutine when a
// connecting socket has been registered with its connection, before it is
// added to its namespace. Call it before the server takes connections.
func (s *Server) SetConnectHook(fn func(*Socket)) { s.connectHook = fn }
