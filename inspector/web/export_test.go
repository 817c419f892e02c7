package web

// Bounds of the live feed, for the tests.
const (
	MaxWatchAnswer = maxWatchAnswer
	WatchBurst     = watchBurst
	WatchEvery     = watchEvery
)

// HasSpanish reports whether an English word of the pages has its Spanish.
func HasSpanish(en string) bool { _, ok := es[en]; return ok }

// JSWords are the words the scripts take from the page.
func JSWords() []string { return jsWordList }
