//go:build !race

package listeners_test

const raceEnabled = false
