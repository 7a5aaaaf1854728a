package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// complete runs the generated bash completion on words (the last one
// being completed) and returns its candidates.
func complete(t *testing.T, bin string, words ...string) []string {
	t.Helper()
	script := filepath.Join(testutil.Root(), "docs/completion/strace.ebpf.bash")
	var q []string
	for _, w := range append([]string{bin}, words...) {
		q = append(q, "'"+strings.ReplaceAll(w, "'", `'\''`)+"'")
	}
	prog := "compopt() { :; }\nsource " + script + "\nCOMP_WORDS=(" + strings.Join(q, " ") + ")\nCOMP_CWORD=" +
		strconv.Itoa(len(words)) + "\n_strace_ebpf\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	out, err := exec.Command("bash", "--norc", "-c", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("completing %q: %v\n%s", words, err, out)
	}
	return strings.Fields(string(out))
}

// The bash completion completes -e expressions (qualifiers, classes,
// syscall names, statuses, signals), option arguments (-n, -u, -E, -p,
// -l, strace's spellings) and nothing of ours after the command's name.
func TestBashCompletion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	bin := testutil.Tracer(t)
	self := strconv.Itoa(os.Getpid())
	for _, tt := range []struct {
		words []string
		want  []string // each must be offered
		not   []string // none may be
	}{
		{[]string{"-e", "trace=opena"}, []string{"trace=openat"}, []string{"trace=open"}},
		{[]string{"-e", "trace=read,%fi"}, []string{"trace=read,%file"}, nil},
		{[]string{"-e", "trace=!clo"}, []string{"trace=!close", "trace=!close_range"}, nil},
		{[]string{"-e", "sta"}, []string{"status=", "statfs"}, nil},
		{[]string{"-e", "status=fa"}, []string{"status=failed"}, []string{"status=successful"}},
		{[]string{"-e", "signal=SIGTE"}, []string{"signal=SIGTERM"}, nil},
		{[]string{"--trace=execv"}, []string{"--trace=execve", "--trace=execveat"}, nil},
		{[]string{"-n", "na"}, []string{"name_max"}, nil},
		{[]string{"-u", "roo"}, []string{"root"}, nil},
		{[]string{"-E", "PAT"}, []string{"PATH="}, nil},
		{[]string{"-p", self}, []string{self}, nil},
		{[]string{"-l", "st"}, []string{"strace"}, nil},
		{[]string{"--summary-sort-by", "ca"}, []string{"calls"}, nil},
		{[]string{"--follow-f"}, []string{"--follow-forks"}, nil},
		{[]string{"--stack-w"}, []string{"--stack-window"}, nil},
		// After the command's name: its arguments, not our options.
		{[]string{"-f", "-e", "trace=open", "ls", "--fo"}, nil, []string{"--follow-forks", "--format"}},
		{[]string{"-o", "x", "ls", "-"}, nil, []string{"-o", "-f"}},
	} {
		got := complete(t, bin, tt.words...)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("completing %q: %q missing from %q", tt.words, w, trim(got))
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("completing %q: %q offered", tt.words, w)
			}
		}
	}
}

func trim(s []string) []string {
	if len(s) > 20 {
		return append(s[:20:20], "...")
	}
	return s
}
