package engine

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The seccomp side of fault injection: the classic BPF filter that sends
// the named calls to the tracer, its installation by the launcher before
// it execs the command, and the tracer taking the listener descriptor.
//
// The listener is handed over without a syscall of the launcher after the
// filter is in place (any of them could be a named one, waiting for a
// tracer that does not yet hold the listener): the launcher tells the
// tracer, before installing the filter, which descriptor number the
// listener will get (the lowest free one, held until then), and the tracer
// takes it with pidfd_getfd (5.6+) once it is there.

// injectEnv passes the calls to notify to the launcher:
// "NR,NR,...;NR32,NR32,...".
const injectEnv = "STRACE_EBPF_INJECT"

// injectStatusFd is the launcher's end of the pipe on which it says which
// descriptor the listener gets ("N\n"), or why the filter failed ("E...").
const injectStatusFd = 4

// Architectures of seccomp_data.arch (linux/audit.h).
var seccompArch = map[string]struct{ native, compat uint32 }{
	"amd64": {unix.AUDIT_ARCH_X86_64, unix.AUDIT_ARCH_I386},
	"arm64": {unix.AUDIT_ARCH_AARCH64, 0x40000028}, // AUDIT_ARCH_ARM
}

// x32SyscallBit marks x32 calls on amd64 (__X32_SYSCALL_BIT): never
// notified.
const x32SyscallBit = 0x40000000

const (
	bpfLdAbsW = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
	bpfJeqK   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
	bpfJgeK   = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K
	bpfJa     = unix.BPF_JMP | unix.BPF_JA
	bpfRetK   = unix.BPF_RET | unix.BPF_K

	seccompDataNr   = 0
	seccompDataArch = 4
)

// seccompFilter builds the filter: the native calls and the 32-bit calls
// listed return SECCOMP_RET_USER_NOTIF, everything else
// SECCOMP_RET_ALLOW. Each listed call is two instructions ("jeq nr; ret
// notify"), so no jump is longer than the 8-bit offsets of classic BPF.
func seccompFilter(goarch string, native, compat []int) ([]unix.SockFilter, error) {
	arch, ok := seccompArch[goarch]
	if !ok {
		return nil, fmt.Errorf("building the seccomp filter: architecture %s is not supported", goarch)
	}
	var p []unix.SockFilter
	stmt := func(code uint16, k uint32) { p = append(p, unix.SockFilter{Code: code, K: k}) }
	jump := func(code uint16, k uint32, jt, jf uint8) {
		p = append(p, unix.SockFilter{Code: code, K: k, Jt: jt, Jf: jf})
	}
	list := func(nrs []int) {
		for _, nr := range nrs {
			jump(bpfJeqK, uint32(nr), 0, 1)
			stmt(bpfRetK, unix.SECCOMP_RET_USER_NOTIF)
		}
		stmt(bpfRetK, unix.SECCOMP_RET_ALLOW)
	}
	stmt(bpfLdAbsW, seccompDataArch)
	jump(bpfJeqK, arch.native, 1, 0)
	jaAt := len(p)
	stmt(bpfJa, 0) // to the 32-bit part, patched below
	stmt(bpfLdAbsW, seccompDataNr)
	if goarch == "amd64" {
		jump(bpfJgeK, x32SyscallBit, 0, 1)
		stmt(bpfRetK, unix.SECCOMP_RET_ALLOW)
	}
	list(native)
	p[jaAt].K = uint32(len(p) - jaAt - 1)
	jump(bpfJeqK, arch.compat, 1, 0)
	stmt(bpfRetK, unix.SECCOMP_RET_ALLOW)
	stmt(bpfLdAbsW, seccompDataNr)
	list(compat)
	if len(p) > 4096 { // BPF_MAXINSNS
		return nil, fmt.Errorf("building the seccomp filter: %d instructions, over the kernel's 4096", len(p))
	}
	return p, nil
}

func formatCalls(native, compat []int) string {
	join := func(nrs []int) string {
		s := make([]string, len(nrs))
		for i, nr := range nrs {
			s[i] = strconv.Itoa(nr)
		}
		return strings.Join(s, ",")
	}
	return join(native) + ";" + join(compat)
}

func parseCalls(v string) (native, compat []int, err error) {
	a, b, _ := strings.Cut(v, ";")
	split := func(s string) ([]int, error) {
		var nrs []int
		for _, f := range strings.Split(s, ",") {
			if f == "" {
				continue
			}
			n, err := strconv.Atoi(f)
			if err != nil {
				return nil, err
			}
			nrs = append(nrs, n)
		}
		return nrs, nil
	}
	if native, err = split(a); err != nil {
		return nil, nil, err
	}
	compat, err = split(b)
	return native, compat, err
}

// installInjectFilter runs in the launcher, before it drops privileges and
// waits for the go signal: it tells the tracer which descriptor the
// listener will be, then installs the filter. After that, no syscall of
// the launcher may wait for the tracer's answer before the tracer has the
// listener, and none does: the tracer takes it by itself.
func installInjectFilter(spec string) error {
	status := os.NewFile(injectStatusFd, "inject-status")
	defer status.Close() // its close is a syscall after the filter: answered by the tracer
	fail := func(err error) error {
		fmt.Fprintf(status, "E%v\n", err)
		return err
	}
	native, compat, err := parseCalls(spec)
	if err != nil {
		return fail(fmt.Errorf("bad inject calls %q", spec))
	}
	prog, err := seccompFilter(runtime.GOARCH, native, compat)
	if err != nil {
		return fail(err)
	}
	// Keep the status pipe and the go pipe out of the command.
	unix.CloseOnExec(injectStatusFd)
	unix.CloseOnExec(3)
	// Hold the lowest free descriptor: the listener gets it.
	hold, err := unix.FcntlInt(0, unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("reserving the listener's descriptor: %w", err))
	}
	if _, err := fmt.Fprintf(status, "%d\n", hold); err != nil {
		return err
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	install := func(flags uintptr) (int, error) {
		fd, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, uintptr(unsafe.Pointer(&fprog)))
		if e != 0 {
			return -1, e
		}
		return int(fd), nil
	}
	unix.Close(hold)
	// WAIT_KILLABLE_RECV (5.19+): once the tracer has a call, only a fatal
	// signal takes it back (a handled one would restart the call, counted
	// twice).
	flags := uintptr(unix.SECCOMP_FILTER_FLAG_NEW_LISTENER | unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
	fd, err := install(flags)
	if err == unix.EINVAL {
		fd, err = install(unix.SECCOMP_FILTER_FLAG_NEW_LISTENER)
	}
	if err == unix.EACCES {
		// Without CAP_SYS_ADMIN, a filter needs no_new_privs.
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fail(fmt.Errorf("setting no_new_privs: %w", err))
		}
		if fd, err = install(flags); err == unix.EINVAL {
			fd, err = install(unix.SECCOMP_FILTER_FLAG_NEW_LISTENER)
		}
	}
	if err != nil {
		return fail(fmt.Errorf("installing the seccomp filter: %w", err))
	}
	if fd != hold {
		// Nothing after the filter may wait on the tracer; the tracer
		// times out on the wrong descriptor, and the command never runs.
		return fmt.Errorf("installing the seccomp filter: the listener is descriptor %d, not %d", fd, hold)
	}
	return nil
}

// takeListener is the tracer's half: it reads which descriptor the
// launcher's listener gets, and takes it with pidfd_getfd once the filter
// is installed.
func takeListener(pid int, status *os.File) (int, error) {
	defer status.Close()
	var line []byte
	var b [1]byte
	for {
		n, err := status.Read(b[:])
		if n == 0 || err != nil {
			return -1, errors.New("the launcher exited before installing the seccomp filter")
		}
		if b[0] == '\n' {
			break
		}
		line = append(line, b[0])
	}
	if msg, ok := strings.CutPrefix(string(line), "E"); ok {
		return -1, errors.New(msg)
	}
	target, err := strconv.Atoi(string(line))
	if err != nil {
		return -1, fmt.Errorf("the launcher said %q", line)
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1, fmt.Errorf("opening the launcher's pidfd: %w", err)
	}
	defer unix.Close(pidfd)
	deadline := time.Now().Add(10 * time.Second)
	for sleep := 50 * time.Microsecond; ; sleep = min(2*sleep, 5*time.Millisecond) {
		fd, err := unix.PidfdGetfd(pidfd, target, 0)
		if err == nil {
			if isListener(fd) {
				unix.CloseOnExec(fd)
				return fd, nil
			}
			unix.Close(fd) // the placeholder: the filter is not in yet
		} else if err != unix.EBADF && err != unix.ESRCH {
			return -1, fmt.Errorf("taking the seccomp listener (pidfd_getfd, Linux 5.6+): %w", err)
		}
		// The launcher says why the filter failed, or died.
		pfd := []unix.PollFd{
			{Fd: int32(status.Fd()), Events: unix.POLLIN},
			{Fd: int32(pidfd), Events: unix.POLLIN},
		}
		if n, _ := unix.Poll(pfd, 0); n > 0 {
			if pfd[0].Revents&unix.POLLIN != 0 {
				var buf [512]byte
				if k, _ := unix.Read(int(status.Fd()), buf[:]); k > 0 {
					if msg, ok := strings.CutPrefix(strings.TrimSpace(string(buf[:k])), "E"); ok {
						return -1, errors.New(msg)
					}
				}
			}
			if pfd[1].Revents != 0 {
				return -1, errors.New("the launcher exited before installing the seccomp filter")
			}
		}
		if time.Now().After(deadline) {
			return -1, errors.New("taking the seccomp listener: timed out")
		}
		time.Sleep(sleep)
	}
}

// isListener says fd is a seccomp notification descriptor.
func isListener(fd int) bool {
	l, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	return err == nil && strings.Contains(l, "seccomp notify")
}
