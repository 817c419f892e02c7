package lessons

import (
	"strings"
	"testing"
)

// A task's hint ladder is all three rungs or none, for tasks of the step.
func TestReadLadders(t *testing.T) {
	tasks := []string{"a", "b"}
	for _, c := range []struct {
		name string
		meta map[string]string
		err  string // "" when it reads
	}{
		{"none", map[string]string{"task.a": "x"}, ""},
		{"whole", map[string]string{"hint.a.1": "one", "hint.a.2": "two", "solution.a": "`done`"}, ""},
		{"no solution", map[string]string{"hint.a.1": "one", "hint.a.2": "two"}, "needs hint.a.1, hint.a.2 and solution.a"},
		{"a solution alone", map[string]string{"solution.b": "s"}, "needs hint.b.1"},
		{"another task", map[string]string{"hint.c.1": "one"}, `task "c" is not in the step's Tasks`},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := &stepText{Ladders: map[string]ladder{}}
			err := readLadders("step.en.md", c.meta, tasks, text)
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if l, ok := text.Ladders["a"]; c.name == "whole" && (!ok || len(l.Hints) != 2 || l.Hints[1] != "two" || !strings.Contains(l.Solution, "<code>done</code>")) {
					t.Errorf("ladder: %+v", l)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("err = %v, want %q", err, c.err)
			}
		})
	}
}

// Every task of every step has its hint ladder, in every language.
func TestEveryTaskHasALadder(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	for key, st := range s.steps {
		for _, task := range st.Tasks {
			for _, l := range Langs {
				if _, ok := st.Text[l].Ladders[task]; !ok {
					t.Errorf("%s: task %s has no hint ladder in %s", key, task, l)
				}
			}
			n++
		}
	}
	if n != s.total {
		t.Errorf("%d tasks walked, the workbook has %d", n, s.total)
	}
}
