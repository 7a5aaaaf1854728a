package script

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runToEnd runs the scripts on the docs' events as a session does: the
// first error stops the events, and Finish runs whatever happened.
func runToEnd(t *testing.T, policy ErrorPolicy, scripts ...[2]string) (out string, warns []string, runErr, finErr error) {
	t.Helper()
	var b bytes.Buffer
	p := NewPipeline(&b, Options{Table: amd64(t), OnError: policy, Warn: func(m string) { warns = append(warns, m) }})
	for _, s := range scripts {
		if err := p.AddSource(s[0], []byte(s[1])); err != nil {
			p.Close()
			t.Fatal(err)
		}
	}
	runErr = p.Start()
	for _, ev := range docEvents() {
		if runErr != nil {
			break
		}
		runErr = p.Event(ev)
	}
	finErr = p.Finish()
	return b.String(), warns, runErr, finErr
}

// failsAt3 fails on its third call; counter counts what it sees. Both
// print their count in on_exit.
var (
	failsAt3 = [2]string{"a.star", `
n = [0]
def on_syscall(ev):
    n[0] += 1
    if n[0] == 3:
        fail("boom")
    return True
def on_exit():
    print("a saw", n[0])
`}
	counter = [2]string{"b.lua", `
local n = 0
function on_syscall(ev) n = n + 1 end
function on_exit() print("b saw " .. n) end
`}
)

func TestScriptErrorPolicies(t *testing.T) {
	for _, tc := range []struct {
		policy  ErrorPolicy
		out     string
		runErr  string
		warns   []string
		scripts [][2]string
	}{
		// The trace stops at the error; every on_exit still runs, the
		// failing script's too (its on_syscall failed, not its on_exit).
		{StopTrace, "a saw 3\nb saw 2\n", "a.star:6:13: in on_syscall: fail: boom", nil, [][2]string{failsAt3, counter}},
		// The failing script leaves the pipeline and passes the events
		// on: b sees all seven calls.
		{StopScript, "a saw 3\nb saw 7\n", "", []string{"a.star stopped (--script-errors=stop-script), the trace goes on without it: running script a.star: a.star:6:13: in on_syscall: fail: boom"}, [][2]string{failsAt3, counter}},
		// The event a failed on goes no further; a sees the rest.
		{SkipEvent, "a saw 7\nb saw 6\n", "", []string{
			"a.star: skipping the calls that fail (--script-errors=skip-event), the first: running script a.star: a.star:6:13: in on_syscall: fail: boom",
			"a.star: 1 call failed and was skipped",
		}, [][2]string{failsAt3, counter}},
	} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			out, warns, runErr, finErr := runToEnd(t, tc.policy, tc.scripts...)
			if diff := cmp.Diff(tc.out, out); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if tc.runErr == "" && runErr != nil || tc.runErr != "" && (runErr == nil || !strings.Contains(runErr.Error(), tc.runErr)) {
				t.Errorf("run error %v, want %q", runErr, tc.runErr)
			}
			if finErr != nil {
				t.Errorf("finish: %v", finErr)
			}
			if diff := cmp.Diff(tc.warns, warns); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// A failing on_exit does not keep the next script's from running, and a
// script whose on_exit failed is not run again.
func TestOnExitErrorRunsTheOthers(t *testing.T) {
	bad := [2]string{"bad.star", "def on_exit():\n    fail('no summary')\n"}
	out, _, runErr, finErr := runToEnd(t, StopTrace, bad, counter)
	if runErr != nil {
		t.Fatal(runErr)
	}
	if out != "b saw 7\n" {
		t.Errorf("output %q, want b's on_exit", out)
	}
	if finErr == nil || !strings.Contains(finErr.Error(), "bad.star:2:9: in on_exit: fail: no summary") {
		t.Errorf("finish error %v, want bad.star's", finErr)
	}
}

func TestParseErrorPolicy(t *testing.T) {
	for i, name := range ErrorPolicies {
		if p, err := ParseErrorPolicy(name); err != nil || p != ErrorPolicy(i) || p.String() != name {
			t.Errorf("ParseErrorPolicy(%q) = %v, %v", name, p, err)
		}
	}
	if _, err := ParseErrorPolicy("fatal"); err == nil || !strings.Contains(err.Error(), "stop-trace, stop-script, skip-event") {
		t.Errorf("ParseErrorPolicy(fatal): %v, want the choices", err)
	}
}

// A function named almost like a hook is refused with the hook meant;
// other functions, and the hooks themselves, load.
func TestMisnamedHook(t *testing.T) {
	for _, tc := range []struct{ file, src, want string }{
		{"a.star", "def on_sycall(ev):\n    pass\n", "loading script a.star: on_sycall is not a hook: did you mean on_syscall?"},
		{"a.star", "def onExit():\n    pass\n", "onExit is not a hook: did you mean on_exit?"},
		{"a.star", "def on_exits():\n    pass\n", "on_exits is not a hook: did you mean on_exit?"},
		{"a.star", "def on_exitprocess(p):\n    pass\n", "did you mean on_exit_process?"},
		{"a.lua", "function onsyscall(ev) end\n", "loading script a.lua: onsyscall is not a hook: did you mean on_syscall?"},
		{"a.lua", "function on_tik() end\n", "did you mean on_tick?"},
		{"a.star", "def on_syscall(ev):\n    pass\ndef once(x):\n    pass\ndef on_open(ev):\n    pass\n", ""},
		{"a.lua", "function on_syscall(ev) end\nfunction once() end\nlocal function onsyscal() end\n", ""},
	} {
		var b bytes.Buffer
		p := NewPipeline(&b, Options{Table: amd64(t)})
		err := p.AddSource(tc.file, []byte(tc.src))
		p.Close()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s %q: error %v, want %q", tc.file, tc.src, err, tc.want)
		}
	}
}

// A stopped stage still applies its trace() declaration (the kernel was
// told to send only those events): it passes on what it declared.
func TestStoppedStageKeepsItsDeclaration(t *testing.T) {
	opens := [2]string{"o.star", "trace(syscalls = [\"openat\"])\ndef on_syscall(ev):\n    fail('stop')\n"}
	names := [2]string{"n.star", "def on_syscall(ev):\n    print(ev.name)\n"}
	out, warns, runErr, finErr := runToEnd(t, StopScript, opens, names)
	if runErr != nil || finErr != nil || len(warns) != 1 {
		t.Fatalf("run %v, finish %v, warnings %q", runErr, finErr, warns)
	}
	if out != "openat\nopenat\n" {
		t.Errorf("after the stop, the next stage saw %q, want the two openat", out)
	}
}

// The process hooks follow the policy too: a failing on_exec is skipped.
func TestProcessHookErrorSkipped(t *testing.T) {
	bad := [2]string{"exec.star", "def on_exec(p):\n    fail('exec')\n"}
	out, warns, runErr, finErr := runToEnd(t, SkipEvent, bad, counter)
	if runErr != nil || finErr != nil || out != "b saw 7\n" || len(warns) != 2 || !strings.Contains(warns[1], "exec.star: 1 call failed and was skipped") {
		t.Errorf("run %v, finish %v, output %q, warnings %q", runErr, finErr, out, warns)
	}
}
