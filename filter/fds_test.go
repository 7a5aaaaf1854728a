package filter

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestFdArgs: the arguments trace-fds= matches, as strace's pathtrace.c
// picks them.
func TestFdArgs(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		compat bool
		want   []int
	}{
		{name: "read", want: []int{0}},
		{name: "close", want: []int{0}},
		{name: "sendto", want: []int{0}},
		{name: "openat", want: []int{0}},
		{name: "newfstatat", want: []int{0}},
		{name: "dup2", want: []int{0, 1}},
		{name: "renameat2", want: []int{0, 2}},
		{name: "symlinkat", want: []int{1}},
		{name: "epoll_ctl", want: []int{2}},
		{name: "mmap", want: []int{4}},
		{name: "fanotify_mark", want: []int{3}},
		{name: "open"},                                        // a path
		{name: "pipe2"},                                       // returns descriptors
		{name: "getpid"},                                      // no class of descriptors
		{name: "munmap"},                                      // %memory only
		{name: "poll"},                                        // in memory
		{name: "mmap", compat: true},                          // i386's old_mmap: a struct
		{name: "fanotify_mark", compat: true, want: []int{4}}, // the mask in two
		{name: "mmap2", compat: true, want: []int{4}},
	} {
		sc := tab.Personality(tc.compat).ByName(tc.name)
		if sc == nil {
			t.Fatalf("no %s (compat %v)", tc.name, tc.compat)
		}
		if diff := cmp.Diff(tc.want, FdArgs(sc, tc.compat)); diff != "" {
			t.Errorf("FdArgs(%s, compat %v) (-want +got):\n%s", tc.name, tc.compat, diff)
		}
	}
	for name, want := range map[string]bool{"poll": true, "pselect6": true, "fsconfig": true, "read": true, "pipe2": false, "getpid": false, "open": false} {
		if got := OperatesOnFds(tab.ByName(name), false); got != want {
			t.Errorf("OperatesOnFds(%s) = %v, want %v", name, got, want)
		}
	}
}

// TestKeepFds: calls on the named descriptors pass, in arguments and in
// poll's and select's captured sets; a negated set keeps the others.
func TestKeepFds(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	nr := func(n string) int32 { return int32(tab.ByName(n).Nr) }
	pollfd := func(fds ...int32) []byte {
		b := make([]byte, 8*len(fds))
		for i, fd := range fds {
			binary.LittleEndian.PutUint32(b[8*i:], uint32(fd))
		}
		return b
	}
	fdset := func(fds ...int) []byte {
		b := make([]byte, 8)
		for _, fd := range fds {
			b[fd/8] |= 1 << (fd % 8)
		}
		return b
	}
	call := func(name string, args [6]uint64, data ...event.Data) *event.Event {
		return &event.Event{Kind: event.Syscall, Nr: nr(name), Args: args, Data: data}
	}
	evs := []struct {
		ev       *event.Event
		on9, not bool // kept by trace-fds=9, by trace-fds=!9
	}{
		{call("read", [6]uint64{9}), true, false},
		{call("read", [6]uint64{3}), false, true},
		{call("dup2", [6]uint64{3, 9}), true, true},
		{call("openat", [6]uint64{9, 0x1000}), true, false},
		{call("openat", [6]uint64{uint64(0xffffff9c), 0x1000}), false, false}, // AT_FDCWD is no descriptor
		{call("mmap", [6]uint64{0, 4096, 1, 2, 9, 0}), true, false},
		{call("getpid", [6]uint64{9}), false, false},
		{call("poll", [6]uint64{0x1000, 2, 0}, event.Data{Arg: 0, Kind: event.BufIn, Bytes: pollfd(4, 9)}), true, true},
		{call("poll", [6]uint64{0x1000, 1, 0}, event.Data{Arg: 0, Kind: event.BufIn, Bytes: pollfd(4)}), false, true},
		{call("pselect6", [6]uint64{10, 0x1000, 0, 0x2000, 0, 0}, event.Data{Arg: 1, Kind: event.BufIn, Bytes: append(fdset(3), fdset(9)...)}), true, true},
		{call("pselect6", [6]uint64{10, 0x1000, 0, 0, 0, 0}, event.Data{Arg: 1, Kind: event.BufIn, Bytes: fdset(3)}), false, true},
		// fsconfig: only the descriptor of FSCONFIG_SET_FD (5) and
		// FSCONFIG_SET_PATH*, never the fs context, as strace.
		{call("fsconfig", [6]uint64{9, 5, 0, 0, 4}), false, true},
		{call("fsconfig", [6]uint64{3, 5, 0, 0, 9}), true, false},
		{call("fsconfig", [6]uint64{3, 6, 0, 0, 9}), false, false},
	}
	for _, set := range []struct {
		name string
		fds  map[int]bool
	}{{"9", map[int]bool{-1: false, 9: true}}, {"!9", map[int]bool{-1: true, 9: false}}} {
		var f Filter
		f.SetFds(tab, set.fds)
		if f.KernelDecides() {
			t.Errorf("trace-fds=%s: the kernel cannot decide it", set.name)
		}
		for i, tc := range evs {
			want := tc.on9
			if set.name == "!9" {
				want = tc.not
			}
			if got := f.Keep(tc.ev); got != want {
				t.Errorf("trace-fds=%s: event %d (%s %v): Keep = %v, want %v", set.name, i, tab.Name(int(tc.ev.Nr)), tc.ev.Args, got, want)
			}
		}
	}
}
