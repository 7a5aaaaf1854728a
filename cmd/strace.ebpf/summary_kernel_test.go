package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// summaryRows are a -c table's rows as "name calls errors", sorted by name,
// the total last.
func summaryRows(t *testing.T, table string) []string {
	t.Helper()
	row := regexp.MustCompile(`^ *[0-9.]+ +[0-9]+\.[0-9]{6} +[0-9]+ +([0-9]+) ( {9}|[ 0-9]{9}) (\S+)$`)
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	if len(lines) < 5 || !strings.HasPrefix(lines[0], "% time") {
		t.Fatalf("not a -c table:\n%s", table)
	}
	var rows []string
	for _, l := range append(lines[2:len(lines)-2], lines[len(lines)-1]) {
		m := row.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("row %q is not in strace's columns", l)
		}
		rows = append(rows, m[3]+" "+m[1]+" "+strings.TrimSpace(m[2]))
	}
	sort.Strings(rows[:len(rows)-1])
	return rows
}

// TestSummaryKernelEqualsUser counts one run two ways: -c counts in the
// kernel (no record per call), while --record keeps every call of the same
// run; -c on the recording counts them in user space (summary.star). The
// calls and errors per syscall must be the same, and so the whole table
// (the times are the same durations, summed).
func TestSummaryKernelEqualsUser(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	rec := filepath.Join(dir, "run.bin")
	out := filepath.Join(dir, "c.txt")
	script := testutil.Syscaller(t) + " basic; dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null; cat /nonexistent 2>/dev/null; true"
	_, stderr := tracerIn(t, dir, "-f", "-c", "--record", rec, "-o", out, "-d", "sh", "-c", script)
	if !strings.Contains(stderr, "counted in the kernel") {
		t.Fatalf("-c did not count in the kernel (-d says):\n%s", stderr)
	}
	if strings.Contains(stderr, "events lost") {
		t.Fatalf("the recording lost events:\n%s", stderr)
	}
	kernel := readFile(t, out)
	user, _ := tracerIn(t, dir, "-i", rec, "-c")
	if diff := cmp.Diff(summaryRows(t, user), summaryRows(t, kernel)); diff != "" {
		t.Errorf("calls and errors per syscall, user space vs kernel (-user +kernel):\n%s", diff)
	}
	if user != kernel {
		t.Errorf("the tables differ:\nuser space:\n%s\nkernel:\n%s", user, kernel)
	}
	if !strings.Contains(kernel, " read\n") || !regexp.MustCompile(`(?m)^.* [1-9][0-9]* openat$`).MatchString(kernel) {
		t.Errorf("want dd's reads and failed openat calls:\n%s", kernel)
	}
}

// TestSummaryKernelNoRecords: -c alone sends no record per call (-d's
// explain says so); -C counts in the kernel and still prints the trace; a
// script in front of the summary makes the count a user-space one.
func TestSummaryKernelNoRecords(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	_, stderr := tracerIn(t, dir, "--explain", "-c", "-o", filepath.Join(dir, "a"), "true")
	if !strings.Contains(stderr, "counted in the kernel, no record per call") {
		t.Errorf("-c --explain:\n%s", stderr)
	}
	_, stderr = tracerIn(t, dir, "--explain", "-C", "-o", filepath.Join(dir, "b"), "true")
	if !strings.Contains(stderr, "counted in the kernel") || strings.Contains(stderr, "no record per call") {
		t.Errorf("-C --explain:\n%s", stderr)
	}
	if got := readFile(t, filepath.Join(dir, "b")); !strings.Contains(got, "execve") || !strings.Contains(got, "% time") {
		t.Errorf("-C: want the trace and the table:\n%s", got)
	}
	_, stderr = tracerIn(t, dir, "--explain", "-c", "-e", "status=successful", "-o", filepath.Join(dir, "c"), "true")
	if strings.Contains(stderr, "counted in the kernel") {
		t.Errorf("-c -e status=successful counts in user space:\n%s", stderr)
	}
}

// TestScriptCountsKernelEqualsUser: a script that only counts
// (trace(counts = True)) is counted for in the kernel, with no record per
// call (--explain); on one run recorded with --record, the kernel's counts
// equal the host's counting of the recording's events.
func TestScriptCountsKernelEqualsUser(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	kcount := filepath.Join(testutil.Root(), "examples", "kcount.star") + ":top=1000"
	_, stderr := tracerIn(t, dir, "--explain", "-s", kcount, "-o", filepath.Join(dir, "x"), "true")
	if !strings.Contains(stderr, "counted in the kernel, no record per call") {
		t.Errorf("kcount.star is not counted in the kernel:\n%s", stderr)
	}
	rec := filepath.Join(dir, "run.bin")
	script := testutil.Syscaller(t) + " basic; dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null; cat /nonexistent 2>/dev/null; true"
	_, stderr = tracerIn(t, dir, "--explain", "-f", "-s", kcount, "--record", rec, "-o", filepath.Join(dir, "y"), "sh", "-c", script)
	if !strings.Contains(stderr, "counted in the kernel") || strings.Contains(stderr, "events lost") {
		t.Fatalf("the recorded run is not counted in the kernel, or lost events:\n%s", stderr)
	}
	tracerIn(t, dir, "-i", rec, "-s", kcount, "-o", filepath.Join(dir, "z"))
	kernel, user := readFile(t, filepath.Join(dir, "y")), readFile(t, filepath.Join(dir, "z"))
	if kernel != user || !strings.Contains(kernel, "openat") {
		t.Errorf("the kernel's counts (-) and the host's (+) differ:\n%s", cmp.Diff(kernel, user))
	}
}

// TestScriptAggsKernelEqualsUser: the kernel's duration histograms
// (kernel_hist()), per-process, per-errno and per-descriptor counts
// (kernel_procs(), kernel_errors(), kernel_fds()) of one run
// recorded with --record equal the host's from the recording's events, and
// the latency example's histogram is kept in the kernel (--explain).
func TestScriptAggsKernelEqualsUser(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	aggs := filepath.Join(dir, "aggs.star")
	if err := os.WriteFile(aggs, []byte(`trace(counts = True)

def on_exit():
    print(kernel_hist())
    procs = kernel_procs()
    for k in sorted(procs.keys()):
        c = procs[k]
        print(k[0], k[1], c.calls, c.errors, c.time_ns)
    errs = kernel_errors()
    for k in sorted(errs.keys()):
        print("err", k[0], k[1], errs[k])
    fds = kernel_fds()
    for k in sorted(fds.keys()):
        c = fds[k]
        print("fd", k[0], k[1], c.calls, c.errors, c.time_ns)
`), 0o644); err != nil {
		t.Fatal(err)
	}
	latency := filepath.Join(testutil.Root(), "examples", "latency.star")
	_, stderr := tracerIn(t, dir, "--explain", "-s", latency, "-o", filepath.Join(dir, "x"), "true")
	if !strings.Contains(stderr, "duration histogram per syscall") || !strings.Contains(stderr, "counted in the kernel, no record per call") {
		t.Errorf("latency.star's histogram is not kept in the kernel:\n%s", stderr)
	}
	rec := filepath.Join(dir, "run.bin")
	script := testutil.Syscaller(t) + " basic; dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null; cat /nonexistent 2>/dev/null; sleep 0.01; true"
	_, stderr = tracerIn(t, dir, "-f", "-s", aggs, "--record", rec, "-o", filepath.Join(dir, "y"), "sh", "-c", script)
	if strings.Contains(stderr, "events lost") {
		t.Fatalf("the recorded run lost events:\n%s", stderr)
	}
	tracerIn(t, dir, "-i", rec, "-s", aggs, "-o", filepath.Join(dir, "z"))
	kernel, user := readFile(t, filepath.Join(dir, "y")), readFile(t, filepath.Join(dir, "z"))
	if kernel != user || !strings.Contains(kernel, "@usecs[read]:") || !strings.Contains(kernel, " dd ") || !strings.Contains(kernel, " cat ") ||
		!strings.Contains(kernel, "err openat ENOENT") || !strings.Contains(kernel, "\nfd ") {
		t.Errorf("the kernel's aggregations (-) and the host's (+) differ:\n%s", cmp.Diff(kernel, user))
	}
}
