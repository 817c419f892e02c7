package inspector

import (
	"bytes"
	"os"
	"strconv"
)

// machineIdle reads the idle and total CPU time of the machine from the
// first line of /proc/stat ("cpu  user nice system idle iowait irq
// softirq steal ..."), in clock ticks.
func machineIdle() (idle, total uint64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := bytes.Cut(b, []byte{'\n'})
	f := bytes.Fields(line)
	if len(f) < 6 || string(f[0]) != "cpu" {
		return 0, 0, false
	}
	for i, s := range f[1:] {
		if i >= 8 { // guest times are counted in user already
			break
		}
		n, err := strconv.ParseUint(string(s), 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	return idle, total, true
}
