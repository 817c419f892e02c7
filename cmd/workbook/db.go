package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/sioworkbook/workbook/inspector"
)

// openExisting opens the database of a read command, read-only: it works
// on a file this process cannot write, and on a read-only file system.
// Unlike inspector.Open it refuses a missing file rather than creating an
// empty one.
func openExisting(path string) (*inspector.DB, error) { return openFile(path, false) }

// openExistingForWrite opens the database of a command that changes an
// existing file (prune).
func openExistingForWrite(path string) (*inspector.DB, error) { return openFile(path, true) }

func openFile(path string, write bool) (*inspector.DB, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no database at %s: 'workbook serve' records to workbook.db in the directory it runs in; pass --db PATH (or set WORKBOOK_DB) to read another file", path)
	case err != nil:
		return nil, err
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a database", path)
	}
	if write {
		return inspector.Open(path)
	}
	return inspector.OpenReadOnly(path)
}
