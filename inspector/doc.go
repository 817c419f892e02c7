// Package inspector records what a sio.Server does into SQLite and answers
// queries about it: sessions, every packet at both layers in both
// directions, and every debug line.
//
// Open a DB, start a Recorder on it and give the recorder to the server as
// its observer:
//
//	db, err := inspector.Open("workbook.db")
//	...
//	rec := inspector.NewRecorder(db, inspector.RecorderOptions{})
//	io := sio.NewServer(sio.Config{Observer: rec.Observer()})
//	...
//	rec.Close() // writes what is queued
//	db.Close()
//
// The recorder never makes the server wait: its observer methods copy what
// they are told into a bounded queue, and one goroutine commits the queue in
// batched transactions. Items that cannot be stored (queue full, disk full,
// read-only file) are counted (Recorder.Dropped) and logged; the server goes
// on. A process killed at any moment leaves a consistent file with every
// committed batch in it.
//
// Queries (DB.Sessions, DB.Packets, DB.DebugLines, DB.Stats) run on a pool of
// read connections, concurrently with the writer (WAL mode). Recorder.Subscribe
// feeds the rows as they are committed, for live pages. DB.Export and
// DB.Import read and write the JSON Lines format (inspector/har turns HAR
// files into it and back); DB.Prune and
// DB.StartRetention keep the file within an age and a size.
//
// The schema, for people who query the file with sqlite3, is in SCHEMA.md.
// Times are integer microseconds since the Unix epoch (UTC), so that a
// session can be replayed with its original timing.
//
// A DB and a Recorder are safe for use by multiple goroutines.
package inspector
