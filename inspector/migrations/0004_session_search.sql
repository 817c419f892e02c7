-- 0004: what the sessions list filters on without reading packets: each
-- session's count of CONNECT_ERROR packets (sessions.errors) and the event
-- names it saw (session_events, at most 64 names a session). See
-- inspector/SCHEMA.md.

ALTER TABLE sessions ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;

CREATE TABLE session_events (
	event      TEXT    NOT NULL,
	session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	PRIMARY KEY (event, session_id)
) WITHOUT ROWID;
CREATE INDEX session_events_session ON session_events (session_id);
CREATE INDEX sessions_reason ON sessions (close_reason, started_at);
-- For the connects and disconnects chart: sessions that ended in a span.
CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL;

UPDATE sessions SET errors = e.n
	FROM (SELECT session_id, count(*) AS n FROM packets WHERE sio_type = 'CONNECT_ERROR' GROUP BY session_id) AS e
	WHERE e.session_id = sessions.id;
INSERT OR IGNORE INTO session_events (event, session_id)
	SELECT DISTINCT event, session_id FROM packets WHERE event IS NOT NULL AND event != '';
