package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The launched command starts as a copy of this executable that waits on a
// pipe until the tracer has armed the kernel filter for its pid, then execs
// the command: the trace begins with the command's own execve.
const childEnv = "STRACE_EBPF_EXEC_CHILD"

// godebugEnv keeps the tracer's own GODEBUG for the command while the
// launcher runs with its own.
const godebugEnv = "STRACE_EBPF_GODEBUG"

func init() {
	// A launched command starts as a copy of this executable, which main
	// (or TestMain) turns into the launcher (RunHelper). The launcher must
	// exec from the main thread: a non-leader thread that execs takes the
	// leader's tid, and its execve would lose its enter record. Locking in
	// init keeps main's goroutine there.
	if HelperRole() == Launcher {
		runtime.LockOSThread()
	}
}

// runChild waits for the go signal on fd 3, then execs the command. It never
// returns.
func runChild() {
	os.Unsetenv(childEnv)
	if v, ok := os.LookupEnv(godebugEnv); ok {
		os.Unsetenv(godebugEnv)
		if v == "" {
			os.Unsetenv("GODEBUG")
		} else {
			os.Setenv("GODEBUG", v)
		}
	}
	// argv: self, path, argv0, args...
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "strace.ebpf: starting command: bad launcher arguments")
		os.Exit(127)
	}
	path, argv := os.Args[1], os.Args[2:]
	if spec, ok := os.LookupEnv(injectEnv); ok {
		// Before dropping privileges: as root, the filter needs no
		// no_new_privs, and setuid programs keep working.
		os.Unsetenv(injectEnv)
		if err := installInjectFilter(spec); err != nil {
			fmt.Fprintf(os.Stderr, "strace.ebpf: starting command: %v\n", err)
			os.Exit(127)
		}
	}
	if cred, ok := os.LookupEnv(credEnv); ok {
		os.Unsetenv(credEnv)
		if err := dropTo(cred); err != nil {
			fmt.Fprintf(os.Stderr, "strace.ebpf: starting command: %v\n", err)
			os.Exit(126)
		}
	}
	goPipe := os.NewFile(3, "go")
	var b [1]byte
	if n, _ := goPipe.Read(b[:]); n != 1 {
		// The tracer went away before arming: do not run untraced.
		os.Exit(127)
	}
	goPipe.Close()
	err := syscall.Exec(path, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "strace.ebpf: can't run '%s': %s\n", argv[0], errText(err))
	if errors.Is(err, syscall.ENOENT) {
		os.Exit(127)
	}
	os.Exit(126)
}

// errText is an error's message without Go's wrapping, as a user reads it.
func errText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return errText(pe.Err)
	}
	var ee *exec.Error
	if errors.As(err, &ee) {
		if errors.Is(ee.Err, exec.ErrNotFound) {
			return "no such file or directory"
		}
		return errText(ee.Err)
	}
	return err.Error()
}

// ResolveCommand finds the executable of argv[0] the way execvp does and
// returns a user-facing error when it can't be run.
func ResolveCommand(argv []string) (string, error) {
	if len(argv) == 0 || argv[0] == "" {
		return "", errors.New("can't run '': empty command")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil && !errors.Is(err, exec.ErrDot) {
		return "", fmt.Errorf("can't run '%s': %s", argv[0], errText(err))
	}
	if path == "" {
		path = argv[0]
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("can't run '%s': %s", argv[0], errText(err))
	}
	if st.IsDir() {
		return "", fmt.Errorf("can't run '%s': is a directory", argv[0])
	}
	return path, nil
}

// child is a launched command waiting for the go signal.
type child struct {
	cmd *exec.Cmd
	goW io.WriteCloser
	// done is closed when the command has exited and st is set: the wait
	// goroutine writes st, so read it only after receiving from done.
	done chan struct{}
	st   *os.ProcessState
	// released: the command was let run (release); set before Run reads it.
	released bool
	// listener is the seccomp listener of fault injection (-1: none),
	// until the session's injector takes it.
	listener int
	// inCgroup: the launcher was made in the lossless cgroup
	// (CLONE_INTO_CGROUP), and needs no move into it.
	inCgroup bool
}

// Credential is a user to run the command as: ids and supplementary groups.
type Credential struct {
	UID, GID uint32
	Groups   []uint32
}

// credEnv passes the command's credentials to the launcher, which drops to
// them just before its exec ("uid:gid:g1,g2").
const credEnv = "STRACE_EBPF_CRED"

// startChild starts the launcher, which waits for release before it execs
// the command. With cgroupDir (the lossless cgroup) it is made there: a
// move into a cgroup waits for the kernel's RCU grace period (5-25 ms of
// start-up on the 2026-12-07 machine), a process made in one does not.
func startChild(path string, cfg *Config, cgroupDir string) (*child, error) {
	argv, stdin, stdout, stderr := cfg.Command, cfg.Stdin, cfg.Stdout, cfg.Stderr
	if !dispatched.Load() {
		return nil, fmt.Errorf("starting '%s': %w", argv[0], errNoHelpers)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("starting '%s': finding own executable: %w", argv[0], err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("starting '%s': %w", argv[0], err)
	}
	cmd := exec.Command(self, append([]string{path}, argv...)...)
	cmd.Args[0] = "strace.ebpf-launcher"
	// The launcher is this Go program until it execs: with asynchronous
	// preemption off its runtime sends itself no SIGURG, which the trace
	// would show as the command's first signal. The command gets the
	// environment as it was.
	env := cfg.Env
	if env == nil {
		env = os.Environ()
	}
	godebug, _ := lookupEnv(env, "GODEBUG")
	cmd.Env = append(env, childEnv+"=1", godebugEnv+"="+godebug, "GODEBUG=asyncpreemptoff=1")
	if u := cfg.User; u != nil {
		groups := make([]string, len(u.Groups))
		for i, g := range u.Groups {
			groups[i] = strconv.FormatUint(uint64(g), 10)
		}
		cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d:%d:%s", credEnv, u.UID, u.GID, strings.Join(groups, ",")))
	}
	cmd.ExtraFiles = []*os.File{r}
	var statusR, statusW *os.File
	if !cfg.Inject.empty() {
		native, compat := newRuleSet(cfg.Inject).calls()
		if statusR, statusW, err = os.Pipe(); err != nil {
			r.Close()
			w.Close()
			return nil, fmt.Errorf("starting '%s': %w", argv[0], err)
		}
		cmd.ExtraFiles = append(cmd.ExtraFiles, statusW) // injectStatusFd
		cmd.Env = append(cmd.Env, injectEnv+"="+formatCalls(native, compat))
	}
	// A nil stream in exec.Cmd means /dev/null; here it means ours.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if stdin != nil {
		cmd.Stdin = stdin
	}
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if stderr != nil {
		cmd.Stderr = stderr
	}
	inCgroup := false
	if cgroupDir != "" {
		if fd, err := unix.Open(cgroupDir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err == nil {
			defer unix.Close(fd)
			cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
			inCgroup = true
		}
	}
	err = cmd.Start()
	if err != nil && inCgroup {
		// A kernel or cgroup that refuses CLONE_INTO_CGROUP: the
		// launcher is moved in once made, as before Linux 5.7.
		cmd = rebuild(cmd)
		inCgroup = false
		err = cmd.Start()
	}
	if err != nil {
		r.Close()
		w.Close()
		if statusR != nil {
			statusR.Close()
			statusW.Close()
		}
		return nil, fmt.Errorf("starting '%s': %s", argv[0], strings.TrimPrefix(errText(err), "fork/exec "))
	}
	r.Close()
	c := &child{cmd: cmd, goW: w, done: make(chan struct{}), listener: -1, inCgroup: inCgroup}
	go func() {
		c.cmd.Wait()
		c.st = c.cmd.ProcessState
		close(c.done)
	}()
	if statusR != nil {
		statusW.Close()
		fd, err := takeListener(cmd.Process.Pid, statusR)
		if err != nil {
			c.abort()
			return nil, fmt.Errorf("starting '%s' with fault injection: %w", argv[0], err)
		}
		c.listener = fd
	}
	return c, nil
}

// rebuild is cmd, not started, without the cgroup to be made in: an
// exec.Cmd starts once.
func rebuild(cmd *exec.Cmd) *exec.Cmd {
	c := exec.Command(cmd.Path)
	c.Args, c.Env, c.ExtraFiles = cmd.Args, cmd.Env, cmd.ExtraFiles
	c.Stdin, c.Stdout, c.Stderr = cmd.Stdin, cmd.Stdout, cmd.Stderr
	return c
}

// release lets the waiting child exec the command.
func (c *child) release() error {
	_, err := c.goW.Write([]byte{1})
	c.goW.Close()
	c.released = true
	return err
}

// abort makes a child that was never released exit without running
// anything; a released one (the command, running) is left alone.
func (c *child) abort() {
	if c.listener >= 0 {
		// Calls waiting on the listener fail with ENOSYS: the launcher
		// gets to its go pipe, and exits.
		syscall.Close(c.listener)
		c.listener = -1
	}
	if c.released {
		return
	}
	c.goW.Close()
	<-c.done
}

// exitCode is the command's status as a shell reports it: its exit code, or
// 128+N when killed by signal N. It waits for the command to exit.
func (c *child) exitCode() int {
	<-c.done
	if c.st == nil {
		return 1
	}
	if ws, ok := c.st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return c.st.ExitCode()
}

// dropTo takes the credentials "uid:gid:g1,g2" for good: groups, then the
// group, then the user (after which no other change is allowed).
func dropTo(cred string) error {
	f := strings.SplitN(cred, ":", 3)
	if len(f) != 3 {
		return fmt.Errorf("bad credentials %q", cred)
	}
	uid, err1 := strconv.Atoi(f[0])
	gid, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("bad credentials %q", cred)
	}
	var groups []int
	for _, g := range strings.Split(f[2], ",") {
		if g == "" {
			continue
		}
		n, err := strconv.Atoi(g)
		if err != nil {
			return fmt.Errorf("bad credentials %q", cred)
		}
		groups = append(groups, n)
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("setting groups: %w", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("setting gid %d: %w", gid, err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("setting uid %d: %w", uid, err)
	}
	return nil
}

func lookupEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v, true
		}
	}
	return "", false
}
