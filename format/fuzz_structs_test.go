package format

import (
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// addStructSeeds adds structSeeds to FuzzStraceSyscall's corpus, each
// with and without -v (which prints what strace abbreviates) and with a
// successful and a failed return.
func addStructSeeds(f *testing.F) {
	tab := fuzzTables[0]
	for _, ev := range structSeeds() {
		sel := uint16(0)
		for i, sc := range tab.All() {
			if sc.Nr == int(ev.Nr) {
				sel = uint16(i)
			}
		}
		for _, o := range []uint16{0x5, 0xd} {
			for _, ret := range []int64{0, -22} {
				f.Add(uint8(0), sel, uint16(0), ev.Args[0], ev.Args[1], ev.Args[2], ev.Args[3], ev.Args[4], ev.Args[5], ret, packData(ev.Data), o)
			}
		}
	}
}

// structSeeds are seed events for the struct printers behind an operation
// (seccomp's and prctl's filter programs, quotactl's and
// io_uring_register's structs), so that the fuzzer starts inside them.
func structSeeds() []event.Event {
	tab := fuzzTables[0]
	nr := func(name string) int32 { return int32(tab.ByName(name).Nr) }
	prog := fprog(3, 0x7ffd1000, [4]uint32{0x20, 0, 0, 4}, [4]uint32{0x15, 0, 1, 0xc000003e}, [4]uint32{0x06, 0, 0, 0x7fff0000})
	in := func(arg uint8, b []byte) event.Data { return event.Data{Arg: arg, Kind: event.BufIn, Bytes: b} }
	out := func(arg uint8, b []byte) event.Data { return event.Data{Arg: arg, Kind: event.BufOut, Bytes: b} }
	probe := make([]byte, 16+4*8)
	probe[0], probe[1] = 46, 4
	var evs []event.Event
	add := func(name string, args [6]uint64, data ...event.Data) {
		evs = append(evs, event.Event{Kind: event.Syscall, Nr: nr(name), Args: args, Data: data})
	}
	add("seccomp", [6]uint64{1, 0, 0x1000}, in(2, prog))
	add("prctl", [6]uint64{22, 2, 0x1000}, in(2, prog))
	for _, q := range []uint64{0x800002, 0x800004, 0x800005, 0x800006, 0x800007, 0x800008, 0x800009, 0x5801, 0x5803, 0x5804, 0x5805, 0x5806, 0x5808} {
		b := make([]byte, 160)
		add("quotactl", [6]uint64{q << 8, 0x1000, 1000, 0x2000}, in(3, b), out(3, b))
		add("quotactl_fd", [6]uint64{3, q<<8 | 1, 1000, 0x2000}, in(3, b[:72]), out(3, b[:72]))
	}
	for _, op := range []uint64{0, 2, 6, 8, 11, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23} {
		add("io_uring_register", [6]uint64{3, op, 0x1000, 4}, in(2, probe), out(2, probe))
	}
	return evs
}
