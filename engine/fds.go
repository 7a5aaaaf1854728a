package engine

import (
	"fmt"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// fd_args's bits (enum shared_bits in bpf/tracer.h): FD_RET, a return
// value that is a descriptor; FD_DIRFD_SHIFT, where the directory
// descriptors' bits start (their AT_FDCWD is the working directory);
// FD_PAIR, two descriptors written at argument mask>>FD_PAIR_SHIFT (pipe,
// socketpair).
const (
	fdRet        = uint16(bpf.TracerSharedBitsFD_RET)
	fdPair       = uint16(bpf.TracerSharedBitsFD_PAIR)
	fdDirfdShift = int(bpf.TracerSharedBitsFD_DIRFD_SHIFT)
	fdPairShift  = int(bpf.TracerSharedBitsFD_PAIR_SHIFT)
)

// fdArgMask is the kernel's fd_args entry of a syscall: bit i for a
// descriptor argument i, fdRet when it returns a new descriptor.
func fdArgMask(sc *syscalls.Syscall) uint16 {
	var m uint16
	for i, a := range sc.Args {
		if i < 6 && (a.Kind == syscalls.Fd || a.Kind == syscalls.Dirfd) {
			m |= 1 << i
		}
		if i < 6 && a.Kind == syscalls.Dirfd {
			m |= 1 << (fdDirfdShift + i)
		}
		if i < 4 && a.Printer == syscalls.PrintIntPair {
			m |= fdPair | uint16(i)<<fdPairShift
		}
	}
	if sc.Ret == syscalls.RetFd {
		m |= fdRet
	}
	return m
}

// writeFdArgs fills fd_args for -y.
func (s *Session) writeFdArgs(tab *syscalls.Table, maxNr int) error {
	if !s.cfg.DecodeFds {
		return nil
	}
	for _, sc := range tab.All() {
		if sc.Nr < 0 || sc.Nr >= maxNr {
			continue
		}
		if m := fdArgMask(sc); m != 0 {
			if err := s.objs.FdArgs.Put(uint32(sc.Nr), m); err != nil {
				return fmt.Errorf("writing descriptor table entry %s: %w", sc.Name, err)
			}
		}
	}
	return nil
}
