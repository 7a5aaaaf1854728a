package format

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// TestStraceRestartHold checks when a call that returned ERESTART* prints
// "= ?" (its thread was killed in it: the kernel's SIGKILL follows) and
// when strace's "= ? ERESTARTSYS (...)" (a signal handler runs, or the
// stream ends).
func TestStraceRestartHold(t *testing.T) {
	tab := fuzzTables[0]
	pause := int32(tab.ByName("pause").Nr)
	read := int32(tab.ByName("read").Nr)
	kill := &event.Event{Kind: event.Signal, PID: 5, TID: 5, Nr: 9}
	info := make([]byte, 128)
	info[0] = 10 // si_signo: SIGUSR1
	usr1 := &event.Event{Kind: event.Signal, PID: 5, TID: 5, Nr: 10, Data: []event.Data{{Kind: event.BufOut, Bytes: info}}}
	for _, tc := range []struct {
		name   string
		events []*event.Event
		want   string
	}{
		{"killed", []*event.Event{
			{Kind: event.Syscall, PID: 5, TID: 5, Nr: pause, Ret: -514},
			kill,
			{Kind: event.Exit, PID: 5, TID: 5, Nr: -1, Ret: 9},
		}, "pause() = ?\n+++ killed by SIGKILL +++\n"},
		{"handled", []*event.Event{
			{Kind: event.Syscall, PID: 5, TID: 5, Nr: read, Args: [6]uint64{0, 0x1000, 1}, Ret: -512},
			usr1,
		}, "read(0, 0x1000, 1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=0, si_uid=0} ---\n"},
		{"end of stream", []*event.Event{
			{Kind: event.Syscall, PID: 5, TID: 5, Nr: pause, Ret: -514},
		}, "pause() = ? ERESTARTNOHAND (To be restarted if no handler)\n"},
		{"each thread's call held apart", []*event.Event{
			{Kind: event.Syscall, PID: 5, TID: 5, Nr: pause, Ret: -514},
			{Kind: event.Syscall, PID: 5, TID: 6, Nr: pause, Ret: -514},
			{Kind: event.Signal, PID: 5, TID: 6, Nr: 9},
		}, "pause() = ?\npause() = ? ERESTARTNOHAND (To be restarted if no handler)\n"},
	} {
		var out bytes.Buffer
		w := NewStraceWriter(&out, tab, StraceOptions{Column: 1})
		for _, ev := range tc.events {
			if err := w.Event(ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Finish(); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tc.want, out.String()); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}

// TestStraceRestartSyscall checks that restart_syscall names the call it
// resumes: the thread's last other call.
func TestStraceRestartSyscall(t *testing.T) {
	tab := fuzzTables[0]
	nanosleep := int32(tab.ByName("clock_nanosleep").Nr)
	restart := int32(tab.ByName("restart_syscall").Nr)
	var out bytes.Buffer
	w := NewStraceWriter(&out, tab, StraceOptions{Column: 1})
	for _, ev := range []*event.Event{
		{Kind: event.Syscall, PID: 5, TID: 5, Nr: restart},
		{Kind: event.Syscall, PID: 5, TID: 5, Nr: nanosleep, Ret: -516},
		{Kind: event.Syscall, PID: 5, TID: 6, Nr: int32(tab.ByName("getpid").Nr), Ret: 5},
		{Kind: event.Syscall, PID: 5, TID: 5, Nr: restart, Ret: -516},
		{Kind: event.Syscall, PID: 5, TID: 5, Nr: restart},
	} {
		if err := w.Event(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	want := `restart_syscall(<... resuming interrupted system call ...>) = 0
getpid() = 5
clock_nanosleep(CLOCK_REALTIME, 0, NULL, NULL) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)
restart_syscall(<... resuming interrupted clock_nanosleep ...>) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)
restart_syscall(<... resuming interrupted clock_nanosleep ...>) = 0
`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
