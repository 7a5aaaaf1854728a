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

// stackOf returns the " > " lines under the first line of trace that
// starts with call.
func stackOf(trace, call string) []string {
	lines := strings.Split(trace, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, call) {
			continue
		}
		var out []string
		for _, f := range lines[i+1:] {
			if !strings.HasPrefix(f, " > ") {
				break
			}
			out = append(out, f)
		}
		return out
	}
	return nil
}

var frameRE = regexp.MustCompile(`^ > (\S+)\((\S*)\) \[(0x[0-9a-f]+)\]$`)

// TestStackTraceLikeStrace traces a helper built with frame pointers whose
// openat goes through libc's open wrapper, which has none (Debian 12's
// libc): -k shows the wrapper, the helper's calling function and main
// with their symbols, line for line as the system's strace -k prints them
// (libunwind, DWARF), every frame in the same file at the same offset; and
// a replay of the -k recording prints the same.
func TestStackTraceLikeStrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	helper := testutil.StackHelper(t)
	dir := t.TempDir()
	live, rec, replayed := filepath.Join(dir, "live"), filepath.Join(dir, "run.bin"), filepath.Join(dir, "replay")
	tracerIn(t, dir, "-l", "strace", "-k", "-e", "trace=openat", "-o", live, "--record", rec, helper, "/dev/null")
	const call = `openat(AT_FDCWD, "/dev/null", O_RDONLY) = 3`
	got := stackOf(readFile(t, live), call)
	if len(got) < 3 {
		t.Fatalf("stack of %s: %d frames, want at least 3:\n%s", call, len(got), readFile(t, live))
	}
	for i, want := range []*regexp.Regexp{
		regexp.MustCompile(`^ > /\S+/libc\.so\.6\(__open64\+0x[0-9a-f]+\) \[0x[0-9a-f]+\]$`),
		regexp.MustCompile(`^ > ` + regexp.QuoteMeta(helper) + `\(open_marker\+0x[0-9a-f]+\) \[0x[0-9a-f]+\]$`),
		regexp.MustCompile(`^ > ` + regexp.QuoteMeta(helper) + `\(main\+0x[0-9a-f]+\) \[0x[0-9a-f]+\]$`),
	} {
		if !want.MatchString(got[i]) {
			t.Errorf("frame %d: %q, want %s", i, got[i], want)
		}
	}

	t.Run("replay", func(t *testing.T) {
		tracerIn(t, dir, "-i", rec, "-l", "strace", "-k", "-o", replayed)
		if diff := cmp.Diff(readFile(t, live), readFile(t, replayed)); diff != "" {
			t.Errorf("replay differs from the live run (-live +replay):\n%s", diff)
		}
	})

	t.Run("strace", func(t *testing.T) {
		straceBin, err := exec.LookPath("strace")
		if err != nil {
			t.Skip("strace not installed")
		}
		out := filepath.Join(dir, "strace")
		if b, err := exec.Command(straceBin, "-k", "-e", "trace=openat", "-o", out, helper, "/dev/null").CombinedOutput(); err != nil {
			t.Skipf("strace -k: %v\n%s", err, b) // built without stack tracing
		}
		want := stackOf(readFile(t, out), call)
		// The wrapper, the helper's function and main: line for line.
		if diff := cmp.Diff(want[:min(3, len(want))], got[:3]); diff != "" {
			t.Errorf("innermost frames (-strace -k +strace.ebpf -k):\n%s", diff)
		}
		// Every frame: the same file and offset. Names may differ: strace
		// reads .dynsym alone, this tool the debug file's full table when
		// installed (__libc_start_call_main, not __libc_init_first+0x8a).
		where := func(lines []string) []string {
			var out []string
			for _, l := range lines {
				if m := frameRE.FindStringSubmatch(l); m != nil {
					out = append(out, m[1]+" "+m[3])
				} else {
					out = append(out, l)
				}
			}
			return out
		}
		if diff := cmp.Diff(where(want), where(got)); diff != "" {
			t.Errorf("frames' files and offsets (-strace -k +strace.ebpf -k):\n%s", diff)
		}
	})
}
