package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sioworkbook/workbook/inspector"
	"github.com/sioworkbook/workbook/inspector/debugfmt"
)

// ReplayCommand prints the trace of one recorded session with the delays
// it was recorded with, so that a class can watch it happen again.
type ReplayCommand struct {
	DB      string
	Session string
	Debug   string
	Color   string
	Speed   float64
	MaxGap  time.Duration
	NoWait  bool

	// sleep waits d or until ctx is done. If nil, a timer does; tests set
	// it to see the delays asked for without waiting them.
	sleep func(ctx context.Context, d time.Duration) error
}

func (c *ReplayCommand) flags() *flagSet {
	fs := newFlagSet("replay", "workbook replay --session SID [flags]", `
Prints the trace of one recorded session, as 'workbook trace --session SID'
prints it (the server's debug lines, and one line per packet and per session
event under workbook:engine and workbook:socket.io), waiting between lines
as long as the session did: replay it in a terminal, before a class.

--speed divides the delays (2 plays twice as fast, 0.5 half as fast). A
delay longer than --max-gap once scaled (a heartbeat session idles for
25 s at a time) is shortened to --max-gap, with a note on stderr. Ctrl-C
stops the replay. --no-wait prints everything at once.`)
	fs.dbFlag(&c.DB, "the SQLite file to read")
	fs.stringVar(&c.Session, "session", "", "SID", "", "the session to replay (its Engine.IO id, as 'workbook sessions' lists); required")
	fs.stringVar(&c.Debug, "debug", "DEBUG", "PATTERN", "*", "namespaces to print")
	fs.valueVar(newSpeedValue(&c.Speed, 1), "speed", "WORKBOOK_REPLAY_SPEED", "N", "play N times as fast as recorded (0.5, 1, 2, 4x...)")
	fs.durationVar(&c.MaxGap, "max-gap", "", "DURATION", 2*time.Second, "shorten longer waits to DURATION (0: never)")
	fs.boolVar(&c.NoWait, "no-wait", "", false, "print at once, without the delays")
	fs.valueVar(newChoiceValue(&c.Color, "auto", "auto", "always", "never"), "color", "", "WHEN", "colours and +Nms: auto (when stdout is a terminal), always or never")
	return fs
}

// Run replays the session until its end, or until ctx is done: then it
// stops after the line in progress and returns nil.
func (c *ReplayCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := c.flags()
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if c.Session == "" {
		return errors.New("replay: --session SID is required ('workbook sessions' lists them)")
	}
	if c.MaxGap < 0 {
		return errors.New("replay: --max-gap must not be negative")
	}
	db, err := openExisting(c.DB)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	defer db.Close()
	s, err := db.Session(ctx, c.Session)
	if errors.Is(err, inspector.ErrNotFound) {
		return fmt.Errorf("replay: no session %s in %s", c.Session, c.DB)
	} else if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	t := newTracer(db, c.Debug, c.Color, stdout, inspector.PacketFilter{SID: c.Session})
	if !c.NoWait {
		fmt.Fprintf(stderr, "replay: session %s, %s long, at %sx (Ctrl-C stops)\n", debugfmt.EscapeControls(s.SID), sessionLength(s), formatSpeed(c.Speed))
		t.wait = c.waiter(ctx, stderr)
	}
	err = t.run(ctx)
	if ferr := t.w.Flush(); err == nil {
		err = ferr
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "replay: stopped")
		return nil
	}
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return nil
}

// waiter returns the tracer's wait: it sleeps from one line's time to the
// next one's, divided by the speed and cut to the longest gap.
func (c *ReplayCommand) waiter(ctx context.Context, stderr io.Writer) func(time.Time) error {
	sleep := c.sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	var prev time.Time
	return func(at time.Time) error {
		if prev.IsZero() {
			prev = at
			return ctx.Err()
		}
		d := at.Sub(prev)
		if d <= 0 {
			return ctx.Err()
		}
		prev = at
		wait := time.Duration(float64(d) / c.Speed)
		if c.MaxGap > 0 && wait > c.MaxGap {
			fmt.Fprintf(stderr, "replay: %s without a line, shortened to %s\n", debugfmt.Humanize(d), debugfmt.Humanize(c.MaxGap))
			wait = c.MaxGap
		}
		return sleep(ctx, wait)
	}
}

// sleepCtx waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sessionLength is how long s lasted, or has lasted so far.
func sessionLength(s *inspector.Session) string {
	end := s.EndedAt
	if end.IsZero() {
		end = s.LastAt
	}
	return debugfmt.Humanize(end.Sub(s.StartedAt))
}

// speedValue is a playback speed: a positive number, with an optional "x"
// ("2", "0.5x").
type speedValue float64

func newSpeedValue(p *float64, def float64) *speedValue {
	*p = def
	return (*speedValue)(p)
}

func (v *speedValue) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "x"), 64)
	if err != nil || f <= 0 || f > 1000 {
		return errors.New("want a speed above 0 and up to 1000, such as 0.5, 2 or 10x")
	}
	*v = speedValue(f)
	return nil
}

func (v *speedValue) String() string {
	if v == nil {
		return ""
	}
	return formatSpeed(float64(*v))
}

func formatSpeed(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
