-- 0003: packets stored as chunks of compact references to payloads. A
-- broadcast is one payload sent to many sessions: its bytes and decoded
-- fields are stored once (payloads), and each delivery costs a few bytes in
-- its session's chunk (packet_chunks). The view packets keeps the
-- one-row-per-packet shape for readers. See inspector/SCHEMA.md.

CREATE TABLE payloads (
	id       INTEGER PRIMARY KEY,
	eio_type TEXT    NOT NULL,           -- open close ping pong message upgrade noop
	sio_type TEXT,                       -- CONNECT .. BINARY_ACK, NULL if not a Socket.IO packet
	nsp      TEXT,                       -- NULL if not a Socket.IO packet
	event    TEXT,                       -- EVENT/BINARY_EVENT name
	ack_id   INTEGER,
	args     TEXT,                       -- JSON
	binary   INTEGER NOT NULL DEFAULT 0, -- 1: a binary Engine.IO message (an attachment)
	raw      BLOB    NOT NULL,           -- the Engine.IO packet as sent (TEXT for text packets)
	size     INTEGER NOT NULL            -- length of raw in bytes
);
CREATE INDEX payloads_event ON payloads (event) WHERE event IS NOT NULL;

CREATE TABLE packet_chunks (
	id         INTEGER PRIMARY KEY,    -- the id of its first packet; the next ones follow: id+1, id+2...
	session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	n          INTEGER NOT NULL,       -- number of packets
	first_at   INTEGER NOT NULL,       -- µs of its first packet
	base       INTEGER NOT NULL,       -- the smallest payload id it refers to (a payload of its own batch)
	list       TEXT    NOT NULL,       -- per packet "at - first_at,(payload id - base)*4 + out*2 + websocket", comma separated
	attached   TEXT,                   -- JSON [[k, packet id], ...]: the k-th packet is an attachment of that packet; NULL if none
	debug_id   INTEGER NOT NULL DEFAULT 0, -- the block of debug line ids of its session in its batch: from debug_id
	debug_end  INTEGER NOT NULL DEFAULT 0, -- to debug_end (excluded), stored lines and lines derived from packets
	debug_n    INTEGER NOT NULL DEFAULT 0  -- how many lines of the block are derived (0: none, as for packets recorded before)
);
CREATE INDEX packet_chunks_session ON packet_chunks (session_id, id);
CREATE INDEX packet_chunks_debug   ON packet_chunks (debug_id, debug_n) WHERE debug_n > 0;

INSERT INTO payloads (id, eio_type, sio_type, nsp, event, ack_id, args, binary, raw, size)
	SELECT id, eio_type, sio_type, nsp, event, ack_id, args, binary, raw, size FROM packets;
INSERT INTO packet_chunks (id, session_id, n, first_at, base, list, attached)
	SELECT id, session_id, 1, at, id, '0,' || ((dir = 'out') * 2 + (transport = 'websocket')),
		CASE WHEN attachment_of IS NULL THEN NULL ELSE json_array(json_array(0, attachment_of)) END
	FROM packets;
DROP TABLE packets;

CREATE VIEW packets (id, session_id, at, dir, transport, eio_type, sio_type, nsp, event, ack_id, args,
		binary, attachment_of, raw, size) AS
	SELECT c.id + o.key / 2, c.session_id, c.first_at + o.value,
		CASE WHEN k.value & 2 THEN 'out' ELSE 'in' END,
		CASE WHEN k.value & 1 THEN 'websocket' ELSE 'polling' END,
		y.eio_type, y.sio_type, y.nsp, y.event, y.ack_id, y.args, y.binary,
		(SELECT a.value ->> 1 FROM json_each(c.attached) a WHERE a.value ->> 0 = o.key / 2),
		y.raw, y.size
	FROM packet_chunks c
	JOIN json_each('[' || c.list || ']') o ON o.key % 2 = 0
	JOIN json_each('[' || c.list || ']') k ON k.key = o.key + 1
	JOIN payloads y ON y.id = c.base + (k.value >> 2);
