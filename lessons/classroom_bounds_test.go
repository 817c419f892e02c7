package lessons_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sioworkbook/workbook/lessons"
)

// TestClassroomRefusesOddIDs: a client id that is not of the cookie's
// shape (here 4,000 characters) makes no row and no progress: the step's
// server treats it as a browser with no id.
func TestClassroomRefusesOddIDs(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	long := strings.Repeat("a", 4000)
	dialStep(t, base, "events/message", long)
	dialStep(t, base, "events/message", "fine-id")
	waitDone(t, site, "fine-id", "events/message/receive")
	c := classroomNow(t, base)
	for _, r := range c.Rows {
		if strings.HasPrefix(r.Label, "aaaa") {
			t.Errorf("a row for the 4,000-character id: %+v", r)
		}
	}
	if done, err := site.Store().Done(context.Background(), long); err != nil || len(done) != 0 {
		t.Errorf("progress stored for the 4,000-character id: %v %v", done, err)
	}
}

// TestClassroomPages: the classroom answers one page of rows at a time,
// and says how many there are in all.
func TestClassroomPages(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	ctx := context.Background()
	const n = 2*lessons.ClassroomPageSize + 7
	for i := range n {
		if _, err := site.Store().Mark(ctx, fmt.Sprintf("learner-%04d", i), lessons.TaskKey{Lesson: "hello", Step: "connect", Task: "connect"}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for page := 1; page <= 3; page++ {
		res, body := get(t, fmt.Sprintf("%s/classroom/data.json?page=%d", base, page), nil)
		c := decodeClassroom(t, res.StatusCode, body)
		want := lessons.ClassroomPageSize
		if page == 3 {
			want = 7
		}
		if c.Learners != n || c.Page != page || c.Pages != 3 || len(c.Rows) != want {
			t.Errorf("page %d: learners %d, page %d of %d, %d rows; want %d, %d of 3, %d", page, c.Learners, c.Page, c.Pages, len(c.Rows), n, page, want)
		}
		for _, r := range c.Rows {
			if seen[r.Label] {
				t.Errorf("%s on two pages", r.Label)
			}
			seen[r.Label] = true
		}
	}
	if len(seen) != n {
		t.Errorf("%d learners over the pages, want %d", len(seen), n)
	}
	// Past the end, or nonsense: the last page, or the first.
	for q, want := range map[string]int{"page=99": 3, "page=0": 1, "page=-4": 1, "page=x": 1, "": 1} {
		res, body := get(t, base+"/classroom/data.json?"+q, nil)
		if c := decodeClassroom(t, res.StatusCode, body); c.Page != want {
			t.Errorf("?%s: page %d, want %d", q, c.Page, want)
		}
	}
	// The HTML table too: one page, with a link to the next.
	res, body := get(t, base+"/classroom/table?page=2", nil)
	if res.StatusCode != 200 || strings.Count(body, `class="learner"`) != lessons.ClassroomPageSize ||
		!strings.Contains(body, `href="/classroom/?page=3"`) || !strings.Contains(body, `href="/classroom/?page=1"`) {
		t.Errorf("table page 2: %d, %d rows\n%.2000s", res.StatusCode, strings.Count(body, `class="learner"`), body)
	}
}

// TestStoreBoundsLearners: past MaxLearners browsers, a new browser's
// progress is refused with ErrTooManyLearners; known browsers go on.
func TestStoreBoundsLearners(t *testing.T) {
	ctx := context.Background()
	for name, db := range map[string]bool{"memory": false, "sqlite": true} {
		t.Run(name, func(t *testing.T) {
			opts := lessons.Options{}
			if db {
				opts.DB = mustOpenDB(t)
			}
			site, _ := startSite(t, opts)
			st := site.Store()
			st.SetMaxLearners(5)
			k := lessons.TaskKey{Lesson: "hello", Step: "connect", Task: "connect"}
			for i := range 5 {
				if _, err := st.Mark(ctx, fmt.Sprintf("b%d", i), k); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.Mark(ctx, "one-too-many", k); !errors.Is(err, lessons.ErrTooManyLearners) {
				t.Errorf("the sixth learner: %v, want ErrTooManyLearners", err)
			}
			if _, err := st.Mark(ctx, "b0", lessons.TaskKey{Lesson: "hello", Step: "connect", Task: "other"}); err != nil {
				t.Errorf("a known learner's next task: %v", err)
			}
		})
	}
}

func decodeClassroom(t *testing.T, status int, body string) lessons.Classroom {
	t.Helper()
	var c lessons.Classroom
	if status != 200 || json.Unmarshal([]byte(body), &c) != nil {
		t.Fatalf("data.json: %d %.500s", status, body)
	}
	return c
}

// TestClassroomTableSize: the table the classroom page reloads every 2 s
// weighs the same with 2,000 learners as with one page of them.
func TestClassroomTableSize(t *testing.T) {
	site, base := startSite(t, lessons.Options{})
	ctx := context.Background()
	size := func() int {
		res, body := get(t, base+"/classroom/table", nil)
		if res.StatusCode != 200 {
			t.Fatalf("table: %d", res.StatusCode)
		}
		return len(body)
	}
	mark := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := site.Store().Mark(ctx, fmt.Sprintf("learner-%04d", i), lessons.TaskKey{Lesson: "hello", Step: "connect", Task: "connect"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	mark(0, lessons.ClassroomPageSize)
	one := size()
	mark(lessons.ClassroomPageSize, 2000)
	all := size()
	t.Logf("the table: %d bytes with %d learners, %d bytes with 2,000", one, lessons.ClassroomPageSize, all)
	if all > one+1024 { // the pager and the counts
		t.Errorf("the table grew from %d to %d bytes", one, all)
	}
}
