// Rooms as in the previous step, and a client that asks to leave its room
// is taken out of it, which frees its place for the next client.
const perRoom = 2;

io.on("connection", (socket) => {
  let roomno = 1;
  while ((io.sockets.adapter.rooms.get("room-" + roomno)?.size ?? 0) >= perRoom) {
    roomno++;
  }
  const room = "room-" + roomno;
  socket.join(room);
  console.log("A user joined", room);
  io.to(room).emit("connectToRoom", "You are in room no. " + roomno);

  // Only the server can take a socket out of a room: the client asks.
  socket.on("leaveRoom", () => {
    if (!socket.rooms.has(room)) {
      return; // it has left already
    }
    socket.leave(room);
    console.log("A user left", room);
    socket.emit("leftRoom", "You left room no. " + roomno);
    // The socket is out of the room now: this reaches the others only.
    io.to(room).emit("leftRoom", "A client left room no. " + roomno);
  });
});
