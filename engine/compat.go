package engine

import (
	"fmt"
	"os"
	"runtime"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// compatBase is SC_COMPAT_BASE: a 32-bit call's key in sc_table and
// sc_filter is its number plus this, below it are the native calls.
const compatBase = int(bpf.TracerScKeySC_COMPAT_BASE)

// putTable writes tab's capture descriptions into sc_table from key base.
func (s *Session) putTable(tab *syscalls.Table, base int) error {
	for _, sc := range tab.All() {
		if sc.Nr < 0 || sc.Nr >= compatBase {
			continue
		}
		d := describe(sc, s.cfg.CaptureBuffers)
		if s.cfg.FullEnv && base == 0 {
			fullEnv(sc, &d) // -v: execve's environment whole
		}
		if err := s.objs.ScTable.Put(uint32(base+sc.Nr), &d); err != nil {
			return fmt.Errorf("writing syscall table entry %s (%s): %w", sc.Name, tab.Arch(), err)
		}
	}
	return nil
}

// putFilter writes the traced syscalls into sc_filter: Syscalls, and
// Syscalls32 (all 32-bit calls when nil) from compatBase.
func (s *Session) putFilter(tab *syscalls.Table) error {
	if s.cfg.Syscalls == nil {
		return nil
	}
	put := func(nr, base int) error {
		if nr < 0 || nr >= compatBase {
			return fmt.Errorf("writing syscall filter: number %d out of range", nr)
		}
		if err := s.objs.ScFilter.Put(uint32(base+nr), uint8(1)); err != nil {
			return fmt.Errorf("writing syscall filter: %w", err)
		}
		return nil
	}
	for _, nr := range s.cfg.Syscalls {
		if err := put(nr, 0); err != nil {
			return err
		}
	}
	compat := s.cfg.Syscalls32
	if compat == nil {
		for _, sc := range tab.Compat().All() {
			compat = append(compat, sc.Nr)
		}
	}
	for _, nr := range compat {
		if err := put(nr, compatBase); err != nil {
			return err
		}
	}
	return nil
}

// compatCall says whether the call a thread is blocked in, returning to pc,
// was made in 32-bit mode (/proc/PID/task/TID/syscall then gives i386's
// number and registers): every such call returns right after an int $0x80,
// an i386 program's through the vDSO's landing pad too, whatever
// instruction entered it. mem is the thread's /proc mem file.
func compatCall(mem string, pc uint64) bool {
	if runtime.GOARCH != "amd64" || pc < 2 {
		return false
	}
	f, err := os.Open(mem)
	if err != nil {
		return false
	}
	defer f.Close()
	var insn [2]byte
	_, err = f.ReadAt(insn[:], int64(pc-2))
	return err == nil && insn == [2]byte{0xcd, 0x80}
}
