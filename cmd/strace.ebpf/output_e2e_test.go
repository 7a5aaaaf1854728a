package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// A newline in the command line does not move the hex header off line 2.
func TestHexTitleNewline(t *testing.T) {
	testutil.RequireBPF(t)
	_, log := traceFile(t, "sh", "-c", "true\ntrue")
	lines := strings.Split(log, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "PID\tERR\tRES\tSYSCALL") || !strings.HasSuffix(lines[0], "sh\t-c\ttrue\\ntrue") {
		t.Errorf("hex title and header:\n%s", strings.Join(lines[:min(3, len(lines))], "\n"))
	}
}

// A core-dumping signal is shown once, in every format that shows signals
// (the kernel's fatal shortcut, which the tracer holds such a signal for,
// does not apply to them: signal_deliver sees them).
func TestCoreSignalOnce(t *testing.T) {
	testutil.RequireBPF(t)
	for _, sig := range []string{"SEGV", "ABRT", "QUIT", "TERM"} {
		cmd := []string{"-e", "trace=none", "sh", "-c", "kill -" + sig + " $$"}
		for _, f := range []struct{ name, mark string }{
			{"strace", "--- SIG" + sig + " {"},
			{"json", `"signame":"SIG` + sig + `"`},
			{"perfetto", `{"name":"SIG` + sig + `"`},
		} {
			_, log := traceFile(t, append([]string{"-l", f.name}, cmd...)...)
			if n := strings.Count(log, f.mark); n != 1 {
				t.Errorf("SIG%s, -l %s: shown %d times, want once:\n%s", sig, f.name, n, log)
			}
		}
		rec := filepath.Join(t.TempDir(), "r.bin")
		// A recording holds signals when the format it goes with shows them.
		runTracer(t, append([]string{"-l", "strace", "-o", os.DevNull, "--record", rec}, cmd...)...)
		if r := runTracer(t, "-i", rec, "-l", "json"); strings.Count(r.stdout, `"signame":"SIG`+sig+`"`) != 1 {
			t.Errorf("SIG%s, --record replayed: %s", sig, r.stdout)
		}
	}
}

// pathOf is a path of n bytes under /nonexistent, ending in "z".
func pathOf(n int) string {
	p := "/nonexistent"
	for len(p) < n {
		p += "/" + strings.Repeat("a", 200)
	}
	return p[:n-1] + "z"
}

// A whole 4,095-byte path (PATH_MAX-1, the longest the kernel takes) is
// not marked cut; a 4,096-byte one is, showing its first 4,095 bytes.
func TestPathMaxMinusOneWhole(t *testing.T) {
	testutil.RequireBPF(t)
	whole, long := pathOf(4095), pathOf(4096)
	_, log := traceFile(t, "-l", "strace", "-e", "trace=openat", "cat", whole)
	if !strings.Contains(log, `"`+whole+`", O_RDONLY) = -1 ENOENT`) {
		t.Errorf("the 4095-byte path is not shown whole:\n%.300s", log[max(0, len(log)-300):])
	}
	_, log = traceFile(t, "-l", "json", "-e", "trace=openat", "cat", whole)
	if !strings.Contains(log, `"`+whole+`"`) || strings.Contains(log, "str_trunc") {
		t.Errorf("json: the 4095-byte path is marked cut or missing:\n%.300s", log[max(0, len(log)-300):])
	}
	_, log = traceFile(t, "-l", "strace", "-e", "trace=openat", "cat", long)
	if !strings.Contains(log, `"`+long[:4095]+`"..., O_RDONLY) = -1 ENAMETOOLONG`) {
		t.Errorf("the 4096-byte path is not shown cut:\n%.300s", log[max(0, len(log)-300):])
	}
}
