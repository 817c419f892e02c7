package lessons_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/lessons"
)

// storeOpeners open a Store in memory and one on a SQLite file, for the
// tests that run on both.
var storeOpeners = map[string]func(t *testing.T) *lessons.Store{
	"memory": func(t *testing.T) *lessons.Store {
		s, err := lessons.OpenStore(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
	"sqlite": func(t *testing.T) *lessons.Store {
		db := mustOpenDB(t)
		if _, err := lessons.OpenStore(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		s, err := lessons.OpenStore(context.Background(), db) // the table exists: fine
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
}

func TestStore(t *testing.T) {
	for name, open := range storeOpeners {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			k := lessons.TaskKey{Lesson: "hello", Step: "connect", Task: "connect"}
			first, err := s.Mark(ctx, "browser-a", k)
			if err != nil || !first {
				t.Fatalf("first Mark: %v, %v", first, err)
			}
			again, err := s.Mark(ctx, "browser-a", k)
			if err != nil || again {
				t.Fatalf("second Mark: %v, %v", again, err)
			}
			done, err := s.Done(ctx, "browser-a")
			if err != nil || len(done) != 1 || done[k].IsZero() {
				t.Fatalf("Done(a) = %v, %v", done, err)
			}
			if other, _ := s.Done(ctx, "browser-b"); len(other) != 0 {
				t.Errorf("Done(b) = %v, want nothing", other)
			}
			if err := s.Reset(ctx, "browser-a"); err != nil {
				t.Fatal(err)
			}
			if done, _ := s.Done(ctx, "browser-a"); len(done) != 0 {
				t.Errorf("after Reset: %v", done)
			}
		})
	}
}

// TestProgressOutlivesTheSite checks that progress kept in the database is
// there for the next Site on the same database (the next workbook run).
func TestProgressOutlivesTheSite(t *testing.T) {
	db := mustOpenDB(t)
	site, err := lessons.New(lessons.Options{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	k := lessons.TaskKey{Lesson: "events", Step: "message", Task: "receive"}
	if _, err := site.Store().Mark(context.Background(), "browser-a", k); err != nil {
		t.Fatal(err)
	}
	site.Close()
	next, base := startSite(t, lessons.Options{DB: db})
	done, err := next.Store().Done(context.Background(), "browser-a")
	if err != nil || done[k].IsZero() {
		t.Fatalf("Done = %v, %v", done, err)
	}
	_, body := get(t, base+"/lessons/events/message/", cookie("browser-a"))
	if !contains(body, `data-task="receive" class="done"`) {
		t.Errorf("the step page does not show the task done")
	}
}

func TestStoreNamesAndLessonReset(t *testing.T) {
	for name, open := range storeOpeners {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			if err := s.SetName(ctx, "a", "  Ada Lovelace  "); err != nil {
				t.Fatal(err)
			}
			if err := s.SetName(ctx, "b", "Bob"); err != nil {
				t.Fatal(err)
			}
			if err := s.SetName(ctx, "b", "Bea"); err != nil { // renamed
				t.Fatal(err)
			}
			for _, bad := range []string{strings.Repeat("x", lessons.MaxName+1), "two\nlines", "nul\x00", "\xff"} {
				if err := s.SetName(ctx, "a", bad); !errors.Is(err, lessons.ErrBadName) {
					t.Errorf("SetName(%q) = %v, want ErrBadName", bad, err)
				}
			}
			names, err := s.Names(ctx)
			if err != nil || len(names) != 2 || names["a"] != "Ada Lovelace" || names["b"] != "Bea" {
				t.Errorf("Names = %v, %v", names, err)
			}
			if err := s.SetName(ctx, "b", " "); err != nil { // no name any more
				t.Fatal(err)
			}
			if n, err := s.Name(ctx, "b"); n != "" || err != nil {
				t.Errorf("Name(b) after clearing = %q, %v", n, err)
			}
			if n, err := s.Name(ctx, "a"); n != "Ada Lovelace" || err != nil {
				t.Errorf("Name(a) = %q, %v", n, err)
			}

			keys := []lessons.TaskKey{{Lesson: "hello", Step: "connect", Task: "connect"}, {Lesson: "events", Step: "message", Task: "send"}}
			for _, k := range keys {
				if _, err := s.Mark(ctx, "a", k); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Mark(ctx, "b", k); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.ResetLesson(ctx, "a", "hello"); err != nil {
				t.Fatal(err)
			}
			if done, _ := s.Done(ctx, "a"); len(done) != 1 || done[keys[1]].IsZero() {
				t.Errorf("a after resetting hello: %v", done)
			}
			if done, _ := s.Done(ctx, "b"); len(done) != 2 {
				t.Errorf("b lost progress to a's reset: %v", done)
			}
		})
	}
}
