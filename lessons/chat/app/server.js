// A chat where each client picks a free username, chooses a room, and sends
// messages to everyone in that room. A name is free again once its owner
// disconnects. Whatever the server refuses, it says why with a "chatError"
// event.
//
// It also serves the tutorial's homework: "typing" tells the room who is
// typing, "users" tells everyone the names online whenever they change, and
// "private" sends a message to one user by name.

// The chat rooms to choose from; every client starts in the first.
const rooms = ["general", "games", "help"];

// Limits, counted in characters once spaces around are trimmed.
const maxName = 20;
const maxMessage = 500;

const users = new Map(); // the names in use on this server -> their socket's id
const online = () => [...users.keys()].sort();

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
    users.set(name, socket.id);
    socket.data = name; // the socket's username, for the handlers below
    console.log(name, "joined the chat");
    socket.emit("userSet", { username: name });
    io.emit("users", online());
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

  // message reads data, an object {message, ...} from a named client, and
  // returns the sender's name and the message trimmed, or null once the
  // client has been told what is wrong (what says which object).
  const message = (data, what) => {
    const name = typeof socket.data === "string" ? socket.data : "";
    if (!name) {
      socket.emit("chatError", "Choose a username before you send messages.");
      return null;
    }
    if (typeof data !== "object" || data === null) {
      socket.emit("chatError", "A " + what + ".");
      return null;
    }
    const text = String(data.message ?? "").trim();
    const n = [...text].length;
    if (n < 1 || n > maxMessage) {
      socket.emit("chatError", "A message needs 1 to 500 characters.");
      return null;
    }
    return { name, text };
  };

  socket.on("msg", (data) => {
    const m = message(data, "message is an object {message, user}");
    if (!m) return;
    const { name, text } = m;
    // The server knows who is talking: it does not take the client's word
    // for it, so "user" is the socket's own name.
    io.to(room).emit("newmsg", { message: text, user: name });
  });

  // Homework: who is typing, to the others in the room.
  socket.on("typing", (typing) => {
    const name = typeof socket.data === "string" ? socket.data : "";
    if (name) socket.to(room).emit("typing", { user: name, typing: typing === true });
  });

  // Homework: a private message, to one user by name and back to the
  // sender. The server does not log it.
  socket.on("private", (data) => {
    const m = message(data, "private message is an object {to, message}");
    if (!m) return;
    const { name, text } = m;
    const to = String(data.to ?? "");
    const id = users.get(to);
    if (id === undefined) {
      socket.emit("chatError", 'Nobody called "' + to + '" is online.');
      return;
    }
    const msg = { from: name, to, message: text };
    io.to(id).emit("private", msg);
    if (id !== socket.id) socket.emit("private", msg);
  });

  socket.on("disconnect", () => {
    const name = typeof socket.data === "string" ? socket.data : "";
    if (!name) {
      console.log("A user disconnected");
      return;
    }
    users.delete(name);
    console.log(name, "left the chat; the name is free again");
    io.emit("users", online());
  });
});
