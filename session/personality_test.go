package session

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestFilterPersonalities: -e trace= names resolve in the native table and
// in the table of 32-bit calls; name@64 and name@32 pick one.
func TestFilterPersonalities(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		expr         string
		native, i386 []int
		err          bool
	}{
		{expr: "trace=open", native: []int{2}, i386: []int{5}},
		{expr: "trace=open@64", native: []int{2}, i386: []int{}},
		{expr: "trace=open@32,close", native: []int{3}, i386: []int{5, 6}},
		{expr: "trace=stat64", native: []int{}, i386: []int{195}},     // i386 only
		{expr: "trace=newfstatat", native: []int{262}, i386: []int{}}, // x86_64 only
		{expr: "trace=!open", native: nil, i386: nil},
		{expr: "trace=stat64@64", err: true},
		{expr: "trace=open@16", err: true},
		{expr: "trace=nosuchcall", err: true},
		// strace's numbers, and its suffix on regexes and classes.
		{expr: "trace=0", native: []int{0}, i386: []int{0}},
		{expr: "trace=0@64,3", native: []int{0, 3}, i386: []int{3}}, // i386 3 is read
		{expr: "trace=/^(open|close)$@64", native: []int{2, 3}, i386: []int{}},
		{expr: "trace=/^mq_open$@32", native: []int{}, i386: []int{277}},
		{expr: "trace=/^mq_open$", native: []int{240}, i386: []int{277}},
		{expr: "trace=?9999", native: []int{}, i386: []int{}},
		{expr: "trace=9999", err: true},
		{expr: "trace=12x", err: true},
		{expr: "trace=read@x32", err: true},
		{expr: "trace=/x@foo", err: true},
	} {
		f, err := ParseFilter([]string{tc.expr})
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		sel, err := f.Resolve(tab)
		if (err != nil) != tc.err {
			t.Errorf("%s: error %v, want error %v", tc.expr, err, tc.err)
			continue
		}
		if err != nil || tc.native == nil {
			continue
		}
		k := sel.Kernel()
		if diff := cmp.Diff(tc.native, k.Syscalls); diff != "" {
			t.Errorf("%s: native (-want +got):\n%s", tc.expr, diff)
		}
		if diff := cmp.Diff(tc.i386, k.Syscalls32); diff != "" {
			t.Errorf("%s: i386 (-want +got):\n%s", tc.expr, diff)
		}
	}

	// A class with a suffix: the class's calls of one mode only.
	f, _ := ParseFilter([]string{"trace=%file@32"})
	sel, err := f.Resolve(tab)
	if err != nil {
		t.Fatal(err)
	}
	if k := sel.Kernel(); len(k.Syscalls) != 0 || len(k.Syscalls32) < 50 {
		t.Errorf("trace=%%file@32: %d native, %d i386 calls; want none and the i386 %%file calls", len(k.Syscalls), len(k.Syscalls32))
	}

	// Keep judges a call by the table of its personality.
	f, _ = ParseFilter([]string{"trace=open"})
	sel, err = f.Resolve(tab)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ev   event.Event
		keep bool
	}{
		{event.Event{Kind: event.Syscall, Nr: 2}, true},
		{event.Event{Kind: event.Syscall, Nr: 5}, false}, // fstat
		{event.Event{Kind: event.Syscall, Nr: 5, Flags: event.Compat}, true},
		{event.Event{Kind: event.Syscall, Nr: 2, Flags: event.Compat}, false}, // i386's fork
	} {
		if got := sel.Keep(&tc.ev); got != tc.keep {
			t.Errorf("Keep(nr %d, flags %#x) = %v, want %v", tc.ev.Nr, tc.ev.Flags, got, tc.keep)
		}
	}
}
