package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/har"
)

// ExportCommand writes recorded packets as JSON Lines or a HAR.
type ExportCommand struct {
	DB       string
	Format   string
	Out      string
	Filter   inspector.PacketFilter
	Debug    bool
	Progress string
	Base     string
}

func (c *ExportCommand) flags() *flagSet {
	fs := newFlagSet("export", "workbook export [flags]", `
Writes the packets recorded in --db as JSON Lines, oldest first: one packet
per line with its time (RFC 3339, microseconds), session, dir, transport,
eio_type, sio_type, nsp, event, ack_id, args and raw, plus the fields of
its session (path, client, remote_addr, user_agent) so that 'workbook
import' can rebuild the sessions. Binary attachments are base64
(raw_base64: true).

With --debug-lines, the debug lines of the exported sessions come too,
merged with the packets by time, one per line: {"time", "session",
"debug": {"namespace", "message"}}; 'workbook import' reads them back, so
an imported session replays with its trace. They go with the session,
client and time filters only.

With --format har, the packets are written as an HTTP Archive (HAR 1.2)
that browser DevTools load: each session's polling packets as GET and POST
requests (the packets recorded at one moment in one direction in one
request), its WebSocket packets as one WebSocket entry with DevTools'
_webSocketMessages. --debug-lines does not go with it. --base sets the
origin of the requests' URLs (the database keeps only the path).

The filters are those of 'workbook packets'. A progress bar is drawn on
stderr when the export takes more than a second and stderr is a terminal.`)
	fs.dbFlag(&c.DB, "the SQLite file to read")
	fs.valueVar(newChoiceValue(&c.Format, "jsonl", "jsonl", "har"), "format", "", "FORMAT", "the output format: jsonl (JSON Lines) or har (HTTP Archive)")
	fs.stringVar(&c.Base, "base", "", "URL", har.DefaultBase, "with --format har: the scheme and host of the requests' URLs")
	fs.stringVar(&c.Out, "o", "", "FILE", "-", "write to FILE rather than stdout")
	packetFilterFlags(fs, &c.Filter)
	fs.boolVar(&c.Debug, "debug-lines", "", false, "add the debug lines of the exported sessions")
	progressFlag(fs, &c.Progress)
	return fs
}

// progressFlag defines --progress, shared by export and import.
func progressFlag(fs *flagSet, p *string) {
	fs.valueVar(newChoiceValue(p, "auto", "auto", "always", "never"), "progress", "WORKBOOK_PROGRESS", "WHEN",
		"progress bar on stderr: auto (when stderr is a terminal), always or never")
}

// Run writes the export.
func (c *ExportCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := c.flags()
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	db, err := openExisting(c.DB)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer db.Close()
	if c.Filter.SID != "" {
		if _, err := db.Session(ctx, c.Filter.SID); errors.Is(err, inspector.ErrNotFound) {
			return fmt.Errorf("export: no session %s in %s", c.Filter.SID, c.DB)
		}
	}
	w := stdout
	if c.Out != "-" {
		f, err := os.Create(c.Out)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("export: %w", cerr)
			}
		}()
		w = f
	}
	if c.Format == "har" {
		if c.Debug {
			return errors.New("export: --debug-lines does not go with --format har")
		}
		if _, err := har.Export(ctx, db, w, c.Filter, har.ExportOptions{Base: c.Base}); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return nil
	}
	bar := newProgress(stderr, c.Progress, "export", "packets")
	f := c.Filter
	f.Limit = -1
	_, err = db.ExportWith(ctx, w, f, inspector.ExportOptions{DebugLines: c.Debug}, bar.callback())
	bar.finish()
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// ImportCommand reads JSON Lines written by export, or a HAR, into a
// database.
type ImportCommand struct {
	DB       string
	Progress string
	Format   string
}

func (c *ImportCommand) flags() *flagSet {
	fs := newFlagSet("import", "workbook import [flags] FILE", `
Reads FILE ("-" for stdin), JSON Lines as 'workbook export' writes them,
or an HTTP Archive (HAR), into --db, which is created if missing. The
format is told from the content (a JSON object whose first key is "log" is
a HAR); --format forces it.

From a HAR (Chromium DevTools' "Save all as HAR with content", Playwright's
recordHar), the Engine.IO v4 traffic becomes sessions and packets as the
workbook records them: the polling requests' bodies and answers, and the
WebSocket messages (_webSocketMessages), keyed by the sid of the
handshake, an upgrade joined to its polling session. Entries that are not
Engine.IO, and failed requests, are counted and skipped. Sessions already in the database
are skipped, so importing a file twice adds nothing. A progress bar is
drawn on stderr when the import takes more than a second and stderr is a
terminal.`)
	fs.dbFlag(&c.DB, "the SQLite file to write (created if missing)")
	fs.valueVar(newChoiceValue(&c.Format, "auto", "auto", "jsonl", "har"), "format", "", "FORMAT",
		"the input format: auto (told from the content), jsonl or har")
	progressFlag(fs, &c.Progress)
	return fs
}

// Run imports the file.
func (c *ImportCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := c.flags()
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.usage(stderr)
		return errors.New("import: want one FILE (\"-\" for stdin)")
	}
	name := fs.Arg(0)
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r = f
		if same, _ := samePath(name, c.DB); same {
			return fmt.Errorf("import: %s is the database itself", name)
		}
	}
	db, err := inspector.Open(c.DB)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	isHAR := c.Format == "har"
	if c.Format == "auto" {
		r, isHAR = har.SniffReader(r)
	}
	bar := newProgress(stderr, c.Progress, "import", "bytes")
	var n int64
	var st har.Stats
	if isHAR {
		st, err = har.Import(ctx, db, r, bar.callback())
		n = st.Stored
	} else {
		n, err = db.Import(ctx, r, bar.callback())
	}
	bar.finish()
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintf(stdout, "imported %d packets into %s\n", n, c.DB)
	if isHAR {
		fmt.Fprintf(stdout, "HAR: %d entries, %d not Engine.IO (skipped); %d sessions, %d packets\n",
			st.Entries, st.Skipped, st.Sessions, st.Packets)
	}
	return nil
}

// samePath reports whether a and b name the same existing file.
func samePath(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}
