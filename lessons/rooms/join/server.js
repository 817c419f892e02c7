// Each client that connects goes into the first room with a free place,
// two clients a room, and everyone in that room is told its number.
const perRoom = 2;

io.on("connection", (socket) => {
  // From room 1 up, skip the rooms that are full. adapter.rooms maps each
  // room to the ids of its sockets (the tutorial's 0.9-era
  // io.nsps["/"].adapter.rooms[room].length is .size of that Set today).
  let roomno = 1;
  while ((io.sockets.adapter.rooms.get("room-" + roomno)?.size ?? 0) >= perRoom) {
    roomno++;
  }
  const room = "room-" + roomno;
  socket.join(room);
  console.log("A user joined", room);

  // Everyone in the room hears it, the newcomer included.
  // (io.sockets.in(room) is the 0.9-era spelling of io.to(room).)
  io.to(room).emit("connectToRoom", "You are in room no. " + roomno);
});
