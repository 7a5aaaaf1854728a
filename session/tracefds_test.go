package session

import (
	"slices"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestTraceFdsResolve: trace-fds= (and strace's other spellings) narrows
// the kernel's set to the calls that operate on descriptors, within a
// trace= set; with -P, to the calls either can match.
func TestTraceFdsResolve(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	nr := func(n string) int { return tab.ByName(n).Nr }
	for _, tc := range []struct {
		exprs      []string
		paths      []string
		has, lacks []string
	}{
		{exprs: []string{"trace-fds=3"}, has: []string{"read", "close", "poll", "pselect6", "mmap", "openat", "dup2"}, lacks: []string{"getpid", "open", "pipe2", "munmap", "socket"}},
		{exprs: []string{"fd=!3", "trace=read,getpid,open"}, has: []string{"read"}, lacks: []string{"getpid", "open", "close"}},
		{exprs: []string{"fds=3"}, paths: []string{"/etc/passwd"}, has: []string{"read", "open", "poll"}, lacks: []string{"getpid"}},
	} {
		f, err := ParseFilter(tc.exprs)
		if err != nil {
			t.Fatalf("%v: %v", tc.exprs, err)
		}
		f.Paths = tc.paths
		sel, err := f.Resolve(tab)
		if err != nil {
			t.Fatalf("%v: %v", tc.exprs, err)
		}
		k := sel.Kernel()
		for _, n := range tc.has {
			if !slices.Contains(k.Syscalls, nr(n)) {
				t.Errorf("%v -P %v: the kernel drops %s", tc.exprs, tc.paths, n)
			}
		}
		for _, n := range tc.lacks {
			if slices.Contains(k.Syscalls, nr(n)) {
				t.Errorf("%v -P %v: the kernel sends %s", tc.exprs, tc.paths, n)
			}
		}
	}
	for _, bad := range []string{"trace-fds=x", "trace-fds=-1", "fd=", "trace-fds=!"} {
		if _, err := ParseFilter([]string{bad}); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
