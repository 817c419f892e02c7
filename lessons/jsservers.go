package lessons

import (
	"embed"
	"fmt"
	"io/fs"
)

// jsServers holds each step's server in JavaScript, server.js beside its
// server.go: the tutorial's app.js in today's API, which the learner edits
// and runs (package jsserver).
//
//go:embed */*/server.js
var jsServers embed.FS

// StepServerJS returns the JavaScript server of step ("lesson/step"), as
// embedded: the "finished version" a learner's edits start from and go
// back to.
func StepServerJS(step string) (string, error) {
	b, err := fs.ReadFile(jsServers, step+"/server.js")
	if err != nil {
		return "", fmt.Errorf("lessons: the JavaScript server of %s: %w", step, err)
	}
	return string(b), nil
}
