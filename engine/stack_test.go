package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

func frameText(f event.Frame) string {
	return fmt.Sprintf("%s(%s+%#x) [%#x]", f.Module, f.Symbol, f.SymOff, f.Offset)
}

// TestStackTrace traces a short-lived helper built with frame pointers:
// its openat's stack names libc's open wrapper, the helper's own function
// and main, although the process is gone before the stack is symbolized.
func TestStackTrace(t *testing.T) {
	testutil.RequireBPF(t)
	helper := testutil.StackHelper(t)
	openat := syscalls.Native().ByName("openat").Nr
	for _, window := range []int{0, -1} {
		s, err := engine.New(engine.Config{Command: []string{helper, "/dev/null"}, Syscalls: []int{openat}, StackTrace: true, StackWindow: window})
		if err != nil {
			t.Fatal(err)
		}
		var c collector
		if _, err := s.Run(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		var last *event.Event
		for _, ev := range c.events {
			if ev.Kind == event.Syscall && int(ev.Nr) != openat {
				t.Errorf("event for syscall %d: want only openat", ev.Nr)
			}
			if s, _ := ev.String(1); s == "/dev/null" {
				last = ev
			}
		}
		if last == nil {
			t.Fatal("no openat of /dev/null")
		}
		var lines []string
		for _, f := range last.Stack {
			lines = append(lines, frameText(f))
		}
		t.Logf("window %d:\n%s", window, strings.Join(lines, "\n"))
		// The syscall's own frame comes from the registers: always right.
		if len(last.Stack) == 0 || !strings.HasSuffix(last.Stack[0].Module, "/libc.so.6") || last.Stack[0].Symbol == "" {
			t.Fatalf("window %d: innermost frame not in libc's open wrapper:\n%s", window, strings.Join(lines, "\n"))
		}
		if window < 0 {
			// Frame pointers alone: Debian 12's open wrapper uses rbp as
			// a scratch register, so what follows depends on the libc.
			continue
		}
		want := []string{"open_marker", "main"}
		if len(last.Stack) < 3 {
			t.Fatalf("window %d: %d frames, want the helper's too", window, len(last.Stack))
		}
		for i, name := range want {
			if f := last.Stack[1+i]; f.Module != helper || f.Symbol != name {
				t.Errorf("window %d: frame %d is %s, want %s in %s", window, 1+i, frameText(f), name, helper)
			}
		}
	}
}
