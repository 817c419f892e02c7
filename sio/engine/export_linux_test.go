package engine

import "testing"

// OnReaderDone runs f, until the test ends, each time a reader of the
// poller has found its connection empty, before it gives it back; f gets
// a function that reports whether the poller has meanwhile seen news on
// that connection.
func OnReaderDone(t testing.TB, f func(news func() bool)) {
	hook := func(pd *polled) {
		f(func() bool { return pd.load().kind() == pollAgain })
	}
	testHookBeforeIdle.Store(&hook)
	t.Cleanup(func() { testHookBeforeIdle.Store(nil) })
}
