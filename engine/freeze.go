package engine

// Lossless tracing: the traced processes run in a cgroup of their own, a
// child of the tracer's cgroup in the unified (v2) hierarchy, and the tracer
// freezes that cgroup (cgroup.freeze) while the ring buffer holds more than
// the high-water mark, until its reader has drained it below the low-water
// mark. The kernel side notices the mark on each record and wakes the
// watcher at once (bpf/tracer.bpf.c, ring_high_mark); the room above the
// mark absorbs what the processes do before the freeze takes hold.
//
// A keeper process (this executable again, in a session of its own) holds
// the read end of a pipe from the tracer: when the tracer goes away by any
// path, kill -9 included, the pipe reads end-of-file and the keeper thaws
// the cgroup, moves -p processes back to the cgroups they came from, and
// removes the cgroup once it is empty.

import (
	"bufio"
	"errors"
	"fmt"
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

	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"
)

// keeperEnv names the cgroup directory a keeper process looks after.
const keeperEnv = "STRACE_EBPF_CGROUP_KEEPER"

func init() {
	if dir := os.Getenv(keeperEnv); dir != "" {
		runKeeper(dir, os.Stdin)
		os.Exit(0)
	}
}

// ErrLossless is wrapped by the reasons a session falls back to lossy
// tracing (Session.LossyReason) and by the refusal of system-wide lossless
// tracing.
var ErrLossless = errors.New("lossless tracing")

// freezer holds one session's cgroup.
type freezer struct {
	dir      string   // the cgroup's directory
	freezeF  *os.File // its cgroup.freeze, open for writing
	keeper   *exec.Cmd
	keeperW  *os.File       // the keeper's stdin; closing it hands over
	origins  map[int]string // -p: each moved process's own cgroup directory
	high     uint64         // bytes queued that freeze the cgroup
	low      uint64         // bytes queued that thaw it
	debugf   func(string, ...any)
	frozen   atomic.Bool   // read by the ring loop without the lock
	peak     atomic.Uint64 // most bytes seen queued
	atFreeze atomic.Uint64    // most bytes queued when a freeze was written
	wakes    atomic.Uint64    // the kernel's wake-ups of the watcher
	watching chan struct{} // closed to stop the watcher
	watched  chan struct{} // closed when the watcher has returned

	mu         sync.Mutex
	off        bool      // thawed for good: tracing stopped, or freezing failed
	since      time.Time // when the current pause began
	paused     time.Duration
	pauses     int
	maxLatency time.Duration // longest write-to-frozen time of cgroup.freeze
	confirmed  int           // the last pause whose latency was measured
	measured   int           // how many were
	failed     error         // why freezing stopped working, if it did
}

var cgroupSeq atomic.Uint32

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

// newFreezer creates the session's cgroup under the tracer's own and starts
// its keeper. The marks are in bytes of the ring.
func newFreezer(high, low uint64, debugf func(string, ...any)) (_ *freezer, err error) {
	parent, err := unifiedCgroup(0)
	if err != nil {
		return nil, fmt.Errorf("%w: finding the tracer's cgroup: %w", ErrLossless, err)
	}
	dir := filepath.Join(parent, fmt.Sprintf("strace.ebpf-%d-%d", os.Getpid(), cgroupSeq.Add(1)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("%w: creating a cgroup: %w", ErrLossless, err)
	}
	f := &freezer{dir: dir, high: high, low: low, debugf: debugf, origins: map[int]string{}}
	defer func() {
		if err != nil {
			f.close()
		}
	}()
	if f.freezeF, err = os.OpenFile(filepath.Join(dir, "cgroup.freeze"), os.O_WRONLY, 0); err != nil {
		return nil, fmt.Errorf("%w: opening cgroup.freeze: %w", ErrLossless, err)
	}
	if err := f.startKeeper(); err != nil {
		return nil, fmt.Errorf("%w: starting the cgroup keeper: %w", ErrLossless, err)
	}
	return f, nil
}

func (f *freezer) startKeeper() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command(self)
	cmd.Args[0] = "strace.ebpf-keeper"
	cmd.Env = append(os.Environ(), keeperEnv+"="+f.dir)
	cmd.Stdin = r
	// Its own session: the terminal's Ctrl-C and hang-up reach the tracer
	// and the command, never the keeper.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return err
	}
	f.keeper, f.keeperW = cmd, w
	go cmd.Wait()
	return nil
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
		if _, err := fmt.Fprintf(f.keeperW, "%d %s\n", pid, origin); err != nil {
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

// freeze pauses the cgroup, unless it is paused or freezing is off; avail
// is the bytes queued.
func (f *freezer) freeze(avail uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.off || f.frozen.Load() {
		return
	}
	if _, err := f.freezeF.WriteAt([]byte("1"), 0); err != nil {
		f.fail(fmt.Errorf("freezing %s: %w", f.dir, err))
		return
	}
	f.since = time.Now()
	f.pauses++
	f.frozen.Store(true)
	if avail > f.atFreeze.Load() {
		f.atFreeze.Store(avail)
	}
}

// thaw resumes the cgroup if it is paused.
func (f *freezer) thaw() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.thawLocked()
}

func (f *freezer) thawLocked() {
	if !f.frozen.Load() {
		return
	}
	if _, err := f.freezeF.WriteAt([]byte("0"), 0); err != nil {
		// The keeper thaws it when the tracer is gone.
		f.fail(fmt.Errorf("thawing %s: %w", f.dir, err))
		return
	}
	f.paused += time.Since(f.since)
	f.frozen.Store(false)
}

// fail turns freezing off for the rest of the session, with the lock held.
func (f *freezer) fail(err error) {
	if f.failed == nil {
		f.failed = err
		f.debugf("lossless tracing stops: %v", err)
	}
	f.off = true
}

// release thaws the cgroup for good: nothing more is traced.
func (f *freezer) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.off = true
	f.thawLocked()
}

// check is called by the ring loop after each record with the bytes still
// queued: at the high-water mark the cgroup is frozen (the watcher does it
// too, for a reader held up in its handler), at the low-water mark it
// resumes.
func (f *freezer) check(avail uint64) {
	if avail > f.peak.Load() {
		f.peak.Store(avail)
	}
	switch frozen := f.frozen.Load(); {
	case frozen && avail <= f.low:
		f.thaw()
	case !frozen && avail >= f.high:
		f.freeze(avail)
	}
}

// start runs the watcher: it sleeps on the ring's file descriptor, which
// the kernel wakes at once when a record lands past the high-water mark,
// and freezes the cgroup. It also looks every 10 ms, in case a wake-up is
// missed.
func (f *freezer) start(r *ringbuf.Reader, ringFD int) {
	f.watching = make(chan struct{})
	f.watched = make(chan struct{})
	go f.watch(r, ringFD)
}

func (f *freezer) watch(r *ringbuf.Reader, ringFD int) {
	defer close(f.watched)
	// The watcher's thread is real-time (SCHED_FIFO, the lowest priority):
	// woken by the kernel, it runs at once however loaded the machine is,
	// before the traced command fills the ring. It sleeps otherwise. The
	// thread stays locked and ends with the goroutine.
	runtime.LockOSThread()
	if err := unix.SchedSetAttr(0, &unix.SchedAttr{Policy: unix.SCHED_FIFO, Priority: 1}, 0); err != nil {
		f.debugf("lossless watcher: no real-time priority (%v): freezes may come late on a busy machine", err)
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err == nil {
		// Edge-triggered: woken by the kernel's wake-ups only, not
		// whenever the ring holds data.
		err = unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, ringFD, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: int32(ringFD)})
		if err != nil {
			unix.Close(ep)
		}
	}
	if err != nil {
		f.debugf("lossless watcher: waiting on the ring: %v; looking every 10ms instead", err)
		ep = -1
	} else {
		defer unix.Close(ep)
	}
	evs := make([]unix.EpollEvent, 1)
	for {
		select {
		case <-f.watching:
			return
		default:
		}
		if ep >= 0 {
			if n, _ := unix.EpollWait(ep, evs, 10); n > 0 {
				f.wakes.Add(1)
			}
		} else {
			time.Sleep(10 * time.Millisecond)
		}
		avail := uint64(r.AvailableBytes())
		if avail > f.peak.Load() {
			f.peak.Store(avail)
		}
		if avail >= f.high {
			f.freeze(avail)
		}
		f.confirm()
	}
}

// confirm waits until the kernel reports the whole cgroup frozen, once per
// pause, and records how long that took after the write to cgroup.freeze.
func (f *freezer) confirm() {
	f.mu.Lock()
	t0, pause := f.since, f.pauses
	if !f.frozen.Load() || f.confirmed == pause {
		f.mu.Unlock()
		return
	}
	f.confirmed = pause
	f.mu.Unlock()
	path := filepath.Join(f.dir, "cgroup.events")
	for time.Since(t0) < time.Second && f.frozen.Load() {
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		if strings.Contains(string(b), "frozen 1") {
			d := time.Since(t0)
			f.mu.Lock()
			f.maxLatency = max(f.maxLatency, d)
			f.measured++
			f.mu.Unlock()
			return
		}
		time.Sleep(20 * time.Microsecond)
	}
}

// stopWatch stops the watcher and waits for it.
func (f *freezer) stopWatch() {
	if f.watching != nil {
		close(f.watching)
		<-f.watched
		f.watching = nil
	}
}

// stats are the pauses so far: count, total time (a pause still running
// counts up to now).
func (f *freezer) stats() (int, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.paused
	if f.frozen.Load() {
		d += time.Since(f.since)
	}
	return f.pauses, d
}

// close thaws the cgroup, moves -p processes back, removes the cgroup when
// it is empty and hands the rest over to the keeper.
func (f *freezer) close() {
	f.stopWatch()
	if f.freezeF != nil {
		f.release()
		f.freezeF.Close()
	}
	restoreOrigins(f.dir, f.origins)
	if err := unix.Rmdir(f.dir); err != nil && !errors.Is(err, unix.ENOENT) {
		f.debugf("cgroup %s not empty yet: the keeper removes it when it is", f.dir)
	}
	if f.keeperW != nil {
		// End of file for the keeper: it thaws (again), restores
		// (again), waits for the cgroup to empty and removes it.
		f.keeperW.Close()
	}
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

// runKeeper is the keeper process: it reads "pid origin" lines until the
// tracer closes the pipe or dies, then thaws the cgroup, moves -p processes
// back, and removes the cgroup once its last process has gone.
func runKeeper(dir string, in *os.File) {
	origins := map[int]string{}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if pid, origin, ok := strings.Cut(sc.Text(), " "); ok {
			if n, err := strconv.Atoi(pid); err == nil {
				origins[n] = origin
			}
		}
	}
	writeCgroupFile(dir, "cgroup.freeze", "0")
	restoreOrigins(dir, origins)
	for {
		err := unix.Rmdir(dir)
		if err == nil || !errors.Is(err, unix.EBUSY) {
			return
		}
		waitCgroupEvent(dir)
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

// checkMarks settles the lossless marks: 0 picks half and a quarter of the
// ring; system-wide tracing is refused.
func checkMarks(cfg *Config) error {
	if len(cfg.Command) == 0 && len(cfg.PIDs) == 0 {
		return fmt.Errorf("%w: refused system-wide: the whole system can't be paused (trace a command or -p PID)", ErrLossless)
	}
	if cfg.HighMark == 0 {
		cfg.HighMark = cfg.RingSize / 2
	}
	if cfg.LowMark == 0 {
		cfg.LowMark = min(cfg.RingSize/4, cfg.HighMark/2)
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

// joinFreezer moves the launched command (waiting before its exec) or the
// -p processes into the session's cgroup; on failure the session traces
// lossy, and LossyReason says why.
func (s *Session) joinFreezer() {
	f := s.freezer
	if f == nil {
		return
	}
	var err error
	if s.child != nil {
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

// LossyReason says why a session asked to be lossless is not (the cgroup
// v2 hierarchy is missing or not writable, a process could not be moved):
// it traces lossy instead, and counts what it loses. It is nil otherwise.
func (s *Session) LossyReason() error { return s.lossy }

// report writes the pauses to the debug output.
func (f *freezer) report() {
	n, d := f.stats()
	f.mu.Lock()
	lat, measured := f.maxLatency, f.measured
	f.mu.Unlock()
	f.debugf("lossless: paused %d times, %v in all; a freeze took hold at most %v after it was written (%d measured);"+
		" at most %d bytes were queued when one was written, %d in all (high mark %d, %d kernel wake-ups)",
		n, d.Round(time.Microsecond), lat.Round(time.Microsecond), measured, f.atFreeze.Load(), f.peak.Load(), f.high, f.wakes.Load())
}
