-- 0002: debug lines stored in chunks, one row per session and batch, so
-- that recording a line costs an append rather than an indexed row. The
-- view debug_lines keeps the one-row-per-line shape for readers. See
-- inspector/SCHEMA.md.

CREATE TABLE debug_chunks (
	id       INTEGER PRIMARY KEY,          -- the id of its first line
	last_id  INTEGER NOT NULL,             -- the id of its last line
	sid      TEXT    NOT NULL DEFAULT '',  -- Engine.IO session id, '' when none
	first_at INTEGER NOT NULL,             -- µs of its first line
	last_at  INTEGER NOT NULL,             -- µs of its last line
	n        INTEGER NOT NULL,             -- number of lines
	lines    TEXT    NOT NULL              -- JSON: [[id, at, namespace, message], ...] in id order
);
CREATE INDEX debug_chunks_sid      ON debug_chunks (sid, id);
CREATE INDEX debug_chunks_sid_last ON debug_chunks (sid, last_id);
CREATE INDEX debug_chunks_last     ON debug_chunks (last_id);

INSERT INTO debug_chunks (id, last_id, sid, first_at, last_at, n, lines)
	SELECT id, id, sid, at, at, 1, json_array(json_array(id, at, namespace, message))
	FROM debug_lines;
DROP TABLE debug_lines;

CREATE VIEW debug_lines (id, at, sid, namespace, message) AS
	SELECT l.value ->> 0, l.value ->> 1, c.sid, l.value ->> 2, l.value ->> 3
	FROM debug_chunks c, json_each(c.lines) l;
