package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/sioworkbook/workbook/inspector"
)

// SessionsCommand lists the recorded sessions, newest first.
type SessionsCommand struct {
	DB     string
	Lesson string
	Addr   string
	Client string
	Since  time.Time
	Until  time.Time
	Open   bool
	Limit  int
	JSON   bool
}

func (c *SessionsCommand) flags() *flagSet {
	fs := newFlagSet("sessions", "workbook sessions [flags]", `
Lists the sessions recorded in --db, newest first: one line per Engine.IO
session (a connection of a client, from handshake to close) with its path,
client address, transports, number of packets and close reason.

--since and --until take a duration before now (10m, 2h, 7d) or a time
(2026-11-27T13:00:00Z, 2026-11-27) and bound the start of the session.`)
	fs.dbFlag(&c.DB, "the SQLite file to read")
	fs.stringVar(&c.Lesson, "lesson", "", "PATH", "", "only sessions of the servers whose path starts with PATH, e.g. /lessons/rooms/")
	fs.stringVar(&c.Addr, "addr", "", "IP", "", "only sessions from this remote address")
	fs.stringVar(&c.Client, "client", "", "ID", "", "only sessions of this browser (its wb_client cookie)")
	fs.valueVar(newTimeValue(&c.Since), "since", "", "TIME", "only sessions started at or after TIME")
	fs.valueVar(newTimeValue(&c.Until), "until", "", "TIME", "only sessions started before TIME")
	fs.boolVar(&c.Open, "open", "", false, "only sessions still open (no recorded end)")
	fs.intVar(&c.Limit, "limit", "", "N", inspector.DefaultSessionLimit, "at most N sessions, the newest")
	fs.boolVar(&c.JSON, "json", "", false, "write a JSON array instead of a table")
	return fs
}

// Run prints the sessions.
func (c *SessionsCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := c.flags()
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if c.Limit <= 0 {
		return fmt.Errorf("sessions: --limit must be at least 1")
	}
	db, err := openExisting(c.DB)
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	defer db.Close()
	list, err := db.Sessions(ctx, inspector.SessionFilter{
		PathPrefix: c.Lesson,
		Client:     c.Client,
		Addr:       c.Addr,
		Since:      c.Since,
		Until:      c.Until,
		OpenOnly:   c.Open,
		Limit:      c.Limit,
	})
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if c.JSON {
		return writeSessionsJSON(stdout, list)
	}
	return writeSessionsTable(stdout, list)
}

// sessionJSON is a session as --json writes it: the names of the export
// format, times in RFC 3339 with microseconds, null when absent.
type sessionJSON struct {
	SID         string  `json:"sid"`
	Path        string  `json:"path"`
	Client      string  `json:"client"`
	RemoteAddr  string  `json:"remote_addr"`
	UserAgent   string  `json:"user_agent"`
	Transport   string  `json:"transport"`
	Upgraded    string  `json:"upgraded"`
	UpgradedAt  *string `json:"upgraded_at"`
	StartedAt   *string `json:"started_at"`
	EndedAt     *string `json:"ended_at"`
	LastAt      *string `json:"last_at"`
	CloseReason string  `json:"close_reason"`
	Packets     int     `json:"packets"`
}

// jsonTime is t in RFC 3339 UTC with microseconds, nil for the zero time.
func jsonTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	return &s
}

func writeSessionsJSON(w io.Writer, list []inspector.Session) error {
	out := make([]sessionJSON, len(list))
	for i, s := range list {
		out[i] = sessionJSON{
			SID:         s.SID,
			Path:        s.Path,
			Client:      s.Client,
			RemoteAddr:  s.RemoteAddr,
			UserAgent:   s.UserAgent,
			Transport:   s.Transport,
			Upgraded:    s.Upgraded,
			UpgradedAt:  jsonTime(s.UpgradedAt),
			StartedAt:   jsonTime(s.StartedAt),
			EndedAt:     jsonTime(s.EndedAt),
			LastAt:      jsonTime(s.LastAt),
			CloseReason: s.CloseReason,
			Packets:     s.Packets,
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeSessionsTable(w io.Writer, list []inspector.Session) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(w, "no sessions")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SESSION\tSTARTED\tDURATION\tPATH\tADDRESS\tCLIENT\tTRANSPORT\tPACKETS\tCLOSE")
	for _, s := range list {
		transport := s.Transport
		if s.Upgraded != "" {
			transport += "->" + s.Upgraded
		}
		duration, reason := "open", s.CloseReason
		if !s.EndedAt.IsZero() {
			duration = formatElapsed(s.EndedAt.Sub(s.StartedAt))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n",
			cell(s.SID), s.StartedAt.Local().Format("2006-01-02 15:04:05"), duration, cell(s.Path),
			cell(dash(s.RemoteAddr)), cell(dash(s.Client)), cell(transport), s.Packets, cell(dash(reason)))
	}
	return tw.Flush()
}

// formatElapsed writes d to the millisecond under a minute, to the second
// above.
func formatElapsed(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
