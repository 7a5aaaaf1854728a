package engine

import (
	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Capture kinds and syscall flags of struct sc_desc (bpf/tracer.bpf.c).
const (
	capStr       = 1
	capBufIn     = 2
	capBufOut    = 3
	capStructIn  = 4
	capStructOut = 5

	scNoReturn     = 1 << 0
	scHasEnterCap  = 1 << 1
	scHasExitCap   = 1 << 2
	maxKernelNr    = 1024
	defaultBufSize = 32
)

// describe turns a syscall's argument kinds into the kernel's capture
// description: which arguments to read, when, and how much.
func describe(sc *syscalls.Syscall, captureBuffers bool) bpf.TracerScDesc {
	var d bpf.TracerScDesc
	if sc.NoReturn {
		d.Flags |= scNoReturn
	}
	for i, a := range sc.Args {
		if i >= len(d.Cap) {
			break
		}
		c := &d.Cap[i]
		switch a.Kind {
		case syscalls.Path, syscalls.Str:
			c.Kind = capStr
			d.Flags |= scHasEnterCap
		case syscalls.BufIn:
			if !captureBuffers || a.SizeArg < 0 || int(a.SizeArg) >= len(sc.Args) {
				continue
			}
			c.Kind, c.SizeArg = capBufIn, uint8(a.SizeArg)
			d.Flags |= scHasEnterCap
		case syscalls.StructIn:
			if !captureBuffers || a.Size == 0 {
				continue
			}
			c.Kind, c.Size = capStructIn, a.Size
			d.Flags |= scHasEnterCap
		case syscalls.BufOut:
			if !captureBuffers {
				continue
			}
			c.Kind = capBufOut
			d.Flags |= scHasExitCap
		case syscalls.StructOut:
			if !captureBuffers || a.Size == 0 {
				continue
			}
			c.Kind, c.Size = capStructOut, a.Size
			d.Flags |= scHasExitCap
		}
	}
	return d
}
