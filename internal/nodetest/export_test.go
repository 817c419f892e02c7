package nodetest

// StartedPIDs returns the pid, which is also the process group id, of every
// process Start has started in this test binary.
func StartedPIDs() []int {
	startedMu.Lock()
	defer startedMu.Unlock()
	return append([]int(nil), started...)
}
