package script

import (
	"bytes"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestCountsStage: a stage declared trace(counts = True) sees no event, the
// host counts them for kernel_counts() (no kernel here), later stages see
// nothing, and such a stage may not have on_syscall.
func TestCountsStage(t *testing.T) {
	var out bytes.Buffer
	p := NewPipeline(&out, Options{Table: syscalls.Native()})
	src := "trace(counts = True)\n" +
		"def on_exit():\n" +
		"    for name, c in kernel_counts().items():\n" +
		"        print(name, c.calls, c.errors, c.time_ns)\n"
	if err := p.AddSource("count.star", []byte(src)); err != nil {
		t.Fatal(err)
	}
	if err := p.AddSource("after.star", []byte("def on_syscall(ev):\n    print('seen', ev.name)\n")); err != nil {
		t.Fatal(err)
	}
	if kf := p.Pushdown(); !kf.Counts {
		t.Errorf("Pushdown().Counts false for a first stage that only counts")
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []*event.Event{
		{Kind: event.Syscall, Nr: 257, Ret: -2, Duration: 10},
		{Kind: event.Syscall, Nr: 257, Ret: 3, Duration: 5},
		{Kind: event.Syscall, Nr: 0, Ret: 1, Duration: 1},
		{Kind: event.Syscall, Nr: 231, Flags: event.NoReturn},
		{Kind: event.Syscall, Nr: 0, Flags: event.Unfinished},
		{Kind: event.Exit, Nr: -1},
	} {
		if err := p.Event(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Finish(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "read 1 0 1\nopenat 2 1 15\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}

	p = NewPipeline(&out, Options{Table: syscalls.Native()})
	err := p.AddSource("bad.star", []byte("trace(counts = True)\ndef on_syscall(ev):\n    pass\n"))
	if err == nil || !strings.Contains(err.Error(), "trace(counts = True): the stage sees no event, and it has on_syscall") {
		t.Errorf("counts with on_syscall: %v", err)
	}
}
