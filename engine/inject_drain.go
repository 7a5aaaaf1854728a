package engine

import (
	"os"
	"os/exec"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// drainEnv starts this executable as the helper that answers "continue"
// to the named calls of processes that outlive the session.
const drainEnv = "STRACE_EBPF_INJECT_DRAIN"

func init() {
	if os.Getenv(drainEnv) == "1" {
		runDrain(3)
	}
}

// drainListener hands the listener to a helper when processes still carry
// the filter; it does nothing when none does (POLLHUP).
func drainListener(fd int) {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	if n, err := unix.Poll(pfd, 0); err == nil && n > 0 && pfd[0].Revents&unix.POLLHUP != 0 && pfd[0].Revents&unix.POLLIN == 0 {
		return
	}
	self, err := os.Executable()
	if err != nil {
		return // they get ENOSYS
	}
	cmd := exec.Command(self)
	cmd.Args[0] = "strace.ebpf-inject-drain"
	cmd.Env = []string{drainEnv + "=1"}
	cmd.ExtraFiles = []*os.File{os.NewFile(uintptr(fd), "seccomp-listener")}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if cmd.Start() == nil {
		cmd.Process.Release()
	}
}

// runDrain answers every notification with "continue" until no process
// carries the filter. It never returns.
func runDrain(fd int) {
	for {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, -1); err != nil {
			if err == unix.EINTR {
				continue
			}
			os.Exit(1)
		}
		if pfd[0].Revents&unix.POLLIN == 0 {
			os.Exit(0) // POLLHUP: the last process with the filter is gone
		}
		var n seccompNotif
		if err := ioctlPtr(fd, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&n)); err != nil {
			continue
		}
		r := seccompNotifResp{ID: n.ID, Flags: unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE}
		ioctlPtr(fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&r))
	}
}
