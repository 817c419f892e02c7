// A chat where each client picks a free username, chooses a room, and sends
// messages to everyone in that room. A name is free again once its owner
// disconnects. Whatever the server refuses, it says why with a "chatError"
// event.

// The chat rooms to choose from; every client starts in the first.
const rooms = ["general", "games", "help"];

// Limits, counted in characters once spaces around are trimmed.
const maxName = 20;
const maxMessage = 500;

const users = new Set(); // the names in use on this server

io.on("connection", (socket) => {
  console.log("A user connected");
  let room = rooms[0];
  socket.join(room);
  socket.emit("roomJoined", room);

  socket.on("setUsername", (data) => {
    const name = String(data ?? "").trim();
    const n = [...name].length;
    if (n < 1 || n > maxName) {
      socket.emit("chatError", "A username needs 1 to 20 characters.");
      return;
    }
    const old = typeof socket.data === "string" ? socket.data : "";
    if (users.has(name) && name !== old) {
      socket.emit("userExists", name + " username is taken! Try some other username.");
      return;
    }
    users.delete(old); // a new name frees the old one
    users.add(name);
    socket.data = name; // the socket's username, for the handlers below
    console.log(name, "joined the chat");
    socket.emit("userSet", { username: name });
  });

  socket.on("joinRoom", (next) => {
    if (!rooms.includes(next)) {
      socket.emit("chatError", 'There is no room "' + next + '". The rooms are ' + rooms.join(", ") + ".");
      return;
    }
    socket.leave(room);
    room = next;
    socket.join(room);
    socket.emit("roomJoined", room);
  });

  socket.on("msg", (data) => {
    const name = typeof socket.data === "string" ? socket.data : "";
    if (!name) {
      socket.emit("chatError", "Choose a username before you send messages.");
      return;
    }
    if (typeof data !== "object" || data === null) {
      socket.emit("chatError", "A message is an object {message, user}.");
      return;
    }
    const text = String(data.message ?? "").trim();
    const n = [...text].length;
    if (n < 1 || n > maxMessage) {
      socket.emit("chatError", "A message needs 1 to 500 characters.");
      return;
    }
    // The server knows who is talking: it does not take the client's word
    // for it, so "user" is the socket's own name.
    io.to(room).emit("newmsg", { message: text, user: name });
  });

  socket.on("disconnect", () => {
    const name = typeof socket.data === "string" ? socket.data : "";
    if (!name) {
      console.log("A user disconnected");
      return;
    }
    users.delete(name);
    console.log(name, "left the chat; the name is free again");
  });
});
