package filter

import (
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// FuzzKeepFds holds made-up syscall events (any number, either mode, any
// captured bytes for poll's and select's sets) to trace-fds= sets.
func FuzzKeepFds(f *testing.F) {
	f.Add(uint16(7), false, uint64(0x1000), uint64(2), uint64(0), uint64(0), uint64(9), []byte{9, 0, 0, 0, 1, 0, 0, 0}, uint8(0))
	f.Add(uint16(270), false, uint64(10), uint64(0x1000), uint64(0), uint64(0x2000), uint64(0), []byte{8, 2, 0, 0, 0, 0, 0, 0}, uint8(1))
	f.Add(uint16(90), true, uint64(0x1000), uint64(1), uint64(2), uint64(3), uint64(9), []byte{}, uint8(2))
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, nr uint16, compat bool, a0, a1, a2, a3, a4 uint64, b []byte, set uint8) {
		ev := &event.Event{Kind: event.Syscall, Nr: int32(nr), Args: [6]uint64{a0, a1, a2, a3, a4}}
		if compat {
			ev.Flags |= event.Compat
		}
		ev.Data = []event.Data{{Arg: uint8(set>>2) % 6, Kind: event.BufIn, Bytes: b}}
		var fl Filter
		fl.SetFds(tab, map[int]bool{-1: set&1 != 0, 9: set&2 == 0})
		fl.Keep(ev)
		if sc := tab.Personality(compat).ByNr(int(nr)); sc != nil {
			for _, i := range FdArgs(sc, compat) {
				if i < 0 || i >= 6 {
					t.Fatalf("%s: FdArgs has position %d", sc.Name, i)
				}
			}
		}
	})
}
