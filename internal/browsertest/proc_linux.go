package browsertest

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// waitGone waits up to timeout for every process started with the profile
// dir to exit, then kills those that have not and returns their ids.
// Chromium passes --user-data-dir to all of its helper processes (zygote,
// renderers, network service), so the flag finds them all.
func waitGone(dir string, timeout time.Duration) []int {
	deadline := time.Now().Add(timeout)
	for {
		pids := processesUsing(dir)
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			for _, pid := range pids {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			return pids
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// processesUsing lists the live processes whose command line has
// --user-data-dir=dir.
func processesUsing(dir string) []int {
	want := []byte("--user-data-dir=" + dir)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue // gone meanwhile
		}
		if stat, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil && isZombie(stat) {
			continue // exited; its parent has not reaped it yet
		}
		for _, arg := range bytes.Split(cmdline, []byte{0}) {
			if bytes.Equal(arg, want) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// isZombie reads the state field of /proc/<pid>/stat, which follows the
// parenthesised command name.
func isZombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}
