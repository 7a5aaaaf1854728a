package engine

import (
	"math/bits"
	"os"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Capture kinds and syscall flags of struct sc_desc: short names for the
// constants bpf2go generates from enum cap_kind and enum sc_flags in
// bpf/tracer.bpf.c.
const (
	capStr       = bpf.TracerCapKindCAP_STR
	capBufIn     = bpf.TracerCapKindCAP_BUF_IN
	capBufOut    = bpf.TracerCapKindCAP_BUF_OUT
	capStructIn  = bpf.TracerCapKindCAP_STRUCT_IN
	capStructOut = bpf.TracerCapKindCAP_STRUCT_OUT
	capArgv      = bpf.TracerCapKindCAP_ARGV
	capCount     = bpf.TracerCapKindCAP_COUNT
	capSockaddr  = bpf.TracerCapKindCAP_SOCKADDR
	capSigmask   = bpf.TracerCapKindCAP_SIGMASK
	capDirents   = bpf.TracerCapKindCAP_DIRENTS
	capArrayIn   = bpf.TracerCapKindCAP_ARRAY_INOUT
	capArrayOut  = bpf.TracerCapKindCAP_ARRAY_OUT
	capIovIn     = bpf.TracerCapKindCAP_IOV_IN
	capIovOut    = bpf.TracerCapKindCAP_IOV_OUT
	capIoctl     = bpf.TracerCapKindCAP_IOCTL
	capStructIO  = bpf.TracerCapKindCAP_STRUCT_INOUT
	capMsghdrIn  = bpf.TracerCapKindCAP_MSGHDR_IN
	capMsghdrOut = bpf.TracerCapKindCAP_MSGHDR_OUT
	capFdsets    = bpf.TracerCapKindCAP_FDSETS
	capDeref     = bpf.TracerCapKindCAP_STRUCT_DEREF
	capStructErr = bpf.TracerCapKindCAP_STRUCT_OUT_ERR
	capMmsg      = bpf.TracerCapKindCAP_MMSG
	capPrctl     = bpf.TracerCapKindCAP_PRCTL
	capClone     = bpf.TracerCapKindCAP_CLONE_ARGS
	capPageVec   = bpf.TracerCapKindCAP_PAGEVEC
	capEnvp      = bpf.TracerCapKindCAP_ENVP
	capSeccomp   = bpf.TracerCapKindCAP_SECCOMP
	capOp        = bpf.TracerCapKindCAP_OP_ARG

	scNoReturn    = bpf.TracerScFlagsSC_NORETURN
	scHasEnterCap = bpf.TracerScFlagsSC_HAS_ENTER_CAP
	scHasExitCap  = bpf.TracerScFlagsSC_HAS_EXIT_CAP
	scErrCap      = bpf.TracerScFlagsSC_ERR_CAP   // an exit capture that is read when the call fails
	scSockFd      = bpf.TracerScFlagsSC_SOCK_FD   // args[0] is a socket: a netlink one's messages are read whole
	scFd0         = bpf.TracerScFlagsSC_FD0       // args[0] is a descriptor: counted per (process, fd) for kernel_fds()
	scChildRet    = bpf.TracerScFlagsSC_CHILD_RET // returns 0 a second time, in the new child or thread

	ioctlAtEnter = bpf.TracerIoctlCapIOCTL_AT_ENTER // ioctl_caps: read the argument at enter
)

const (
	pathMax = 4096

	sockaddrMax    = 128 // bytes of a socket address captured
	cpuSetMax      = 128 // bytes of a CPU mask captured (1024 CPUs, glibc's cpu_set_t)
	defaultBufSize = 32
)

// childReturns are the calls that return twice: in the caller, and with 0
// in the new child or thread, which never entered them (the lean count at
// sys_exit skips that return, as a count from enter to exit does).
var childReturns = map[string]bool{"fork": true, "vfork": true, "clone": true, "clone3": true}

// describe turns a syscall's argument kinds into the kernel's capture
// description: which arguments to read, when, and how much.
func describe(sc *syscalls.Syscall, captureBuffers bool) bpf.TracerScDesc {
	var d bpf.TracerScDesc
	if sc.NoReturn {
		d.Flags |= scNoReturn
	}
	if len(sc.Args) > 0 && sc.Args[0].Kind == syscalls.Fd {
		d.Flags |= scFd0
	}
	if childReturns[sc.Name] {
		d.Flags |= scChildRet
	}
	if sc.Capture == syscalls.CallCaptureNetlink && captureBuffers {
		d.Flags |= scSockFd
	}
	if sc.Capture == syscalls.CallCaptureSigframe && captureBuffers {
		// strace prints the mask the call restores, from the signal
		// frame on the stack.
		d.Cap[0].Kind = capSigmask
	}
	for i, a := range sc.Args {
		if i >= len(d.Cap) {
			break
		}
		c := &d.Cap[i]
		if !captureBuffers && a.Kind != syscalls.Path && a.Kind != syscalls.Str {
			continue // without buffer capture, only strings are read
		}
		if k, sa, size, ok := describeOp(sc, a); ok {
			c.Kind, c.SizeArg, c.Size = k, sa, size
			continue
		}
		switch a.Kind {
		case syscalls.Path, syscalls.Str:
			c.Kind = capStr
		case syscalls.BufIn:
			if a.SizeArg < 0 || int(a.SizeArg) >= len(sc.Args) {
				continue
			}
			c.Kind, c.SizeArg = capBufIn, uint8(a.SizeArg)
			switch a.Capture {
			case syscalls.CaptureSockaddr:
				c.Size = sockaddrMax // whole, not cut at BufSize
			case syscalls.CaptureCpuSet: // sched_setaffinity: a bitmask, whole
				c.Size = cpuSetMax
			}
		case syscalls.StructIn:
			if a.Size == 0 {
				continue
			}
			c.Kind, c.Size = capStructIn, a.Size
		case syscalls.CloneArgs:
			// clone3: the struct and its set_tid array at enter, the
			// pidfd at exit.
			if a.Size == 0 || a.SizeArg < 0 || int(a.SizeArg) >= len(sc.Args) {
				continue
			}
			c.Kind, c.Size, c.SizeArg = capClone, a.Size, uint8(a.SizeArg)
		case syscalls.PageVec:
			// mincore: a byte per page, Size the page shift.
			if a.SizeArg < 0 || int(a.SizeArg) >= len(sc.Args) {
				continue
			}
			c.Kind, c.Size, c.SizeArg = capPageVec, uint16(bits.TrailingZeros(uint(os.Getpagesize()))), uint8(a.SizeArg)
		case syscalls.StructDeref:
			// pselect6's sigmask: the struct and the set it points to.
			c.Kind, c.Size = capDeref, a.Size
		case syscalls.StructOutErr:
			// nanosleep's rmtp: read at exit only when the call failed.
			c.Kind, c.Size = capStructErr, a.Size
		case syscalls.MmsgOut:
			// sendmmsg, recvmmsg: the vector as far as it was sent or
			// received, at exit.
			c.Kind = capMmsg
		case syscalls.PrctlArg:
			// A string, a buffer or a number by option: the kernel side
			// decides.
			c.Kind = capPrctl
		case syscalls.BufOut:
			c.Kind = capBufOut
			switch a.Capture {
			case syscalls.CapturePath: // getcwd: a path, shown whole
				c.Size = pathMax
			case syscalls.CaptureDirents: // getdents: only the number of entries
				c.Kind = capDirents
			case syscalls.CaptureCpuSet: // sched_getaffinity: a bitmask, whole
				c.Size = cpuSetMax
			}
		case syscalls.StrArray:
			// execve: argv's strings, envp's length (strace prints
			// "/* 35 vars */").
			c.Kind = capArgv
			if a.Capture == syscalls.CaptureEnvCount {
				c.Kind = capCount
			}
		case syscalls.Ptr:
			// accept, getsockname, recvfrom: a sockaddr whose length
			// is behind the next argument.
			// getsockopt: the option's value, the same way.
			if a.Capture != syscalls.CaptureSockaddr && a.Capture != syscalls.CaptureSockopt || i+1 >= len(sc.Args) {
				continue
			}
			c.Kind, c.SizeArg = capSockaddr, uint8(i+1)
		case syscalls.StructOut:
			if a.Size == 0 {
				continue
			}
			c.Kind, c.Size = capStructOut, a.Size
		case syscalls.StructInOut:
			if a.Size == 0 {
				continue
			}
			c.Kind, c.Size = capStructIO, a.Size
			if a.Capture == syscalls.CaptureSeccomp {
				// SECCOMP_SET_MODE_FILTER's program: the sock_fprog
				// and its instructions.
				c.Kind = capSeccomp
			}
		case syscalls.ArrayInOut, syscalls.IovIn, syscalls.IovOut, syscalls.IoctlArg, syscalls.FdSets:
			if a.SizeArg < 0 || int(a.SizeArg) >= len(sc.Args) {
				continue
			}
			c.SizeArg = uint8(a.SizeArg)
			switch a.Kind {
			case syscalls.ArrayInOut:
				if a.Size == 0 {
					continue
				}
				c.Kind, c.Size = capArrayIn, a.Size
			case syscalls.IovIn:
				c.Kind = capIovIn
			case syscalls.IovOut:
				c.Kind = capIovOut
			case syscalls.IoctlArg:
				c.Kind = capIoctl
			case syscalls.FdSets:
				c.Kind = capFdsets
			}
		case syscalls.MsghdrIn:
			c.Kind = capMsghdrIn
		case syscalls.MsghdrOut:
			c.Kind = capMsghdrOut
		case syscalls.ArrayOut:
			if a.Size == 0 {
				continue
			}
			c.Kind, c.Size = capArrayOut, a.Size
		}
	}
	for _, c := range d.Cap {
		d.Flags |= phaseFlags(c.Kind)
	}
	return d
}

// ioctlCap is an ioctl command whose argument the kernel side reads: size
// bytes, at enter (the kernel reads it) or at exit on success (it writes it).
type ioctlCap struct {
	cmd   uint32
	size  uint16
	enter bool
}

// ioctlCaps are the commands the strace format decodes (same numbers on
// amd64 and arm64).
var ioctlCaps = []ioctlCap{
	{0x5401, 36, false},    // TCGETS: struct termios
	{0x5402, 36, true},     // TCSETS
	{0x5403, 36, true},     // TCSETSW
	{0x5404, 36, true},     // TCSETSF
	{0x540f, 4, false},     // TIOCGPGRP: pid_t
	{0x5410, 4, true},      // TIOCSPGRP
	{0x5411, 4, false},     // TIOCOUTQ: int
	{0x5413, 8, false},     // TIOCGWINSZ: struct winsize
	{0x5414, 8, true},      // TIOCSWINSZ
	{0x541b, 4, false},     // FIONREAD: int
	{0x5421, 4, true},      // FIONBIO: int
	{0x5429, 4, false},     // TIOCGSID: pid_t
	{0x80045430, 4, false}, // TIOCGPTN: unsigned int
	{0x40045431, 4, true},  // TIOCSPTLCK: int
}
