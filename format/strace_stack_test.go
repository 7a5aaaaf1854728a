package format

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// TestStraceStack checks -k's lines under a call, as strace -k prints them:
// a named frame, a frame without a symbol, an address in no mapping; and
// nothing without the option.
func TestStraceStack(t *testing.T) {
	tab := amd64Table(t)
	ev := event.Event{Kind: event.Syscall, PID: 100, TID: 100, Nr: 257, Comm: "cat", TS: 1000, Duration: 10, Ret: 3,
		Args: [6]uint64{0xffffff9c, 0x7ffd0000, 0, 0},
		Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/dev/null")}},
		Stack: []event.Frame{
			{Addr: 0x7f3a9e0f8011, Module: "/usr/lib/x86_64-linux-gnu/libc.so.6", Offset: 0xf8011, Symbol: "__open64", SymOff: 0x51},
			{Addr: 0x55d0c1a01161, Module: "/tmp/stackhelper", Offset: 0x1161},
			{Addr: 0x7ffd00001234},
		}}
	for _, tc := range []struct {
		k    bool
		want string
	}{
		{false, `openat(AT_FDCWD, "/dev/null", O_RDONLY) = 3`},
		{true, `openat(AT_FDCWD, "/dev/null", O_RDONLY) = 3
 > /usr/lib/x86_64-linux-gnu/libc.so.6(__open64+0x51) [0xf8011]
 > /tmp/stackhelper() [0x1161]
 > unexpected_backtracing_error [0x7ffd00001234]`},
	} {
		got := string(NewStrace(tab, StraceOptions{StackTrace: tc.k}).Append(nil, &ev))
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("-k %v (-want +got):\n%s", tc.k, diff)
		}
	}
	// exit_group: the stack under its "= ?" line.
	ex := event.Event{Kind: event.Syscall, PID: 100, TID: 100, Nr: 231, Comm: "cat", TS: 2000, Flags: event.NoReturn,
		Stack: ev.Stack[:1]}
	got := string(NewStrace(tab, StraceOptions{StackTrace: true}).Append(nil, &ex))
	want := "exit_group(0)                           = ?\n > /usr/lib/x86_64-linux-gnu/libc.so.6(__open64+0x51) [0xf8011]"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exit_group (-want +got):\n%s", diff)
	}
}
