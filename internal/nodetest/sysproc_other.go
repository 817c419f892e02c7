//go:build unix && !linux

package nodetest

import (
	"os/exec"
	"syscall"
	"time"
)

// setProcAttrs puts the child in its own process group and kills that whole
// group when the command's context is done.
func setProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
}
