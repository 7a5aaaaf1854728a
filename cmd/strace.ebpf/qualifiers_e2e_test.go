package main

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// straceBoth runs prog under the system's strace and strace.ebpf -l strace
// with the same options, in dir, and returns their syscall lines.
func straceBoth(t *testing.T, dir, prog string, opts ...string) (want, got []string) {
	t.Helper()
	st := filepath.Join(dir, "st")
	cmd := exec.Command("strace", append(append(append([]string{}, opts...), "-o", st), prog)...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("strace %q: %v\n%s", opts, err, b)
	}
	se := filepath.Join(dir, "se")
	tr := exec.Command(testutil.Tracer(t), append(append(append([]string{"-l", "strace"}, opts...), "-o", se), prog)...)
	tr.Dir = dir
	if b, err := tr.CombinedOutput(); err != nil {
		t.Fatalf("strace.ebpf %q: %v\n%s", opts, err, b)
	}
	return syscallLines(readFile(t, st)), syscallLines(readFile(t, se))
}

// TestTraceNumbersAndSuffixesLikeStrace: trace= takes syscall numbers, and
// the @64 suffix on regexes and classes, as the system's strace does.
func TestTraceNumbersAndSuffixesLikeStrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no system strace")
	}
	dir := t.TempDir()
	prog := fdCaller(t, dir)
	for _, set := range []string{
		"trace=0,3",           // read, close
		"trace=/^dup@64,1@64", // dup2, write
		"trace=%net@64,?9999", // the sockets' calls
		"trace=!/^(open|read)@64,%process,%memory,%signal,%file,%desc,%ipc,%creds,arch_prctl,prlimit64,set_tid_address,set_robust_list,rseq,getrandom",
	} {
		want, got := straceBoth(t, dir, prog, "-f", "-e", set)
		if len(want) < 3 {
			t.Fatalf("%s: strace printed only %q", set, want)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("-e %s (-strace +strace.ebpf):\n%s", set, diff)
		}
	}
}
