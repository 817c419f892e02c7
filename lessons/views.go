package lessons

import (
	"fmt"

	"github.com/a-h/templ"
)

// frame is what every page's layout needs.
type frame struct {
	T         ui
	Lang      Lang
	Title     string // of the page, without the site's name
	Crumbs    []link // after the site's name
	Prev      *link
	Next      *link
	Done      int // tasks done in the whole workbook
	Total     int
	BodyClass string
	Inspector string // URL of the inspector's pages, "" if none
	Classroom string // URL of the classroom page
	// Name is the display name the learner chose, "" when none; Here is
	// the page's path, where the learner's forms send them back.
	Name, Here string
}

// link is an anchor: where, and what it says.
type link struct {
	Href string
	Text string
}

func (f frame) docTitle() string {
	if f.Title == "" || f.Title == f.T.SiteName {
		return f.T.SiteName
	}
	return f.Title + " · " + f.T.SiteName
}

func (f frame) progressText() string { return fmt.Sprintf(f.T.Progress, f.Done, f.Total) }

// homeView is the home page.
type homeView struct {
	frame
	Intro   string // HTML of home.<lang>.md
	Lessons []tocLesson
	Resume  *link // the first step with a task left, nil when all are done
}

// tocLesson is a lesson in the contents.
type tocLesson struct {
	Num         int
	Href, Title string
	Steps       []tocStep
	Done, Total int
}

// tocStep is a step in the contents or in its lesson's page.
type tocStep struct {
	Num         int
	Href, Title string
	Done, Total int
}

func (t tocStep) complete() bool   { return t.Total > 0 && t.Done == t.Total }
func (t tocLesson) complete() bool { return t.Total > 0 && t.Done == t.Total }
func countText(done, total int) string {
	return fmt.Sprintf("%d/%d", done, total)
}

// lessonView is a lesson's introduction page.
type lessonView struct {
	frame
	Slug  string
	Num   int
	Intro string // HTML
	Steps []tocStep
}

// stepView is a step page.
type stepView struct {
	frame
	LessonLabel string // "Lesson 2 · Events"
	StepLabel   string // "Step 1 of 3"
	Text        string // HTML
	Tasks       []taskView
	ServerHTML  string
	ServerJS    string // server.js, the finished version
	Client      string
	HasDone     bool
	Panel       templ.Component // nil: the slot says where the panel will be
	Faults      []faultView     // the step's fault buttons; none for most steps
	Data        stepData
}

// faultView is one fault button on a step page.
type faultView struct {
	ID    string // the fault, as in its URL: "cut"
	Label string
}

// taskView is one task on a step page.
type taskView struct {
	ID     string
	HTML   string
	Done   bool
	Ladder *ladder // nil: no hints
}

// stepData is what the step page's script (assets/step.js) needs, passed
// as JSON.
type stepData struct {
	Lesson     string            `json:"lesson"`
	Step       string            `json:"step"`
	Pane       string            `json:"pane"` // URL of the pane document
	Live       string            `json:"live"` // URL of the live feed
	Client     string            `json:"client"`
	ClientDone string            `json:"clientDone"`
	Server     string            `json:"server"`   // server.go, for the copy button
	ServerJS   string            `json:"serverJS"` // server.js, the finished version
	Source     string            `json:"source"`   // URL of the browser's server.js (GET, PUT, DELETE)
	Faults     string            `json:"faults"`   // URL the fault buttons POST to, + the fault
	Text       map[string]string `json:"text"`     // words the script shows
}

// notFoundView is the 404 page.
type notFoundView struct {
	frame
}

// nameText is the top bar's "You: Ada", for a learner with a name.
func (f frame) nameText() string { return fmt.Sprintf(f.T.NameShown, f.Name) }
