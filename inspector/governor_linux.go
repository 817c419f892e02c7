package inspector

import (
	"bytes"
	"os"
	"strconv"
	"time"
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

// machineStall reads the total time some task waited for a CPU from
// /proc/pressure/cpu ("some avg10=... total=<µs>"), where the kernel keeps
// pressure stall information.
func machineStall() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return 0, false
	}
	line, _, _ := bytes.Cut(b, []byte{'\n'})
	_, total, found := bytes.Cut(line, []byte("total="))
	if !bytes.HasPrefix(line, []byte("some ")) || !found {
		return 0, false
	}
	us, err := strconv.ParseUint(string(bytes.TrimSpace(total)), 10, 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(us) * time.Microsecond, true
}
