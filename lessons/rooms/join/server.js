// Each client that connects goes into the first room with a free place,
// two clients a room, and everyone in that room is told its number.
const perRoom = 2;

// What the server says, in each language of the workbook.
const says = {
  en: { joined: "A user joined", inRoom: "You are in room no. " },
  es: { joined: "Un usuario ha entrado en", inRoom: "Estás en la sala n.º " },
};
// The learner's language, from the "wb_lang" cookie of the handshake
// (English without one). Your server serves your clients only, so they all
// read one language: a broadcast may take this socket's.
const language = (socket) => (/(?:^|;\s*)wb_lang=es\b/.test(socket.handshake.headers.cookie ?? "") ? "es" : "en");

io.on("connection", (socket) => {
  const say = says[language(socket)];
  // From room 1 up, skip the rooms that are full. adapter.rooms maps each
  // room to the ids of its sockets (the tutorial's 0.9-era
  // io.nsps["/"].adapter.rooms[room].length is .size of that Set today).
  let roomno = 1;
  while ((io.sockets.adapter.rooms.get("room-" + roomno)?.size ?? 0) >= perRoom) {
    roomno++;
  }
  const room = "room-" + roomno;
  socket.join(room);
  console.log(say.joined, room);

  // Everyone in the room hears it, the newcomer included.
  // (io.sockets.in(room) is the 0.9-era spelling of io.to(room).)
  io.to(room).emit("connectToRoom", say.inRoom + roomno);
});
