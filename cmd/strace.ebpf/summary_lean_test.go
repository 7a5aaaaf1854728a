package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// leanWorkload is a command whose runs make the same calls each time,
// failing ones among them: the syscaller's markers, then dd's reads and
// writes.
func leanWorkload(t *testing.T) []string {
	return []string{"sh", "-c", testutil.Syscaller(t) + " basic; dd if=/dev/zero of=/dev/null bs=1 count=5000 2>/dev/null; exit 0"}
}

// TestSummaryLean: -c -U without a time column counts in the kernel with
// no clock, each call at its exit alone (-d says so); its table is the one
// the host makes from a recording of the same command's calls, and plain
// -c still times the calls.
func TestSummaryLean(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "lean.txt")
	args := append([]string{"-d", "--explain", "-f", "-c", "-U", "calls,errors", "-o", out}, leanWorkload(t)...)
	_, stderr := tracerIn(t, dir, args...)
	for _, want := range []string{"counting calls and errors at sys_exit alone", "calls and errors per syscall counted in the kernel, no record per call, no times (no clock read)"} {
		if !strings.Contains(stderr, want) {
			t.Fatalf("-c -U calls,errors: want %q in -d's output:\n%s", want, stderr)
		}
	}
	rec := filepath.Join(dir, "run.bin")
	args = append([]string{"-f", "-l", "bin", "-o", rec}, leanWorkload(t)...)
	if _, stderr = tracerIn(t, dir, args...); strings.Contains(stderr, "events lost") {
		t.Fatalf("the recording lost events:\n%s", stderr)
	}
	user, _ := tracerIn(t, dir, "-i", rec, "-c", "-U", "calls,errors")
	lean := readFile(t, out)
	if lean != user {
		t.Errorf("the lean kernel count (-) and the host's count of a recorded run (+) differ:\n%s", cmp.Diff(lean, user))
	}
	if !strings.Contains(lean, " read\n") || !strings.Contains(lean, "5") {
		t.Errorf("want dd's reads:\n%s", lean)
	}
	_, stderr = tracerIn(t, dir, "--explain", "-c", "-o", filepath.Join(dir, "timed.txt"), "true")
	if !strings.Contains(stderr, "calls, errors and time per syscall counted in the kernel") || strings.Contains(stderr, "no clock read") {
		t.Errorf("plain -c must time the calls:\n%s", stderr)
	}
}

// TestScriptCountsLean: a counting script that reads no time
// (examples/kcount.star) is counted without a clock, at sys_exit alone,
// and prints what the host's count of a recorded run of the same command
// prints; kernel_counts() then has no time_ns, and a script that reads
// time_ns gets the clock.
func TestScriptCountsLean(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	kcount := filepath.Join(testutil.Root(), "examples", "kcount.star") + ":top=1000"
	out := filepath.Join(dir, "lean.txt")
	args := append([]string{"-d", "-f", "-s", kcount, "-o", out}, leanWorkload(t)...)
	_, stderr := tracerIn(t, dir, args...)
	if !strings.Contains(stderr, "counting calls and errors at sys_exit alone") {
		t.Fatalf("kcount.star is not counted lean:\n%s", stderr)
	}
	rec := filepath.Join(dir, "run.bin")
	args = append([]string{"-f", "-l", "bin", "-o", rec}, leanWorkload(t)...)
	if _, stderr = tracerIn(t, dir, args...); strings.Contains(stderr, "events lost") {
		t.Fatalf("the recording lost events:\n%s", stderr)
	}
	tracerIn(t, dir, "-i", rec, "-s", kcount, "-o", filepath.Join(dir, "user.txt"))
	lean, user := readFile(t, out), readFile(t, filepath.Join(dir, "user.txt"))
	if lean != user || !strings.Contains(lean, "write") {
		t.Errorf("the lean kernel count (-) and the host's (+) differ:\n%s", cmp.Diff(lean, user))
	}

	probe := filepath.Join(dir, "probe.star")
	// The name built, not written: a script that names time_ns gets times.
	writeFile(t, probe, "trace(counts = True)\ndef on_exit():\n    c = kernel_counts()[\"read\"]\n    print(hasattr(c, \"time_\" + \"ns\"))\n")
	tracerIn(t, dir, "-s", probe, "-o", filepath.Join(dir, "probe.txt"), "cat", "/dev/null")
	if got := strings.TrimSpace(readFile(t, filepath.Join(dir, "probe.txt"))); got != "False" {
		t.Errorf("kernel_counts() without a clock: hasattr(c, \"time_ns\") = %s, want False", got)
	}
	timed := filepath.Join(dir, "timed.star")
	writeFile(t, timed, "trace(counts = True)\ndef on_exit():\n    c = kernel_counts()[\"read\"]\n    print(c.time_ns > 0)\n")
	tracerIn(t, dir, "-s", timed, "-o", filepath.Join(dir, "timed.txt"), "cat", "/dev/null")
	if got := strings.TrimSpace(readFile(t, filepath.Join(dir, "timed.txt"))); got != "True" {
		t.Errorf("a script reading time_ns: c.time_ns > 0 = %s, want True", got)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
