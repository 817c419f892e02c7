//go:build !race

package inspector_test

const raceEnabled = false
