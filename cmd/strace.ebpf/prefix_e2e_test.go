package main

import (
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// The [pid N] prefix follows the processes traced, not the lines shown:
// when filters hide the parent's lines, its children's lines still name
// their process, as strace's do.
func TestPrefixWhenFiltersHideParent(t *testing.T) {
	testutil.RequireBPF(t)
	for _, tc := range []struct {
		args []string
		want []string // each line, from the first that has a prefix
	}{
		{[]string{"-e", "trace=none", "sh", "-c", "/bin/true; /bin/true"},
			[]string{"[pid N] +++ exited with 0 +++", "--- SIGCHLD", "[pid N] +++ exited with 0 +++", "--- SIGCHLD", "+++ exited with 0 +++"}},
		{[]string{"-e", "trace=read", "-P", "/etc/hostname", "sh", "-c", "cat /etc/hostname >/dev/null"},
			[]string{"[pid N] read(3, ", "[pid N] read(3, ", "[pid N] +++ exited with 0 +++", "--- SIGCHLD", "+++ exited with 0 +++"}},
	} {
		res := runTracer(t, append([]string{"-l", "strace", "-f"}, tc.args...)...)
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(res.stderr), "\n") {
			if strings.HasPrefix(l, "[pid ") {
				_, rest, _ := strings.Cut(l, "] ")
				l = "[pid N] " + rest
			}
			got = append(got, l)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: %d lines, want %d:\n%s", tc.args, len(got), len(tc.want), res.stderr)
			continue
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(got[i], w) {
				t.Errorf("%q: line %d is %q, want it to start %q\n%s", tc.args, i+1, got[i], w, res.stderr)
			}
		}
	}
}
