//go:build race

package listeners_test

const raceEnabled = true
