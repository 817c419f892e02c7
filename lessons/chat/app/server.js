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

// What the server says to a client, in the learner's language.
const messages = {
  en: {
    nameLength: "A username needs 1 to 20 characters.",
    taken: " username is taken! Try some other username.",
    noRoom: (room, all) => "There is no room " + JSON.stringify(room) + ". The rooms are " + all + ".",
    noName: "Choose a username before you send messages.",
    badMessage: "A message is an object {message, user}.",
    badPrivate: "A private message is an object {to, message}.",
    messageLength: "A message needs 1 to 500 characters.",
    nobody: (name) => 'Nobody called "' + name + '" is online.',
  },
  es: {
    nameLength: "Un nombre de usuario lleva de 1 a 20 caracteres.",
    taken: ": ese nombre ya está en uso. Prueba con otro.",
    noRoom: (room, all) => "No hay ninguna sala " + JSON.stringify(room) + ". Las salas son " + all + ".",
    noName: "Elige un nombre de usuario antes de enviar mensajes.",
    badMessage: "Un mensaje es un objeto {message, user}.",
    badPrivate: "Un mensaje privado es un objeto {to, message}.",
    messageLength: "Un mensaje lleva de 1 a 500 caracteres.",
    nobody: (name) => 'No hay nadie conectado que se llame "' + name + '".',
  },
};

// The learner's language: the workbook's language switch keeps it in the
// "wb_lang" cookie, which the browser sends with the handshake. English
// when there is none.
function language(socket) {
  const m = /(?:^|;\s*)wb_lang=(\w+)/.exec(socket.handshake.headers.cookie ?? "");
  return m && messages[m[1]] ? m[1] : "en";
}
// What the server logs about a client, in each language of the workbook.
const logLines = {
  en: { connected: "A user connected", joined: "joined the chat", disconnected: "A user disconnected", left: "left the chat; the name is free again" },
  es: { connected: "Un usuario se ha conectado", joined: "ha entrado en el chat", disconnected: "Un usuario se ha desconectado", left: "ha salido del chat; el nombre vuelve a estar libre" },
};

io.on("connection", (socket) => {
  const lines = logLines[language(socket)];
  console.log(lines.connected);
  const say = messages[language(socket)];
  let room = rooms[0];
  socket.join(room);
  socket.emit("roomJoined", room);

  socket.on("setUsername", (data) => {
    const name = String(data ?? "").trim();
    const n = [...name].length;
    if (n < 1 || n > maxName) {
      socket.emit("chatError", say.nameLength);
      return;
    }
    const old = typeof socket.data === "string" ? socket.data : "";
    if (users.has(name) && name !== old) {
      socket.emit("userExists", name + say.taken);
      return;
    }
    users.delete(old); // a new name frees the old one
    users.set(name, socket.id);
    socket.data = name; // the socket's username, for the handlers below
    console.log(name, lines.joined);
    socket.emit("userSet", { username: name });
    io.emit("users", online());
  });

  socket.on("joinRoom", (next) => {
    if (!rooms.includes(next)) {
      socket.emit("chatError", say.noRoom(next, rooms.join(", ")));
      return;
    }
    socket.leave(room);
    room = next;
    socket.join(room);
    socket.emit("roomJoined", room);
  });

  // message reads data, an object {message, ...} from a named client, and
  // returns the sender's name and the message trimmed, or null once the
  // client has been told what is wrong (bad, which object it must be).
  const message = (data, bad) => {
    const name = typeof socket.data === "string" ? socket.data : "";
    if (!name) {
      socket.emit("chatError", say.noName);
      return null;
    }
    if (typeof data !== "object" || data === null) {
      socket.emit("chatError", bad);
      return null;
    }
    const text = String(data.message ?? "").trim();
    const n = [...text].length;
    if (n < 1 || n > maxMessage) {
      socket.emit("chatError", say.messageLength);
      return null;
    }
    return { name, text };
  };

  socket.on("msg", (data) => {
    const m = message(data, say.badMessage);
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
    const m = message(data, say.badPrivate);
    if (!m) return;
    const { name, text } = m;
    const to = String(data.to ?? "");
    const id = users.get(to);
    if (id === undefined) {
      socket.emit("chatError", say.nobody(to));
      return;
    }
    const msg = { from: name, to, message: text };
    io.to(id).emit("private", msg);
    if (id !== socket.id) socket.emit("private", msg);
  });

  socket.on("disconnect", () => {
    const name = typeof socket.data === "string" ? socket.data : "";
    if (!name) {
      console.log(lines.disconnected);
      return;
    }
    users.delete(name);
    console.log(name, lines.left);
    io.emit("users", online());
  });
});
