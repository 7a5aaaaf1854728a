package engine

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// The tracer's side of fault injection: it receives each notified call,
// counts it, decides, and answers. See engine/inject.go.

// The kernel's structures (linux/seccomp.h).
type seccompData struct {
	Nr   int32
	Arch uint32
	IP   uint64
	Args [6]uint64
}

type seccompNotif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Data  seccompData
}

type seccompNotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// injector serves one listener.
type injector struct {
	fd      int // the listener
	wake    int // an eventfd that stops serve
	rules   *ruleSet
	counts  counts // touched by serve alone
	decider Decider
	tasks   *ebpf.Map // the BPF side's traced processes
	tab     *syscalls.Table
	start   uint64
	compat  uint32 // seccomp_data.arch of 32-bit calls
	strMax  int
	bufMax  int  // 0: no buffers read
	fds     bool // describe descriptor arguments (-y, -P)
	// only narrows the rules to the calls it accepts (strace's -P); nil
	// accepts all. It sees the call's event (strings, descriptors).
	only func(ev *event.Event) bool
	// shown says a made event passes the kernel's filters (the syscall
	// set, -X); nil shows all.
	shown func(ev *event.Event) bool
	tgids map[uint32]uint32 // tid → tgid, serve's cache

	mu      sync.Mutex
	queue   []queued               // made events not yet delivered, in order
	delayed map[uint32][]delayMark // tid → calls let run after a delay
	pending atomic.Int64           // len(queue) + marks: the reader's fast check
	pushed  atomic.Uint64          // made events queued so far

	served chan struct{} // closed when serve returns
	errs   chan error    // a decider's failure

	fdMu   sync.RWMutex // answers against closing the listener
	closed bool

	flightMu sync.Mutex
	flights  map[uint64]*time.Timer // delayed calls not yet answered, by notification id
	flying   sync.WaitGroup         // their timers, until each has run or been stopped
}

type queued struct {
	ev  *event.Event
	seq uint64
}

// delayMark is a call let run after a delay or a poke: its record, the
// next of the thread's with this number entered after at, gets flags.
type delayMark struct {
	nr     int32
	compat bool
	at     uint64
	flags  event.Flags // Delayed, Poked
}

func newInjector(fd int, cfg *Config, tasks *ebpf.Map, start uint64) (*injector, error) {
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("starting fault injection: %w", err)
	}
	tab := cfg.Table
	if tab == nil {
		tab = syscalls.Native()
	}
	inj := &injector{
		fd: fd, wake: wake,
		rules:   newRuleSet(cfg.Inject),
		counts:  counts{},
		decider: cfg.Inject.Decider,
		tasks:   tasks,
		tab:     tab,
		start:   start,
		compat:  seccompArch[tab.Arch()].compat,
		strMax:  cfg.StrMax,
		tgids:   map[uint32]uint32{},
		delayed: map[uint32][]delayMark{},
		errs:    make(chan error, 1),
		served:  make(chan struct{}),
		flights: map[uint64]*time.Timer{},
	}
	if inj.strMax <= 0 || inj.strMax > 4096 {
		inj.strMax = 4096
	}
	if cfg.CaptureBuffers {
		inj.bufMax = cfg.BufSize
	}
	inj.fds = cfg.DecodeFds
	inj.only = cfg.Inject.Only
	native, compat := setOf(cfg.Syscalls), setOf(cfg.Syscalls32)
	failedOnly := cfg.FailedOnly
	if native != nil || failedOnly {
		inj.shown = func(ev *event.Event) bool {
			if failedOnly && !ev.Failed() {
				return false
			}
			if native == nil {
				return true
			}
			if ev.Flags&event.Compat != 0 {
				return compat == nil || compat[int(ev.Nr)]
			}
			return native[int(ev.Nr)]
		}
	}
	return inj, nil
}

func setOf(nrs []int) map[int]bool {
	if nrs == nil {
		return nil
	}
	m := make(map[int]bool, len(nrs))
	for _, nr := range nrs {
		m[nr] = true
	}
	return m
}

// serve answers notifications until stop, or until no process uses the
// filter any more.
func (inj *injector) serve() {
	defer close(inj.served)
	// One thread answers. (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 6.6+,
	// which wakes the tracer on the caller's CPU, measured no better on
	// the 2-CPU development machine: not set.)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for {
		pfd := []unix.PollFd{
			{Fd: int32(inj.fd), Events: unix.POLLIN},
			{Fd: int32(inj.wake), Events: unix.POLLIN},
		}
		if _, err := unix.Poll(pfd, -1); err != nil {
			if err == unix.EINTR {
				continue
			}
			return
		}
		if pfd[1].Revents != 0 {
			return
		}
		if pfd[0].Revents&unix.POLLIN == 0 {
			if pfd[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0 {
				return // every process with the filter is gone
			}
			continue
		}
		var n seccompNotif
		if err := ioctlPtr(inj.fd, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&n)); err != nil {
			if err == unix.EINTR || err == unix.ENOENT {
				continue // the caller went away, or a signal
			}
			return
		}
		inj.handle(&n)
	}
}

func ioctlPtr(fd int, req uint, p unsafe.Pointer) error {
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(p))
	if e != 0 {
		return e
	}
	return nil
}

// handle decides one call and answers it, at once or after its delay.
func (inj *injector) handle(n *seccompNotif) {
	at := monotonicNow()
	compat := n.Data.Arch == inj.compat && inj.compat != 0
	k := keyOf(int(n.Data.Nr), compat)
	tid := n.Pid
	var f Fault
	var fire bool
	var ev *event.Event
	if tgid, ok := inj.traced(tid); ok {
		if r := inj.rules.byCall[k]; r != nil {
			if inj.only != nil {
				ev = inj.makeEvent(n, tgid, compat, at)
			}
			if inj.only == nil || inj.only(ev) {
				fire = inj.counts.fires(tid, k, r.When)
				f = r.Fault
			}
		}
		if !fire && inj.rules.decided[k] {
			if ev == nil {
				ev = inj.makeEvent(n, tgid, compat, at)
			}
			df, ok, err := inj.decider.Decide(ev)
			if err != nil {
				select {
				case inj.errs <- err:
				default:
				}
			}
			f, fire = df, ok && err == nil && !df.Empty()
		}
		if fire && f.Tampers() && ev == nil {
			ev = inj.makeEvent(n, tgid, compat, at)
		}
	}
	if !fire {
		inj.answer(n.ID, Fault{})
		return
	}
	tgid := inj.tgids[tid]
	if f.DelayEnter <= 0 {
		inj.act(n, ev, f, compat, tgid)
		return
	}
	nc := *n
	inj.flightMu.Lock()
	inj.flying.Add(1)
	inj.flights[n.ID] = time.AfterFunc(f.DelayEnter, func() {
		defer inj.flying.Done()
		if inj.land(nc.ID) {
			inj.act(&nc, ev, f, compat, tgid)
		}
	})
	inj.flightMu.Unlock()
}

// land takes a delayed call off the flights: true once, for whoever
// answers it (its timer, or stop).
func (inj *injector) land(id uint64) bool {
	inj.flightMu.Lock()
	defer inj.flightMu.Unlock()
	if _, ok := inj.flights[id]; !ok {
		return false
	}
	delete(inj.flights, id)
	return true
}

// act answers a call the fault applies to: its made event first (so that
// it comes before whatever the thread does next), then the answer, then
// the signal.
func (inj *injector) act(n *seccompNotif, ev *event.Event, f Fault, compat bool, tgid uint32) {
	tid := n.Pid
	poked := inj.poke(n, f.Pokes, compat)
	if poked && ev != nil {
		// The made event shows what the call saw.
		if fresh := inj.makeEvent(n, ev.PID, compat, monotonicNow()); fresh != nil {
			ev.Data = fresh.Data
		}
	}
	if f.Tampers() {
		ev.Duration = monotonicNow() - inj.start - ev.TS
		if f.Error != 0 {
			ev.Ret = -int64(f.Error)
		} else {
			ev.Ret = f.Retval
		}
		ev.Flags |= event.Injected
		if f.DelayEnter > 0 {
			ev.Flags |= event.Delayed
		}
		if poked {
			ev.Flags |= event.Poked
		}
		if inj.shown == nil || inj.shown(ev) {
			inj.push(ev)
		}
	} else if f.DelayEnter > 0 || poked {
		m := delayMark{nr: n.Data.Nr, compat: compat, at: monotonicNow() - inj.start}
		if f.DelayEnter > 0 {
			m.flags |= event.Delayed
		}
		if poked {
			m.flags |= event.Poked
		}
		inj.mark(tid, m)
	}
	// As strace, the signal is pending when the call returns: sent
	// before the answer where a signal cannot take the call back from the
	// tracer (WAIT_KILLABLE_RECV), after it elsewhere.
	early := f.Signal != 0 && waitKillableRecv()
	if early {
		unix.Tgkill(int(tgid), int(tid), unix.Signal(f.Signal))
	}
	if err := inj.answer(n.ID, f); err != nil {
		if ev != nil {
			inj.withdraw(ev)
		}
		return
	}
	if f.Signal != 0 && !early {
		unix.Tgkill(int(tgid), int(tid), unix.Signal(f.Signal))
	}
}

// waitKillableRecv says the kernel has SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
// (5.19+), which the launcher sets when it can: once the tracer has
// received a call, only a fatal signal interrupts it. Asked without
// installing anything: the kernel checks the flags before it reads the
// (here missing) program.
var waitKillableRecv = sync.OnceValue(func() bool {
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_NEW_LISTENER|unix.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 0)
	return e == unix.EFAULT
})

// answer sends the answer: the fault's error or value, or continue.
func (inj *injector) answer(id uint64, f Fault) error {
	r := seccompNotifResp{ID: id}
	switch {
	case f.Error != 0:
		r.Error = -int32(f.Error)
	case f.HasRetval:
		r.Val = f.Retval
	default:
		r.Flags = unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE
	}
	inj.fdMu.RLock()
	defer inj.fdMu.RUnlock()
	if inj.closed {
		return unix.EBADF
	}
	return ioctlPtr(inj.fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&r))
}

// traced says the calling thread belongs to a traced process, and which:
// the launcher before its exec, and the processes -f does not follow, are
// let run untouched and uncounted.
func (inj *injector) traced(tid uint32) (uint32, bool) {
	tgid, ok := inj.tgids[tid]
	if !ok {
		tgid = tgidOfTid(tid)
		if tgid == 0 {
			return 0, false
		}
		if len(inj.tgids) > 1<<16 {
			clear(inj.tgids)
		}
		inj.tgids[tid] = tgid
	}
	var st uint32
	if err := inj.tasks.Lookup(tgid, &st); err != nil {
		return tgid, false
	}
	switch st & 3 {
	case 1, 3: // TASK_TRACED, TASK_EXECING
		return tgid, true
	}
	return tgid, false // TASK_ARMED: the launcher, before its exec
}

func tgidOfTid(tid uint32) uint32 {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(tid), 10) + "/status")
	if err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(b, []byte("\nTgid:"))
	if !ok {
		return 0
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	n, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 10, 32)
	if err != nil {
		return 0
	}
	return uint32(n)
}

// makeEvent is the call's event from its notification: number,
// arguments, and the strings and buffers the kernel side would have
// captured at enter, read from the caller's memory.
func (inj *injector) makeEvent(n *seccompNotif, tgid uint32, compat bool, at uint64) *event.Event {
	ev := &event.Event{
		Kind: event.Syscall,
		PID:  tgid,
		TID:  n.Pid,
		Nr:   n.Data.Nr,
		Args: n.Data.Args,
		TS:   at - inj.start,
	}
	if compat {
		ev.Flags |= event.Compat
	}
	ev.Comm = commOf(n.Pid)
	sc := inj.tab.Personality(compat).ByNr(int(n.Data.Nr))
	if sc == nil {
		return ev
	}
	for i, a := range sc.Args {
		addr := ev.Args[i]
		if addr == 0 {
			continue
		}
		switch a.Kind {
		case syscalls.Fd, syscalls.Dirfd:
			if fd := int32(addr); inj.fds && fd >= 0 {
				if d, ok := fdItem(n.Pid, fd, uint8(i)); ok {
					ev.Data = append(ev.Data, d)
				}
			}
		case syscalls.Path, syscalls.Str:
			b, whole := readString(int(n.Pid), addr, inj.strMax)
			kind := event.Str
			if !whole {
				kind = event.StrTrunc
			}
			if b != nil {
				ev.Data = append(ev.Data, event.Data{Arg: uint8(i), Kind: kind, Bytes: b})
			}
		case syscalls.BufIn, syscalls.StructIn:
			if inj.bufMax <= 0 {
				continue
			}
			size := int(a.Size)
			if a.SizeArg >= 0 && int(a.SizeArg) < len(ev.Args) && (a.Kind == syscalls.BufIn || a.Capture == syscalls.CaptureSockaddr) {
				size = int(min(ev.Args[a.SizeArg], 1<<20))
			}
			if a.Kind == syscalls.BufIn {
				size = min(size, inj.bufMax)
			} else {
				size = min(size, 128)
			}
			if size <= 0 {
				continue
			}
			buf := make([]byte, size)
			if k := readMem(int(n.Pid), addr, buf); k > 0 {
				ev.Data = append(ev.Data, event.Data{Arg: uint8(i), Kind: event.BufIn, Bytes: buf[:k]})
			}
		}
	}
	return ev
}

// readMem reads the caller's memory at addr; it returns how many bytes it
// could.
func readMem(pid int, addr uint64, buf []byte) int {
	local := []unix.Iovec{{Base: &buf[0]}}
	local[0].SetLen(len(buf))
	remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(buf)}}
	n, err := unix.ProcessVMReadv(pid, local, remote, 0)
	if err != nil {
		return 0
	}
	return n
}

// readString reads a NUL-terminated string of at most max bytes, a page at
// a time (the string may end just before an unmapped page); whole says
// its NUL was found.
func readString(pid int, addr uint64, max int) (s []byte, whole bool) {
	out := make([]byte, 0, 64)
	var page [4096]byte
	for len(out) < max {
		chunk := 4096 - int(addr%4096)
		chunk = min(chunk, max-len(out))
		k := readMem(pid, addr, page[:chunk])
		if k <= 0 {
			if len(out) == 0 {
				return nil, false
			}
			return out, false
		}
		if i := bytes.IndexByte(page[:k], 0); i >= 0 {
			return append(out, page[:i]...), true
		}
		out = append(out, page[:k]...)
		addr += uint64(k)
	}
	return out, false
}

func (inj *injector) push(ev *event.Event) {
	inj.mu.Lock()
	inj.queue = append(inj.queue, queued{ev, inj.pushed.Add(1)})
	inj.mu.Unlock()
	inj.pending.Add(1)
}

// withdraw takes back a made event whose call did not take the answer
// (the caller was killed, or a signal took the call back to restart it).
func (inj *injector) withdraw(ev *event.Event) {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	for i, q := range inj.queue {
		if q.ev == ev {
			inj.queue = append(inj.queue[:i], inj.queue[i+1:]...)
			inj.pending.Add(-1)
			return
		}
	}
}

func (inj *injector) mark(tid uint32, m delayMark) {
	inj.mu.Lock()
	inj.delayed[tid] = append(inj.delayed[tid], m)
	inj.mu.Unlock()
	inj.pending.Add(1)
}

// before is called by the reader with each traced event: it returns the
// made events that come before it (entered earlier), and flags the event
// if it is a delayed call.
func (inj *injector) before(ev *event.Event, out []*event.Event) []*event.Event {
	if inj.pending.Load() == 0 {
		return out
	}
	inj.mu.Lock()
	defer inj.mu.Unlock()
	i := 0
	for ; i < len(inj.queue) && inj.queue[i].ev.TS <= ev.TS; i++ {
		out = append(out, inj.queue[i].ev)
	}
	if i > 0 {
		inj.queue = append(inj.queue[:0], inj.queue[i:]...)
		inj.pending.Add(-int64(i))
	}
	if ev.Kind == event.Syscall && ev.Flags&event.Entered == 0 {
		if ms := inj.delayed[ev.TID]; len(ms) > 0 {
			for j, m := range ms {
				if m.nr == ev.Nr && m.compat == (ev.Flags&event.Compat != 0) && ev.TS >= m.at {
					ev.Flags |= m.flags
					ms = append(ms[:j], ms[j+1:]...)
					inj.pending.Add(-1)
					break
				}
			}
			if len(ms) == 0 {
				delete(inj.delayed, ev.TID)
			} else {
				inj.delayed[ev.TID] = ms
			}
		}
	}
	return out
}

// takeUpTo returns the made events among the first n queued ever: the
// reader found the ring empty after they were queued, so every record
// that comes before them has been read.
func (inj *injector) takeUpTo(n uint64, out []*event.Event) []*event.Event {
	if inj.pending.Load() == 0 {
		return out
	}
	inj.mu.Lock()
	defer inj.mu.Unlock()
	take := 0
	for ; take < len(inj.queue) && inj.queue[take].seq <= n; take++ {
		out = append(out, inj.queue[take].ev)
	}
	inj.queue = append(inj.queue[:0], inj.queue[take:]...)
	inj.pending.Add(-int64(take))
	return out
}

// stop ends serving and closes the listener: calls still waiting for an
// answer, and every later call the filter names, fail with ENOSYS (the
// kernel's answer when no tracer listens).
//
// Processes that still carry the filter when the session ends (a command
// left running on Ctrl-C, the untraced children of a command traced
// without -f) would get ENOSYS from every named call: instead, a helper
// (drainListener) takes the listener and lets their calls run until the
// last of them exits. The calls waiting out a delay are let run first.
func (inj *injector) stop() {
	var one = [8]byte{1}
	unix.Write(inj.wake, one[:])
	<-inj.served
	inj.flightMu.Lock()
	for id, t := range inj.flights {
		if t.Stop() {
			delete(inj.flights, id)
			r := seccompNotifResp{ID: id, Flags: unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE}
			ioctlPtr(inj.fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&r))
			inj.flying.Done()
		}
	}
	inj.flightMu.Unlock()
	// A timer that fired already answers its call: a call received and
	// never answered would wait for good once the helper holds the
	// listener.
	inj.flying.Wait()
	inj.fdMu.Lock()
	inj.closed = true
	drainListener(inj.fd)
	unix.Close(inj.fd)
	inj.fdMu.Unlock()
	unix.Close(inj.wake)
}

// err returns a decider's failure, if any.
func (inj *injector) err() error {
	select {
	case err := <-inj.errs:
		return fmt.Errorf("deciding a fault: %w", err)
	default:
		return nil
	}
}

// commOf reads a thread's name: three syscalls, no file object (the
// caller waits meanwhile).
func commOf(tid uint32) string {
	fd, err := unix.Open("/proc/"+strconv.FormatUint(uint64(tid), 10)+"/comm", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return ""
	}
	defer unix.Close(fd)
	var b [32]byte
	n, err := unix.Read(fd, b[:])
	if err != nil || n <= 0 {
		return ""
	}
	return string(bytes.TrimSuffix(b[:n], []byte("\n")))
}

// poke writes a fault's pokes into the caller's memory, where its
// arguments point (strace's poke_tcb): true when one was written. It
// writes through /proc/TID/mem, which, as ptrace's POKEDATA, writes
// read-only private pages too (a string literal), copying them.
func (inj *injector) poke(n *seccompNotif, pokes []Poke, compat bool) bool {
	if len(pokes) == 0 {
		return false
	}
	nargs := 6
	if sc := inj.tab.Personality(compat).ByNr(int(n.Data.Nr)); sc != nil {
		nargs = len(sc.Args)
	}
	fd, err := unix.Open("/proc/"+strconv.FormatUint(uint64(n.Pid), 10)+"/mem", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	poked := false
	for _, p := range pokes {
		if p.Arg < 1 || p.Arg > nargs || len(p.Data) == 0 {
			continue
		}
		if k, err := unix.Pwrite(fd, p.Data, int64(n.Data.Args[p.Arg-1])); err == nil && k > 0 {
			poked = true
		}
	}
	return poked
}
