package format

import (
	"strconv"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// StraceOptions are strace's presentation options.
type StraceOptions struct {
	StrSize int // bytes of a buffer or string shown (--strsize); 32 when 0

	// PIDPrefix selects the per-line process prefix: PrefixNone, PrefixFile
	// ("1234 ", strace -f -o FILE) or PrefixTerminal ("[pid  1234] " once
	// more than one process is traced, strace -f on a terminal).
	PIDPrefix PrefixStyle
	// Tracees is the number of threads traced from the start (the threads
	// of every -p process; 2 for the whole system): with more than one,
	// PrefixTerminal prefixes every line from the first, as strace does.
	Tracees int

	Timestamps  int       // 1: -t (HH:MM:SS), 2: -tt (with µs), 3: -ttt (epoch seconds.µs)
	Relative    bool      // -r: time since the previous line
	Start       time.Time // wall-clock time of event TS 0, for -t/-tt/-ttt
	SyscallTime bool      // -T: time spent in the call, <0.000123>
	DecodeFds   bool      // -y: what fds refer to, 3</etc/passwd>
	// DecodeSockets is -yy: sockets' protocols and addresses, devices' numbers.
	DecodeSockets bool
	// Calls are the per-syscall sets of -e raw=, verbose=, abbrev=
	// (callsets.go).
	Calls CallSets
	// FdKinds is --decode-fds=SET, the kinds described one by one; when
	// set, it replaces DecodeFds and DecodeSockets (format/fdkinds.go).
	FdKinds FdKinds
	// KernelFds says events describe their fds (event.Fd data, from the
	// kernel at the call): an fd argument without one was not open.
	KernelFds bool
	// ProcFds lets fds the kernel did not describe (inside structs) be
	// looked up in /proc: live events only.
	ProcFds bool
	// Live says the events describe this machine now: what no record
	// carries may be looked up here (interface names). A replay's never
	// are.
	Live bool

	StackTrace bool // -k: each call's stack (event.Stack) under its line

	Column      int          // -a: the column of " = "; 40 when 0
	HexStrings  int          // -x 1: strings with non-printable bytes in hex; -xx 2: all
	ReadDump    map[int]bool // -e read=: dump the data read from these fds (-1: any other)
	WriteDump   map[int]bool // -e write=: dump the data written to these fds
	NoExitLines bool         // -qq: no "+++ exited with N +++" lines
	Verbose     bool         // -v: structures whole (struct stat), as far as captured
	// DetachExec is -b execve: a process's successful execve (after the
	// trace's first call) ends with " <detached ...>", and nothing more of
	// the process is shown.
	DetachExec bool
	// QuietPersonality leaves out the "[ Process PID=N runs in 32 bit
	// mode. ]" lines, as strace's -q (implied by -o FILE with a command).
	QuietPersonality bool
	// DecodePids is -Y: the pid prefix names the process's command too,
	// "[pid  1234<sh>] " (or "1234<sh> " in files).
	DecodePids bool
	// Containers is --decode-pids=container: the process prefix names the
	// container or unit of a trace by cgroup (strace_container.go).
	Containers bool
}

// PrefixStyle is how a line names its process.
type PrefixStyle uint8

const (
	PrefixNone     PrefixStyle = iota
	PrefixFile                 // "1234 " on every line
	PrefixTerminal             // "[pid  1234] " when several processes are traced
)

func (o *StraceOptions) strsize() int {
	if o.StrSize <= 0 {
		return 32
	}
	return o.StrSize
}

// Strace renders events as strace prints them. It remembers what strace's
// output depends on across lines: the last line's thread (for
// <unfinished ...> and <... resumed>), the time of the previous line (-r),
// fd paths (-y) and the live processes (the [pid N] prefix). Use one
// Strace per output stream, from one goroutine.
type Strace struct {
	tab  *syscalls.Table
	opts StraceOptions

	lastTID  uint32 // thread of the last line printed
	lastEnd  uint64 // time of the last line printed
	lastLine uint64 // time of the previous line, for -r
	live     map[uint32]bool
	ifnames  map[uint32]string // interface index -> name, from the netlink link messages seen
	scratch  call

	detached map[uint32]bool // -b execve: processes no longer shown
	started  bool            // a call was shown (-b execve spares the launch's execve)

	entered map[uint32]*enteredCall // calls asleep, by thread (event.Entered)
	hidden  int                     // how many of them are not shown yet

	compat  map[uint32]bool   // threads whose last call was made in 32-bit mode
	comms   map[uint32]string // -Y: each thread's command name, from its last event
	oneLine bool              // AppendStrace: no personality lines

	containers map[uint32]string // --decode-pids=container: by thread
	pidfds     pidfdState        // --decode-fds=pidfd: what the calls shown tell of pidfds (fdkinds.go)

	restart restartHold // a call that returned ERESTART*, until the next event (strace_hold.go)
}

// NewStrace returns a renderer for events of table tab.
func NewStrace(tab *syscalls.Table, o StraceOptions) *Strace {
	if tab == nil {
		tab = syscalls.Native()
	}
	return &Strace{tab: tab, opts: o, live: map[uint32]bool{}}
}

// AppendStrace appends ev as one strace line (no newline), without any
// memory of previous lines: no <unfinished ...> splitting, no -y paths
// learned from earlier calls.
func AppendStrace(dst []byte, ev *event.Event, tab *syscalls.Table, o StraceOptions) []byte {
	s := NewStrace(tab, o)
	s.oneLine = true
	return s.Append(dst, ev)
}

// appendEvent appends the lines of ev (see Append).
func (s *Strace) appendEvent(dst []byte, ev *event.Event) []byte {
	if s.detached[ev.PID] {
		return dst
	}
	if s.opts.DecodePids && ev.Comm != "" {
		if s.comms == nil {
			s.comms = map[uint32]string{}
		}
		s.comms[ev.TID] = ev.Comm
	}
	if s.opts.Containers && ev.Kind != event.Lost {
		s.noteContainer(ev)
	}
	switch ev.Kind {
	case event.Syscall:
		if ev.Flags&event.Entered != 0 {
			s.enter(ev)
			return dst
		}
		if s.opts.fdKinds()&FdPidfd != 0 {
			s.pidfds.before(s, ev)
			defer s.pidfds.after(s, ev)
		}
		dst = s.overtake(dst, ev.TID)
		if e := s.entered[ev.TID]; e != nil {
			delete(s.entered, ev.TID)
			if e.shown && e.ev.TS == ev.TS && e.ev.Nr == ev.Nr {
				if ev.Flags&event.Unfinished != 0 {
					return dst // its "<unfinished ...>" line is out already
				}
				return s.appendSyscallMode(dst, ev, resumedOnly)
			}
		}
		if s.opts.DetachExec {
			return s.detachAtExec(dst, ev)
		}
		return s.appendSyscall(dst, ev)
	case event.Exit:
		dst = s.overtake(dst, ev.TID)
		dst = s.endEntered(dst, ev.TID)
		dst = s.appendExit(dst, ev)
		delete(s.containers, ev.TID)
		return dst
	case event.Signal:
		if s.signalShown(ev) {
			dst = s.overtake(dst, ev.TID)
		}
		return s.appendSignal(dst, ev)
	case event.Lost:
		// Out of band, in strace's style for notes: "[ ... ]".
		return append(dst, "[ strace.ebpf: "+strconv.FormatUint(ev.LostN, 10)+" events lost here ]"...)
	}
	return dst
}

// appendComm appends "<comm>" for -Y.
func (s *Strace) appendComm(dst []byte, tid uint32) []byte {
	if !s.opts.DecodePids {
		return dst
	}
	dst = append(dst, '<')
	dst = append(dst, s.comms[tid]...)
	return append(dst, '>')
}

// Live reports the threads seen and not yet exited, for the [pid N] prefix.
func (s *Strace) multi() bool { return len(s.live) > 1 || s.opts.Tracees > 1 }

func (s *Strace) prefix(dst []byte, tid uint32, ts uint64) []byte {
	switch s.opts.PIDPrefix {
	case PrefixFile:
		start := len(dst)
		dst = strconv.AppendUint(dst, uint64(tid), 10)
		width := len(dst) - start // strace pads the pid alone, -Y's name after it
		dst = s.appendComm(dst, tid)
		if s.opts.Containers {
			dst = s.appendContainer(dst, tid)
			width = len(dst) - start
		}
		for n := width; n < 5; n++ {
			dst = append(dst, ' ')
		}
		dst = append(dst, ' ')
	case PrefixTerminal:
		if s.multi() {
			dst = append(dst, "[pid "...)
			p := strconv.FormatUint(uint64(tid), 10)
			for n := len(p); n < 5; n++ {
				dst = append(dst, ' ')
			}
			dst = append(dst, p...)
			dst = s.appendComm(dst, tid)
			if s.opts.Containers {
				dst = s.appendContainer(dst, tid)
			}
			dst = append(dst, "] "...)
		}
	}
	if s.opts.Relative {
		d := ts - s.lastLine
		if s.lastLine == 0 || ts < s.lastLine {
			d = 0
		}
		s.lastLine = ts
		dst = appendSecs(dst, d, 6, 6)
		dst = append(dst, ' ')
	}
	switch s.opts.Timestamps {
	case 1, 2:
		t := s.opts.Start.Add(time.Duration(ts))
		dst = t.AppendFormat(dst, "15:04:05")
		if s.opts.Timestamps == 2 {
			dst = append(dst, '.')
			dst = appendPad(dst, uint64(t.Nanosecond()/1000), 6)
		}
		dst = append(dst, ' ')
	case 3:
		t := s.opts.Start.Add(time.Duration(ts))
		dst = strconv.AppendInt(dst, t.Unix(), 10)
		dst = append(dst, '.')
		dst = appendPad(dst, uint64(t.Nanosecond()/1000), 6)
		dst = append(dst, ' ')
	}
	return dst
}

// appendSecs appends ns as seconds with prec decimals, right-aligned in
// width integer digits (strace's -r "     0.000123").
func appendSecs(dst []byte, ns uint64, width, prec int) []byte {
	sec := strconv.FormatUint(ns/1e9, 10)
	for n := len(sec); n < width; n++ {
		dst = append(dst, ' ')
	}
	dst = append(dst, sec...)
	dst = append(dst, '.')
	frac := ns % 1e9
	for i := prec; i < 9; i++ {
		frac /= 10
	}
	return appendPad(dst, frac, prec)
}

func appendPad(dst []byte, v uint64, width int) []byte {
	s := strconv.FormatUint(v, 10)
	for n := len(s); n < width; n++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// padTo pads the line that starts at start to strace's result column
// (col, where " = " is to start, counted from 1).
func padTo(dst []byte, start, col int) []byte {
	col--
	for len(dst)-start < col {
		dst = append(dst, ' ')
	}
	return dst
}

func (s *Strace) appendExit(dst []byte, ev *event.Event) []byte {
	if ev.Superseded() {
		return s.appendSuperseded(dst, ev)
	}
	// strace still counts the exiting thread for the [pid N] prefix (even
	// when filters hid its lines); -z and -Z keep exits.
	s.live[ev.TID] = true
	if s.opts.NoExitLines {
		delete(s.live, ev.TID)
		return dst
	}
	dst = s.prefix(dst, ev.TID, ev.TS)
	delete(s.live, ev.TID)
	delete(s.compat, ev.TID)
	st := uint32(ev.Ret)
	if st&0x7f == 0 {
		dst = append(dst, "+++ exited with "...)
		dst = strconv.AppendUint(dst, uint64(st>>8&0xff), 10)
		dst = append(dst, " +++"...)
	} else {
		dst = append(dst, "+++ killed by "...)
		dst = appendSignal(dst, int(st&0x7f))
		if st&0x80 != 0 {
			dst = append(dst, " (core dumped)"...)
		}
		dst = append(dst, " +++"...)
	}
	s.lastTID, s.lastEnd = ev.TID, ev.TS
	return dst
}

func appendSignal(dst []byte, sig int) []byte {
	if n := syscalls.SignalName(sig); n != "" {
		return append(dst, n...)
	}
	return strconv.AppendInt(dst, int64(sig), 10)
}

// signalShown says whether a signal event makes a line.
func (s *Strace) signalShown(ev *event.Event) bool {
	// The kernel's fatal-signal path: strace never shows SIGKILL.
	return ev.Nr != 9 || len(ev.Data) > 0
}

func (s *Strace) appendSignal(dst []byte, ev *event.Event) []byte {
	if !s.signalShown(ev) {
		return dst
	}
	s.live[ev.TID] = true
	dst = s.prefix(dst, ev.TID, ev.TS)
	dst = append(dst, "--- "...)
	dst = appendSignal(dst, int(ev.Nr))
	dst = append(dst, ' ')
	var info []byte
	if len(ev.Data) > 0 {
		info = ev.Data[0].Bytes
	}
	dst = appendSiginfo(dst, int(ev.Nr), info)
	dst = append(dst, " ---"...)
	s.lastTID, s.lastEnd = ev.TID, ev.TS
	return dst
}

// How appendSyscallMode renders a call.
const (
	wholeCall   = iota // one line, or two when another thread's line came in between
	resumedOnly        // the "<... name resumed>" half: the other is out already
	enteredOnly        // the "<unfinished ...>" half of a sleeping call (ev has Unfinished)
)

func (s *Strace) appendSyscall(dst []byte, ev *event.Event) []byte {
	return s.appendSyscallMode(dst, ev, wholeCall)
}

func (s *Strace) appendSyscallMode(dst []byte, ev *event.Event, mode int) []byte {
	unfinished := ev.Flags&event.Unfinished != 0
	noreturn := ev.Flags&event.NoReturn != 0
	s.live[ev.TID] = true
	tab := s.tab.Personality(ev.Flags&event.Compat != 0)
	sc := tab.ByNr(int(ev.Nr))
	name := tab.Name(int(ev.Nr))
	// One call's scratch is reused from event to event.
	c := &s.scratch
	*c = call{s: s, ev: ev, sc: sc, buf: c.buf[:0], pieces: c.pieces[:0]}

	end := ev.TS + ev.Duration
	// Another thread printed a line after this call entered: strace shows
	// the call split around it.
	split := !noreturn && s.lastTID != 0 && s.lastTID != ev.TID && s.lastEnd > ev.TS
	if unfinished {
		split = false
	}
	if mode != resumedOnly {
		dst = s.appendPersonality(dst, ev)
	}
	start := len(dst)
	if mode == resumedOnly {
		split = true
	} else {
		dst = s.prefix(dst, ev.TID, ev.TS)
		dst = append(dst, name...)
		dst = append(dst, '(')
	}
	if split || unfinished {
		if mode != resumedOnly {
			dst = c.appendArgs(dst, phaseEnter)
			if unfinished && mode != enteredOnly {
				// Still blocked when tracing ended: strace's word when it
				// detaches from a call.
				dst = append(dst, " <detached ...>"...)
			} else {
				dst = append(dst, " <unfinished ...>"...)
			}
			if unfinished {
				s.lastTID, s.lastEnd = ev.TID, ev.TS
				return dst
			}
			dst = append(dst, '\n')
			start = len(dst)
		}
		dst = s.prefix(dst, ev.TID, end)
		dst = append(dst, "<... "...)
		dst = append(dst, name...)
		dst = append(dst, " resumed>"...)
		dst = c.appendArgs(dst, phaseExit)
	} else {
		dst = c.appendArgs(dst, phaseAll)
	}
	dst = append(dst, ')')
	dst = padTo(dst, start, s.column())
	dst = append(dst, " = "...)
	dst = c.appendRet(dst)
	dst = appendInjected(dst, ev.Flags)
	if s.opts.SyscallTime && !noreturn {
		dst = append(dst, " <"...)
		dst = appendSecs(dst, ev.Duration, 1, 6)
		dst = append(dst, '>')
	}
	if s.opts.ReadDump != nil || s.opts.WriteDump != nil {
		dst = c.appendDump(dst)
	}
	if s.opts.StackTrace {
		dst = appendStack(dst, ev.Stack)
	}
	if noreturn {
		s.lastTID, s.lastEnd = ev.TID, ev.TS
	} else {
		s.lastTID, s.lastEnd = ev.TID, end
	}
	return dst
}
