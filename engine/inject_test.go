package engine

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestInjectWhen pins strace's when= counting: which of a thread's calls
// of a syscall get the fault.
func TestInjectWhen(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    When
		want []int
	}{
		{"every", Every, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"3", When{3, InjectLastInf, 0}, []int{3}},
		{"3+", When{3, InjectLastInf, 1}, []int{3, 4, 5, 6, 7, 8, 9, 10}},
		{"2..4", When{2, 4, 1}, []int{2, 3, 4}},
		{"3+2", When{3, InjectLastInf, 2}, []int{3, 5, 7, 9}},
		{"2..7+2", When{2, 7, 2}, []int{2, 4, 6}},
		{"1..1", When{1, 1, 1}, []int{1}},
	} {
		cs := counts{}
		var got, other []int
		for i := 1; i <= 10; i++ {
			if cs.fires(7, keyOf(2, false), tc.w) {
				got = append(got, i)
			}
			// Another thread, and another call, count on their own.
			if cs.fires(8, keyOf(2, false), tc.w) {
				other = append(other, i)
			}
			cs.fires(7, keyOf(3, false), tc.w)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("when=%s (-want +got):\n%s", tc.name, diff)
		}
		if diff := cmp.Diff(tc.want, other); diff != "" {
			t.Errorf("when=%s, another thread (-want +got):\n%s", tc.name, diff)
		}
	}
}

// runFilter interprets the classic BPF filter for one call (the few
// instructions seccompFilter emits).
func runFilter(t *testing.T, p []unix.SockFilter, nr int32, arch uint32) uint32 {
	var a uint32
	for pc := 0; pc < len(p); pc++ {
		in := p[pc]
		switch in.Code {
		case bpfLdAbsW:
			switch in.K {
			case seccompDataNr:
				a = uint32(nr)
			case seccompDataArch:
				a = arch
			default:
				t.Fatalf("load of offset %d", in.K)
			}
		case bpfJeqK:
			if a == in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case bpfJgeK:
			if a >= in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case bpfJa:
			pc += int(in.K)
		case bpfRetK:
			return in.K
		default:
			t.Fatalf("instruction %#x", in.Code)
		}
	}
	t.Fatal("the filter fell off its end")
	return 0
}

// TestSeccompFilter runs the filter on named and unnamed calls of both
// personalities, and on x32 and foreign architectures.
func TestSeccompFilter(t *testing.T) {
	for _, goarch := range []string{"amd64", "arm64"} {
		arch := seccompArch[goarch]
		var many []int
		for nr := 0; nr < 400; nr += 3 {
			many = append(many, nr)
		}
		p, err := seccompFilter(goarch, many, []int{5})
		if err != nil {
			t.Fatal(err)
		}
		for nr := int32(0); nr < 420; nr++ {
			want := uint32(unix.SECCOMP_RET_ALLOW)
			if nr%3 == 0 && nr < 400 {
				want = unix.SECCOMP_RET_USER_NOTIF
			}
			if got := runFilter(t, p, nr, arch.native); got != want {
				t.Errorf("%s: native call %d: %#x, want %#x", goarch, nr, got, want)
			}
		}
		if got := runFilter(t, p, 5, arch.compat); got != unix.SECCOMP_RET_USER_NOTIF {
			t.Errorf("%s: 32-bit call 5 is not notified", goarch)
		}
		if got := runFilter(t, p, 3, arch.compat); got != unix.SECCOMP_RET_ALLOW {
			t.Errorf("%s: 32-bit call 3 is notified", goarch)
		}
		if got := runFilter(t, p, 3, 0x1234); got != unix.SECCOMP_RET_ALLOW {
			t.Errorf("%s: a foreign architecture's call is notified", goarch)
		}
		if goarch == "amd64" {
			if got := runFilter(t, p, x32SyscallBit|3, arch.native); got != unix.SECCOMP_RET_ALLOW {
				t.Errorf("an x32 call is notified")
			}
		}
	}
}

type collect struct {
	mu  sync.Mutex
	evs []*event.Event
}

func (c *collect) Event(ev *event.Event) error {
	c.mu.Lock()
	cp := *ev
	c.evs = append(c.evs, &cp)
	c.mu.Unlock()
	return nil
}
func (c *collect) Idle() error { return nil }

// markerDecider fails the second open of a path with EROFS.
type markerDecider struct {
	path string
	n    int
}

func (d *markerDecider) Decide(ev *event.Event) (Fault, bool, error) {
	if p, _ := ev.String(1); p == d.path {
		if d.n++; d.n == 2 {
			return Fault{Error: int(unix.EROFS)}, true, nil
		}
	}
	return Fault{}, false, nil
}

// TestInjectEngine injects into a launched shell through the engine's API,
// a Decider choosing by the path read from the caller's memory: the
// injected call is an event flagged Injected with the injected error, in
// its place among the traced calls; the others ran.
func TestInjectEngine(t *testing.T) {
	if err := Available(); err != nil {
		if os.Getenv("STRACE_EBPF_REQUIRE_BPF") == "1" {
			t.Fatalf("BPF required: %v", err)
		}
		t.Skipf("BPF unavailable: %v", err)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "marker")
	os.WriteFile(marker, nil, 0o644)
	tab := syscalls.Native()
	openat := tab.ByName("openat").Nr
	var stderr bytes.Buffer
	cfg := Config{
		Command:  []string{sh, "-c", "read x < " + marker + "; read x < " + marker + "; read x < " + marker},
		Syscalls: []int{openat},
		Stderr:   &stderr,
		Inject:   &InjectConfig{Decider: &markerDecider{path: marker}, Decided: []int{openat}},
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var c collect
	if _, err := s.Run(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range c.evs {
		if path, _ := ev.String(1); ev.Kind == event.Syscall && path == marker {
			line := syscalls.ErrnoName(ev.Errno())
			if ev.Flags&event.Injected != 0 {
				line += " injected"
			}
			got = append(got, line)
		}
	}
	if diff := cmp.Diff([]string{"", "EROFS injected", ""}, got); diff != "" {
		t.Errorf("the marker's opens (-want +got):\n%s\nstderr: %s", diff, stderr.String())
	}
}
