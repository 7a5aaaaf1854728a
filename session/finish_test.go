package session

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/script"
)

// A script error stops the trace through the same finish as its end: json,
// perfetto, bin and --record outputs are complete, and the other scripts'
// on_exit print what they gathered.
func TestScriptErrorFinishesOutputs(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(dir, "count.star")
	os.WriteFile(counter, []byte("n = [0]\ndef on_syscall(ev):\n    n[0] += 1\n    return True\ndef on_exit():\n    print('counted', n[0])\n"), 0o644)
	bad := filepath.Join(dir, "err.star")
	os.WriteFile(bad, []byte("n = [0]\ndef on_syscall(ev):\n    n[0] += 1\n    if n[0] == 20:\n        fail('boom at 20')\n    return True\n"), 0o644)
	for _, f := range []string{"json", "perfetto", "bin", "strace"} {
		t.Run(f, func(t *testing.T) {
			out, rec := filepath.Join(dir, f+".out"), filepath.Join(dir, f+".rec")
			_, stderr, err := replay(t, workload, Plan{Format: f, Output: out, Record: rec, Scripts: []string{counter, bad}})
			if err == nil || !strings.Contains(err.Error(), "boom at 20") {
				t.Fatalf("error %v, want the script's", err)
			}
			b, _ := os.ReadFile(out)
			printed := stderr // next to machine-read formats
			if f == "strace" {
				printed = string(b)
			}
			if !strings.Contains(printed, "counted 20") {
				t.Errorf("the first script's on_exit did not run after the error: %q", printed)
			}
			switch f {
			case "json":
				lines := strings.Split(strings.TrimSpace(string(b)), "\n")
				for _, l := range lines {
					if !json.Valid([]byte(l)) {
						t.Fatalf("json line %q is not valid", l)
					}
				}
				if len(lines) < 19 {
					t.Errorf("%d json lines, want the 19 events before the error", len(lines))
				}
			case "perfetto":
				var doc struct{ TraceEvents []json.RawMessage }
				if err := json.Unmarshal(b, &doc); err != nil || len(doc.TraceEvents) == 0 {
					t.Errorf("perfetto output is not a whole document: %v\n...%s", err, b[max(0, len(b)-200):])
				}
			case "bin":
				checkRecording(t, out)
			}
			checkRecording(t, rec)
		})
	}
}

// checkRecording replays a recording to its end: it must have its end
// record.
func checkRecording(t *testing.T, path string) {
	t.Helper()
	got, stderr, err := replay(t, path, Plan{Format: "json"})
	if err != nil || strings.TrimSpace(got) == "" {
		t.Errorf("replaying %s: %v (%s)", filepath.Base(path), err, stderr)
	}
}

// --script-errors=stop-script and skip-event keep the trace going and say
// so on stderr.
func TestScriptErrorPolicyReplay(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "err.star")
	os.WriteFile(bad, []byte("n = [0]\ndef on_syscall(ev):\n    n[0] += 1\n    if ev.failed:\n        fail('on a failed call')\n    return True\ndef on_exit():\n    print('saw', n[0])\n"), 0o644)
	all, _, err := replay(t, workload, Plan{Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	failed, _, err := replay(t, workload, Plan{Format: "json", Filter: mustFilter(t, "status=failed")})
	if err != nil {
		t.Fatal(err)
	}
	syscalls := func(s string) int { return strings.Count(s, `"kind":"syscall"`) }
	for _, tc := range []struct {
		policy script.ErrorPolicy
		want   int // syscalls printed
		note   string
	}{
		{script.StopScript, syscalls(all), "err.star stopped (--script-errors=stop-script)"},
		{script.SkipEvent, syscalls(all) - syscalls(failed), "failed and were skipped"},
	} {
		out, stderr, err := replay(t, workload, Plan{Format: "json", Scripts: []string{bad}, ScriptErrors: tc.policy})
		if err != nil {
			t.Errorf("%v: %v", tc.policy, err)
		}
		if got := syscalls(out); got != tc.want {
			t.Errorf("%v: %d syscalls printed, want %d", tc.policy, got, tc.want)
		}
		if !strings.Contains(stderr, tc.note) || !strings.Contains(stderr, "saw ") {
			t.Errorf("%v: stderr %q, want %q and the script's on_exit", tc.policy, stderr, tc.note)
		}
	}
}

// A failing on_start stops the session before it traces, with its outputs
// finished all the same: perfetto's document closed, the recording ended,
// every on_exit run.
func TestOnStartErrorFinishesOutputs(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "start.star")
	os.WriteFile(bad, []byte("def on_start():\n    fail('no start')\ndef on_exit():\n    print('exit ran')\n"), 0o644)
	out, rec := filepath.Join(dir, "t.json"), filepath.Join(dir, "t.bin")
	_, stderr, err := replay(t, workload, Plan{Format: "perfetto", Output: out, Record: rec, Scripts: []string{bad}})
	if err == nil || !strings.Contains(err.Error(), "in on_start: fail: no start") {
		t.Fatalf("error %v, want on_start's", err)
	}
	if !strings.Contains(stderr, "exit ran") {
		t.Errorf("on_exit did not run: stderr %q", stderr)
	}
	b, _ := os.ReadFile(out)
	var doc struct{ TraceEvents []json.RawMessage }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Errorf("perfetto output after on_start failed: %v: %q", err, b)
	}
	got, se, err := replay(t, rec, Plan{Format: "json"})
	if err != nil || got != "" {
		t.Errorf("replaying the recording: %v, %q (%s)", err, got, se)
	}
}
