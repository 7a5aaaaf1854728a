package script

import (
	"math/bits"
	"sort"
	"strconv"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// HistSlots is the number of slots of SyscallCount.Hist: slot i counts the
// calls of [2^(i-1), 2^i) µs (slot 0: under 1 µs), as hist() buckets them;
// the last slot holds every longer call. The kernel's histogram has as many.
const HistSlots = 32

// SyscallCount is what the kernel counted for one syscall (-c, -C counted
// in the kernel): finished calls, the failed ones, their time in ns, and
// their durations' histogram.
type SyscallCount struct {
	Nr                  int
	Calls, Errors, Time uint64
	Hist                [HistSlots]uint64
}

// ProcCount is what the kernel counted for one process (thread group):
// finished calls, the failed ones and their time in ns; Comm is its name at
// its first counted call, or after its last counted successful exec.
type ProcCount struct {
	PID                 int
	Comm                string
	Calls, Errors, Time uint64
}

// KernelCounts are the aggregations the kernel keeps for trace(counts =
// True): per syscall (kernel_counts(), kernel_hist()) and per process
// (kernel_procs()).
type KernelCounts struct {
	// Untimed: the kernel read no clock (no script names a time): the
	// structs have no time_ns.
	Untimed  bool
	Syscalls []SyscallCount
	Procs    []ProcCount
	Errors   []ErrCount // kernel_errors()
	Fds      []FdCount  // kernel_fds()
}

// ErrCount is how many calls of a syscall failed with an errno.
type ErrCount struct {
	Nr, Errno int
	Calls     uint64
}

// FdCount is what was counted for a process's calls on one descriptor
// (the calls whose first argument is one).
type FdCount struct {
	PID, FD             int
	Calls, Errors, Time uint64
}

// errKey and fdKey index the host's counts of them.
type errKey struct{ nr, errno int32 }
type fdKey struct {
	pid uint32
	fd  int32
}

// hostCounts are what kernel_counts(), kernel_hist(), kernel_procs(),
// kernel_errors() and kernel_fds() read: the kernel's counts (kernelCounts,
// set by the session when the kernel counts), else the host's emulation of
// them, counted from the events that reach a stage that declared
// trace(counts = True) (countEvent).
type hostCounts struct {
	kernelCounts func() (KernelCounts, error) // nil: the host counts, or None

	// userCounts are kernel_counts() when the kernel does not count: a
	// stage declared trace(counts = True) and the host counts the events
	// that reach it. nil when no stage did.
	userCounts map[int32]*SyscallCount
	userProcs  map[uint32]*ProcCount // kernel_procs() then, by pid
	userErrs   map[errKey]*ErrCount  // kernel_errors() then
	userFds    map[fdKey]*FdCount    // kernel_fds() then
	// readsAggs: a stage's source names kernel_hist or kernel_procs, the
	// aggregations the kernel keeps only when asked (KernelFilter).
	readsAggs bool
	// readsTimes: a user stage's source names time_ns or kernel_hist, the
	// counts' times, which the kernel reads the clock for only when asked.
	readsTimes bool
}

// counting makes the host count for trace(counts = True), once.
func (h *hostCounts) counting() {
	if h.userCounts == nil {
		h.userCounts = map[int32]*SyscallCount{}
		h.userProcs = map[uint32]*ProcCount{}
		h.userErrs = map[errKey]*ErrCount{}
		h.userFds = map[fdKey]*FdCount{}
	}
}

// SetKernelCounts makes kernel_counts(), kernel_hist() and kernel_procs()
// read the kernel's counts through fn. Without it, they are the host's
// counts for a stage that declared trace(counts = True), else None.
func (p *Pipeline) SetKernelCounts(fn func() (KernelCounts, error)) { p.kernelCounts = fn }

func init() {
	hostBuiltins["kernel_counts"] = starlark.NewBuiltin("kernel_counts", kernelCountsBuiltin)
	hostBuiltins["kernel_hist"] = starlark.NewBuiltin("kernel_hist", kernelHistBuiltin)
	hostBuiltins["kernel_procs"] = starlark.NewBuiltin("kernel_procs", kernelProcsBuiltin)
	hostBuiltins["kernel_errors"] = starlark.NewBuiltin("kernel_errors", kernelErrorsBuiltin)
	hostBuiltins["kernel_fds"] = starlark.NewBuiltin("kernel_fds", kernelFdsBuiltin)
}

// counts are the kernel's counts, or the host's when the kernel does not
// count; ok is false when neither counts.
func (p *Pipeline) counts() (k KernelCounts, ok bool, err error) {
	switch {
	case p.kernelCounts != nil:
		k, err = p.kernelCounts()
		if err != nil {
			return k, false, err
		}
	case p.userCounts != nil:
		for _, c := range p.userCounts {
			k.Syscalls = append(k.Syscalls, *c)
		}
		for _, c := range p.userProcs {
			k.Procs = append(k.Procs, *c)
		}
		for _, c := range p.userErrs {
			k.Errors = append(k.Errors, *c)
		}
		for _, c := range p.userFds {
			k.Fds = append(k.Fds, *c)
		}
	default:
		return k, false, nil
	}
	sort.Slice(k.Syscalls, func(i, j int) bool { return k.Syscalls[i].Nr < k.Syscalls[j].Nr })
	sort.Slice(k.Procs, func(i, j int) bool { return k.Procs[i].PID < k.Procs[j].PID })
	sort.Slice(k.Errors, func(i, j int) bool {
		a, b := k.Errors[i], k.Errors[j]
		return a.Nr < b.Nr || a.Nr == b.Nr && a.Errno < b.Errno
	})
	sort.Slice(k.Fds, func(i, j int) bool {
		a, b := k.Fds[i], k.Fds[j]
		return a.PID < b.PID || a.PID == b.PID && a.FD < b.FD
	})
	return k, true, nil
}

// countsArg is the start of the argument-less kernel_*() builtins: their
// pipeline and its counts; ok is false when neither the kernel nor the host
// counts.
func countsArg(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (*Pipeline, KernelCounts, bool, error) {
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
		return nil, KernelCounts{}, false, err
	}
	p := pipelineOf(t)
	k, ok, err := p.counts()
	return p, k, ok, err
}

// kernel_counts() is the kernel's count per syscall, a dict by name of
// structs (nr, calls, errors, time_ns), or None when the kernel does not
// count.
func kernelCountsBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	p, k, ok, err := countsArg(t, b, args, kwargs)
	if err != nil || !ok {
		return starlark.None, err
	}
	d := starlark.NewDict(len(k.Syscalls))
	for _, c := range k.Syscalls {
		fields := starlark.StringDict{
			"nr":     starlark.MakeInt(c.Nr),
			"calls":  starlark.MakeUint64(c.Calls),
			"errors": starlark.MakeUint64(c.Errors),
		}
		if !k.Untimed {
			fields["time_ns"] = starlark.MakeUint64(c.Time)
		}
		d.SetKey(p.syscallName(int32(c.Nr)), starlarkstruct.FromStringDict(starlarkstruct.Default, fields))
	}
	return d, nil
}

// kernel_hist(name = "usecs") is the kernel's histogram of durations in µs
// per syscall: a hist() keyed by syscall name, as `h = hist("usecs")` with
// h.add(ev.name, ev.duration // 1000) for every finished call; None when
// the kernel does not count.
func kernelHistBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	name := "usecs"
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name?", &name); err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	k, ok, err := p.counts()
	if err != nil || !ok {
		return starlark.None, err
	}
	a := &Agg{kind: aggHist, name: name, entries: map[string]*aggEntry{}}
	for _, c := range k.Syscalls {
		if c.Calls == 0 {
			continue
		}
		e, err := a.entry(p.syscallName(int32(c.Nr)))
		if err != nil {
			return nil, err
		}
		e.sum = int64(c.Time / 1000)
		for i, n := range c.Hist {
			if n == 0 {
				continue
			}
			e.buckets[i] = int64(n)
			e.count += int64(n)
			lo := int64(0)
			if i > 0 {
				lo = 1 << (i - 1)
			}
			e.min = min(e.min, lo)
			e.max = max(e.max, lo)
		}
	}
	a.Freeze()
	return a, nil
}

// kernel_procs() is the kernel's count per process, a dict by (pid, comm)
// of structs (calls, errors, time_ns), or None when the kernel does not
// count.
func kernelProcsBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	_, k, ok, err := countsArg(t, b, args, kwargs)
	if err != nil || !ok {
		return starlark.None, err
	}
	d := starlark.NewDict(len(k.Procs))
	for _, c := range k.Procs {
		d.SetKey(starlark.Tuple{starlark.MakeInt(c.PID), starlark.String(c.Comm)}, callStats(c.Calls, c.Errors, c.Time, k.Untimed))
	}
	return d, nil
}

// callStats is the struct of calls, errors and time_ns the per-process and
// per-descriptor counts are made of.
func callStats(calls, errors, ns uint64, untimed bool) starlark.Value {
	fields := starlark.StringDict{
		"calls":  starlark.MakeUint64(calls),
		"errors": starlark.MakeUint64(errors),
	}
	if !untimed {
		fields["time_ns"] = starlark.MakeUint64(ns)
	}
	return starlarkstruct.FromStringDict(starlarkstruct.Default, fields)
}

// kernel_errors() is the kernel's count of failed calls per (syscall name,
// errno name), or None when the kernel does not count.
func kernelErrorsBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	p, k, ok, err := countsArg(t, b, args, kwargs)
	if err != nil || !ok {
		return starlark.None, err
	}
	d := starlark.NewDict(len(k.Errors))
	for _, c := range k.Errors {
		name := syscalls.ErrnoName(c.Errno)
		if name == "" {
			name = strconv.Itoa(c.Errno)
		}
		d.SetKey(starlark.Tuple{p.syscallName(int32(c.Nr)), starlark.String(name)}, starlark.MakeUint64(c.Calls))
	}
	return d, nil
}

// kernel_fds() is the kernel's count of calls on descriptors, a dict by
// (pid, fd) of structs (calls, errors, time_ns), or None when the kernel
// does not count.
func kernelFdsBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	_, k, ok, err := countsArg(t, b, args, kwargs)
	if err != nil || !ok {
		return starlark.None, err
	}
	d := starlark.NewDict(len(k.Fds))
	for _, c := range k.Fds {
		d.SetKey(starlark.Tuple{starlark.MakeInt(c.PID), starlark.MakeInt(c.FD)}, callStats(c.Calls, c.Errors, c.Time, k.Untimed))
	}
	return d, nil
}

// histSlot is the slot of a call of ns nanoseconds, as the kernel's.
func histSlot(ns uint64) int {
	return min(bits.Len64(ns/1000), HistSlots-1)
}

// countEvent counts ev for kernel_counts(), kernel_hist() and
// kernel_procs() as the kernel would: finished calls (not one that never
// returns, nor one still blocked at the end).
func (p *Pipeline) countEvent(ev *event.Event) {
	if p.kernelCounts != nil || ev.Kind != event.Syscall || ev.Flags&(event.NoReturn|event.Unfinished|event.Entered) != 0 {
		return
	}
	c := p.userCounts[ev.Nr]
	if c == nil {
		c = &SyscallCount{Nr: int(ev.Nr)}
		p.userCounts[ev.Nr] = c
	}
	failed := ev.Failed()
	c.Calls++
	c.Time += ev.Duration
	c.Hist[histSlot(ev.Duration)]++
	if failed {
		c.Errors++
	}
	pc := p.userProcs[ev.PID]
	if pc == nil {
		pc = &ProcCount{PID: int(ev.PID), Comm: ev.Comm}
		p.userProcs[ev.PID] = pc
	}
	if ev.Ret == 0 && ev.Flags&event.Compat == 0 && isExec(p.syscallName(ev.Nr)) {
		pc.Comm = ev.Comm
	}
	pc.Calls++
	pc.Time += ev.Duration
	if failed {
		pc.Errors++
	}
	if ev.Flags&event.Compat != 0 {
		return // the kernel keeps these for native calls
	}
	if failed {
		ek := errKey{ev.Nr, int32(ev.Errno())}
		ec := p.userErrs[ek]
		if ec == nil {
			ec = &ErrCount{Nr: int(ev.Nr), Errno: ev.Errno()}
			p.userErrs[ek] = ec
		}
		ec.Calls++
	}
	if sc := p.opts.Table.ByNr(int(ev.Nr)); sc != nil && len(sc.Args) > 0 && sc.Args[0].Kind == syscalls.Fd {
		fk := fdKey{ev.PID, int32(ev.Args[0])}
		fc := p.userFds[fk]
		if fc == nil {
			fc = &FdCount{PID: int(ev.PID), FD: int(int32(ev.Args[0]))}
			p.userFds[fk] = fc
		}
		fc.Calls++
		fc.Time += ev.Duration
		if failed {
			fc.Errors++
		}
	}
}

func isExec(name starlark.Value) bool {
	return name == starlark.String("execve") || name == starlark.String("execveat")
}
