package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// A call whose entry the kernel side never sees is sent from its exit: a
// call seccomp refuses never reaches the entry tracepoint (and where
// syscall tracepoints are preemptible, the kernel skips sys_enter while
// another task is preempted inside it: bpf/event.bpf.h, send_unentered).
// strace shows the refused call; so does the tracer, in the same place,
// with no loss reported.
func TestSeccompRefusedCall(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	sc := testutil.Syscaller(t)
	dir := t.TempDir()
	st := filepath.Join(dir, "strace.out")
	if b, err := exec.Command("strace", "-o", st, sc, "seccomp").CombinedOutput(); err != nil {
		t.Skipf("strace: %v: %s", err, b)
	}
	se := filepath.Join(dir, "ebpf.out")
	_, stderr := tracerIn(t, dir, "-d", "-l", "strace", "-o", se, sc, "seccomp")
	tail := func(out string) []string {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, "prctl(PR_SET_SECCOMP") {
				return lines[i+1:]
			}
		}
		return nil
	}
	want, got := tail(readFile(t, st)), tail(readFile(t, se))
	if len(want) == 0 || !strings.HasPrefix(want[0], "getppid()") {
		t.Fatalf("strace's trace lacks the refused getppid: %q", want)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after seccomp's filter:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(stderr, "1 calls seen only at their exit") {
		t.Errorf("-d does not count the call seen at its exit:\n%s", stderr)
	}
	if strings.Contains(readFile(t, se), "lost") {
		t.Errorf("a loss reported:\n%s", readFile(t, se))
	}
}
