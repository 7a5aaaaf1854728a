package main

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// TestStraceUnfinishedWhereEntered traces the syscaller's fork mode (the
// parent waits for a child that waits for a grandchild) with -f -l strace:
// as in strace, a wait4 that sleeps is shown "<unfinished ...>" before the
// lines of the processes that run meanwhile, and "<... wait4 resumed>"
// after them.
func TestStraceUnfinishedWhereEntered(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "trace")
	tracerIn(t, dir, "-f", "-l", "strace", "-o", out, testutil.Syscaller(t), "fork")
	lines := strings.Split(strings.TrimRight(readFile(t, out), "\n"), "\n")

	line := regexp.MustCompile(`^(\d+) +(.*)$`)
	var pids []string // in order of first line
	find := func(pid, re string) int {
		t.Helper()
		r := regexp.MustCompile(re)
		for i, l := range lines {
			if m := line.FindStringSubmatch(l); m != nil && m[1] == pid && r.MatchString(m[2]) {
				return i
			}
		}
		t.Fatalf("no line of %s matching %s in:\n%s", pid, re, strings.Join(lines, "\n"))
		return -1
	}
	for _, l := range lines {
		if m := line.FindStringSubmatch(l); m != nil && !slices.Contains(pids, m[1]) {
			pids = append(pids, m[1])
		}
	}
	if len(pids) != 3 {
		t.Fatalf("want 3 processes, got %v:\n%s", pids, strings.Join(lines, "\n"))
	}
	parent, child, grandchild := pids[0], pids[1], pids[2]
	for _, c := range []struct{ waiter, waited string }{{parent, child}, {child, grandchild}} {
		entered := find(c.waiter, `^wait4\(`+c.waited+`,  <unfinished \.\.\.>$`)
		resumed := find(c.waiter, `^<\.\.\. wait4 resumed>NULL, 0, NULL\) += `+c.waited+`$`)
		exited := find(c.waited, `^\+\+\+ exited with 0 \+\+\+$`)
		if !(entered < exited && exited < resumed) {
			t.Errorf("%s's wait4 for %s: unfinished at line %d, resumed at %d, %s exited at %d; want unfinished < exited < resumed:\n%s",
				c.waiter, c.waited, entered+1, resumed+1, c.waited, exited+1, strings.Join(lines, "\n"))
		}
	}
	// The grandchild's marker open runs while both wait.
	open := find(grandchild, `^openat\(AT_FDCWD, "/nonexistent/grandchild-marker"`)
	if entered := find(child, `^wait4\(`); entered > open {
		t.Errorf("the child's wait4 (line %d) is shown after the grandchild's openat (line %d)", entered+1, open+1)
	}
}

// TestStraceDetached attaches to a process blocked in read with -p and
// stops with SIGINT: as strace, the call still blocked is printed with
// "<detached ...>", from what the kernel kept of its entry.
func TestStraceDetached(t *testing.T) {
	testutil.RequireBPF(t)
	got, se := detachFromBlockedRead(t, "-l", "strace", "-e", "trace=read")
	if want := "read(0,  <detached ...>\n"; got != want {
		t.Errorf("trace after detaching is %q, want %q (stderr: %s)", got, want, se)
	}
}

// TestSplitPerProcess traces the syscaller's fork mode with -ff: each of
// the three processes has its own FILE.PID, with its own calls only and no
// pid prefix, as strace -ff writes them; a replay with -ff splits the same.
func TestSplitPerProcess(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "t")
	rec := filepath.Join(dir, "run.bin")
	tracerIn(t, dir, "-ff", "-l", "strace", "-o", base, "--record", rec, testutil.Syscaller(t), "fork")
	check := func(base string) {
		t.Helper()
		files, _ := filepath.Glob(base + ".*")
		if len(files) != 3 {
			t.Fatalf("files %v, want one per process (3)", files)
		}
		var marker, waits int
		for _, f := range files {
			body := readFile(t, f)
			lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
			if !strings.HasPrefix(lines[len(lines)-1], "+++ exited with 0 +++") {
				t.Errorf("%s does not end with its exit:\n%s", f, body)
			}
			if regexp.MustCompile(`(?m)^\d+ |^\[pid`).MatchString(body) {
				t.Errorf("%s has pid prefixes:\n%s", f, body)
			}
			if strings.Contains(body, "/nonexistent/grandchild-marker") {
				marker++
			}
			// Each waiter's own file shows its wait4 whole: no other
			// process's line comes in between.
			if regexp.MustCompile(`(?m)^wait4\(\d+, NULL, 0, NULL\) += \d+$`).MatchString(body) {
				waits++
			}
		}
		if marker != 1 || waits != 2 {
			t.Errorf("marker open in %d files, whole wait4 in %d; want 1 and 2", marker, waits)
		}
	}
	check(base)
	replayed := filepath.Join(dir, "r")
	tracerIn(t, dir, "-ff", "-l", "strace", "-i", rec, "-o", replayed)
	check(replayed)
}

func TestSplitErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-ff", "true"}, "strace.ebpf: parsing options: -ff, -fff, -FF and -FFF need -o FILE (each process's trace goes to FILE.PID, each thread's to FILE.TID.PID)\n"},
		{[]string{"-ff", "-o", "x", "-s", "x.star", "true"}, "strace.ebpf: parsing options: -ff does not take scripts (-s): their state is the whole trace's, not a process's\n"},
	} {
		r := runTracer(t, tt.args...)
		if r.code != 2 || r.stderr != tt.want {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}
