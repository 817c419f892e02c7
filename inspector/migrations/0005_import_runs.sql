-- 0005: an import commits its file in chunks, so that a recorder writing
-- to the same file waits a chunk, not the whole file. The sessions an
-- import has begun are listed in import_pending until it ends; a run that
-- never ended (its process killed) has a stale beat, and the next import
-- deletes its sessions and imports them whole. See inspector/SCHEMA.md.

CREATE TABLE import_runs (
	id   INTEGER PRIMARY KEY,
	beat INTEGER NOT NULL -- µs: when the run last committed a chunk
);

CREATE TABLE import_pending (
	session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
	run        INTEGER NOT NULL REFERENCES import_runs (id) ON DELETE CASCADE
);
CREATE INDEX import_pending_run ON import_pending (run);
