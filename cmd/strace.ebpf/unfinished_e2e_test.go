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
