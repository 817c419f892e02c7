// Command workbook runs Socket.IO Workbook: live lessons on Socket.IO served
// by our own Go Socket.IO server, and the tools around it.
//
//	workbook                 same as "workbook serve"
//	workbook serve           serve the workbook (default 127.0.0.1:3000), recording to workbook.db
//	workbook proxy           record any Socket.IO server, as a reverse proxy in front of it
//	workbook testserver      serve the protocol test fixtures
//	workbook sessions        list the recorded sessions
//	workbook trace           print the recorded trace, DEBUG style
//	workbook packets         print the recorded packets as a table
//	workbook replay          replay a session's trace with its original delays
//	workbook export          write recorded packets as JSON Lines or a HAR
//	workbook import          read JSON Lines or a HAR into a database
//	workbook prune           apply --keep and --max-db-size now
//	workbook load            put a Socket.IO server under load and measure it
//
// Run "workbook help" for the flags of each subcommand.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "workbook:", err)
		}
		os.Exit(2)
	}
}

// command is one subcommand. flags returns a new flag set bound to the
// command's fields; Run parses args with it and runs.
type command interface {
	flags() *flagSet
	Run(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

type commandInfo struct {
	name  string
	short string
	new   func() command
}

func commands() []commandInfo {
	return []commandInfo{
		{"serve", "serve the workbook, recording every packet (the default)", func() command { return &ServeCommand{} }},
		{"proxy", "record any Socket.IO server: a reverse proxy that records every packet", func() command { return &ProxyCommand{} }},
		{"testserver", "serve the fixtures the official protocol test suites expect", func() command { return &TestServerCommand{} }},
		{"sessions", "list the recorded sessions", func() command { return &SessionsCommand{} }},
		{"trace", "print the recorded trace, as DEBUG=* prints it", func() command { return &TraceCommand{} }},
		{"packets", "print the recorded packets as a table", func() command { return &PacketsCommand{} }},
		{"replay", "print a recorded session's trace with its original delays", func() command { return &ReplayCommand{} }},
		{"export", "write recorded packets as JSON Lines or a HAR", func() command { return &ExportCommand{} }},
		{"import", "read JSON Lines written by export, or a HAR, into a database", func() command { return &ImportCommand{} }},
		{"prune", "delete old sessions now, as serve's --keep and --max-db-size do", func() command { return &PruneCommand{} }},
		{"load", "put a Socket.IO server under load and measure it", func() command { return &LoadCommand{} }},
	}
}

func lookupCommand(name string) (commandInfo, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return commandInfo{}, false
}

// Run runs the workbook with the command-line arguments args (without the
// program name) until ctx is done or the command ends. Tests call it directly.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		if len(args) > 0 {
			c, ok := lookupCommand(args[0])
			if !ok {
				usage(stderr)
				return fmt.Errorf("unknown command %q", args[0])
			}
			c.new().flags().usage(stdout)
			return nil
		}
		usage(stdout)
		return nil
	}
	c, ok := lookupCommand(name)
	if !ok {
		usage(stderr)
		return fmt.Errorf("unknown command %q", name)
	}
	err := c.new().Run(ctx, args, stdout, stderr)
	if isNoCgo(err) && !errors.Is(err, errNoCgo) {
		// A command that met the driver's stub on its own (proxy,
		// trace...): say what is wrong and how to fix it.
		err = fmt.Errorf("%s: %w\n(the driver said: %v)", name, errNoCgo, err)
	}
	return err
}

// usage lists the commands and every environment variable a flag reads.
func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: workbook [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.short)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "help", "this text; 'workbook help CMD' is 'workbook CMD -h'")
	tw.Flush()

	fmt.Fprintln(w, "\nEnvironment (a flag on the command line wins):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	seen := map[string]int{}
	var rows [][3]string // env, flag, commands
	for _, c := range commands() {
		for _, ev := range c.new().flags().envVars() {
			if ev[1] == "DEBUG" {
				continue // its own line below
			}
			if i, ok := seen[ev[1]]; ok {
				rows[i][2] += ", " + c.name
				continue
			}
			seen[ev[1]] = len(rows)
			rows = append(rows, [3]string{ev[1], ev[0], c.name})
		}
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\t%s\t(%s)\n", r[0], r[1], r[2])
	}
	fmt.Fprintf(tw, "  %s\t%s\t(%s)\n", "DEBUG", "the live trace on stderr", "serve, testserver; the default --debug of trace and replay")
	tw.Flush()
	fmt.Fprintln(w, "\nRun 'workbook <command> -h' for the flags of a command.")
}
