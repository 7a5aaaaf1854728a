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
	capArgv      = 6
	capCount     = 7
	capSockaddr  = 8
	capSigmask   = 9
	capDirents   = 10

	pathMax = 4096

	sockaddrMax = 128 // bytes of a socket address captured

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
	if sc.Name == "rt_sigreturn" && captureBuffers {
		// strace prints the mask the call restores, from the signal
		// frame on the stack.
		d.Cap[0].Kind = capSigmask
		d.Flags |= scHasEnterCap
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
			if a.Decoder == "struct sockaddr" {
				c.Size = sockaddrMax // whole, not cut at BufSize
			}
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
			switch a.Decoder {
			case "path": // getcwd: a path, shown whole
				c.Size = pathMax
			case "dirents": // getdents: only the number of entries
				c.Kind = capDirents
			}
			d.Flags |= scHasExitCap
		case syscalls.StrArray:
			if !captureBuffers {
				continue
			}
			// execve: argv's strings, envp's length (strace prints
			// "/* 35 vars */").
			c.Kind = capArgv
			if a.Name == "envp" {
				c.Kind = capCount
			}
			d.Flags |= scHasEnterCap
		case syscalls.Ptr:
			// accept, getsockname, recvfrom: a sockaddr whose length
			// is behind the next argument.
			if !captureBuffers || a.Decoder != "struct sockaddr" || i+1 >= len(sc.Args) {
				continue
			}
			c.Kind, c.SizeArg = capSockaddr, uint8(i+1)
			d.Flags |= scHasEnterCap | scHasExitCap
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
