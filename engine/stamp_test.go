package engine_test

import (
	"context"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// TestStamps: stamped events (no clock read) keep the order they came in.
// One thread's events come one after another: each record's stamp (its
// TS+Duration, or TS for a signal or an exit) is above the one before, a
// call's entry above the record before it, and under its own exit; the
// stamps are ring positions, far under any monotonic clock time.
func TestStamps(t *testing.T) {
	testutil.RequireBPF(t)
	s, err := engine.New(engine.Config{Command: []string{"sh", "-c", "kill -USR1 $$ 2>/dev/null; :"}, Stamps: true, ProcessEvents: true})
	if err != nil {
		t.Fatal(err)
	}
	var c collector
	if _, err := s.Run(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	var last uint64
	calls := 0
	for i, ev := range c.events {
		end := ev.TS + ev.Duration
		switch ev.Kind {
		case event.Syscall:
			calls++
			if ev.Flags&event.Entered != 0 {
				continue // the enter half of a sleeping call, sent again whole
			}
			if ev.Flags&event.NoReturn != 0 {
				end = ev.TS + 1 // sent at its entry, as an event
			}
			if ev.TS%2 != 0 || end%2 != 1 {
				t.Errorf("event %d (nr %d): entry stamp %d should be even, exit stamp %d odd", i, ev.Nr, ev.TS, end)
			}
			if ev.TS <= last && i > 0 {
				t.Errorf("event %d (nr %d): entry stamp %d not above the record before (%d)", i, ev.Nr, ev.TS, last)
			}
		}
		if end <= last && i > 0 {
			t.Errorf("event %d (%v, nr %d): stamp %d not above the record before (%d)", i, ev.Kind, ev.Nr, end, last)
		}
		if end > 1<<40 {
			t.Fatalf("event %d: stamp %d looks like a clock time", i, end)
		}
		last = end
	}
	if calls < 10 {
		t.Fatalf("only %d calls traced", calls)
	}
}
