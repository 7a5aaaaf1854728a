package format

import (
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// FuzzStraceOptionSets formats made-up syscall events under the options
// of strace's -e raw=, verbose=, abbrev= and --decode-fds=SET (each call
// in or out of each set, every kind of descriptor), alone and through a
// Strace with memory.
func FuzzStraceOptionSets(f *testing.F) {
	addSyscallSeeds(f, fuzzSeeds(f))
	f.Fuzz(func(t *testing.T, arch uint8, sel, flags uint16, a0, a1, a2, a3, a4, a5 uint64, ret int64, data []byte, o uint16) {
		tab := fuzzTables[int(arch)%len(fuzzTables)]
		ev := fuzzEvent(tab, sel, flags, [6]uint64{a0, a1, a2, a3, a4, a5}, ret, data)
		opts := fuzzOptions(o)
		in := &CallSet{Native: map[int]bool{int(ev.Nr): true}, Compat: map[int]bool{int(ev.Nr): true}}
		out := &CallSet{}
		pick := func(bit uint16) *CallSet {
			switch (o >> bit) & 3 {
			case 1:
				return in
			case 2:
				return out
			}
			return nil
		}
		opts.Calls = CallSets{Raw: pick(0), Verbose: pick(2), Abbrev: pick(4)}
		opts.FdKinds = FdKinds(o>>6) & FdAll
		opts.Live = o&0x8000 != 0
		AppendStrace(nil, ev, tab, opts)
		s := NewStrace(tab, opts)
		s.Append(nil, ev)
		entered := *ev
		entered.Flags |= event.Entered
		entered.Flags &^= event.Unfinished | event.NoReturn
		s.Append(nil, &entered)
		s.Append(nil, ev)
	})
}
