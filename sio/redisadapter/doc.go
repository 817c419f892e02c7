// Package redisadapter joins sio servers into one cluster over Redis, on
// the wire of @socket.io/redis-adapter 8 in its classic Pub/Sub mode: our
// nodes and official Node.js nodes (socket.io 4 with that adapter) serve one
// cluster together, and @socket.io/redis-emitter reaches the clients of
// both.
//
// One client per server is enough; each namespace subscribes on a
// connection of its own:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	io := sio.NewServer(sio.Config{NewAdapter: redisadapter.New(rdb, redisadapter.Config{})})
//
// Then the operations of sio reach every node: io.Emit, io.To(room).Emit,
// Except, EmitWithAck (the acknowledgements of every node's clients),
// FetchRemoteSockets, SocketsJoin, SocketsLeave, DisconnectSockets,
// CloseSockets, ServerSideEmit and ServerSideEmitWithAck (answered by the
// other nodes' OnServerSideEmit handlers), ServerCount.
//
// # What travels, and how
//
// A broadcast is encoded once, in msgpack, and published on
// "<key>#<nsp>#", or "<key>#<nsp>#<room>#" when it goes to exactly one
// room; every node delivers it to its own sockets. Requests (fetch, room
// operations, server-side emits, broadcasts with acks) go on
// "<key>-request#<nsp>#" and their answers on "<key>-response#<nsp>#". The
// number of nodes is the number of subscribers of the request channel
// (PUBSUB NUMSUB). Requests that wait for answers give up after
// Config.RequestsTimeout (5 s), returning the answers that came with
// ErrRequestTimeout.
//
// SocketsJoin, SocketsLeave and DisconnectSockets act on this node's
// sockets before they return, and on the other nodes' shortly after, as in
// Node.
//
// # Faults
//
// When the connection to Redis drops, go-redis reconnects and the adapter
// subscribes again; broadcasts flow again once it has. What was published
// while a node was cut off is lost for that node, as with Node's adapter:
// Redis Pub/Sub keeps nothing. A node that stops answering but stays
// subscribed makes requests wait for the timeout. A message that cannot be
// decoded is logged (Config.Logger) and skipped.
//
// The sharded mode (Redis 7 SPUBLISH) is not implemented.
package redisadapter
