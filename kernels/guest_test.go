package kernels

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The workload of TestGuestSmoke: a shell that writes a file (an openat of
// its own), and a child (cat) that reads it and fails on a missing path.
const smokeWorkload = `echo matrix > /tmp/smoke.txt; cat /tmp/smoke.txt /nonexistent-smoke; true`

// smokeScript counts the workload's openat calls and prints them at the end.
const smokeScript = `
opens = {}

def on_syscall(ev):
    if ev.name == "openat" and "smoke" in (ev.path or ""):
        opens[ev.path] = "ENOENT" if ev.failed else "ok"

def on_exit():
    for p in sorted(opens):
        print("script:", p, opens[p])
`

// TestGuestSmoke runs the built tracer (STRACE_EBPF_BIN) with the option sets
// a user types, on a short workload, and checks what each prints. The kernel
// matrix (kernels/run) runs it in every guest; elsewhere it skips unless
// STRACE_EBPF_BIN names a binary (it needs root).
func TestGuestSmoke(t *testing.T) {
	bin := os.Getenv("STRACE_EBPF_BIN")
	if bin == "" {
		t.Skip("STRACE_EBPF_BIN is not set: kernels/run sets it in each guest")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "smoke.star")
	if err := os.WriteFile(script, []byte(smokeScript), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(dir, "x.bin")
	created := regexp.MustCompile(`openat\(AT_FDCWD[^,]*, "/tmp/smoke.txt", O_WRONLY\|O_CREAT\|O_TRUNC, 0666\) = \d+`)
	missing := regexp.MustCompile(`openat\(AT_FDCWD[^,]*, "/nonexistent-smoke", O_RDONLY[^)]*\) = -1 ENOENT \(No such file or directory\)`)
	callLine := regexp.MustCompile(`^(\[pid +\d+\] |\d+ )?([a-z_0-9]+)\(`)

	cases := []struct {
		name  string
		args  []string
		check func(t *testing.T, out string)
	}{
		{"hex", nil, func(t *testing.T, out string) {
			want(t, out, "PID\tERR\tRES\tSYSCALL", "execve", "openat", "/tmp/smoke.txt")
		}},
		{"strace", []string{"-l", "strace"}, func(t *testing.T, out string) {
			match(t, out, created)
			if missing.MatchString(out) {
				t.Errorf("without -f the child's openat was traced:\n%s", out)
			}
			want(t, out, "+++ exited with 0 +++")
		}},
		{"strace -f -k -y -T", []string{"-l", "strace", "-f", "-k", "-y", "-T"}, func(t *testing.T, out string) {
			match(t, out, created)
			match(t, out, missing)
			match(t, out, regexp.MustCompile(`<\d+\.\d{6}>`))              // -T
			match(t, out, regexp.MustCompile(`\(\d+</tmp/smoke.txt>`))     // -y
			match(t, out, regexp.MustCompile(`(?m)^ > .*\[0x[0-9a-f]+\]`)) // -k
		}},
		{"json", []string{"-l", "json", "-f"}, func(t *testing.T, out string) {
			var opens []string
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				var ev struct {
					Name  string `json:"name"`
					Errno int    `json:"errno"`
					Data  []struct {
						Value string `json:"value"`
					} `json:"data"`
				}
				if err := json.Unmarshal([]byte(line), &ev); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if ev.Name == "openat" && len(ev.Data) > 0 && strings.Contains(ev.Data[0].Value, "smoke") {
					opens = append(opens, ev.Data[0].Value)
				}
			}
			if strings.Join(opens, " ") != "/tmp/smoke.txt /tmp/smoke.txt /nonexistent-smoke" {
				t.Errorf("openat of the workload = %q", opens)
			}
		}},
		{"bin", []string{"-l", "bin", "-f", "-o", rec}, nil},
		{"replay", []string{"-i", rec, "-l", "strace"}, func(t *testing.T, out string) {
			match(t, out, created)
			match(t, out, missing)
		}},
		{"summary", []string{"-c", "-f"}, func(t *testing.T, out string) {
			match(t, out, regexp.MustCompile(`(?m)^ *[0-9.]+ +[0-9.]+ +\d+ +\d+ +\d+ +openat$`))
			match(t, out, regexp.MustCompile(`(?m)^100\.00 .* total$`))
		}},
		{"failed only", []string{"-l", "strace", "-f", "-X"}, func(t *testing.T, out string) {
			match(t, out, missing)
			for _, line := range strings.Split(out, "\n") {
				if callLine.MatchString(line) && !strings.Contains(line, "= -1 ") && !strings.Contains(line, "<unfinished") {
					t.Errorf("-X printed a call that succeeded: %s", line)
				}
			}
		}},
		{"trace=openat", []string{"-l", "strace", "-f", "-e", "trace=openat"}, func(t *testing.T, out string) {
			match(t, out, created)
			match(t, out, missing)
			for _, line := range strings.Split(out, "\n") {
				if m := callLine.FindStringSubmatch(line); m != nil && m[2] != "openat" {
					t.Errorf("-e trace=openat printed %s", line)
				}
			}
		}},
		{"script", []string{"-f", "-s", script}, func(t *testing.T, out string) {
			want(t, out, "script: /nonexistent-smoke ENOENT\nscript: /tmp/smoke.txt ok\n")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := c.args
			out := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".out")
			if !hasOutput(args) {
				args = append(append([]string{}, args...), "-o", out)
			}
			if !hasInput(args) {
				args = append(args, "sh", "-c", smokeWorkload)
			}
			cmd := exec.Command(bin, args...)
			combined, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("strace.ebpf %s: %v\n%s", strings.Join(args, " "), err, combined)
			}
			if c.check == nil {
				return
			}
			text, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(text) == 0 {
				t.Fatalf("strace.ebpf %s printed nothing", strings.Join(args, " "))
			}
			c.check(t, string(text))
			if t.Failed() {
				t.Logf("strace.ebpf %s printed:\n%s", strings.Join(args, " "), text)
			}
		})
	}
}

func hasOutput(args []string) bool { return contains(args, "-o") }
func hasInput(args []string) bool  { return contains(args, "-i") }

func contains(args []string, s string) bool {
	for _, a := range args {
		if a == s {
			return true
		}
	}
	return false
}

func want(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

func match(t *testing.T, out string, re *regexp.Regexp) {
	t.Helper()
	if !re.MatchString(out) {
		t.Errorf("output matches no %s", re)
	}
}
