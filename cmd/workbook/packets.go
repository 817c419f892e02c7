package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/sioworkbook/workbook/inspector"
)

// PacketsCommand prints recorded packets as a table.
type PacketsCommand struct {
	DB     string
	Filter inspector.PacketFilter // Limit and Last are set from the fields below
	Limit  int
	Last   bool
	Width  int
}

// packetFilterFlags defines the packet filters that packets and export
// share.
func packetFilterFlags(fs *flagSet, f *inspector.PacketFilter) {
	fs.stringVar(&f.SID, "session", "", "SID", "", "only this session (its Engine.IO id, as 'workbook sessions' lists)")
	fs.stringVar(&f.Client, "client", "", "ID", "", "only the sessions of this browser (its wb_client cookie)")
	fs.stringVar(&f.Event, "event", "", "NAME", "", "only the events named NAME")
	fs.stringVar(&f.Nsp, "nsp", "", "NAMESPACE", "", "only the Socket.IO packets of this namespace, e.g. /chat")
	fs.valueVar(newChoiceValue(&f.Dir, "", "in", "out"), "dir", "", "in|out", "only the packets received (in) or sent (out) by the server")
	fs.valueVar(newTimeValue(&f.Since), "since", "", "TIME", "only the packets at or after TIME")
	fs.valueVar(newTimeValue(&f.Until), "until", "", "TIME", "only the packets before TIME")
}

func (c *PacketsCommand) flags() *flagSet {
	fs := newFlagSet("packets", "workbook packets [flags]", `
Prints the packets recorded in --db as a table, oldest first: time (local),
session, direction (in: from the client), transport, Engine.IO type,
Socket.IO type, namespace, event, ack id, size and data.

--since and --until take a duration before now (10m, 2h, 7d) or a time
(2026-11-27T13:00:00Z, 2026-11-27). 'workbook export' writes the same
packets as JSON Lines.`)
	fs.dbFlag(&c.DB, "the SQLite file to read")
	packetFilterFlags(fs, &c.Filter)
	fs.intVar(&c.Limit, "limit", "", "N", 0, "at most N packets (0: all)")
	fs.boolVar(&c.Last, "last", "", false, "the last N packets of --limit rather than the first")
	fs.intVar(&c.Width, "width", "", "N", 60, "cut the data column to N characters (0: never)")
	return fs
}

// Run prints the table.
func (c *PacketsCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := c.flags()
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if c.Limit < 0 {
		return errors.New("packets: --limit must not be negative")
	}
	if c.Last && c.Limit == 0 {
		return errors.New("packets: --last needs --limit N")
	}
	db, err := openExisting(c.DB)
	if err != nil {
		return fmt.Errorf("packets: %w", err)
	}
	defer db.Close()

	bw := bufio.NewWriter(stdout)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSESSION\tDIR\tTRANSPORT\tEIO\tSIO\tNSP\tEVENT\tACK\tSIZE\tDATA")
	n := 0
	f := c.Filter
	for {
		f.Limit = tracePage
		if c.Limit > 0 {
			f.Limit = min(tracePage, c.Limit-n)
		}
		if c.Last {
			f.Limit, f.Last = c.Limit, true
		}
		page, err := db.Packets(ctx, f)
		if err != nil {
			return fmt.Errorf("packets: %w", err)
		}
		for i := range page {
			writePacketRow(tw, &page[i], c.Width)
		}
		n += len(page)
		// A tabwriter aligns what it holds: flush once per page, so that
		// a long table starts at once (columns may shift between pages).
		if err := tw.Flush(); err != nil {
			return err
		}
		if c.Last || len(page) < f.Limit || (c.Limit > 0 && n >= c.Limit) {
			break
		}
		f.AfterID = page[len(page)-1].ID
	}
	if n == 0 {
		fmt.Fprintln(bw, "no packets")
	}
	return bw.Flush()
}

func writePacketRow(w io.Writer, p *inspector.Packet, width int) {
	ack := "-"
	if p.AckID != nil {
		ack = strconv.FormatInt(*p.AckID, 10)
	}
	eio := p.EIOType
	if p.Binary {
		eio = "binary"
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n",
		p.At.Local().Format("15:04:05.000"), cell(p.SID), p.Dir, cell(p.Transport), cell(eio),
		cell(dash(p.SIOType)), cell(dash(p.Nsp)), cell(dash(p.Event)), ack, p.Size, cut(packetData(p), width))
}

// packetData is what the data column shows: the arguments of a Socket.IO
// packet, the data of an Engine.IO one, "<N bytes>" for binary.
func packetData(p *inspector.Packet) string {
	switch {
	case p.Binary:
		return fmt.Sprintf("<%d bytes>", len(p.Raw))
	case p.SIOType != "":
		return string(p.Args)
	case len(p.Raw) > 1:
		return string(p.Raw[1:])
	}
	return ""
}
