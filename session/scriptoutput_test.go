package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --script-output takes what scripts print in every format: the text
// formats too, whose trace then holds only the events.
func TestScriptOutputEveryFormat(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "p.star")
	os.WriteFile(sc, []byte("def on_syscall(ev):\n    if ev.name == 'execve':\n        print('SCRIPT-SAW', ev.name)\n    return True\ndef on_exit():\n    print('SCRIPT-END')\n"), 0o644)
	for _, f := range []string{"hex", "strace", "json", "perfetto", "bin"} {
		t.Run(f, func(t *testing.T) {
			so, out := filepath.Join(dir, f+".script"), filepath.Join(dir, f+".trace")
			_, stderr, err := replay(t, workload, Plan{Format: f, Output: out, ScriptOutput: so, Scripts: []string{sc}})
			if err != nil {
				t.Fatalf("%v (%s)", err, stderr)
			}
			got, err := os.ReadFile(so)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), "SCRIPT-SAW execve") || !strings.HasSuffix(string(got), "SCRIPT-END\n") {
				t.Errorf("script output %q, want the script's lines", got)
			}
			trace, _ := os.ReadFile(out)
			if len(trace) == 0 || strings.Contains(string(trace), "SCRIPT-") || strings.Contains(stderr, "SCRIPT-") {
				t.Errorf("the script's lines went elsewhere too, or no trace: trace %d bytes, stderr %q", len(trace), stderr)
			}
		})
	}
}

func TestScriptOutputRefused(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "p.star")
	os.WriteFile(sc, []byte("def on_exit():\n    print('x')\n"), 0o644)
	for _, tc := range []struct {
		plan Plan
		want string
	}{
		{Plan{Format: "hex", ScriptOutput: filepath.Join(dir, "no/such/dir/f"), Scripts: []string{sc}}, "opening script output: open " + filepath.Join(dir, "no/such/dir/f") + ": no such file or directory"},
		{Plan{Format: "strace", ScriptOutput: dir, Scripts: []string{sc}}, "opening script output: open " + dir + ": is a directory"},
		{Plan{ScriptOutput: filepath.Join(dir, "f")}, "parsing options: --script-output takes what scripts (-s) print: give one"},
		{Plan{Summary: SummaryOnly, ScriptOutput: filepath.Join(dir, "f"), Scripts: []string{sc}}, "parsing options: --script-output: with -c"},
	} {
		_, _, err := replay(t, workload, tc.plan)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
		var ue *UsageError
		if strings.HasPrefix(tc.want, "parsing") && !errors.As(err, &ue) {
			t.Errorf("%v is not a usage error", err)
		}
	}
}
