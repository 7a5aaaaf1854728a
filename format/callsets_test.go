package format

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestStraceCallSets: -e raw= prints a call's arguments and result in hex
// (an error as usual); outside -e verbose= structures and arrays are
// addresses and poll's result a plain count; each set applies to its
// calls only.
func TestStraceCallSets(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	nr := func(n string) int { return tab.ByName(n).Nr }
	set := func(names ...string) *CallSet {
		s := &CallSet{Native: map[int]bool{}, Compat: map[int]bool{}}
		for _, n := range names {
			s.Native[nr(n)] = true
		}
		return s
	}
	pollfd := []byte{9, 0, 0, 0, 1, 0, 1, 0}
	evs := []event.Event{
		{Kind: event.Syscall, PID: 7, TID: 7, Nr: int32(nr("read")), Args: [6]uint64{3, 0x7ffd00, 16}, Ret: 10,
			Data: []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: []byte("0123456789")}}},
		{Kind: event.Syscall, PID: 7, TID: 7, Nr: int32(nr("close")), Args: [6]uint64{3}, Ret: -9},
		{Kind: event.Syscall, PID: 7, TID: 7, Nr: int32(nr("poll")), Args: [6]uint64{0x7ffd10, 1, 0}, Ret: 1,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: pollfd}, {Arg: 0, Kind: event.BufOut, Bytes: pollfd}}},
		{Kind: event.Syscall, PID: 7, TID: 7, Nr: int32(nr("openat")), Args: [6]uint64{0xffffff9c, 0x4000, 0}, Ret: 3,
			Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/etc/passwd")}}},
	}
	for _, tc := range []struct {
		name string
		sets CallSets
		want []string
	}{
		{"none", CallSets{}, []string{
			`read(3, "0123456789", 16) = 10`,
			`close(3) = -1 EBADF (Bad file descriptor)`,
			`poll([{fd=9, events=POLLIN}], 1, 0) = 1 ([{fd=9, revents=POLLIN}])`,
			`openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3`,
		}},
		{"raw=read,close,openat", CallSets{Raw: set("read", "close", "openat")}, []string{
			`read(0x3, 0x7ffd00, 0x10) = 0xa`,
			`close(0x3) = -1 EBADF (Bad file descriptor)`,
			`poll([{fd=9, events=POLLIN}], 1, 0) = 1 ([{fd=9, revents=POLLIN}])`,
			`openat(0xffffff9c, 0x4000, 0, 0) = 0x3`,
		}},
		{"verbose=none", CallSets{Verbose: set()}, []string{
			`read(3, "0123456789", 16) = 10`,
			`close(3) = -1 EBADF (Bad file descriptor)`,
			`poll(0x7ffd10, 1, 0) = 1`,
			`openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3`,
		}},
		{"verbose=poll", CallSets{Verbose: set("poll")}, []string{
			`read(3, "0123456789", 16) = 10`,
			`close(3) = -1 EBADF (Bad file descriptor)`,
			`poll([{fd=9, events=POLLIN}], 1, 0) = 1 ([{fd=9, revents=POLLIN}])`,
			`openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3`,
		}},
	} {
		s := NewStrace(tab, StraceOptions{Calls: tc.sets})
		var got []string
		for i := range evs {
			l := strings.TrimRight(string(s.Append(nil, &evs[i])), "\n")
			got = append(got, strings.Join(strings.Fields(l), " "))
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	// abbrev=: the calls outside it as -v; -v's own setting otherwise.
	for _, tc := range []struct {
		verbose bool
		abbrev  *CallSet
		want    bool
	}{{false, nil, false}, {true, nil, true}, {false, set(), true}, {true, set("read"), false}, {false, set("close"), true}} {
		c := call{s: NewStrace(tab, StraceOptions{Verbose: tc.verbose, Calls: CallSets{Abbrev: tc.abbrev}}), ev: &evs[0]}
		if got := c.unabbreviated(); got != tc.want {
			t.Errorf("-v %v, abbrev %v: read unabbreviated = %v, want %v", tc.verbose, tc.abbrev, got, tc.want)
		}
	}
}
