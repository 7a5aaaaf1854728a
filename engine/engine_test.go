package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

type collector struct{ events []*event.Event }

func (c *collector) Event(ev *event.Event) error { c.events = append(c.events, ev); return nil }
func (c *collector) Idle() error                 { return nil }

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
