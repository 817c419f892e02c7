package inspector_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/inspector"
)

// TestImport_FailedFileAddsNothing: a file that fails at line 3 leaves
// nothing (no open, cut session), and the corrected file then imports whole.
func TestImport_FailedFileAddsNothing(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	lines := []string{
		`{"time":"2025-03-01T12:00:00Z","session":"S","dir":"out","transport":"polling","raw":"0{}","session_info":{"started_at":"2025-03-01T12:00:00Z","transport":"polling","ended_at":"2025-03-01T12:00:09Z","close_reason":"transport close"}}`,
		`{"time":"2025-03-01T12:00:01Z","session":"S","dir":"in","transport":"polling","raw":"40"}`,
		`{"time":"2025-03-01T12:00:02Z","session":"S","dir":"in","transport":"polling","raw":"42[\"a\"]"`, // cut
		`{"time":"2025-03-01T12:00:03Z","session":"S","dir":"in","transport":"polling","raw":"42[\"b\"]"}`,
	}
	_, err := db.Import(ctx, strings.NewReader(strings.Join(lines, "\n")+"\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err %v, want one naming line 3", err)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sessions != 0 || st.Packets != 0 {
		t.Fatalf("after the failed import: %d sessions (%d open), %d packets", st.Sessions, st.OpenSessions, st.Packets)
	}

	lines[2] += "}"
	n, err := db.Import(ctx, strings.NewReader(strings.Join(lines, "\n")+"\n"), nil)
	if err != nil || n != 4 {
		t.Fatalf("the corrected file: %d packets, %v", n, err)
	}
	s, err := db.Session(ctx, "S")
	if err != nil || s.Packets != 4 || s.EndedAt.IsZero() || s.CloseReason != "transport close" {
		t.Errorf("session %+v, %v", s, err)
	}
}

// TestImport_LineTooLong: a 40 MB line is refused with a clear error,
// after reading no more of it than the limit.
func TestImport_LineTooLong(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	good := `{"time":"2025-03-01T12:00:00Z","session":"G","dir":"in","transport":"polling","raw":"2"}` + "\n"
	huge := `{"time":"2025-03-01T12:00:00Z","session":"G","dir":"in","transport":"polling","raw":"4` +
		strings.Repeat("x", 40<<20) + `"}` + "\n"
	r := io.MultiReader(strings.NewReader(good), strings.NewReader(huge), strings.NewReader(good))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := db.Import(ctx, r, nil)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, inspector.ErrLineTooLong) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err %v, want ErrLineTooLong naming line 2", err)
	}
	// The limit, plus the growth of the buffer that reached it.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*inspector.MaxImportLine {
		t.Errorf("%d MiB allocated to refuse the line (the limit is %d MiB)", alloc>>20, inspector.MaxImportLine>>20)
	}
	if st, _ := db.Stats(ctx); st.Packets != 0 {
		t.Errorf("%d packets stored", st.Packets)
	}

	// A line just under the limit is read.
	var buf bytes.Buffer
	buf.WriteString(`{"time":"2025-03-01T12:00:00Z","session":"L","dir":"in","transport":"polling","raw":"4`)
	buf.WriteString(strings.Repeat("y", inspector.MaxImportLine-buf.Len()-3))
	buf.WriteString("\"}\n")
	if n, err := db.Import(ctx, &buf, nil); err != nil || n != 1 {
		t.Errorf("a line of exactly the limit: %d, %v", n, err)
	}
}
