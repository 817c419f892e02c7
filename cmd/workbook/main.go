// Command workbook runs Socket.IO Workbook: live lessons on Socket.IO served
// by our own Go Socket.IO server, and the tools around it.
//
//	workbook                 same as "workbook serve"
//	workbook serve           serve the workbook (default :3000)
//	workbook testserver      serve the protocol test fixtures
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

// command is one subcommand: its name, a line of help, and how to run it.
type command struct {
	name  string
	short string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "serve the workbook (the default)", runServe},
		{"testserver", "serve the fixtures the official protocol test suites expect", runTestServer},
	}
}

// Run runs the workbook with the command-line arguments args (without the
// program name) until ctx is done or the command ends. Tests call it directly.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args, stdout, stderr)
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", name)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: workbook [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w, "\nRun 'workbook <command> -h' for the flags of a command.")
}

// envOr returns the environment variable key, or def when it is unset.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}
