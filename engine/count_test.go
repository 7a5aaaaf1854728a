package engine_test

import (
	"context"
	"io"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestCountOnly: with CountOnly the kernel sends no syscall record and
// counts each finished call: the syscaller's basic run makes failed
// openat calls and one getpid at least.
func TestCountOnly(t *testing.T) {
	testutil.RequireBPF(t)
	s, err := engine.New(engine.Config{Command: []string{testutil.Syscaller(t), "basic"}, Count: engine.CountOnly, Stdout: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	var c collector
	res, err := s.Run(context.Background(), &c)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("exit %d, %v", res.ExitCode, err)
	}
	for _, ev := range c.events {
		if ev.Kind == event.Syscall {
			t.Fatalf("a syscall record with CountOnly: %+v", ev)
		}
	}
	stats, err := s.SyscallStats()
	if err != nil {
		t.Fatal(err)
	}
	tab := syscalls.Native()
	by := map[string]engine.SyscallStat{}
	for _, st := range stats {
		by[tab.Name(st.Nr)] = st
	}
	if o := by["openat"]; o.Calls == 0 || o.Errors == 0 || o.NS == 0 {
		t.Errorf("openat: %+v, want calls, errors and time", o)
	}
	if e := by["execve"]; e.Calls != 1 {
		t.Errorf("execve: %+v, want one call", e)
	}
	if _, ok := by["exit_group"]; ok {
		t.Errorf("exit_group counted: it never returns")
	}
}

// TestNoClock: without the clock, records carry no time; with it, they do.
func TestNoClock(t *testing.T) {
	testutil.RequireBPF(t)
	for _, noClock := range []bool{true, false} {
		s, err := engine.New(engine.Config{Command: []string{"/bin/true"}, NoClock: noClock})
		if err != nil {
			t.Fatal(err)
		}
		var c collector
		if _, err := s.Run(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		var timed, calls int
		for _, ev := range c.events {
			if ev.Kind == event.Syscall {
				calls++
				if ev.TS != 0 || ev.Duration != 0 {
					timed++
				}
			}
		}
		if calls == 0 || noClock && timed != 0 || !noClock && timed == 0 {
			t.Errorf("NoClock %v: %d of %d calls carry a time", noClock, timed, calls)
		}
	}
}
