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

// fdCaller compiles testdata/fdcaller.c into dir.
func fdCaller(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "fdcaller")
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	if b, err := exec.Command(cc, "-O1", "-o", out, filepath.Join(testutil.Root(), "testdata", "fdcaller.c")).CombinedOutput(); err != nil {
		t.Fatalf("compiling testdata/fdcaller.c: %v\n%s", err, b)
	}
	return out
}

// fdNorm drops what differs between two runs of the same program: pids,
// inode numbers, ports, exit lines.
var fdNorm = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^[0-9]+ +`), ""},
	{regexp.MustCompile(`\[[0-9]+`), "[N"},
	{regexp.MustCompile(`->[0-9]+`), "->N"},
	{regexp.MustCompile(`:[0-9]{3,5}([\]-])`), ":P$1"},
	{regexp.MustCompile(`htons\([0-9]+\)`), "htons(P)"},
	{regexp.MustCompile(`si_pid=[0-9]+`), "si_pid=N"},
	{regexp.MustCompile(` +=`), " ="},
}

func normFds(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if strings.Contains(l, "+++") {
			continue
		}
		for _, n := range fdNorm {
			l = n.re.ReplaceAllString(l, n.with)
		}
		out = append(out, l)
	}
	return out
}

// TestDecodeFdsLikeStrace runs the same program under the system's strace
// and strace.ebpf with -y and -yy: files (a number reused, one dup2'ed over
// stdin, an unlinked one), a device, a pipe, TCP, UDP, unix sockets, an
// eventfd, and a child that lives a few microseconds. The kernel describes
// each fd at the call, so the lines are the same, the short-lived child's
// too.
func TestDecodeFdsLikeStrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no system strace")
	}
	dir := t.TempDir()
	prog := fdCaller(t, dir)
	const set = "trace=openat,read,write,close,listen,getsockname,dup2,pipe,pipe2,socketpair,accept,accept4,socket,eventfd2"
	for _, y := range []string{"-y", "-yy"} {
		t.Run(y, func(t *testing.T) {
			st := filepath.Join(dir, "strace"+y)
			cmd := exec.Command("strace", "-f", y, "-e", set, "-o", st, prog)
			cmd.Dir = dir
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("strace: %v\n%s", err, b)
			}
			se := filepath.Join(dir, "se"+y)
			rec := filepath.Join(dir, "rec"+y)
			tr := exec.Command(testutil.Tracer(t), "-f", "-l", "strace", y, "-e", set, "-o", se, "--record", rec, prog)
			tr.Dir = dir
			if b, err := tr.CombinedOutput(); err != nil {
				t.Fatalf("strace.ebpf: %v\n%s", err, b)
			}
			want, got := normFds(readFile(t, st)), normFds(readFile(t, se))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("strace %s (-strace +strace.ebpf):\n%s", y, diff)
			}
			musts := []string{"read(0</etc/hostname>", "close(3</etc/passwd>)", "(deleted)", "pipe:[", "anon_inode:[eventfd]"}
			if y == "-yy" {
				musts = append(musts, "TCP:[N.0.0.1:P->N.0.0.1:P]", "UDP:[N.0.0.1:P]", "UNIX-STREAM:[N->N]", `UNIX:[N,@"fdcaller"]`, "</dev/null<char 1:3>>")
			}
			for _, must := range musts {
				if !strings.Contains(strings.Join(got, "\n"), must) {
					t.Errorf("strace.ebpf %s lacks %q", y, must)
				}
			}
			// The recording replays the same lines, with no -y given.
			res := runTracer(t, "-i", rec, "-l", "strace", "-o", filepath.Join(dir, "replay"+y))
			if res.code != 0 {
				t.Fatalf("replay: exit %d: %s", res.code, res.stderr)
			}
			if diff := cmp.Diff(readFile(t, se), readFile(t, filepath.Join(dir, "replay"+y))); diff != "" {
				t.Errorf("replay (-live +replay):\n%s", diff)
			}
		})
	}
}

// TestDecodeFdsJSON checks that -y adds the kernel's fd descriptions to
// -l json's data: the argument's at enter, the returned one's at exit.
func TestDecodeFdsJSON(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	prog := fdCaller(t, dir)
	out := filepath.Join(dir, "j")
	tr := exec.Command(testutil.Tracer(t), "-l", "json", "-yy", "-e", "trace=openat,read", "-o", out, prog)
	tr.Dir = dir
	if b, err := tr.CombinedOutput(); err != nil {
		t.Fatalf("strace.ebpf: %v\n%s", err, b)
	}
	j := readFile(t, out)
	for _, want := range []string{
		`"kind":"fd","len":`,
		`"fd":0,"at":"enter","value":"/etc/hostname"}`,
		`"at":"exit","value":"/etc/passwd"}`,
		`"value":"socket:[`,
		`"detail":"TCP:[127.0.0.1:`,
	} {
		if !strings.Contains(j, want) {
			t.Errorf("json lacks %s:\n%s", want, j)
		}
	}
}

// syscallLines keeps a trace's syscall lines, without pid prefixes.
func syscallLines(s string) []string {
	var out []string
	for _, l := range normFds(s) {
		if strings.HasPrefix(l, "[pid ") {
			l = l[strings.Index(l, "] ")+2:]
		}
		if strings.HasPrefix(l, "---") || strings.HasPrefix(l, "strace: ") || strings.Contains(l, "+++") || l == "" {
			continue
		}
		out = append(out, l)
	}
	return out
}

// TestTracePathLikeStrace checks -P against the system's strace: calls
// whose path arguments name the paths, and calls on descriptors that
// referred to them (a read of the file, its close, a dup2 over a
// descriptor open on /dev/null), for every format and on a replay.
func TestTracePathLikeStrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no system strace")
	}
	dir := t.TempDir()
	prog := fdCaller(t, dir)
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	for _, y := range []string{"", "-y"} {
		args := []string{"-f", "-P", "/etc/passwd", "-P", "/dev/null"}
		if y != "" {
			args = append(args, y)
		}
		st := filepath.Join(dir, "st")
		cmd := exec.Command("strace", append(append(args, "-o", st), prog)...)
		cmd.Dir, cmd.Stdin = dir, devnull
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("strace: %v\n%s", err, b)
		}
		se, rec := filepath.Join(dir, "se"), filepath.Join(dir, "rec")
		tr := exec.Command(testutil.Tracer(t), append(append([]string{"-l", "strace"}, args...), "-o", se, "--record", rec, prog)...)
		tr.Dir, tr.Stdin = dir, devnull
		if b, err := tr.CombinedOutput(); err != nil {
			t.Fatalf("strace.ebpf: %v\n%s", err, b)
		}
		want, got := syscallLines(readFile(t, st)), syscallLines(readFile(t, se))
		if len(want) < 6 {
			t.Fatalf("strace -P printed only %q", want)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("-P %s (-strace +strace.ebpf):\n%s", y, diff)
		}
		// The replay, and -P on a replay of a full recording, keep the same calls.
		full := filepath.Join(dir, "full")
		tr = exec.Command(testutil.Tracer(t), "-f", "-y", "-S", "32", "-l", "bin", "-o", full, prog)
		tr.Dir, tr.Stdin = dir, devnull
		if b, err := tr.CombinedOutput(); err != nil {
			t.Fatalf("strace.ebpf: %v\n%s", err, b)
		}
		for _, in := range []string{rec, full} {
			rargs := []string{"-i", in, "-l", "strace", "-P", "/etc/passwd", "-P", "/dev/null"}
			if y == "" {
				rargs = append(rargs, "-y")
			}
			res := runTracer(t, rargs...)
			if res.code != 0 {
				t.Fatalf("replay %s: exit %d: %s", in, res.code, res.stderr)
			}
			var replayed []string
			for _, l := range syscallLines(res.stdout) {
				replayed = append(replayed, regexp.MustCompile(`<[^>]*>`).ReplaceAllString(l, ""))
			}
			var plain []string
			for _, l := range want {
				plain = append(plain, regexp.MustCompile(`<[^>]*>`).ReplaceAllString(l, ""))
			}
			if diff := cmp.Diff(plain, replayed); diff != "" {
				t.Errorf("-P on the replay of %s (-strace +replay):\n%s", filepath.Base(in), diff)
			}
		}
	}
}
