package fidelity

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// stackFrameRE is a -k frame line: the file and the offset in it.
var stackFrameRE = regexp.MustCompile(`^ > (\S+?)(?:\(.*\))? \[(0x[0-9a-f]+)\]$`)

// stacks reads a -k trace: the frames (file and offset) under each call,
// keyed by the call's name and occurrence ("openat#3").
func stacks(t *testing.T, path string) map[string][]string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	seen := map[string]int{}
	var cur string
	for _, l := range strings.Split(string(b), "\n") {
		if m := stackFrameRE.FindStringSubmatch(l); m != nil {
			if cur != "" {
				out[cur] = append(out[cur], m[1]+" "+m[2])
			}
			continue
		}
		cur = ""
		if name, _, ok := strings.Cut(l, "("); ok && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
			seen[name]++
			cur = fmt.Sprintf("%s#%d", name, seen[name])
			out[cur] = nil
		}
	}
	return out
}

// TestStackFidelity measures how many of the frames the system's strace -k
// prints (libunwind, DWARF) strace.ebpf -k reproduces, same file and
// offset at the same depth, with frame pointers alone (--stack-window=-1)
// and with stack windows of 2 KiB and 4 KiB (the default) unwound with
// .eh_frame. docs/stack-traces.md reports the figures.
func TestStackFidelity(t *testing.T) {
	testutil.RequireBPF(t)
	straceBin := lookPath(t, "strace")
	tracer := testutil.Tracer(t)
	helper := testutil.StackHelper(t)
	progs := [][]string{{helper}, {"ls", "-l", "/usr"}, {"cat", "/etc/hostname"}, {"sh", "-c", "echo hi >/dev/null"},
		{"perl", "-e", "open(F, '/etc/hostname')"}, {"python3", "-c", "open('/etc/hostname').read()"}}
	windows := []string{"-1", "2048", "4088"}
	var report []string
	for _, p := range progs {
		if _, err := exec.LookPath(p[0]); err != nil {
			continue
		}
		dir := t.TempDir()
		a := filepath.Join(dir, "strace")
		run(t, dir, append([]string{straceBin, "-k", "-e", "trace=openat,read,write", "-o", a}, p...))
		want := stacks(t, a)
		n := 0
		for _, fs := range want {
			n += len(fs)
		}
		line := fmt.Sprintf("%-28.28s %4d frames", strings.Join(p, " "), n)
		if p[0] == helper {
			line = fmt.Sprintf("%-28s %4d frames", "stackhelper (frame pointers)", n)
		}
		for _, w := range windows {
			b := filepath.Join(dir, "ebpf"+w)
			run(t, dir, append([]string{tracer, "-l", "strace", "-k", "--stack-window=" + w, "-e", "trace=openat,read,write", "-o", b}, p...))
			got := stacks(t, b)
			m := 0
			for k, fs := range want {
				for i, f := range fs {
					if i < len(got[k]) && got[k][i] == f {
						m++
					}
				}
			}
			line += fmt.Sprintf("  %5s %5.1f%%", w, pct(m, n))
			if p[0] == helper && w == "4088" && m != n {
				t.Errorf("the helper's stacks at the default window: %d of %d frames as strace -k", m, n)
			}
		}
		report = append(report, line)
	}
	t.Logf("frames as strace -k prints them, by --stack-window:\n%s", strings.Join(report, "\n"))
}
