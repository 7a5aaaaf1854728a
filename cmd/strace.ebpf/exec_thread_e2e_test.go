package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// normalized keeps the lines of a strace-format trace that match keep,
// with pids and addresses made N and 0xADDR.
func normalized(trace string, keep *regexp.Regexp) []string {
	prefix := regexp.MustCompile(`^\[pid +\d+\]`)
	pid := regexp.MustCompile(`(PID=|in pid )\d+`)
	addr := regexp.MustCompile(`0x[0-9a-f]+`)
	var out []string
	for _, l := range strings.Split(trace, "\n") {
		if keep.MatchString(l) {
			l = prefix.ReplaceAllString(l, "[pid N]")
			l = pid.ReplaceAllString(l, "${1}N")
			out = append(out, addr.ReplaceAllString(l, "0xADDR"))
		}
	}
	return out
}

// TestExecArgvNotFaultedIn: flock -c runs the shell with an argv whose
// "-c" sits in flock's read-only data, never touched by the forked child:
// the whole argv shows, as the system strace prints it, not the strings
// read before the first unreadable one.
func TestExecArgvNotFaultedIn(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	straceBin, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace not installed")
	}
	flock, err := exec.LookPath("flock")
	if err != nil {
		t.Skip("flock not installed")
	}
	dir := t.TempDir()
	lock := filepath.Join(dir, "lock")
	args := []string{flock, lock, "-c", "echo marker-flock"}
	out, err := exec.Command(straceBin, append([]string{"-f", "-e", "trace=execve"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("strace: %v\n%s", err, out)
	}
	keep := regexp.MustCompile(`execve\("/bin/(ba)?sh"`)
	want := normalized(string(out), keep)
	if len(want) != 1 || !strings.Contains(want[0], `"-c", "echo marker-flock"]`) {
		t.Fatalf("strace printed no shell exec with its argv:\n%s", out)
	}
	_, stderr := tracerIn(t, dir, append([]string{"-f", "-l", "strace", "-e", "trace=execve"}, args...)...)
	if diff := cmp.Diff(want, normalized(stderr, keep)); diff != "" {
		t.Errorf("flock's exec of the shell (-strace +strace.ebpf):\n%s\nwhole trace:\n%s", diff, stderr)
	}
}

// TestExecFromThread: an execve from a thread other than the main one
// returns under the leader's id (the kernel's de_thread): the leader's end
// is strace's "+++ superseded by execve in pid N +++", not an exit, and
// the process has one exit, the new program's.
func TestExecFromThread(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	straceBin, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace not installed")
	}
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	dir := t.TempDir()
	helper := filepath.Join(dir, "threadexec")
	if b, err := exec.Command(cc, "-O1", "-pthread", "-o", helper, filepath.Join(testutil.Root(), "testdata", "threadexec.c")).CombinedOutput(); err != nil {
		t.Fatalf("cc testdata/threadexec.c: %v\n%s", err, b)
	}
	out, err := exec.Command(straceBin, "-f", helper).CombinedOutput()
	if err != nil {
		t.Fatalf("strace: %v\n%s", err, out)
	}
	keep := regexp.MustCompile(`marker-threadexec|superseded|execve resumed|\+\+\+ exited`)
	want := []string{
		`[pid N] execve("/bin/true", ["/bin/true", "marker-threadexec"], 0xADDR /* ` + envCount(string(out)) + ` vars */ <unfinished ...>`,
		"+++ superseded by execve in pid N +++",
		"<... execve resumed>)                   = 0",
		"+++ exited with 0 +++",
	}
	if diff := cmp.Diff(want, normalized(string(out), keep)); diff != "" {
		t.Fatalf("the system strace changed (-want +got):\n%s", diff)
	}
	_, stderr := tracerIn(t, dir, "-f", "-l", "strace", helper)
	if diff := cmp.Diff(want, normalized(stderr, keep)); diff != "" {
		t.Errorf("(-strace +strace.ebpf):\n%s\nwhole trace:\n%s", diff, stderr)
	}

	// json: the leader's end says which thread replaced it.
	_, stderr = tracerIn(t, dir, "-f", "-l", "json", helper)
	exits := regexp.MustCompile(`(?m)^\{"v":2,"kind":"exit".*$`).FindAllString(stderr, -1)
	if len(exits) != 2 || !strings.Contains(exits[0], `"superseded_by":`) || strings.Contains(exits[1], "superseded_by") {
		t.Errorf("json exits: want the leader superseded, then one exit:\n%s", strings.Join(exits, "\n"))
	}
}

// envCount is the "/* N vars */" count of the first exec line of a trace.
func envCount(trace string) string {
	if m := regexp.MustCompile(`/\* (\d+) vars \*/`).FindStringSubmatch(trace); m != nil {
		return m[1]
	}
	return "?"
}
