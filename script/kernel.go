package script

import (
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// SyscallCount is what the kernel counted for one syscall (-c, -C counted
// in the kernel): finished calls, the failed ones, their time in ns.
type SyscallCount struct {
	Nr                  int
	Calls, Errors, Time uint64
}

// SetKernelCounts makes kernel_counts() read the kernel's counts through
// fn. Without it, kernel_counts() is None: nothing is counted in the
// kernel (a replay, or a session whose counts need every event).
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
	if p.kernelCounts == nil {
		return starlark.None, nil
	}
	counts, err := p.kernelCounts()
	if err != nil {
		return nil, err
	}
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
