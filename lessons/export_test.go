package lessons

import "github.com/sioworkbook/workbook/lessons/step"

// StepLog returns what the step's server has logged so far.
func (s *Site) StepLog(lesson, stepSlug string) []step.Line {
	return s.steps[lesson+"/"+stepSlug].log.Lines()
}

// PagePaths lists the paths of every page in reading order: the home
// page, then each lesson followed by its steps.
func (s *Site) PagePaths() []string {
	var out []string
	for _, p := range s.order {
		out = append(out, p.href)
	}
	return out
}

// StepTasks returns the task ids of every step, by "lesson/step".
func (s *Site) StepTasks() map[string][]string {
	out := map[string][]string{}
	for k, st := range s.steps {
		out[k] = st.Tasks
	}
	return out
}

// UIText returns the words of the pages around the text, by field name.
func UIText(l Lang) map[string]string { return uiFields(uiText[l]) }

// SetMaxLearners changes the Store's bound on learners (MaxLearners).
func (s *Store) SetMaxLearners(n int) { s.max = n }

// StepTitle is the classroom's title of a step, in English ("1.1 A user
// connected").
func (s *Site) StepTitle(key string) string { return s.stepTitle(key, EN) }
