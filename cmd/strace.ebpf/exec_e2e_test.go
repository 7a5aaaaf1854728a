package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// TestExecAfterFork: a forked child execs with a path and arguments in
// read-only data it never touched, which a BPF read at enter cannot fault
// in; the kernel's own copies, read when the exec succeeds, give the line
// strace prints (argument cut at --strsize, 32 elements then "...").
func TestExecAfterFork(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	straceBin, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace not installed")
	}
	dir := t.TempDir()
	sc := testutil.Syscaller(t)
	a, b := filepath.Join(dir, "strace"), filepath.Join(dir, "ebpf")
	if out, err := exec.Command(straceBin, "-f", "-e", "trace=execve", "-o", a, sc, "forkexec").CombinedOutput(); err != nil {
		t.Fatalf("strace: %v\n%s", err, out)
	}
	tracerIn(t, dir, "-f", "-l", "strace", "-e", "trace=execve", "-o", b, sc, "forkexec")
	execs := func(path string) []string {
		var out []string
		for _, l := range strings.Split(readFile(t, path), "\n") {
			if m := regexp.MustCompile(`^\d+ +(execve\("/bin/echo".*)$`).FindStringSubmatch(l); m != nil {
				out = append(out, regexp.MustCompile(`0x[0-9a-f]+`).ReplaceAllString(m[1], "0xADDR"))
			}
		}
		return out
	}
	want, got := execs(a), execs(b)
	if len(want) != 1 {
		t.Fatalf("strace printed %d execs of /bin/echo:\n%s", len(want), readFile(t, a))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the child's execve (-strace +strace.ebpf):\n%s", diff)
	}
}
