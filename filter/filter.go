// Package filter is the one filter of events: which syscalls (by number, in
// each personality's table), which outcomes, signals, processes, process
// names and paths. The session holds every trace to one (-e, -X, -z, -Z,
// -P, -p on replays); a script's trace() declaration is one in front of its
// stage. A Filter says which part of it the kernel can apply (Kernel), and
// whether that part is all of it for syscalls (KernelDecides): both are
// derived from the same fields Keep reads.
package filter

import (
	"sort"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Status is a set of call outcomes, as strace's -e status= names them.
type Status uint8

const (
	Successful Status = 1 << iota // returned without an error
	Failed                        // returned an error
	Unfinished                    // never returned (exit_group) or still blocked at the end

	AllStatus = Successful | Failed | Unfinished
	// None is status=none: no call is kept (a Status of 0 keeps all).
	None Status = 1 << 7
)

// StatusOf is the outcome of a syscall event.
func StatusOf(ev *event.Event) Status {
	switch {
	case ev.Flags&(event.NoReturn|event.Unfinished) != 0:
		return Unfinished
	case ev.Failed():
		return Failed
	}
	return Successful
}

// Filter is a selection of events, resolved against one syscall table
// (and its table of 32-bit calls). The zero Filter keeps everything.
type Filter struct {
	// Kernel part: what the kernel can drop before a record is written.
	nrs, nrs32   []int  // syscalls kept, native and 32-bit; nil with want: all
	want, want32 []bool // by number; nil: all
	failedOnly   bool   // only failed calls (status exactly Failed)

	// User part: applied as events arrive.
	status  Status          // the outcomes kept when not failedOnly; 0: all
	signals map[int]bool    // signal deliveries kept; nil: all
	pids    map[uint32]bool // processes kept (thread group or thread id); nil: all
	comms   map[string]bool // process names kept; nil: all
	paths   map[string]bool // -P: calls that touch one of these paths; nil: all
	fds     map[int]bool    // trace-fds=: calls on these descriptors (-1: the others); nil: all
	tab     *syscalls.Table // for paths: which arguments are paths

	// callsOnly drops every event that is not a syscall (exits, signals):
	// a script that declared its calls or their status sees only calls.
	callsOnly bool
}

// SetSyscalls keeps only the syscalls in set and set32 (numbers in tab and
// in tab.Compat()); nil sets keep every syscall.
func (f *Filter) SetSyscalls(tab *syscalls.Table, set, set32 map[int]bool) {
	if set == nil && set32 == nil {
		f.nrs, f.want, f.nrs32, f.want32 = nil, nil, nil, nil
		return
	}
	f.nrs, f.want = nrSet(set, tab)
	f.nrs32, f.want32 = nrSet(set32, tab.Compat())
}

// nrSet returns set's numbers in order, and a lookup by number.
func nrSet(set map[int]bool, tab *syscalls.Table) ([]int, []bool) {
	nrs := make([]int, 0, len(set))
	want := make([]bool, tab.MaxNr()+1)
	for nr := range set {
		nrs = append(nrs, nr)
		if nr >= 0 && nr < len(want) {
			want[nr] = true
		}
	}
	sort.Ints(nrs)
	return nrs, want
}

// SetStatus keeps only calls of these outcomes; 0 or AllStatus keeps all,
// None none. Exactly Failed is the kernel's to apply.
func (f *Filter) SetStatus(st Status) {
	if st == AllStatus {
		st = 0
	}
	f.failedOnly = st == Failed
	f.status = st
	if f.failedOnly {
		f.status = 0
	}
}

// SetSignals keeps only these signal deliveries; nil keeps all.
func (f *Filter) SetSignals(sigs map[int]bool) { f.signals = sigs }

// SetPIDs keeps only the events of these processes or threads; nil keeps all.
func (f *Filter) SetPIDs(pids []int) {
	f.pids = nil
	if pids != nil {
		f.pids = map[uint32]bool{}
		for _, p := range pids {
			f.pids[uint32(p)] = true
		}
	}
}

// SetComms keeps only the events of processes of these names; nil keeps all.
func (f *Filter) SetComms(comms []string) {
	f.comms = nil
	if comms != nil {
		f.comms = map[string]bool{}
		for _, c := range comms {
			f.comms[c] = true
		}
	}
}

// SetPaths keeps only the syscalls that touch one of paths (-P): a path
// argument equal to one (by tab's argument kinds), or a descriptor that the
// kernel described as one. nil keeps all.
func (f *Filter) SetPaths(tab *syscalls.Table, paths []string) {
	f.paths, f.tab = nil, tab
	if paths != nil {
		f.paths = map[string]bool{}
		for _, p := range paths {
			f.paths[p] = true
		}
	}
}

// SetCallsOnly drops every event that is not a syscall.
func (f *Filter) SetCallsOnly(on bool) { f.callsOnly = on }

// Status is the outcomes kept; 0: all.
func (f *Filter) Status() Status {
	if f.failedOnly {
		return Failed
	}
	return f.status
}

// Syscalls are the native syscall numbers kept, in order; nil: all.
func (f *Filter) Syscalls() []int { return f.nrs }

// WantsNr says native syscall nr is kept.
func (f *Filter) WantsNr(nr int32) bool {
	return f.want == nil || (nr >= 0 && int(nr) < len(f.want) && f.want[nr])
}

// KeptSyscalls keeps the numbers of nrs that the filter's syscall sets
// keep (32-bit numbers when compat).
func (f *Filter) KeptSyscalls(nrs []int, compat bool) []int {
	want := f.want
	if compat {
		want = f.want32
	}
	if want == nil {
		return nrs
	}
	var out []int
	for _, nr := range nrs {
		if nr >= 0 && nr < len(want) && want[nr] {
			out = append(out, nr)
		}
	}
	return out
}

// Touches says ev names one of the -P paths (false when there are none).
func (f *Filter) Touches(ev *event.Event) bool { return f.paths != nil && f.touches(ev) }

// PIDs, Comms, Paths and Signals say whether those parts are set.
func (f *Filter) PIDs() map[uint32]bool      { return f.pids }
func (f *Filter) Comms() map[string]bool     { return f.comms }
func (f *Filter) Paths() map[string]bool     { return f.paths }
func (f *Filter) Signals() map[int]bool      { return f.signals }
func (f *Filter) CallsOnly() bool            { return f.callsOnly }
func (f *Filter) StatusFiltered() bool       { return f.failedOnly || f.status != 0 }
func (f *Filter) ShowsStatus(st Status) bool { s := f.Status(); return s == 0 || s&st != 0 }

// Kernel is the part of a filter the kernel applies.
type Kernel struct {
	Syscalls   []int // nil: all
	Syscalls32 []int // the calls made in 32-bit mode (i386 numbers on amd64); nil: all
	FailedOnly bool
}

// Kernel is what the kernel can drop before a record is written: the
// syscall sets, and failed-only when only failed calls are kept. Keep
// applies the rest (and this part again, for replays).
func (f *Filter) Kernel() Kernel {
	return Kernel{Syscalls: f.nrs, Syscalls32: f.nrs32, FailedOnly: f.failedOnly}
}

// KernelDecides says the kernel part is the whole filter for syscalls:
// Keep drops no syscall the kernel sends.
func (f *Filter) KernelDecides() bool {
	return f.status == 0 && f.pids == nil && f.comms == nil && f.paths == nil && f.fds == nil
}

// Keep says whether ev passes the filter. Lost counts always pass.
func (f *Filter) Keep(ev *event.Event) bool {
	switch ev.Kind {
	case event.Lost:
		return true
	case event.Syscall:
		if !f.keepKernel(ev) || !f.keepUser(ev) {
			return false
		}
	case event.Signal:
		if f.callsOnly || f.signals != nil && !f.signals[int(ev.Nr)] {
			return false
		}
	default:
		if f.callsOnly {
			return false
		}
	}
	return f.KeepsProcess(ev)
}

// KeepsProcess says ev's process passes the filter's pids and comms.
func (f *Filter) KeepsProcess(ev *event.Event) bool {
	if f.pids != nil && !f.pids[ev.PID] && !f.pids[ev.TID] {
		return false
	}
	return f.comms == nil || f.comms[ev.Comm]
}

// keepKernel is the kernel part, for a syscall.
func (f *Filter) keepKernel(ev *event.Event) bool {
	want := f.want
	if ev.Flags&event.Compat != 0 {
		want = f.want32
	}
	if want != nil && (ev.Nr < 0 || int(ev.Nr) >= len(want) || !want[ev.Nr]) {
		return false
	}
	return !f.failedOnly || ev.Flags&event.Entered == 0 && ev.Failed()
}

// keepUser is the user part that KernelDecides knows of, for a syscall.
func (f *Filter) keepUser(ev *event.Event) bool {
	if f.status != 0 && (ev.Flags&event.Entered != 0 || f.status&StatusOf(ev) == 0) {
		return false
	}
	if f.paths == nil && f.fds == nil {
		return true
	}
	// -P and trace-fds= together keep the calls either keeps, as strace.
	return f.paths != nil && f.touches(ev) || f.fds != nil && f.touchesFds(ev)
}

// TouchesPaths says a syscall has a path or a descriptor to match -P with.
func TouchesPaths(sc *syscalls.Syscall) bool {
	if sc.Ret == syscalls.RetFd {
		return true
	}
	for _, a := range sc.Args {
		if a.Kind == syscalls.Path || a.Kind == syscalls.Fd || a.Kind == syscalls.Dirfd {
			return true
		}
	}
	return false
}

// touches says ev names one of the -P paths: a path argument, or a
// descriptor the kernel described (-P has the kernel describe them).
func (f *Filter) touches(ev *event.Event) bool {
	if sc := f.tab.ByNr(int(ev.Nr)); sc != nil {
		for i, a := range sc.Args {
			if a.Kind != syscalls.Path || i >= 6 {
				continue
			}
			if p, ok := ev.String(i); ok && f.paths[p] {
				return true
			}
		}
	}
	for i := range ev.Data {
		if ev.Data[i].Kind != event.Fd {
			continue
		}
		if fd, ok := event.ParseFd(ev.Data[i].Bytes); ok && fd.Flags&(event.FdPseudo|event.FdCwd) == 0 && f.paths[fd.Path()] {
			return true
		}
	}
	return false
}
