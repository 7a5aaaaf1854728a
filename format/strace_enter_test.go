package format

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestStraceEntered feeds the enter halves of sleeping calls (what the
// kernel sends with engine.Config.EnterMarks) and checks that strace's
// "<unfinished ...>" lines come where the calls entered.
func TestStraceEntered(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	const read, write, wait4, futex = 0, 1, 61, 202
	out := func(arg byte) []event.Data {
		return []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: []byte{arg}}}
	}
	in := func(b string) []event.Data {
		return []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: []byte(b)}}
	}
	evs := []event.Event{
		// 10 sleeps in read: nothing yet.
		{Kind: event.Syscall, Flags: event.Entered, PID: 10, TID: 10, Nr: read, TS: 100, Args: [6]uint64{0, 0x1000, 1}},
		// 11's write comes first: 10's read is shown unfinished before it.
		{Kind: event.Syscall, PID: 10, TID: 11, Nr: write, TS: 150, Duration: 10, Args: [6]uint64{1, 0x2000, 2}, Ret: 2, Data: in("hi")},
		// 11 sleeps in futex; 10's read returns: 11's futex is shown
		// first, then the rest of the read.
		{Kind: event.Syscall, Flags: event.Entered, PID: 10, TID: 11, Nr: futex, TS: 200, Args: [6]uint64{0x3000, 0x80, 0}},
		{Kind: event.Syscall, PID: 10, TID: 10, Nr: read, TS: 100, Duration: 150, Args: [6]uint64{0, 0x1000, 1}, Ret: 1, Data: out('a')},
		// 12 sleeps in wait4 and its call returns before anything else: one line.
		{Kind: event.Syscall, Flags: event.Entered, PID: 12, TID: 12, Nr: wait4, TS: 300, Args: [6]uint64{^uint64(0), 0, 0, 0}},
		{Kind: event.Syscall, PID: 12, TID: 12, Nr: wait4, TS: 300, Duration: 10, Args: [6]uint64{^uint64(0), 0, 0, 0}, Ret: -10},
		// 10 exits the process: 11, still in futex, ends with "= ?".
		{Kind: event.Exit, PID: 10, TID: 11, Nr: -1, TS: 400},
		{Kind: event.Exit, PID: 10, TID: 10, Nr: -1, TS: 410},
	}
	s := NewStrace(tab, StraceOptions{PIDPrefix: PrefixFile})
	var got []string
	for i := range evs {
		if l := s.Append(nil, &evs[i]); len(l) > 0 {
			got = append(got, strings.Split(string(l), "\n")...)
		}
	}
	want := []string{
		`10    read(0,  <unfinished ...>`,
		`11    write(1, "hi", 2)                 = 2`,
		`11    futex(0x3000, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>`,
		`10    <... read resumed>"a", 1)         = 1`,
		`12    wait4(-1, NULL, 0, NULL)          = -1 ECHILD (No child processes)`,
		`11    <... futex resumed>)              = ?`,
		`11    +++ exited with 0 +++`,
		`10    +++ exited with 0 +++`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}
