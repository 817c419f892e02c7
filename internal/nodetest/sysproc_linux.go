package nodetest

import (
	"os/exec"
	"syscall"
	"time"
)

// setProcAttrs puts the child in its own process group, kills that whole
// group when the command's context is done, and asks the kernel to kill the
// child if the test binary dies first (a panic or a -timeout).
func setProcAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
}
