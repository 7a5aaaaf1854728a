package script

import (
	"sort"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// SyscallCount is what the kernel counted for one syscall (-c, -C counted
// in the kernel): finished calls, the failed ones, their time in ns.
type SyscallCount struct {
	Nr                  int
	Calls, Errors, Time uint64
}

// SetKernelCounts makes kernel_counts() read the kernel's counts through
// fn. Without it, kernel_counts() is the host's counts for a stage that
// declared trace(counts = True), else None.
func (p *Pipeline) SetKernelCounts(fn func() ([]SyscallCount, error)) { p.kernelCounts = fn }

func init() {
	hostBuiltins["kernel_counts"] = starlark.NewBuiltin("kernel_counts", kernelCountsBuiltin)
}

// kernel_counts() is the kernel's count per syscall, a dict by name of
// structs (nr, calls, errors, time_ns), or None when the kernel does not
// count.
func kernelCountsBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	var counts []SyscallCount
	switch {
	case p.kernelCounts != nil:
		var err error
		if counts, err = p.kernelCounts(); err != nil {
			return nil, err
		}
	case p.userCounts != nil:
		for _, c := range p.userCounts {
			counts = append(counts, *c)
		}
	default:
		return starlark.None, nil
	}
	sort.Slice(counts, func(i, j int) bool { return counts[i].Nr < counts[j].Nr })
	d := starlark.NewDict(len(counts))
	for _, c := range counts {
		d.SetKey(p.syscallName(int32(c.Nr)), starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{
			"nr":      starlark.MakeInt(c.Nr),
			"calls":   starlark.MakeUint64(c.Calls),
			"errors":  starlark.MakeUint64(c.Errors),
			"time_ns": starlark.MakeUint64(c.Time),
		}))
	}
	return d, nil
}

// countEvent counts ev for kernel_counts() as the kernel would: finished
// calls (not one that never returns, nor one still blocked at the end).
func (p *Pipeline) countEvent(ev *event.Event) {
	if p.kernelCounts != nil || ev.Kind != event.Syscall || ev.Flags&(event.NoReturn|event.Unfinished|event.Entered) != 0 {
		return
	}
	c := p.userCounts[ev.Nr]
	if c == nil {
		c = &SyscallCount{Nr: int(ev.Nr)}
		p.userCounts[ev.Nr] = c
	}
	c.Calls++
	c.Time += ev.Duration
	if ev.Failed() {
		c.Errors++
	}
}
