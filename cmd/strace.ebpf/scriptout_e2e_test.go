package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// --script-output is honoured live with the text formats, and a path that
// cannot be created is an error.
func TestScriptOutputText(t *testing.T) {
	testutil.RequireBPF(t)
	sc := writeScript(t, "p.star", "def on_exec(p):\n    print('SCRIPT exec', p.filename)\n")
	for _, f := range []string{"hex", "strace"} {
		so := filepath.Join(t.TempDir(), "script.out")
		res, log := traceFile(t, "-l", f, "-s", sc, "--script-output", so, "/bin/true")
		b, err := os.ReadFile(so)
		if res.code != 0 || err != nil || string(b) != "SCRIPT exec /bin/true\n" || strings.Contains(log, "SCRIPT") {
			t.Errorf("-l %s: exit %d, script output %q (%v), trace:\n%s", f, res.code, b, err, log)
		}
	}
	r := runTracer(t, "-s", sc, "--script-output", "/nonexistent/dir/f", "/bin/true")
	if r.code == 0 || strings.TrimSpace(r.stderr) != "strace.ebpf: opening script output: open /nonexistent/dir/f: no such file or directory" {
		t.Errorf("bad --script-output path: exit %d, stderr %q", r.code, r.stderr)
	}
}
