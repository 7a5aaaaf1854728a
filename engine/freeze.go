package engine

// Lossless tracing: the traced processes run in a cgroup of their own, a
// child of the tracer's cgroup in the unified (v2) hierarchy, frozen
// (cgroup.freeze) while the ring buffer holds the high-water mark or more,
// until the reader has drained it to the low-water mark. The kernel side
// checks the mark on each record and, past it, wakes the ring's waiters at
// once (bpf/tracer.bpf.c, ring_high_mark); the room above the mark absorbs
// what the processes do before the freeze takes hold.
//
// The freezing is done by a keeper process (this executable again, in a
// session of its own, its one thread real-time): it maps the ring's two
// positions read-only, sleeps on the ring's wake-ups, and freezes and
// thaws. Out of the tracer, it never waits for the tracer's Go scheduler,
// its garbage collector or its handler, and the tracer's loop costs nothing
// more per record. Its standard input is a socket from the tracer (the
// ring comes over it): when the tracer goes away by any path, kill -9
// included, the socket reads end-of-file and the keeper thaws the cgroup, moves -p processes back to
// the cgroups they came from, and removes the cgroup once it is empty.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// keeperEnv names the cgroup directory a keeper process looks after, and
// keeperMarksEnv its marks, "high low" in bytes.
const (
	keeperEnv      = "STRACE_EBPF_CGROUP_KEEPER"
	keeperKeepEnv  = "STRACE_EBPF_CGROUP_KEEPER_KEEP" // "1": the cgroup is a target's, never removed (cgroup.go)
	keeperMarksEnv = "STRACE_EBPF_CGROUP_KEEPER_MARKS"
)

// ErrLossless is wrapped by the reasons a session falls back to lossy
// tracing (Session.LossyReason) and by the refusal of system-wide lossless
// tracing.
var ErrLossless = errors.New("lossless tracing")

// pauseStats are the keeper's figures, sent when the tracer releases it.
type pauseStats struct {
	pauses     int
	paused     time.Duration
	maxLatency time.Duration // longest time from a write of "1" to "frozen 1", to the millisecond
	measured   int           // pauses whose latency was measured
	atFreeze   uint64        // most bytes queued when a freeze was written
	overshoot  uint64        // most bytes queued after a freeze was written
	peak       uint64        // most bytes seen queued
	wakes      uint64        // the kernel's wake-ups of the keeper
}

// freezer is the tracer's side: the session's cgroup and its keeper.
type freezer struct {
	dir      string
	high     uint64 // bytes queued that freeze the cgroup
	low      uint64 // bytes queued that thaw it
	debugf   func(string, ...any)
	notef    func(string, ...any) // what the user must know
	keeperW  *os.File             // the keeper's stdin; closing it hands over
	started  chan error           // the keeper's start (startKeeper)
	replies  chan string          // the keeper's "ready" and "stats" lines
	leaving  atomic.Bool          // the tracer is done with the keeper
	armed    atomic.Bool          // the keeper watches the ring
	origins  map[int]string       // -p: each moved process's own cgroup directory
	watching bool                 // the keeper has the ring
	released bool
	mu       sync.Mutex // release: the read loop's and Abandon's
	stats    pauseStats
	keep     bool // the cgroup is a --cgroup target's: thawed at the end, never removed
}

var cgroupSeq atomic.Uint32

// tracerCgroup is where session cgroups are made (tests replace it).
var tracerCgroup = func() (string, error) { return unifiedCgroup(0) }

// unifiedCgroup returns the directory of pid's cgroup in the unified
// hierarchy (pid 0: this process).
func unifiedCgroup(pid int) (string, error) {
	self := "self"
	if pid != 0 {
		self = strconv.Itoa(pid)
	}
	b, err := os.ReadFile("/proc/" + self + "/cgroup")
	if err != nil {
		return "", err
	}
	rel, ok := "", false
	for _, line := range strings.Split(string(b), "\n") {
		if v, found := strings.CutPrefix(line, "0::"); found {
			rel, ok = v, true
		}
	}
	if !ok {
		return "", errors.New("no cgroup v2 (unified) hierarchy: the process is only in v1 cgroups")
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(mi), "\n") {
		pre, post, found := strings.Cut(line, " - ")
		if !found || !strings.HasPrefix(post, "cgroup2 ") {
			continue
		}
		f := strings.Fields(pre)
		if len(f) < 5 {
			continue
		}
		root, mnt := f[3], f[4]
		if r, found := strings.CutPrefix(rel, root); found && (root == "/" || r == "" || r[0] == '/') {
			return filepath.Join(mnt, r), nil
		}
	}
	return "", errors.New("no cgroup v2 (unified) hierarchy mounted where this process's cgroup is visible")
}

// newFreezer creates the session's cgroup under the tracer's own. The
// marks are in bytes of the ring.
func newFreezer(high, low uint64, debugf, notef func(string, ...any)) (*freezer, error) {
	parent, err := tracerCgroup()
	if err != nil {
		return nil, fmt.Errorf("%w: finding the tracer's cgroup: %w", ErrLossless, err)
	}
	dir := filepath.Join(parent, fmt.Sprintf("strace.ebpf-%d-%d", os.Getpid(), cgroupSeq.Add(1)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%w: creating a cgroup: %w", ErrLossless, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cgroup.freeze")); err != nil {
		unix.Rmdir(dir)
		return nil, fmt.Errorf("%w: the cgroup has no freezer: %w", ErrLossless, err)
	}
	f := &freezer{dir: dir, high: high, low: low, debugf: debugf, notef: notef, origins: map[int]string{}}
	if err := f.startKeeper(); err != nil {
		unix.Rmdir(dir)
		return nil, fmt.Errorf("%w: starting the cgroup keeper: %w", ErrLossless, err)
	}
	return f, nil
}

// startKeeper starts the keeper. Its fork and exec run beside the
// programs' load, on a goroutine: sendRing waits for them, then sends the
// ring over the socket that is the keeper's standard input.
func (f *freezer) startKeeper() error {
	if !dispatched.Load() {
		return errNoHelpers
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	in, theirs := os.NewFile(uintptr(sp[0]), "keeper"), os.NewFile(uintptr(sp[1]), "keeper")
	outR, outW, err := os.Pipe()
	if err != nil {
		in.Close()
		theirs.Close()
		return err
	}
	cmd := exec.Command(self)
	cmd.Args[0] = "strace.ebpf-keeper"
	cmd.Env = append(os.Environ(), keeperEnv+"="+f.dir, fmt.Sprintf("%s=%d %d", keeperMarksEnv, f.high, f.low))
	if f.keep {
		cmd.Env = append(cmd.Env, keeperKeepEnv+"=1")
	}
	cmd.Stdin, cmd.Stdout = theirs, outW
	// Its own session: the terminal's Ctrl-C and hang-up reach the tracer
	// and the command, never the keeper.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	f.keeperW = in
	f.replies = make(chan string, 4)
	f.started = make(chan error, 1)
	go func() {
		err := cmd.Start()
		theirs.Close()
		outW.Close()
		f.started <- err
		if err != nil {
			outR.Close()
			return
		}
		go cmd.Wait()
		f.readKeeper(outR)
	}()
	return nil
}

// sendRing hands the ring (a map file descriptor) to the keeper and waits
// until it watches it.
func (f *freezer) sendRing(ringFD int) error {
	if err := <-f.started; err != nil {
		return err
	}
	conn, err := f.keeperW.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = conn.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), []byte("ring\n"), unix.UnixRights(ringFD), nil, 0)
		return !errors.Is(serr, unix.EAGAIN)
	})
	if err = errors.Join(err, serr); err != nil {
		return fmt.Errorf("sending the ring: %w", err)
	}
	select {
	case r, ok := <-f.replies:
		if !ok || !strings.HasPrefix(r, "ready") {
			return fmt.Errorf("the keeper did not start (%q)", r)
		}
		if r != "ready" {
			f.debugf("lossless: keeper %s: freezes may come late on a busy machine", r)
		}
	case <-time.After(10 * time.Second):
		return errors.New("the keeper did not start within 10s")
	}
	f.watching = true
	f.armed.Store(true)
	return nil
}

// readKeeper passes the keeper's lines on, and thaws the cgroup itself if
// the keeper dies while the tracer still needs it: a frozen command must
// never wait for a keeper that is gone.
func (f *freezer) readKeeper(r *os.File) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f.replies <- sc.Text()
	}
	close(f.replies)
	if !f.leaving.Load() && f.armed.Load() {
		writeCgroupFile(f.dir, "cgroup.freeze", "0")
		f.notef("lossless tracing ended: the cgroup keeper is gone; tracing lossy from now on (lost records are counted)")
	}
}

// join moves process pid (all its threads) into the cgroup. With keepOrigin
// the process's own cgroup is remembered, told to the keeper first, and
// restored at the end.
func (f *freezer) join(pid int, keepOrigin bool) error {
	if keepOrigin {
		origin, err := unifiedCgroup(pid)
		if err != nil {
			return fmt.Errorf("%w: finding the cgroup of pid %d: %w", ErrLossless, pid, err)
		}
		if _, err := fmt.Fprintf(f.keeperW, "origin %d %s\n", pid, origin); err != nil {
			return fmt.Errorf("%w: telling the cgroup keeper: %w", ErrLossless, err)
		}
		f.origins[pid] = origin
	}
	if err := writeCgroupFile(f.dir, "cgroup.procs", strconv.Itoa(pid)); err != nil {
		return fmt.Errorf("%w: moving pid %d into %s: %w", ErrLossless, pid, f.dir, err)
	}
	return nil
}

func writeCgroupFile(dir, name, v string) error {
	fd, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = fd.WriteString(v)
	if cerr := fd.Close(); err == nil {
		err = cerr
	}
	return err
}

// release thaws the cgroup for good (nothing more is traced) and collects
// the keeper's figures.
func (f *freezer) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.released {
		return
	}
	f.released = true
	f.leaving.Store(true)
	if f.keeperW == nil || !f.watching {
		return
	}
	if _, err := io.WriteString(f.keeperW, "release\n"); err != nil {
		writeCgroupFile(f.dir, "cgroup.freeze", "0")
		return
	}
	select {
	case r, ok := <-f.replies:
		if ok {
			f.stats = parseStats(r)
			return
		}
	case <-time.After(5 * time.Second):
	}
	writeCgroupFile(f.dir, "cgroup.freeze", "0")
	f.debugf("lossless: the cgroup keeper did not answer: thawed")
}

// close thaws the cgroup, moves -p processes back, removes the cgroup when
// it is empty and hands the rest over to the keeper.
func (f *freezer) close() {
	f.release()
	writeCgroupFile(f.dir, "cgroup.freeze", "0")
	restoreOrigins(f.dir, f.origins)
	if f.keep {
		// A target's cgroup: the keeper only thaws it.
	} else if err := unix.Rmdir(f.dir); err != nil && !errors.Is(err, unix.ENOENT) {
		f.debugf("lossless: cgroup %s not empty yet: the keeper removes it when it is", f.dir)
	}
	if f.keeperW != nil {
		// End of file for the keeper: it thaws (again), restores
		// (again), waits for the cgroup to empty and removes it.
		f.keeperW.Close()
		f.keeperW = nil
	}
}

func (st pauseStats) String() string {
	return fmt.Sprintf("stats %d %d %d %d %d %d %d %d", st.pauses, st.paused, st.maxLatency, st.measured, st.atFreeze, st.overshoot, st.peak, st.wakes)
}

func parseStats(line string) pauseStats {
	var st pauseStats
	fmt.Sscanf(line, "stats %d %d %d %d %d %d %d %d", &st.pauses, &st.paused, &st.maxLatency, &st.measured, &st.atFreeze, &st.overshoot, &st.peak, &st.wakes)
	return st
}

// report writes the pauses to the debug output.
func (f *freezer) report() {
	st := f.stats
	if st.pauses == 0 {
		f.debugf("lossless: never paused; at most %d bytes seen queued (high mark %d)", st.peak, f.high)
		return
	}
	f.debugf("lossless: paused %d times, %v in all; high mark %d bytes: at most %d queued when a freeze was written,"+
		" at most %d more after it, %d in all; the kernel reported the cgroup frozen at most %v after the write (%d measured); %d kernel wake-ups",
		st.pauses, st.paused.Round(time.Microsecond), f.high, st.atFreeze, st.overshoot, st.peak,
		st.maxLatency.Round(time.Millisecond), st.measured, st.wakes)
}

// restoreOrigins moves every process of the cgroup dir back where it came
// from: a -p process to its own cgroup, a process it started since to the
// cgroup of its nearest -p ancestor (the lowest -p pid's when none is).
func restoreOrigins(dir string, origins map[int]string) {
	if len(origins) == 0 {
		return
	}
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return
	}
	pids := make([]int, 0, len(origins))
	for pid := range origins {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	for _, field := range strings.Fields(string(b)) {
		pid, err := strconv.Atoi(field)
		if err != nil {
			continue
		}
		to := origins[pids[0]]
		for p, hops := pid, 0; p > 1 && hops < 64; hops++ {
			if o, ok := origins[p]; ok {
				to = o
				break
			}
			if p = ppidOf(p); p <= 0 {
				break
			}
		}
		writeCgroupFile(to, "cgroup.procs", field)
	}
}

func ppidOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// pid (comm) state ppid ...: comm may hold spaces and parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return -1
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// keeper is the keeper process's state.
type keeper struct {
	dir       string
	keep      bool // a target's cgroup: thawed at the end, never removed
	high, low uint64
	freezeFD  int
	cons      *uint64 // the ring's consumer position, mapped read-only
	prod      *uint64 // its producer position
	frozen    bool
	since     time.Time
	base      uint64 // bytes queued when the current pause began
	confirmed bool   // the kernel reported the current pause's freeze
	released  bool
	origins   map[int]string
	guard     *os.File // the pipe to the guard (guard.go)
	st        pauseStats
}

// runKeeper is the keeper process: fd 0 is the socket from the tracer, fd 1
// its replies; the ring comes over the socket. It freezes and thaws the cgroup by the ring's
// fill until the tracer releases it or goes away; then it thaws the cgroup,
// moves -p processes back, and removes the cgroup once its last process
// has gone.
func runKeeper(dir, marks string) {
	k := &keeper{dir: dir, origins: map[int]string{}, freezeFD: -1, keep: os.Getenv(keeperKeepEnv) == "1"}
	defer k.end()
	fmt.Sscanf(marks, "%d %d", &k.high, &k.low)
	// One thread, real-time (SCHED_FIFO, the lowest priority): woken by
	// the kernel, it runs at once however loaded the machine is. It
	// sleeps otherwise.
	runtime.LockOSThread()
	ready := "ready\n"
	if err := unix.SchedSetAttr(0, &unix.SchedAttr{Policy: unix.SCHED_FIFO, Priority: 1}, 0); err != nil {
		ready = fmt.Sprintf("ready without real-time priority: %v\n", err)
	}

	// The guard starts while the tracer loads its programs, off start-up's
	// path; the ring comes next, with a line "ring".
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return
	}
	if err := k.keepGuard(ep); err != nil {
		ready = fmt.Sprintf("ready without a guard: %v\n", err)
	}
	var line [5]byte
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(0, line[:], oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil || string(line[:n]) != "ring\n" {
		return
	}
	scms, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(scms) != 1 {
		return
	}
	fds, err := unix.ParseUnixRights(&scms[0])
	if err != nil || len(fds) != 1 {
		return
	}
	ringFD := fds[0]
	if _, k.cons, err = mapRingPosition(ringFD, 0); err != nil {
		return
	}
	if _, k.prod, err = mapRingPosition(ringFD, 1); err != nil {
		return
	}
	if k.freezeFD, err = unix.Open(filepath.Join(dir, "cgroup.freeze"), unix.O_WRONLY|unix.O_CLOEXEC, 0); err != nil {
		return
	}
	// The ring edge-triggered: woken by the kernel's wake-ups only, not
	// whenever it holds data.
	if unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, 0, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: 0}) != nil ||
		unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, ringFD, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: int32(ringFD)}) != nil {
		return
	}
	unix.Write(1, []byte(ready))
	var in []byte
	buf := make([]byte, 4096)
	evs := make([]unix.EpollEvent, 3)
	for {
		// While frozen, look every millisecond for the reader's progress
		// (it wakes nobody); otherwise sleep until the kernel's wake-up,
		// looking every 10ms in case one is missed.
		timeout := 10
		if k.frozen {
			timeout = 1
		}
		n, err := unix.EpollWait(ep, evs, timeout)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return
		}
		for _, ev := range evs[:max(n, 0)] {
			if ev.Fd == int32(ringFD) {
				k.st.wakes++
				continue
			}
			if k.guard != nil && ev.Fd == int32(k.guard.Fd()) {
				k.keepGuard(ep) // the guard died: another
				continue
			}
			m, err := unix.Read(0, buf)
			if m <= 0 && !errors.Is(err, unix.EINTR) && !errors.Is(err, unix.EAGAIN) {
				return // the tracer is gone, or done
			}
			in = append(in, buf[:max(m, 0)]...)
			for {
				i := strings.IndexByte(string(in), '\n')
				if i < 0 {
					break
				}
				k.command(string(in[:i]))
				in = in[i+1:]
			}
		}
		if !k.released {
			k.step()
		}
	}
}

// command handles a line from the tracer.
func (k *keeper) command(line string) {
	switch f := strings.Fields(line); {
	case len(f) == 3 && f[0] == "origin":
		if pid, err := strconv.Atoi(f[1]); err == nil {
			k.origins[pid] = f[2]
			if k.guard != nil {
				k.guard.WriteString(line + "\n")
			}
		}
	case len(f) == 1 && f[0] == "release":
		k.thaw()
		k.released = true
		unix.Write(1, []byte(k.st.String()+"\n"))
	}
}

// step freezes or thaws by the bytes queued in the ring.
func (k *keeper) step() {
	avail := atomic.LoadUint64(k.prod) - atomic.LoadUint64(k.cons)
	k.st.peak = max(k.st.peak, avail)
	switch {
	case !k.frozen && avail >= k.high:
		if _, err := unix.Pwrite(k.freezeFD, []byte("1"), 0); err != nil {
			k.released = true // freezing does not work: lossy from now on
			return
		}
		k.frozen, k.since, k.base, k.confirmed = true, time.Now(), avail, false
		k.st.pauses++
		k.st.atFreeze = max(k.st.atFreeze, avail)
		k.measure()
	case k.frozen && avail <= k.low:
		k.thaw()
	case k.frozen:
		if avail > k.base {
			k.st.overshoot = max(k.st.overshoot, avail-k.base)
		}
		k.measure()
	}
}

// measure looks once whether the kernel reports the whole cgroup frozen
// yet, and if so records how long that took after the write. A process
// waiting for a CPU enters the frozen state only when it runs again, and
// does nothing meanwhile: the figure that matters for the ring is the
// overshoot, the bytes queued after the write.
func (k *keeper) measure() {
	if k.confirmed {
		return
	}
	b, err := os.ReadFile(filepath.Join(k.dir, "cgroup.events"))
	if err == nil && strings.Contains(string(b), "frozen 1") {
		k.confirmed = true
		k.st.maxLatency = max(k.st.maxLatency, time.Since(k.since))
		k.st.measured++
	}
}

func (k *keeper) thaw() {
	if !k.frozen {
		return
	}
	unix.Pwrite(k.freezeFD, []byte("0"), 0)
	k.frozen = false
	k.st.paused += time.Since(k.since)
}

// end thaws, restores and removes the cgroup once it is empty.
func (k *keeper) end() {
	writeCgroupFile(k.dir, "cgroup.freeze", "0")
	restoreOrigins(k.dir, k.origins)
	for !k.keep {
		err := unix.Rmdir(k.dir)
		if err == nil || !errors.Is(err, unix.EBUSY) {
			return
		}
		waitCgroupEvent(k.dir)
	}
}

// waitCgroupEvent sleeps until cgroup.events changes, or a second passes.
func waitCgroupEvent(dir string) {
	fd, err := unix.Open(filepath.Join(dir, "cgroup.events"), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		time.Sleep(time.Second)
		return
	}
	defer unix.Close(fd)
	var b [256]byte
	if n, err := unix.Read(fd, b[:]); err == nil && strings.Contains(string(b[:n]), "populated 0") {
		return
	}
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLPRI}}
	unix.Poll(pfd, 1000)
}

// MinLosslessRing is the smallest ring lossless tracing accepts. The
// keeper is woken by the kernel's irq_work once the ring passes its high
// mark (a quarter of the ring), and on a loaded machine that wake-up comes
// milliseconds late: dd bs=1 fills 48K of a 64K ring meanwhile (383 records
// lost in 20,000 calls), not the 192K above a 256K ring's mark.
const MinLosslessRing = 256 << 10

// checkMarks settles the lossless marks: 0 picks a quarter and an eighth
// of the ring, so that three quarters of it absorb what the processes do
// before the freeze takes hold; system-wide tracing is refused.
func checkMarks(cfg *Config) error {
	if len(cfg.Command) == 0 && len(cfg.PIDs) == 0 && len(cfg.Cgroups) == 0 {
		return fmt.Errorf("%w: refused system-wide: the whole system can't be paused (trace a command or -p PID)", ErrLossless)
	}
	if cfg.RingSize != 0 && cfg.RingSize < MinLosslessRing {
		return fmt.Errorf("%w: a ring of %d bytes is too small (at least %d: the pause comes milliseconds after the ring passes its mark)", ErrLossless, cfg.RingSize, MinLosslessRing)
	}
	if cfg.HighMark == 0 {
		cfg.HighMark = cfg.RingSize / 4
	}
	if cfg.LowMark == 0 {
		cfg.LowMark = cfg.HighMark / 2
	}
	if cfg.HighMark < 0 || cfg.HighMark >= cfg.RingSize || cfg.LowMark < 0 || cfg.LowMark >= cfg.HighMark {
		return fmt.Errorf("%w: marks: want 0 <= low (%d) < high (%d) < ring size (%d)", ErrLossless, cfg.LowMark, cfg.HighMark, cfg.RingSize)
	}
	return nil
}

// highMark is the kernel's ring_high_mark: 0 unless lossless.
func (s *Session) highMark() uint64 {
	if s.freezer == nil {
		return 0
	}
	return s.freezer.high
}

// joinFreezer starts the keeper and moves the launched command (waiting
// before its exec) or the -p processes into the session's cgroup; on
// failure the session traces lossy, and LossyReason says why.
func (s *Session) joinFreezer() {
	f := s.freezer
	if f == nil {
		return
	}
	err := f.sendRing(s.objs.Events.FD())
	if err != nil {
		err = fmt.Errorf("%w: starting the cgroup keeper: %w", ErrLossless, err)
	}
	if err == nil && s.child != nil && !s.child.inCgroup {
		err = f.join(s.child.cmd.Process.Pid, false)
	}
	for _, pid := range s.pids {
		if err == nil {
			err = f.join(pid, true)
		}
	}
	if err != nil {
		f.close()
		s.freezer, s.lossy = nil, err
		return
	}
	s.debugf("lossless: cgroup %s, frozen from %d bytes queued until %d", f.dir, f.high, f.low)
}

// notef tells the user, on the session's stderr, what changes how the
// trace may be read.
func (s *Session) notef(format string, args ...any) {
	if s.cfg.Stderr != nil {
		fmt.Fprintf(s.cfg.Stderr, "strace.ebpf: "+format+"\n", args...)
	}
}

// LossyReason says why a session asked to be lossless is not (the cgroup
// v2 hierarchy is missing or not writable, a process could not be moved):
// it traces lossy instead, and counts what it loses. It is nil otherwise.
func (s *Session) LossyReason() error { return s.lossy }
