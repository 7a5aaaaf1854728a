package engine

// The guard: a pause must not outlive its owner, whichever way the tool is
// killed. The tracer and the keeper each thaw the cgroup when the other
// goes away, but nothing in the kernel undoes cgroup.freeze when both do
// (kill -9 of both, as `pkill -9 strace.ebpf` does). So the keeper starts
// a third process, the guard, that only waits: its standard input is a
// pipe whose one writer is the keeper, and when that pipe ends (the keeper
// is gone, by any path) the guard thaws the cgroup, moves -p processes back
// and removes the cgroup once it is empty, as the keeper would have.
//
// The guard is out of reach of the ways a user kills the tool: it runs in
// a session of its own (no terminal's hang-up, not in the tracer's process
// group or the keeper's) and under another name: its comm and its argv are
// "lossless-guard", matched neither by `pkill strace.ebpf` nor by
// `pkill -f strace.ebpf` (the cgroup it guards comes in its environment).
// When the guard dies first, the keeper starts another. Only killing the
// tracer, the keeper and the guard together, by their pids, can leave a
// cgroup frozen; `echo 0 > <cgroup>/cgroup.freeze` thaws it then.

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// guardEnv names the cgroup directory a guard process looks after.
const guardEnv = "STRACE_EBPF_CGROUP_GUARD"

// guardName is the guard's comm and argv[0].
const guardName = "lossless-guard"

// startGuard starts a guard of the cgroup dir and tells it the -p
// processes' cgroups; it returns the pipe to it (the keeper holds it until
// it exits).
func startGuard(dir string, origins map[int]string) (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// Through /proc/self/exe, so that the comm is not the executable's
	// name; the guard names itself.
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{guardName}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, keeperEnv+"=") && !strings.HasPrefix(kv, keeperMarksEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, guardEnv+"="+dir)
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, err
	}
	// The keeper never waits for it: its exit status is of no use.
	cmd.Process.Release()
	for pid, origin := range origins {
		if _, err := w.WriteString("origin " + strconv.Itoa(pid) + " " + origin + "\n"); err != nil {
			w.Close()
			return nil, err
		}
	}
	return w, nil
}

// runGuard is the guard process: it reads the keeper's "origin" lines until
// the keeper is gone, then undoes the pause.
func runGuard(dir string) {
	if name, err := unix.BytePtrFromString(guardName); err == nil {
		unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0)
	}
	// A --cgroup target's cgroup is thawed, never removed (the keeper's
	// environment, inherited, says so).
	k := &keeper{dir: dir, origins: map[int]string{}, keep: os.Getenv(keeperKeepEnv) == "1"}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "origin" {
			if pid, err := strconv.Atoi(f[1]); err == nil {
				k.origins[pid] = f[2]
			}
		}
	}
	k.end()
}

// keepGuard starts the keeper's guard, or another when the last one died;
// the keeper goes on without one (and says so) when it can't.
func (k *keeper) keepGuard(ep int) error {
	if k.guard != nil {
		unix.EpollCtl(ep, unix.EPOLL_CTL_DEL, int(k.guard.Fd()), nil)
		k.guard.Close()
		k.guard = nil
	}
	g, err := startGuard(k.dir, k.origins)
	if err != nil {
		return err
	}
	// A pipe's writer gets EPOLLERR when its reader is gone: the guard died.
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, int(g.Fd()), &unix.EpollEvent{Events: unix.EPOLLERR, Fd: int32(g.Fd())}); err != nil {
		g.Close()
		return err
	}
	k.guard = g
	return nil
}
