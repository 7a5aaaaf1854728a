package script

import (
	"fmt"
	"sort"
	"strings"

	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/filter"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Decl is what a stage declared with trace(): the events it wants (a
// filter.Filter, the same type as the session's filter) and what it needs
// captured. The pipeline drops every other event in front of the stage;
// the engine pushes what it can of the first declarations into the kernel
// (Pushdown).
type Decl struct {
	Filter  filter.Filter
	Buffers int // bytes of buffers and structs to capture; 0 for none
	// Fds: the kernel describes each call's descriptors (what -y shows),
	// for ev.fds and ev.fd_path().
	Fds bool
	// Counts: the stage sees no event; it reads kernel_counts(),
	// kernel_hist() and kernel_procs(), counted
	// in the kernel when the session can (no record per call), else by
	// the host from the events that reach the stage.
	Counts bool
}

// trace(syscalls=None, failed=None, pids=None, comms=None) declares, at load
// time, which events the stage wants.
func traceBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var sys, pids, comms starlark.Value = starlark.None, starlark.None, starlark.None
	var failed starlark.Value = starlark.None
	var buffers starlark.Value = starlark.False
	var counts, fds bool
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "syscalls?", &sys, "failed?", &failed, "pids?", &pids, "comms?", &comms, "buffers?", &buffers, "counts?", &counts, "fds?", &fds); err != nil {
		return nil, err
	}
	if t.Local(loadTimeKey) == nil {
		return nil, fmt.Errorf("%s: call it at the top level of the script, when it loads", b.Name())
	}
	in, _ := t.Local(stageKey).(*stageInfo)
	if in == nil {
		return nil, fmt.Errorf("%s: not in a script", b.Name())
	}
	if in.decl != nil {
		return nil, fmt.Errorf("%s: called twice; declare everything in one call", b.Name())
	}
	p := pipelineOf(t)
	d := &Decl{Counts: counts, Fds: fds}
	switch v := buffers.(type) {
	case starlark.Bool:
		if v {
			d.Buffers = 4096
		}
	case starlark.Int:
		n, ok := v.Int64()
		if !ok || n < 0 || n > 1<<20 {
			return nil, fmt.Errorf("%s: buffers: %s is not a size from 0 to 1048576", b.Name(), v)
		}
		d.Buffers = int(n)
	default:
		return nil, fmt.Errorf("%s: buffers: got %s, want bool or int", b.Name(), buffers.Type())
	}
	switch failed {
	case starlark.None:
	case starlark.True:
		d.Filter.SetStatus(filter.Failed)
	case starlark.False:
		// Calls that never returned did not fail.
		d.Filter.SetStatus(filter.Successful | filter.Unfinished)
	default:
		return nil, fmt.Errorf("%s: failed: got %s, want bool or None", b.Name(), failed.Type())
	}
	if sys != starlark.None {
		names, err := stringList(b.Name(), "syscalls", sys)
		if err != nil {
			return nil, err
		}
		tab, tab32 := p.opts.Table, p.opts.Table.Compat()
		set, set32 := map[int]bool{}, map[int]bool{}
		for _, n := range names {
			if strings.HasPrefix(n, "%") {
				found := false
				cl, ok := syscalls.ClassByName(n)
				for _, sc := range tab.All() {
					if ok && sc.Classes&cl != 0 {
						set[sc.Nr] = true
						found = true
					}
				}
				for _, sc := range tab32.All() {
					if ok && sc.Classes&cl != 0 {
						set32[sc.Nr] = true
					}
				}
				if !found {
					return nil, fmt.Errorf("%s: unknown syscall class %q", b.Name(), n)
				}
				continue
			}
			sc, sc32 := tab.ByName(n), tab32.ByName(n)
			if sc == nil && sc32 == nil {
				return nil, fmt.Errorf("%s: unknown syscall %q", b.Name(), n)
			}
			if sc != nil {
				set[sc.Nr] = true
			}
			if sc32 != nil {
				set32[sc32.Nr] = true
			}
		}
		d.Filter.SetSyscalls(tab, set, set32)
	}
	// A stage that named its calls or their status sees calls only: no
	// process exits, no signals.
	d.Filter.SetCallsOnly(sys != starlark.None || failed != starlark.None)
	if pids != starlark.None {
		list, err := intList(b.Name(), "pids", pids)
		if err != nil {
			return nil, err
		}
		d.Filter.SetPIDs(list)
	}
	if comms != starlark.None {
		names, err := stringList(b.Name(), "comms", comms)
		if err != nil {
			return nil, err
		}
		for i, c := range names {
			if len(c) > 15 {
				names[i] = c[:15] // the kernel's comm is 15 bytes
			}
		}
		d.Filter.SetComms(names)
	}
	in.decl = d
	return starlark.None, nil
}

func stringList(fn, what string, v starlark.Value) ([]string, error) {
	if s, ok := v.(starlark.String); ok {
		return []string{string(s)}, nil
	}
	it, ok := v.(starlark.Iterable)
	if !ok {
		return nil, fmt.Errorf("%s: %s: got %s, want a list of strings", fn, what, v.Type())
	}
	var out []string
	iter := it.Iterate()
	defer iter.Done()
	var x starlark.Value
	for iter.Next(&x) {
		s, ok := starlark.AsString(x)
		if !ok {
			return nil, fmt.Errorf("%s: %s: got %s in the list, want string", fn, what, x.Type())
		}
		out = append(out, s)
	}
	return out, nil
}

func intList(fn, what string, v starlark.Value) ([]int, error) {
	if _, ok := v.(starlark.Int); ok {
		v = starlark.NewList([]starlark.Value{v})
	}
	it, ok := v.(starlark.Iterable)
	if !ok {
		return nil, fmt.Errorf("%s: %s: got %s, want a list of ints", fn, what, v.Type())
	}
	var out []int
	iter := it.Iterate()
	defer iter.Done()
	var x starlark.Value
	for iter.Next(&x) {
		var n int
		if err := starlark.AsInt(x, &n); err != nil {
			return nil, fmt.Errorf("%s: %s: got %s in the list, want int", fn, what, x.Type())
		}
		out = append(out, n)
	}
	return out, nil
}

// KernelFilter is what the pipeline lets the kernel drop without changing
// what any stage sees.
type KernelFilter struct {
	Syscalls   []int // nil means all
	FailedOnly bool
	Buffers    int  // capture buffers and structs, up to this many bytes; 0 for none
	Fds        bool // describe the descriptors (a stage declared trace(fds = True))
	// Counts: the first stage only counts (trace(counts = True)) and the
	// kernel can do it for it: no stage needs a record per call.
	Counts bool
	// CountAggs: with Counts, a script reads kernel_hist() or
	// kernel_procs(): the kernel keeps them too (they cost it more per
	// call than the counts alone).
	CountAggs bool
	// CountTimes: with Counts, a script names time_ns or kernel_hist:
	// the kernel times the calls (two clock reads per call).
	CountTimes bool
}

// Pushdown combines the declarations that can run in the kernel: those of
// the stages up to and including the first one that sees events through
// on_syscall (a stage without on_syscall only filters, so the next one's
// declaration applies to the same events). Process hooks need execve and
// exit events whatever the declarations say, so with them the syscall set
// grows by those calls and the status filter stays in user space.
func (p *Pipeline) Pushdown() KernelFilter {
	var kf KernelFilter
	var set map[int]bool
	for _, st := range p.stages {
		if d := st.info().decl; d != nil {
			kf.Buffers = max(kf.Buffers, d.Buffers)
			kf.Fds = kf.Fds || d.Fds
		}
	}
	for _, st := range p.stages {
		in := st.info()
		if d := in.decl; d != nil {
			k := d.Filter.Kernel()
			if k.Syscalls != nil {
				if set == nil {
					set = map[int]bool{}
					for _, nr := range k.Syscalls {
						set[nr] = true
					}
				} else {
					for nr := range set {
						if !d.Filter.WantsNr(int32(nr)) {
							delete(set, nr)
						}
					}
				}
			}
			if k.FailedOnly {
				kf.FailedOnly = true
			}
		}
		if in.has[hookSyscall] {
			break
		}
	}
	if len(p.stages) > 0 && !p.procHooks {
		// The first stage only counts, and the kernel applies its whole
		// declaration: the kernel counts what it would have seen.
		if d := p.stages[0].info().decl; d != nil && d.Counts && d.Filter.KernelDecides() {
			kf.Counts = true
			kf.CountAggs = p.readsAggs
			kf.CountTimes = p.readsTimes
		}
	}
	if p.procHooks {
		kf.FailedOnly = false
		if set != nil {
			for _, n := range procSyscalls {
				if sc := p.opts.Table.ByName(n); sc != nil {
					set[sc.Nr] = true
				}
			}
		}
	}
	if set != nil {
		kf.Syscalls = make([]int, 0, len(set))
		for nr := range set {
			kf.Syscalls = append(kf.Syscalls, nr)
		}
		sort.Ints(kf.Syscalls)
	}
	return kf
}

// Explain describes where each filter runs: the kernel filter after -e and
// -X (kernelNrs nil means every syscall) and what each stage does.
func (p *Pipeline) Explain(w *strings.Builder, kernelNrs []int, kernelFailed bool) {
	tab := p.opts.Table
	fmt.Fprintln(w, "In the kernel (BPF, before the ring buffer):")
	if kernelNrs == nil {
		fmt.Fprintln(w, "  syscalls: all")
	} else {
		names := make([]string, 0, len(kernelNrs))
		for _, nr := range kernelNrs {
			names = append(names, tab.Name(nr))
		}
		fmt.Fprintf(w, "  syscalls: %s (%d of %d)\n", strings.Join(names, ","), len(names), len(tab.All()))
	}
	if kernelFailed {
		fmt.Fprintln(w, "  status:   failed calls only")
	} else {
		fmt.Fprintln(w, "  status:   all")
	}
	fmt.Fprintln(w, "In user space, per stage (in order):")
	for i, st := range p.stages {
		in := st.info()
		var hooks []string
		for h, ok := range in.has {
			if ok {
				hooks = append(hooks, hookSpecs[h].name)
			}
		}
		fmt.Fprintf(w, "  %d. %s (%s): hooks %s\n", i+1, in.name, in.lang, orNone(hooks))
		d := in.decl
		if d == nil {
			fmt.Fprintln(w, "     declared: nothing (sees every event that reaches it)")
			continue
		}
		var parts []string
		if nrs := d.Filter.Syscalls(); nrs != nil {
			names := make([]string, 0, len(nrs))
			for _, nr := range nrs {
				names = append(names, tab.Name(nr))
			}
			parts = append(parts, "syscalls="+strings.Join(names, ","))
		}
		switch d.Filter.Status() {
		case filter.Failed:
			parts = append(parts, "failed=True")
		case filter.Successful | filter.Unfinished:
			parts = append(parts, "failed=False")
		}
		if pids := d.Filter.PIDs(); pids != nil {
			var ps []string
			for pid := range pids {
				ps = append(ps, fmt.Sprint(pid))
			}
			sortStrings(ps)
			parts = append(parts, "pids="+strings.Join(ps, ",")+" (user space)")
		}
		if d.Buffers > 0 {
			parts = append(parts, fmt.Sprintf("buffers=%d (captured in the kernel)", d.Buffers))
		}
		if d.Fds {
			parts = append(parts, "fds=True (descriptors described in the kernel)")
		}
		if d.Counts {
			parts = append(parts, "counts=True (sees no event: kernel_counts() and kernel_hist() per syscall, kernel_procs() per process, kernel_fds() per descriptor, kernel_errors() per errno, counted in the kernel when it can be, else here)")
		}
		if comms := d.Filter.Comms(); comms != nil {
			var cs []string
			for c := range comms {
				cs = append(cs, c)
			}
			sortStrings(cs)
			parts = append(parts, "comms="+strings.Join(cs, ",")+" (user space)")
		}
		fmt.Fprintf(w, "     declared: %s; checked again in front of the stage\n", strings.Join(parts, " "))
	}
	if p.procHooks {
		fmt.Fprintln(w, "Process hooks (on_exec, on_exit_process) come from execve/execveat and exit/exit_group events, kept in the kernel filter for them.")
	}
	if p.ticking {
		fmt.Fprintf(w, "on_tick runs every %s of trace time.\n", p.opts.Interval)
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func sortStrings(s []string) { sort.Strings(s) }

func readFile(name string) ([]byte, error) { return readScript(name) }
