package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// busyCommand is a command that runs on for minutes, making one-byte
// reads and writes as fast as it can (the ring fills, lossless pauses
// it) and ignoring SIGTERM, SIGINT and SIGHUP, so that the first signal
// given to the tracer (forwarded to it) does not end the trace.
func busyCommand(started string) []string {
	return []string{"sh", "-c", `trap "" TERM INT HUP; : > ` + started + `; exec dd if=/dev/zero of=/dev/null bs=1 count=1000000000`}
}

// childrenOf lists the processes whose parent is pid, with their argv[0].
func childrenOf(pid int) map[int]string {
	kids := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 || f[1] != strconv.Itoa(pid) {
			continue
		}
		argv, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		name, _, _ := strings.Cut(string(argv), "\x00")
		kids[p] = name
	}
	return kids
}

// cgroupDir is the directory of pid's cgroup in the unified hierarchy.
func cgroupDir(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	rel := ""
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "0::"); ok {
			rel = v
		}
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(mi), "\n") {
		pre, post, ok := strings.Cut(l, " - ")
		if f := strings.Fields(pre); ok && strings.HasPrefix(post, "cgroup2 ") && len(f) >= 5 && f[3] == "/" {
			return filepath.Join(f[4], rel)
		}
	}
	t.Fatal("no cgroup2 mount")
	return ""
}

// frozen reads a cgroup's "frozen" state; gone says the cgroup was removed.
func frozen(dir string) (isFrozen, gone bool) {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.events"))
	if err != nil {
		return false, true
	}
	return strings.Contains(string(b), "frozen 1"), false
}

// pausedRun is a tracer pausing its command: the tracer, the command's
// pid, the session's cgroup, the keeper's pid and the tracer's stderr.
type pausedRun struct {
	cmd    *exec.Cmd
	pid    int
	cgroup string
	keeper int
	stderr *os.File
}

// startPaused starts the tracer on busyCommand with args, and waits until
// the command is frozen (the reader behind: args make it slow).
func startPaused(t *testing.T, prep func(*exec.Cmd), args ...string) *pausedRun {
	t.Helper()
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	se, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { se.Close() })
	cmd := exec.Command(testutil.Tracer(t), append(args, busyCommand(started)...)...)
	cmd.Stderr = se
	if prep != nil {
		prep(cmd)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &pausedRun{cmd: cmd, stderr: se}
	t.Cleanup(func() {
		// The command too, even when the test ended before it was found
		// (it runs for minutes otherwise).
		for pid, name := range childrenOf(cmd.Process.Pid) {
			if name != "strace.ebpf-keeper" {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		cmd.Process.Kill()
		if r.pid != 0 {
			syscall.Kill(r.pid, syscall.SIGKILL)
		}
	})
	if !waitForFile(started) {
		t.Fatalf("the command did not start: %s", r.stderrText())
	}
	// The shell execs dd after it made the file.
	for deadline := time.Now().Add(5 * time.Second); r.pid == 0 || r.keeper == 0; time.Sleep(2 * time.Millisecond) {
		for pid, name := range childrenOf(cmd.Process.Pid) {
			switch name {
			case "strace.ebpf-keeper":
				r.keeper = pid
			case "dd":
				r.pid = pid
			}
		}
		if time.Now().After(deadline) {
			break
		}
	}
	if r.pid == 0 || r.keeper == 0 {
		t.Fatalf("no command or no keeper among the tracer's children: %v", childrenOf(cmd.Process.Pid))
	}
	r.cgroup = cgroupDir(t, r.pid)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if f, _ := frozen(r.cgroup); f {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the command was never paused (%s)", r.cgroup)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return r
}

func (r *pausedRun) stderrText() string {
	b, _ := os.ReadFile(r.stderr.Name())
	return string(b)
}

// thawedWithin waits until the command runs (its cgroup thawed or gone,
// the command out of it), and says how long that took.
func (r *pausedRun) thawedWithin(t *testing.T, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		f, _ := frozen(r.cgroup)
		if !f {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("the command is still frozen %v later (%s)", limit, r.cgroup)
		}
		time.Sleep(time.Millisecond)
	}
}

// neverFrozen fails when the command's cgroup is frozen at any time
// during d.
func (r *pausedRun) neverFrozen(t *testing.T, d time.Duration) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if f, _ := frozen(r.cgroup); f {
			t.Fatalf("the command is frozen again (%s)", r.cgroup)
		}
	}
}

// slowReader reads a FIFO 4K every 50ms until it ends: a reader far
// behind the trace.
func slowReader(t *testing.T, fifo string) {
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			return
		}
		defer f.Close()
		buf := make([]byte, 4096)
		for {
			if _, err := f.Read(buf); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
}

// A second SIGTERM (or SIGINT) while the command is paused for a reader
// that is behind thaws the command at once and stops the tracer: it does
// not wait for the reader to catch up.
func TestSecondSignalThawsPaused(t *testing.T) {
	testutil.RequireBPF(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			slowReader(t, fifo)
			r := startPaused(t, nil, "--buffer-size", "256K", "-o", fifo)
			r.cmd.Process.Signal(sig) // forwarded: the command ignores it
			time.Sleep(300 * time.Millisecond)
			if f, _ := frozen(r.cgroup); !f {
				t.Fatalf("the command was no longer paused before the second signal: the reader is not behind")
			}
			start := time.Now()
			r.cmd.Process.Signal(sig)
			took := r.thawedWithin(t, 2*time.Second)
			done := make(chan error, 1)
			go func() { done <- r.cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("the tracer still runs 5s after the second %v:\n%s", sig, r.stderrText())
			}
			t.Logf("thawed %v after the second %v, tracer gone after %v", took.Round(time.Millisecond), sig, time.Since(start).Round(time.Millisecond))
			if took > 200*time.Millisecond {
				t.Errorf("thawed only %v after the second %v", took, sig)
			}
			r.neverFrozen(t, 300*time.Millisecond)
			var ee *exec.ExitError
			// What was queued is dropped and counted, or, when the output
			// itself stayed blocked, its write gave up (1 s).
			if se := r.stderrText(); !errors.As(err, &ee) || !strings.Contains(se, "runs on") ||
				!strings.Contains(se, "queued records not shown") && !strings.Contains(se, "i/o timeout") {
				t.Errorf("after two %v: %v, stderr:\n%s", sig, err, se)
			}
			// The command runs on, not paused: its one-byte copies go on.
			before := ioBytes(r.pid)
			time.Sleep(100 * time.Millisecond)
			if after := ioBytes(r.pid); after <= before {
				t.Errorf("the detached command does not run (%d bytes read, then %d)", before, after)
			}
		})
	}
}

// ioBytes is pid's rchar: the bytes it has read so far.
func ioBytes(pid int) int64 {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/io")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "rchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// comm is pid's process name, as pkill matches it.
func comm(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return strings.TrimSpace(string(b))
}

// cmdline is pid's argv joined by spaces, as pkill -f matches it.
func cmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return strings.ReplaceAll(string(b), "\x00", " ")
}

// A pause never outlives its owner, whichever way the tool is killed:
// each way below, while the command is paused, leaves it running, and the
// session's cgroup is removed once the command is gone.
func TestPauseDiesWithOwner(t *testing.T) {
	testutil.RequireBPF(t)
	fifoRun := func(t *testing.T, prep func(*exec.Cmd)) *pausedRun {
		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		slowReader(t, fifo)
		return startPaused(t, prep, "--buffer-size", "256K", "-o", fifo)
	}
	for _, tc := range []struct {
		name string
		// kill kills the tool; it says whether the tracer lives on.
		kill func(t *testing.T) (r *pausedRun, tracerLives bool)
	}{
		{"kill -9 tracer", func(t *testing.T) (*pausedRun, bool) {
			r := fifoRun(t, nil)
			r.cmd.Process.Kill()
			return r, false
		}},
		{"kill -9 tracer and keeper", func(t *testing.T) (*pausedRun, bool) {
			r := fifoRun(t, nil)
			syscall.Kill(r.keeper, syscall.SIGKILL)
			r.cmd.Process.Kill()
			return r, false
		}},
		{"pkill -9 strace.ebpf and pkill -9 -f strace.ebpf", func(t *testing.T) (*pausedRun, bool) {
			r := fifoRun(t, nil)
			// Every process of this run (not other runs on the machine):
			// the tracer, its children, theirs.
			procs := []int{r.cmd.Process.Pid}
			for pid := range childrenOf(r.cmd.Process.Pid) {
				procs = append(procs, pid)
				for kid := range childrenOf(pid) {
					procs = append(procs, kid)
				}
			}
			guard := false
			var victims []int
			for _, pid := range procs {
				if comm(pid) == "lossless-guard" {
					guard = true
				}
				if strings.HasPrefix(comm(pid), "strace.ebpf") || strings.Contains(cmdline(pid), "strace.ebpf") {
					victims = append(victims, pid)
				}
			}
			if !guard {
				t.Fatalf("no lossless-guard among the run's processes %v", procs)
			}
			if len(victims) < 2 {
				t.Fatalf("pkill would kill only %v", victims)
			}
			for _, pid := range victims {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			return r, false
		}},
		{"kill -9 of the process group", func(t *testing.T) (*pausedRun, bool) {
			r := fifoRun(t, func(c *exec.Cmd) { c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} })
			syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
			return r, false
		}},
		{"closed terminal", func(t *testing.T) (*pausedRun, bool) {
			master, slave := openPty(t)
			// The trace goes to the terminal, which nobody reads: the
			// tracer blocks on it, the command is paused.
			r := startPaused(t, func(c *exec.Cmd) {
				c.Stdin, c.Stdout, c.Stderr = slave, slave, slave
				c.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
			}, "--buffer-size", "256K")
			slave.Close()
			master.Close()
			return r, true
		}},
		{"kill -9 guard, then tracer and keeper", func(t *testing.T) (*pausedRun, bool) {
			r := fifoRun(t, nil)
			guard := guardOf(t, r.keeper)
			syscall.Kill(guard, syscall.SIGKILL)
			// The keeper starts another.
			deadline := time.Now().Add(2 * time.Second)
			for {
				if g := guardOf(nil, r.keeper); g != 0 && g != guard {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no new guard after the first was killed: %v", childrenOf(r.keeper))
				}
				time.Sleep(5 * time.Millisecond)
			}
			syscall.Kill(r.keeper, syscall.SIGKILL)
			r.cmd.Process.Kill()
			return r, false
		}},
		{"kill -9 keeper", func(t *testing.T) (*pausedRun, bool) {
			r := fifoRun(t, nil)
			syscall.Kill(r.keeper, syscall.SIGKILL)
			return r, true
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, lives := tc.kill(t)
			killed := time.Now()
			// The pause comes and goes while the reader catches up: the
			// kill may come in a gap, and a freeze may still follow it
			// while the tracer is dying (or, alive, has yet to see its
			// terminal closed). What must hold: once the tracer is dead
			// (or has had half a second), the command runs, for good.
			if lives {
				time.Sleep(500 * time.Millisecond)
			} else {
				r.cmd.Wait()
			}
			r.thawedWithin(t, 2*time.Second)
			r.neverFrozen(t, 300*time.Millisecond)
			t.Logf("running for good %v after the kill", time.Since(killed).Round(time.Millisecond))
			if alive(r.pid) { // killed with the process group
				before := ioBytes(r.pid)
				time.Sleep(100 * time.Millisecond)
				if after := ioBytes(r.pid); after <= before {
					t.Errorf("the command does not run (%d bytes read, then %d)", before, after)
				}
			}
			if lives && tc.name == "kill -9 keeper" {
				time.Sleep(100 * time.Millisecond)
				if se := r.stderrText(); !strings.Contains(se, "strace.ebpf: lossless tracing ended: the cgroup keeper is gone; tracing lossy from now on") {
					t.Errorf("the tracer did not say it went lossy:\n%s", se)
				}
			}
			syscall.Kill(r.pid, syscall.SIGKILL)
			if lives {
				done := make(chan error, 1)
				go func() { done <- r.cmd.Wait() }()
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					t.Errorf("the tracer did not end after its command was killed")
				}
			}
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if _, err := os.Stat(r.cgroup); os.IsNotExist(err) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the session's cgroup %s is still there 5s after its command", r.cgroup)
				}
			}
		})
	}
}

// alive says pid runs (exists and is no zombie).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] != 'Z' && s[i+2] != 'X'
}

// While the command has been paused for more than a second, a terminal on
// stderr gets a status line (how long, how much is queued, how many lost),
// cleared at the thaw.
func TestPauseStatusLine(t *testing.T) {
	testutil.RequireBPF(t)
	master, slave := openPty(t)
	defer master.Close()
	term := make(chan string, 1)
	go func() {
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				term <- b.String()
				return
			}
		}
	}()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// The reader opens the trace at once, reads nothing for 2.5s, then
	// everything.
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			return
		}
		defer f.Close()
		time.Sleep(2500 * time.Millisecond)
		buf := make([]byte, 1<<16)
		for {
			if _, err := f.Read(buf); err != nil {
				return
			}
		}
	}()
	cmd := exec.Command(testutil.Tracer(t), "--buffer-size", "256K", "-o", fifo, "dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=30000")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	err := cmd.Wait()
	var out string
	select {
	case out = <-term:
	case <-time.After(5 * time.Second):
		t.Fatal("the terminal did not close")
	}
	if err != nil {
		t.Fatalf("tracer: %v\n%s", err, out)
	}
	i := strings.Index(out, "\rstrace.ebpf: paused 1.")
	if i < 0 || !strings.Contains(out[i:], "s for the trace to catch up: ") || !strings.Contains(out[i:], " queued, 0 records lost\033[K") {
		// Where the live status line runs (stderr a terminal), it is the
		// one line, and it shows the pause (session/status.go).
		if i = strings.Index(out, ", 0 lost, paused now "); i < 0 {
			t.Fatalf("no status line while paused:\n%q", out)
		}
	}
	if testing.Verbose() {
		t.Logf("%q", out[i:min(len(out), i+200)])
	}
	if !strings.Contains(out[i:], "\r\033[K") {
		t.Errorf("the status line was not cleared at the thaw:\n%q", out)
	}
}

// A second SIGTERM stops the tracer even when its output blocks for good
// (-o a FIFO whose reader never reads): the command is thawed at once,
// and the blocked write gives up a second later.
func TestSecondSignalUnblocksStuckOutput(t *testing.T) {
	testutil.RequireBPF(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	opened := make(chan *os.File, 1)
	go func() {
		f, err := os.Open(fifo) // and never read
		if err == nil {
			opened <- f
		}
	}()
	r := startPaused(t, nil, "--buffer-size", "256K", "-o", fifo)
	defer func() {
		select {
		case f := <-opened:
			f.Close()
		default:
		}
	}()
	r.cmd.Process.Signal(syscall.SIGTERM) // forwarded: the command ignores it
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	r.cmd.Process.Signal(syscall.SIGTERM)
	took := r.thawedWithin(t, 2*time.Second)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("the tracer still runs 5s after the second SIGTERM:\n%s", r.stderrText())
	}
	t.Logf("thawed %v after the second SIGTERM, tracer gone after %v:\n%s", took.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), r.stderrText())
	r.neverFrozen(t, 300*time.Millisecond)
	if took > 200*time.Millisecond {
		t.Errorf("thawed only %v after the second SIGTERM", took)
	}
	if !alive(r.pid) {
		t.Errorf("the command did not run on")
	}
}

// guardOf is the pid of the keeper's live guard (0: none; t nil: no
// failure).
func guardOf(t *testing.T, keeper int) int {
	for pid, name := range childrenOf(keeper) {
		if name == "lossless-guard" && alive(pid) {
			return pid
		}
	}
	if t != nil {
		t.Fatalf("the keeper %d has no guard: %v", keeper, childrenOf(keeper))
	}
	return 0
}
