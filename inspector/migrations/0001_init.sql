-- 0001: sessions, packets and debug lines. Times are integer microseconds
-- since the Unix epoch (UTC). See inspector/SCHEMA.md.

CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	sid          TEXT    NOT NULL UNIQUE,   -- Engine.IO session id
	path         TEXT    NOT NULL DEFAULT '', -- the server's path, "/socket.io/"
	client       TEXT    NOT NULL DEFAULT '', -- cookie wb_client of the handshake
	remote_addr  TEXT    NOT NULL DEFAULT '', -- IP of the handshake request
	user_agent   TEXT    NOT NULL DEFAULT '',
	transport    TEXT    NOT NULL DEFAULT '', -- first transport: polling | websocket
	upgraded     TEXT    NOT NULL DEFAULT '', -- transport upgraded to, '' if none
	upgraded_at  INTEGER,                     -- µs, NULL if never upgraded
	started_at   INTEGER NOT NULL,            -- µs
	ended_at     INTEGER,                     -- µs, NULL while open (or if the process died)
	close_reason TEXT    NOT NULL DEFAULT '',
	last_at      INTEGER NOT NULL,            -- µs of the last thing recorded for it
	packets      INTEGER NOT NULL DEFAULT 0   -- rows in packets for it
);
CREATE INDEX sessions_started ON sessions (started_at);
CREATE INDEX sessions_path     ON sessions (path, started_at);
CREATE INDEX sessions_client   ON sessions (client, started_at);
CREATE INDEX sessions_addr     ON sessions (remote_addr, started_at);

CREATE TABLE packets (
	id            INTEGER PRIMARY KEY,        -- in wire order within a session and direction
	session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	at            INTEGER NOT NULL,           -- µs
	dir           TEXT    NOT NULL,           -- in (from the client) | out
	transport     TEXT    NOT NULL,           -- polling | websocket
	eio_type      TEXT    NOT NULL,           -- open close ping pong message upgrade noop
	sio_type      TEXT,                       -- CONNECT .. BINARY_ACK, NULL if not a Socket.IO packet
	nsp           TEXT,                       -- NULL if not a Socket.IO packet
	event         TEXT,                       -- EVENT/BINARY_EVENT name
	ack_id        INTEGER,
	args          TEXT,                       -- JSON
	binary        INTEGER NOT NULL DEFAULT 0, -- 1: a binary Engine.IO message (an attachment)
	attachment_of INTEGER,                    -- for an attachment: id of its BINARY_EVENT/BINARY_ACK row
	raw           BLOB    NOT NULL,           -- the Engine.IO packet as sent (TEXT for text packets)
	size          INTEGER NOT NULL            -- length of raw in bytes
);
CREATE INDEX packets_session ON packets (session_id, id);
CREATE INDEX packets_event   ON packets (event, id) WHERE event IS NOT NULL;
CREATE INDEX packets_at      ON packets (at);

CREATE TABLE debug_lines (
	id        INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL,               -- µs
	sid       TEXT    NOT NULL DEFAULT '',    -- Engine.IO session id, '' when none
	namespace TEXT    NOT NULL,               -- engine:socket, socket.io:client, ...
	message   TEXT    NOT NULL
);
CREATE INDEX debug_lines_sid ON debug_lines (sid, id);
