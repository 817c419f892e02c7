package main

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// errNoCgo explains a binary built without cgo: go-sqlite3 is a C library,
// and a build with CGO_ENABLED=0 links a stub whose every call fails.
var errNoCgo = errors.New(`this workbook binary was built without cgo, so it cannot open SQLite files.
go-sqlite3, the SQLite driver, is C code: building it needs cgo and a C compiler.
Fix: install a C compiler (gcc or clang; on Debian/Ubuntu "apt install gcc", on macOS "xcode-select --install"),
then build again with cgo on:
    CGO_ENABLED=1 go build -o workbook ./cmd/workbook`)

// checkSQLite fails with errNoCgo when the SQLite driver is the stub of a
// build without cgo, before a command starts anything. The stub opens a
// handle but fails its first connection with a message naming cgo.
func checkSQLite() error {
	db, err := sql.Open("sqlite3", ":memory:")
	if err == nil {
		err = db.Ping()
		db.Close()
	}
	if err == nil {
		return nil
	}
	if isNoCgo(err) {
		return fmt.Errorf("%w\n(the driver said: %v)", errNoCgo, err)
	}
	return fmt.Errorf("sqlite: %w", err)
}

// isNoCgo reports whether err comes from go-sqlite3's stub.
func isNoCgo(err error) bool {
	return err != nil && strings.Contains(err.Error(), "requires cgo")
}
