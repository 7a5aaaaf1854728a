package filter

import (
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestKernelPart: what Kernel hands the kernel and what Keep applies
// agree, and KernelDecides says when the kernel part is all of it.
func TestKernelPart(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	openat := tab.ByName("openat").Nr
	read := tab.ByName("read").Nr
	call := func(nr int, ret int64, pid uint32, comm string) *event.Event {
		return &event.Event{Kind: event.Syscall, Nr: int32(nr), Ret: ret, PID: pid, TID: pid, Comm: comm}
	}
	exit := &event.Event{Kind: event.Exit, PID: 1, TID: 1, Comm: "a"}
	tests := []struct {
		name    string
		set     func(f *Filter)
		decides bool
		keep    map[*event.Event]bool
	}{
		{"all", func(*Filter) {}, true, map[*event.Event]bool{call(read, 0, 1, "a"): true, exit: true}},
		{"syscalls", func(f *Filter) { f.SetSyscalls(tab, map[int]bool{openat: true}, nil) }, true,
			map[*event.Event]bool{call(read, 0, 1, "a"): false, call(openat, 3, 1, "a"): true, exit: true}},
		{"failed", func(f *Filter) { f.SetStatus(Failed) }, true,
			map[*event.Event]bool{call(read, 0, 1, "a"): false, call(read, -2, 1, "a"): true}},
		{"successful", func(f *Filter) { f.SetStatus(Successful) }, false,
			map[*event.Event]bool{call(read, 0, 1, "a"): true, call(read, -2, 1, "a"): false}},
		{"pids", func(f *Filter) { f.SetPIDs([]int{2}) }, false,
			map[*event.Event]bool{call(read, 0, 1, "a"): false, call(read, 0, 2, "a"): true, exit: false}},
		{"comms", func(f *Filter) { f.SetComms([]string{"a"}) }, false,
			map[*event.Event]bool{call(read, 0, 1, "a"): true, call(read, 0, 1, "b"): false}},
		{"calls only", func(f *Filter) { f.SetCallsOnly(true) }, true,
			map[*event.Event]bool{call(read, 0, 1, "a"): true, exit: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Filter
			tt.set(&f)
			if got := f.KernelDecides(); got != tt.decides {
				t.Errorf("KernelDecides() = %v, want %v", got, tt.decides)
			}
			for ev, want := range tt.keep {
				if got := f.Keep(ev); got != want {
					t.Errorf("Keep(%+v) = %v, want %v", *ev, got, want)
				}
			}
		})
	}
}
