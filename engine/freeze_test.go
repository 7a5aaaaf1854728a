package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// The slow consumer's workload: dd copies byte by byte, one read and one
// write per byte.
const ddBytes = 200000

func ddArgv(of string, n int) []string {
	return []string{"dd", "if=/dev/zero", "of=" + of, "bs=1", "count=" + strconv.Itoa(n)}
}

// A small ring, so that the slow consumer falls behind within a second.
// Its headroom above the high mark (3 MiB, some 20,000 records) absorbs
// the freeze's latency at two dd's rate even on a loaded machine under the
// race detector.
const (
	smallRing = 4 << 20
	smallHigh = 1 << 20
	smallLow  = 512 << 10
)

// slowCounter counts dd's one-byte reads of fd 0 and writes to fd 1, per
// process, and burns CPU on each event: a reader slower than dd.
type slowCounter struct {
	burn   time.Duration
	reads  map[uint32]int
	writes map[uint32]int
	lost   uint64
	events atomic.Int64
	// each, when set, runs on every event (after the count).
	each func(ev *event.Event) error
}

func newSlowCounter(burn time.Duration) *slowCounter {
	return &slowCounter{burn: burn, reads: map[uint32]int{}, writes: map[uint32]int{}}
}

func (c *slowCounter) Event(ev *event.Event) error {
	c.events.Add(1)
	switch {
	case ev.Kind == event.Lost:
		c.lost += ev.LostN
	case ev.Kind == event.Syscall && ev.Comm == "dd" && ev.Args[2] == 1 && ev.Ret == 1:
		switch {
		case ev.Nr == unix.SYS_READ && ev.Args[0] == 0:
			c.reads[ev.PID]++
		case ev.Nr == unix.SYS_WRITE && ev.Args[0] == 1:
			c.writes[ev.PID]++
		}
	}
	for t0 := time.Now(); time.Since(t0) < c.burn; {
	}
	if c.each != nil {
		return c.each(ev)
	}
	return nil
}

func (c *slowCounter) Idle() error { return nil }

func (c *slowCounter) total() (reads, writes int) {
	for _, n := range c.reads {
		reads += n
	}
	for _, n := range c.writes {
		writes += n
	}
	return reads, writes
}

// sessionCgroups lists the cgroups lossless sessions of process pid have
// created (and not yet removed).
func sessionCgroups(t *testing.T, pid int) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	var rel string
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "0::"); ok {
			rel = v
		}
	}
	var out []string
	for _, mnt := range []string{"/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
		m, _ := filepath.Glob(filepath.Join(mnt, rel, fmt.Sprintf("strace.ebpf-%d-*", pid)))
		out = append(out, m...)
	}
	return out
}

func isFrozen(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.events"))
	return err == nil && strings.Contains(string(b), "frozen 1")
}

func cgroupProcs(dir string) []int {
	b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}

// waitFor polls cond every millisecond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func requireLossless(t *testing.T, s *engine.Session) {
	t.Helper()
	if err := s.LossyReason(); err != nil {
		s.Close()
		t.Fatalf("lossless tracing unavailable: %v", err)
	}
}

// The slow consumer loses nothing when lossless: every one of dd's 400k
// reads and writes arrives, and the command was paused for it.
func TestLosslessSlowConsumer(t *testing.T) {
	testutil.RequireBPF(t)
	var debug strings.Builder
	s, err := engine.New(engine.Config{Command: ddArgv("/dev/null", ddBytes), RingSize: smallRing,
		Lossless: true, HighMark: smallHigh, LowMark: smallLow, Stderr: os.Stderr, Debug: &debug})
	if err != nil {
		t.Fatal(err)
	}
	requireLossless(t, s)
	c := newSlowCounter(2 * time.Microsecond)
	t0 := time.Now()
	res, err := s.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(debug.String(), "\n") {
		if strings.Contains(line, "lossless:") {
			t.Log(line)
		}
	}
	reads, writes := c.total()
	t.Logf("%v: %d events, %d paused for %v in all, %d lost", time.Since(t0).Round(time.Millisecond), res.Events, res.Pauses, res.Paused.Round(time.Millisecond), res.Lost)
	if reads != ddBytes || writes != ddBytes || res.Lost != 0 || c.lost != 0 || res.ExitCode != 0 {
		t.Errorf("lossless: %d reads, %d writes of %d; %d lost (%d in events); exit %d", reads, writes, ddBytes, res.Lost, c.lost, res.ExitCode)
	}
	if res.Pauses == 0 || res.Paused == 0 {
		t.Errorf("the slow consumer never paused the command (%d pauses, %v)", res.Pauses, res.Paused)
	}
	if left := sessionCgroups(t, os.Getpid()); len(left) != 0 {
		t.Errorf("cgroups left behind: %v", left)
	}
}

// The same consumer without lossless loses records, and says so.
func TestLossySlowConsumer(t *testing.T) {
	testutil.RequireBPF(t)
	s, err := engine.New(engine.Config{Command: ddArgv("/dev/null", ddBytes), RingSize: smallRing, Stderr: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	c := newSlowCounter(2 * time.Microsecond)
	res, err := s.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	reads, writes := c.total()
	t.Logf("lossy: %d reads, %d writes, %d lost", reads, writes, res.Lost)
	if res.Lost == 0 || c.lost != res.Lost || reads+writes >= 2*ddBytes || res.Pauses != 0 {
		t.Errorf("lossy: %d reads, %d writes of %d; %d lost (%d in events); %d pauses", reads, writes, ddBytes, res.Lost, c.lost, res.Pauses)
	}
}

func TestLosslessRefusedSystemWide(t *testing.T) {
	_, err := engine.New(engine.Config{Lossless: true})
	if !errors.Is(err, engine.ErrLossless) || !strings.Contains(err.Error(), "system-wide") {
		t.Fatalf("system-wide lossless: got %v", err)
	}
}

// Cancelling the session (Ctrl-C) while the command is frozen thaws it: the
// command runs to its end, untraced.
func TestLosslessCancelWhileFrozen(t *testing.T) {
	testutil.RequireBPF(t)
	out := filepath.Join(t.TempDir(), "out")
	s, err := engine.New(engine.Config{Command: ddArgv(out, ddBytes), RingSize: smallRing,
		Lossless: true, HighMark: smallHigh, LowMark: smallLow, Stderr: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	requireLossless(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The reader is stuck, once the command is frozen, until the cancel.
	c := newSlowCounter(0)
	c.each = func(*event.Event) error {
		if c.events.Load() == 1000 {
			<-ctx.Done()
		}
		return nil
	}
	type ran struct {
		res engine.Result
		err error
	}
	done := make(chan ran, 1)
	go func() {
		res, err := s.Run(ctx, c)
		done <- ran{res, err}
	}()
	var dirs []string
	if !waitFor(20*time.Second, func() bool {
		dirs = sessionCgroups(t, os.Getpid())
		return len(dirs) == 1 && isFrozen(dirs[0])
	}) {
		t.Fatalf("the command was never frozen (cgroups %v)", dirs)
	}
	time.Sleep(50 * time.Millisecond)
	if !isFrozen(dirs[0]) {
		t.Fatal("the command was thawed while the reader was stuck")
	}
	cancel()
	var r ran
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after the cancel")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	// A cancelled session detaches at once: the command, thawed, runs on
	// to its end, untraced.
	if r.res.Detached == 0 {
		t.Errorf("after the cancel: Detached %d, want the command's pid", r.res.Detached)
	}
	var st os.FileInfo
	if !waitFor(20*time.Second, func() bool { st, err = os.Stat(out); return err == nil && st.Size() == ddBytes }) {
		t.Errorf("after the cancel: output %v (%v), want %d bytes", st, err, ddBytes)
	}
	if r.res.Pauses == 0 || r.res.Paused < 50*time.Millisecond {
		t.Errorf("result: %d pauses, %v paused; want at least the 50ms the test held it", r.res.Pauses, r.res.Paused)
	}
	// The command ran on in the cgroup; the keeper removes it once empty.
	if !waitFor(10*time.Second, func() bool { _, err := os.Stat(dirs[0]); return os.IsNotExist(err) }) {
		t.Errorf("cgroup %s left behind 10s after the command ended", dirs[0])
	}
}

// Children of the command are in its cgroup: they are paused and resumed
// with it, and none of their records is lost.
func TestLosslessForkedChildren(t *testing.T) {
	testutil.RequireBPF(t)
	const n = 60000
	dd := strings.Join(ddArgv("/dev/null", n), " ")
	s, err := engine.New(engine.Config{Command: []string{"sh", "-c", dd + " 2>/dev/null & " + dd + " 2>/dev/null & wait"},
		FollowForks: true, RingSize: smallRing, Lossless: true, HighMark: smallHigh, LowMark: smallLow})
	if err != nil {
		t.Fatal(err)
	}
	requireLossless(t, s)
	dirs := sessionCgroups(t, os.Getpid())
	if len(dirs) != 1 {
		t.Fatalf("session cgroups: %v", dirs)
	}
	c := newSlowCounter(2 * time.Microsecond)
	mostFrozen := 0 // most processes seen frozen at once
	c.each = func(ev *event.Event) error {
		if c.events.Load()%500 == 0 && isFrozen(dirs[0]) {
			mostFrozen = max(mostFrozen, len(cgroupProcs(dirs[0])))
		}
		return nil
	}
	res, err := s.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events, %d pauses, %v paused, at most %d processes frozen at once, lost %d", res.Events, res.Pauses, res.Paused.Round(time.Millisecond), mostFrozen, res.Lost)
	if len(c.reads) != 2 || res.Lost != 0 || res.ExitCode != 0 {
		t.Fatalf("want two dd processes, nothing lost: reads %v, writes %v, %d lost, exit %d", c.reads, c.writes, res.Lost, res.ExitCode)
	}
	for pid := range c.reads {
		if c.reads[pid] != n || c.writes[pid] != n {
			t.Errorf("dd %d: %d reads, %d writes, want %d each", pid, c.reads[pid], c.writes[pid], n)
		}
	}
	if mostFrozen < 3 {
		t.Errorf("at most %d processes frozen at once; want the shell and both dd", mostFrozen)
	}
}

// tracerEnv makes the test binary a tracer of its own (see
// TestLosslessTracerProcess): the test kills it with SIGKILL.
const tracerEnv = "STRACE_EBPF_TEST_LOSSLESS_TRACER"

// TestLosslessTracerProcess is not a test: it is the tracer that
// TestLosslessKill9 and TestLosslessKill9PID start and kill (the variable
// is dd's output file, or a pid to attach to). Its reader stops after 1000 events,
// so the command is soon frozen for good.
func TestLosslessTracerProcess(t *testing.T) {
	out := os.Getenv(tracerEnv)
	if out == "" {
		t.Skip("run by TestLosslessKill9")
	}
	devnull, _ := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	cfg := engine.Config{Command: ddArgv(out, ddBytes), RingSize: smallRing,
		Lossless: true, HighMark: smallHigh, LowMark: smallLow, Stdout: devnull, Stderr: devnull}
	if pid, err := strconv.Atoi(out); err == nil {
		cfg.Command, cfg.PIDs, cfg.FollowForks = nil, []int{pid}, true
	}
	s, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	requireLossless(t, s)
	c := newSlowCounter(0)
	c.each = func(*event.Event) error {
		if c.events.Load() == 1000 {
			select {}
		}
		return nil
	}
	s.Run(context.Background(), c)
}

// kill -9 of the tracer while the command is frozen: the keeper thaws it,
// the command runs to its end, and the cgroup goes once it is empty.
func TestLosslessKill9(t *testing.T) {
	testutil.RequireBPF(t)
	out := filepath.Join(t.TempDir(), "out")
	tracer := exec.Command(os.Args[0], "-test.run=^TestLosslessTracerProcess$", "-test.v")
	tracer.Env = append(os.Environ(), tracerEnv+"="+out)
	var log strings.Builder
	tracer.Stdout, tracer.Stderr = &log, &log
	if err := tracer.Start(); err != nil {
		t.Fatal(err)
	}
	defer tracer.Process.Kill()
	var dirs []string
	if !waitFor(30*time.Second, func() bool {
		dirs = sessionCgroups(t, tracer.Process.Pid)
		return len(dirs) == 1 && isFrozen(dirs[0]) && len(cgroupProcs(dirs[0])) == 1
	}) {
		tracer.Process.Kill()
		tracer.Wait()
		t.Fatalf("the command was never frozen (cgroups %v); tracer's output:\n%s", dirs, log.String())
	}
	dd := cgroupProcs(dirs[0])[0]
	pidfd, err := unix.PidfdOpen(dd, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pidfd)
	time.Sleep(100 * time.Millisecond)
	if !isFrozen(dirs[0]) {
		t.Fatal("the command was thawed while the reader was stuck")
	}
	tracer.Process.Signal(syscall.SIGKILL)
	tracer.Wait()
	t0 := time.Now()
	if n, err := unix.Poll([]unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}, 30000); n != 1 || err != nil {
		t.Fatalf("dd (pid %d) still runs 30s after the tracer's kill -9 (poll: %v); frozen: %v", dd, err, isFrozen(dirs[0]))
	}
	t.Logf("dd ended %v after the tracer's kill -9", time.Since(t0).Round(time.Millisecond))
	if st, err := os.Stat(out); err != nil || st.Size() != ddBytes {
		t.Errorf("dd's output: %v (%v), want %d bytes", st, err, ddBytes)
	}
	if !waitFor(5*time.Second, func() bool { _, err := os.Stat(dirs[0]); return os.IsNotExist(err) }) {
		t.Errorf("cgroup %s still there 5s after its command ended", dirs[0])
	}
}

// Without a usable cgroup v2 hierarchy a lossless session says why and
// traces lossy.
func TestLosslessFallsBack(t *testing.T) {
	testutil.RequireBPF(t)
	for _, tc := range []struct {
		name      string
		dir       string
		err       error
		wantInErr string
	}{
		{"no unified hierarchy", "", errors.New("no cgroup v2 (unified) hierarchy"), "no cgroup v2"},
		{"not writable", "/proc/self", nil, "creating a cgroup"},
		{"not a cgroup", t.TempDir(), nil, "no freezer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer engine.SetTracerCgroup(tc.dir, tc.err)()
			s, err := engine.New(engine.Config{Command: []string{"/bin/true"}, Lossless: true})
			if err != nil {
				t.Fatal(err)
			}
			why := s.LossyReason()
			if !errors.Is(why, engine.ErrLossless) || !strings.Contains(why.Error(), tc.wantInErr) {
				s.Close()
				t.Fatalf("LossyReason: got %v, want it to mention %q", why, tc.wantInErr)
			}
			t.Log(why)
			var c collector
			res, err := s.Run(context.Background(), &c)
			if err != nil || res.ExitCode != 0 || len(c.events) == 0 || res.Pauses != 0 {
				t.Errorf("lossy fallback: %v, exit %d, %d events, %d pauses", err, res.ExitCode, len(c.events), res.Pauses)
			}
		})
	}
}

// A -p process is moved into the session's cgroup only for the trace, and
// back into its own afterwards; it loses nothing meanwhile.
func TestLosslessPID(t *testing.T) {
	testutil.RequireBPF(t)
	loop := exec.Command("sh", "-c", "while :; do dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null; done")
	if err := loop.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { loop.Process.Kill(); loop.Wait() }()
	own := func() string {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", loop.Process.Pid))
		return string(b)
	}
	before := own()
	s, err := engine.New(engine.Config{PIDs: []int{loop.Process.Pid}, FollowForks: true, RingSize: smallRing,
		Lossless: true, HighMark: smallHigh, LowMark: smallLow})
	if err != nil {
		t.Fatal(err)
	}
	requireLossless(t, s)
	if during := own(); during == before || !strings.Contains(during, fmt.Sprintf("strace.ebpf-%d-", os.Getpid())) {
		t.Errorf("while traced, the process is in\n%s", during)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	c := newSlowCounter(2 * time.Microsecond)
	res, err := s.Run(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	reads, writes := c.total()
	t.Logf("%d events, %d dd reads, %d writes, %d pauses, %v paused, %d lost", res.Events, reads, writes, res.Pauses, res.Paused.Round(time.Millisecond), res.Lost)
	if res.Lost != 0 || res.Pauses == 0 || reads == 0 {
		t.Errorf("%d lost, %d pauses, %d reads", res.Lost, res.Pauses, reads)
	}
	if after := own(); after != before {
		t.Errorf("the process's cgroup after the trace:\n%s\nwant, as before:\n%s", after, before)
	}
	if left := sessionCgroups(t, os.Getpid()); len(left) != 0 {
		t.Errorf("cgroups left behind: %v", left)
	}
}

// kill -9 of a tracer attached with -p while the process is frozen: the
// keeper thaws it and moves it back into its own cgroup.
func TestLosslessKill9PID(t *testing.T) {
	testutil.RequireBPF(t)
	loop := exec.Command("sh", "-c", "while :; do dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null; done")
	if err := loop.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { loop.Process.Kill(); loop.Wait() }()
	own := func() string {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", loop.Process.Pid))
		return string(b)
	}
	before := own()
	tracer := exec.Command(os.Args[0], "-test.run=^TestLosslessTracerProcess$", "-test.v")
	tracer.Env = append(os.Environ(), tracerEnv+"="+strconv.Itoa(loop.Process.Pid))
	var log strings.Builder
	tracer.Stdout, tracer.Stderr = &log, &log
	if err := tracer.Start(); err != nil {
		t.Fatal(err)
	}
	defer tracer.Process.Kill()
	var dirs []string
	if !waitFor(30*time.Second, func() bool {
		dirs = sessionCgroups(t, tracer.Process.Pid)
		return len(dirs) == 1 && isFrozen(dirs[0])
	}) {
		tracer.Process.Kill()
		tracer.Wait()
		t.Fatalf("the process was never frozen (cgroups %v); tracer's output:\n%s", dirs, log.String())
	}
	if own() == before {
		t.Fatal("the frozen process is still in its own cgroup")
	}
	tracer.Process.Signal(syscall.SIGKILL)
	tracer.Wait()
	if !waitFor(5*time.Second, func() bool { return own() == before }) {
		t.Errorf("5s after the tracer's kill -9, the process is in\n%s\nwant, as before:\n%s", own(), before)
	}
	if !waitFor(5*time.Second, func() bool { _, err := os.Stat(dirs[0]); return os.IsNotExist(err) }) {
		t.Errorf("cgroup %s still there 5s after the tracer's kill -9 (frozen: %v, procs %v)", dirs[0], isFrozen(dirs[0]), cgroupProcs(dirs[0]))
	}
	// The cgroup could go only once every process was out of it: the
	// shell and the dd it had started meanwhile are back, and thawed.
}

// A handler error (the tracer's internal failure) while the command is
// frozen: the command is thawed and runs on to its end, and the cgroup
// goes.
func TestLosslessHandlerErrorWhileFrozen(t *testing.T) {
	testutil.RequireBPF(t)
	s, err := engine.New(engine.Config{Command: ddArgv("/dev/null", ddBytes), RingSize: smallRing,
		Lossless: true, HighMark: smallHigh, LowMark: smallLow, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	requireLossless(t, s)
	dirs := sessionCgroups(t, os.Getpid())
	boom := errors.New("boom")
	c := newSlowCounter(0)
	c.each = func(*event.Event) error {
		if c.events.Load() == 1000 {
			if !waitFor(20*time.Second, func() bool { return isFrozen(dirs[0]) }) {
				t.Error("the command was never frozen")
			}
			return boom
		}
		return nil
	}
	done := make(chan struct{})
	var res engine.Result
	go func() {
		defer close(done)
		res, err = s.Run(context.Background(), c)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its handler failed")
	}
	if !errors.Is(err, boom) || !res.Exited || res.ExitCode != 0 || res.Pauses == 0 {
		t.Errorf("Run: %v, exit %d (exited %v), %d pauses; want boom, the command run on to its end, paused", err, res.ExitCode, res.Exited, res.Pauses)
	}
	if _, err := os.Stat(dirs[0]); !os.IsNotExist(err) {
		t.Errorf("cgroup %s left behind: %v", dirs[0], err)
	}
}
