package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// PruneCommand applies the retention limits of serve once.
type PruneCommand struct {
	DB        string
	Keep      time.Duration
	MaxDBSize int64
}

func (c *PruneCommand) flags() *flagSet {
	fs := newFlagSet("prune", "workbook prune [flags]", `
Deletes from --db, now, what 'workbook serve' deletes in the background
with the same flags: the sessions that ended longer ago than --keep (with
their packets and debug lines), then the oldest sessions while the file is
larger than --max-db-size, and gives the space back to the file system.`)
	fs.dbFlag(&c.DB, "the SQLite file to prune")
	fs.durationVar(&c.Keep, "keep", "WORKBOOK_KEEP", "DURATION", 0, "delete sessions that ended longer ago than this, e.g. 7d or 12h")
	fs.valueVar((*sizeValue)(&c.MaxDBSize), "max-db-size", "WORKBOOK_MAX_DB_SIZE", "SIZE", "delete the oldest sessions while the file is larger than this, e.g. 500MB or 1GB")
	return fs
}

// Run prunes.
func (c *PruneCommand) Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := c.flags()
	if err := fs.parse(args, stderr); err != nil {
		return err
	}
	if err := fs.noArgs(); err != nil {
		return err
	}
	if c.Keep == 0 && c.MaxDBSize == 0 {
		return errors.New("prune: give --keep or --max-db-size (or WORKBOOK_KEEP, WORKBOOK_MAX_DB_SIZE)")
	}
	db, err := openExistingForWrite(c.DB)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	n, err := db.Prune(ctx, c.Keep, c.MaxDBSize)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	fmt.Fprintf(stdout, "deleted %d sessions from %s\n", n, c.DB)
	return nil
}
