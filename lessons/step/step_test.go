package step_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/lessons/step"
	"github.com/sioworkbook/workbook/sio"
)

func TestPrintlnFormatsLikeConsoleLog(t *testing.T) {
	log := step.NewLog(nil)
	log.Println("text", 3.0, 2.5, true, nil, map[string]any{"a": 1}, []any{"x", 2}, sio.Reason("transport close"), errors.New("boom"))
	log.Printf("%d clients\n", 2)
	lines := log.Lines()
	want := []string{
		`text 3 2.5 true null {"a":1} ["x",2] transport close boom`,
		`2 clients`,
	}
	if len(lines) != len(want) {
		t.Fatalf("lines %v", lines)
	}
	for i, w := range want {
		if lines[i].Text != w || lines[i].At.IsZero() {
			t.Errorf("line %d = %q at %v, want %q", i, lines[i].Text, lines[i].At, w)
		}
	}
}

func TestLogKeepsTheLastLines(t *testing.T) {
	var sunk []string
	log := step.NewLog(func(l step.Line) { sunk = append(sunk, l.Text) })
	for i := range step.LogSize + 5 {
		log.Println(i)
	}
	lines := log.Lines()
	if len(lines) != step.LogSize || lines[0].Text != "5" || lines[len(lines)-1].Text != fmt.Sprint(step.LogSize+4) {
		t.Errorf("kept %d lines, %q .. %q", len(lines), lines[0].Text, lines[len(lines)-1].Text)
	}
	if len(sunk) != step.LogSize+5 {
		t.Errorf("the sink got %d lines", len(sunk))
	}
}

func TestFollowLosesNothingBetweenBacklogAndFeed(t *testing.T) {
	log := step.NewLog(nil)
	log.Println("before")
	backlog, lines, stop := log.Follow(4)
	log.Println("after")
	if len(backlog) != 1 || backlog[0].Text != "before" {
		t.Errorf("backlog %v", backlog)
	}
	if l := <-lines; l.Text != "after" {
		t.Errorf("fed %q", l.Text)
	}
	stop()
	stop() // idempotent
	if _, ok := <-lines; ok {
		t.Error("the feed is still open after stop")
	}
	log.Println("later") // no reader: nothing blocks
}

func TestCheckerRefusesUnknownTasks(t *testing.T) {
	c := step.NewChecker([]string{"a"}, nil)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `"b"`) {
			t.Errorf("recovered %v, want a panic naming the task", r)
		}
	}()
	c.Done(nil, "b")
}

func TestDoneForTicksTheBrowser(t *testing.T) {
	var got []string
	c := step.NewChecker([]string{"a"}, func(browser, task string) { got = append(got, browser+"/"+task) })
	c.DoneFor("", "a") // no browser: nothing to tick
	c.DoneFor("b1", "a")
	if strings.Join(got, ",") != "b1/a" {
		t.Errorf("ticked %v, want [b1/a]", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `"z"`) {
			t.Errorf("recovered %v, want a panic naming the task", r)
		}
	}()
	c.DoneFor("b1", "z")
}

func TestLogViewsTagTheirLines(t *testing.T) {
	var sunk []step.Line
	log := step.NewLog(func(l step.Line) { sunk = append(sunk, l) })
	mine := log.ForBrowser("me")
	backlog, feed, stop := mine.ForBrowser("other").Follow(4) // a view's view follows the whole log
	defer stop()
	log.Println("anyone")
	mine.Println("mine")
	log.ForBrowser("other").Printf("%s", "theirs")
	want := []step.Line{{Text: "anyone"}, {Text: "mine", Browser: "me"}, {Text: "theirs", Browser: "other"}}
	lines := mine.Lines()
	if len(backlog) != 0 || len(lines) != len(want) || len(sunk) != len(want) {
		t.Fatalf("backlog %v, lines %v, sunk %v", backlog, lines, sunk)
	}
	for i, w := range want {
		fed := <-feed
		for _, got := range []step.Line{lines[i], sunk[i], fed} {
			if got.Text != w.Text || got.Browser != w.Browser {
				t.Errorf("line %d = %q of %q, want %q of %q", i, got.Text, got.Browser, w.Text, w.Browser)
			}
		}
	}
}
