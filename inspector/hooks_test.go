package inspector

// SetCommonEvent sets how many sessions make an event common, so that a
// test with few sessions takes the path of a common event; the returned
// func puts it back.
func SetCommonEvent(n int) func() {
	old := commonEvent
	commonEvent = n
	return func() { commonEvent = old }
}
