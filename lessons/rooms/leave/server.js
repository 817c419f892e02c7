// Rooms as in the previous step, and a client that asks to leave its room
// is taken out of it, which frees its place for the next client.
const perRoom = 2;

// What the server says, in each language of the workbook.
const says = {
  en: { joined: "A user joined", left: "A user left", inRoom: "You are in room no. ", youLeft: "You left room no. ", clientLeft: "A client left room no. " },
  es: {
    joined: "Un usuario ha entrado en", left: "Un usuario ha salido de", inRoom: "Estás en la sala n.º ",
    youLeft: "Has salido de la sala n.º ", clientLeft: "Un cliente ha salido de la sala n.º ",
  },
};
// The learner's language, from the "wb_lang" cookie of the handshake
// (English without one). Your server serves your clients only, so they all
// read one language: a broadcast may take this socket's.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

io.on("connection", (socket) => {
  const say = says[language(socket)];
  let roomno = 1;
  while ((io.sockets.adapter.rooms.get("room-" + roomno)?.size ?? 0) >= perRoom) {
    roomno++;
  }
  const room = "room-" + roomno;
  socket.join(room);
  console.log(say.joined, room);
  io.to(room).emit("connectToRoom", say.inRoom + roomno);

  // Only the server can take a socket out of a room: the client asks.
  socket.on("leaveRoom", () => {
    if (!socket.rooms.has(room)) {
      return; // it has left already
    }
    socket.leave(room);
    console.log(say.left, room);
    socket.emit("leftRoom", say.youLeft + roomno);
    // The socket is out of the room now: this reaches the others only.
    io.to(room).emit("leftRoom", say.clientLeft + roomno);
  });
});
