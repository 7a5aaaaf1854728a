package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

type collector struct {
	events  []*event.Event
	onEvent func(*event.Event)
}

func (c *collector) Event(ev *event.Event) error {
	c.events = append(c.events, ev)
	if c.onEvent != nil {
		c.onEvent(ev)
	}
	return nil
}

func (c *collector) Idle() error { return nil }

// bpfObjects lists this process's file descriptors that hold BPF maps,
// programs, links or the ring buffer.
func bpfObjects(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err == nil && strings.Contains(target, "bpf") {
			out = append(out, e.Name()+" -> "+target)
		}
	}
	return out
}

func TestSessionReleasesKernelObjects(t *testing.T) {
	testutil.RequireBPF(t)
	before := bpfObjects(t)
	for i := 0; i < 2; i++ {
		s, err := engine.New(engine.Config{Command: []string{"/bin/true"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(bpfObjects(t)) <= len(before) {
			t.Fatal("a live session holds no BPF objects: the check is blind")
		}
		var c collector
		res, err := s.Run(context.Background(), &c)
		if err != nil {
			t.Fatal(err)
		}
		if res.ExitCode != 0 || len(c.events) == 0 || res.Events != uint64(len(c.events)) {
			t.Errorf("run %d: exit %d, %d events (result says %d)", i, res.ExitCode, len(c.events), res.Events)
		}
	}
	// A session closed without running, and one that fails to start.
	s, err := engine.New(engine.Config{Command: []string{"/bin/true"}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := engine.New(engine.Config{PIDs: []int{999999999}}); err == nil {
		t.Error("attaching to a missing pid succeeded")
	}
	if after := bpfObjects(t); len(after) != len(before) {
		t.Errorf("BPF objects leaked: before %v, after %v", before, after)
	}
}

func TestCancelDetaches(t *testing.T) {
	testutil.RequireBPF(t)
	// System-wide, cancelled at once: Run must drain and return.
	s, err := engine.New(engine.Config{Syscalls: []int{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var c collector
	if _, err := s.Run(ctx, &c); err != nil {
		t.Fatal(err)
	}
}

// TestUnfinishedCall stops a session while the command is blocked in an
// openat of a FIFO: the call comes out as an Unfinished event built from
// its pending slot and the path captured at enter.
func TestUnfinishedCall(t *testing.T) {
	testutil.RequireBPF(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	openat := syscalls.Native().ByName("openat")
	s, err := engine.New(engine.Config{Command: []string{"/bin/cat", fifo}})
	if err != nil {
		t.Fatal(err)
	}
	pid := s.ChildPID()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Cancel once cat sleeps in openat (the FIFO has no writer).
		for ctx.Err() == nil {
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			sc, _ := os.ReadFile(fmt.Sprintf("/proc/%d/syscall", pid))
			if strings.TrimSpace(string(comm)) == "cat" && strings.HasPrefix(string(sc), fmt.Sprint(openat.Nr)+" ") {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var c collector
	c.onEvent = func(ev *event.Event) {
		if ev.Flags&event.Unfinished != 0 {
			s.Signal(unix.SIGKILL) // the session waits for the command
		}
	}
	if _, err := s.Run(ctx, &c); err != nil {
		t.Fatal(err)
	}
	var got []*event.Event
	for _, ev := range c.events {
		if ev.Flags&event.Unfinished != 0 {
			got = append(got, ev)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d unfinished events, want 1: %+v", len(got), got)
	}
	ev := got[0]
	path, _ := ev.String(1)
	if ev.Kind != event.Syscall || ev.Nr != int32(openat.Nr) || ev.PID != uint32(pid) || ev.TID != uint32(pid) ||
		ev.Comm != "cat" || path != fifo || ev.Ret != 0 || ev.Duration != 0 || ev.TS == 0 {
		t.Errorf("unfinished event %+v (path %q), want openat(%q) of cat, pid %d", ev, path, fifo, pid)
	}
}
