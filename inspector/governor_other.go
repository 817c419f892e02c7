//go:build !linux

package inspector

import "time"

// Elsewhere than Linux the governor cannot tell, and never limits.

func machineStall() (time.Duration, bool) { return 0, false }

func machineIdle() (idle, total uint64, ok bool) { return 0, 0, false }
