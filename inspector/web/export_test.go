package web

// Bounds of the live feed, for the tests.
const (
	MaxWatchAnswer = maxWatchAnswer
	WatchBurst     = watchBurst
	WatchEvery     = watchEvery
)
