package lessons_test

import (
	"testing"

	"github.com/sioworkbook/workbook/lessons"
	"github.com/sioworkbook/workbook/lessons/jsserver"
)

// TestEveryStepHasAJavaScriptServer: each step of the registry has its
// server.js, and it compiles. (Its contract runs in package jsserver.)
func TestEveryStepHasAJavaScriptServer(t *testing.T) {
	site, _ := startSite(t, lessons.Options{})
	for key := range site.StepTasks() {
		src, err := lessons.StepServerJS(key)
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		if err := jsserver.Validate(src); err != nil {
			t.Errorf("%s/server.js: %v", key, err)
		}
	}
}
