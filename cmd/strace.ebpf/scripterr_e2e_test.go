package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// A script that fails at its 100th event, live: the perfetto document and
// the recording are complete, the other script's on_exit prints its
// count, and the command's status is the exit status.
func TestScriptErrorCompletesOutputs(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	counter := writeScript(t, "count.star", "n = [0]\ndef on_syscall(ev):\n    n[0] += 1\n    return True\ndef on_exit():\n    print('counted %d' % n[0])\n")
	bad := writeScript(t, "err.star", "n = [0]\ndef on_syscall(ev):\n    n[0] += 1\n    if n[0] == 100:\n        fail('boom at 100')\n    return True\n")
	work := "for i in $(seq 300); do cat /etc/hostname > /dev/null; done; exit 7"
	for _, f := range []string{"perfetto", "bin"} {
		t.Run(f, func(t *testing.T) {
			out, rec := filepath.Join(dir, f+".out"), filepath.Join(dir, f+".rec")
			res := runTracer(t, "-f", "-s", counter, "-s", bad, "-l", f, "-o", out, "--record", rec, "sh", "-c", work)
			if res.code != 7 {
				t.Errorf("exit %d, want the command's 7 (stderr %s)", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, "tracing stopped: running script "+bad) || !strings.Contains(res.stderr, "boom at 100") || !strings.Contains(res.stderr, "counted 100") {
				t.Errorf("stderr %q, want the error and the first script's on_exit", res.stderr)
			}
			b, _ := os.ReadFile(out)
			if f == "perfetto" {
				var doc struct{ TraceEvents []json.RawMessage }
				if err := json.Unmarshal(b, &doc); err != nil || len(doc.TraceEvents) < 99 {
					t.Errorf("perfetto output after a script error: %v, %d events", err, len(doc.TraceEvents))
				}
			} else {
				replayed(t, out)
			}
			replayed(t, rec)
		})
	}
}

// replayed checks that a recording replays to its end record.
func replayed(t *testing.T, rec string) {
	t.Helper()
	r := runTracer(t, "-i", rec, "-l", "json")
	if r.code != 0 || r.stderr != "" || strings.Count(r.stdout, `"kind":"syscall"`) < 99 {
		t.Errorf("replaying %s: exit %d, stderr %s, %d syscalls", filepath.Base(rec), r.code, r.stderr, strings.Count(r.stdout, `"kind":"syscall"`))
	}
}

// --script-errors=skip-event: the trace goes on past the failing calls
// and says how many were skipped; a misnamed hook is refused at load.
func TestScriptErrorsOption(t *testing.T) {
	testutil.RequireBPF(t)
	bad := writeScript(t, "err.lua", "function on_syscall(ev)\n  if ev.path == '/nonexistent/x' then error('no such') end\n  return true\nend\n")
	res, log := traceFile(t, "-f", "--script-errors=skip-event", "-l", "strace", "-s", bad, "sh", "-c", "for i in 1 2 3; do cat /nonexistent/x; done 2>/dev/null; cat /etc/hostname >/dev/null")
	if res.code != 0 {
		t.Errorf("exit %d, want the command's 0", res.code)
	}
	if strings.Contains(log, `openat(AT_FDCWD, "/nonexistent/x"`) || !strings.Contains(log, `"/etc/hostname"`) {
		t.Errorf("the failing calls were not skipped, or the trace stopped:\n%s", log)
	}
	if !strings.Contains(res.stderr, "err.lua: skipping the calls that fail") || !strings.Contains(res.stderr, "err.lua: 3 calls failed and were skipped") {
		t.Errorf("stderr %q, want what was skipped", res.stderr)
	}
	for _, tc := range []struct{ file, src, want string }{
		{"typo.star", "def on_sycall(ev):\n    return True\n", "strace.ebpf: loading script %s: on_sycall is not a hook: did you mean on_syscall?"},
		{"typo.lua", "function onsyscall(ev) return true end\n", "strace.ebpf: loading script %s: onsyscall is not a hook: did you mean on_syscall?"},
	} {
		s := writeScript(t, tc.file, tc.src)
		r := runTracer(t, "-s", s, "true")
		if want := strings.Replace(tc.want, "%s", s, 1); r.code == 0 || !strings.HasPrefix(r.stderr, want+" (hooks: on_start, on_syscall,") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q, want %q", tc.file, r.code, r.stderr, want)
		}
	}
	if r := runTracer(t, "--script-errors=fatal", "true"); r.code != 2 || !strings.Contains(r.stderr, "parsing --script-errors: \"fatal\" is not one of stop-trace, stop-script, skip-event") {
		t.Errorf("--script-errors=fatal: exit %d, stderr %q", r.code, r.stderr)
	}
}
