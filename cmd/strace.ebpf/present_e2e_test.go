package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// bothTraces runs argv under the system's strace and under strace.ebpf -l
// strace with the same options, each writing to a file (-o), and returns
// both traces.
func bothTraces(t *testing.T, dir string, opts []string, argv ...string) (want, got string) {
	t.Helper()
	st, se := filepath.Join(dir, "strace.out"), filepath.Join(dir, "ebpf.out")
	cmd := exec.Command("strace", append(append(append([]string{}, opts...), "-o", st), argv...)...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("strace %v: %v\n%s", opts, err, b)
	}
	tr := exec.Command(testutil.Tracer(t), append(append(append([]string{"-l", "strace"}, opts...), "-o", se), argv...)...)
	tr.Dir = dir
	if b, err := tr.CombinedOutput(); err != nil {
		t.Fatalf("strace.ebpf %v: %v\n%s", opts, err, b)
	}
	return readFile(t, st), readFile(t, se)
}

var addrRe = regexp.MustCompile(`0x[0-9a-f]{6,}`)

// TestPresentationLikeStrace compares strace's presentation options with
// the system's strace on the same commands: -x and -xx on a file with a
// control byte and on ld.so's ELF reads, -e read= and -e write= dumps,
// -a, -qq, -b execve, -v's whole struct stat.
func TestPresentationLikeStrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("no system strace")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.WriteFile(data, []byte("a\x01b\nplain text line, long enough to be cut at 32 bytes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 6000, time.UTC)
	if err := os.Chtimes(data, old, old); err != nil {
		t.Fatal(err)
	}
	cat := []string{"cat", data}
	fdc := []string{fdCaller(t, dir)}
	for _, tc := range []struct {
		name string
		opts []string
		argv []string
		must string // in the trace, so that the comparison is not of nothing
		only string // when set, only the lines with it are compared
	}{
		{"-x", []string{"-x", "-e", "trace=read,write"}, cat, `"\x61\x01\x62\x0a\x70`, ""},
		{"-xx", []string{"-xx", "-e", "trace=read,write"}, cat, `read(3, "\x23\x20\x4c`, ""},
		{"read=", []string{"-e", "trace=read,write", "-e", "read=3"}, cat, " | 00000  61 01 62 0a 70 6c 61 69  6e 20 74 65 78 74 20 6c  a.b.plain text l |", ""},
		{"write=", []string{"-e", "trace=read,write", "-e", "write=1"}, cat, " | 00030  20 62 79 74 65 73 0a                               bytes.          |", ""},
		{"read= write= vectors", []string{"-e", "trace=readv,writev", "-e", "read=all", "-e", "write=all"}, fdc, " * 3 bytes in buffer 1\n | 00000  63 64 65                                          cde              |", ""},
		{"-a", []string{"-a", "12", "-e", "trace=read,close"}, cat, "close(3)    = 0", ""},
		{"-qq", []string{"-qq", "-e", "trace=exit_group"}, cat, "exit_group(0)", ""},
		{"-b execve", []string{"-f", "-b", "execve", "-e", "trace=execve,write"}, []string{"sh", "-c", "echo a; exec /bin/echo b"}, `execve("/bin/echo", ["/bin/echo", "b"], 0xADDR /* `, ""},
		{"-v", []string{"-v", "-P", data, "-e", "trace=newfstatat,fstat"}, cat, "st_mtime=1577934245 /* 2020-01-02T03:04:05.000006000+0000 */, st_mtime_nsec=6000", ""},
		// The test's own environment may hold more strings than the kernel captures (32).
		{"-v execve", []string{"-v", "-f", "-e", "trace=execve"}, []string{"env", "-i", "A=1", "LONG=" + strings.Repeat("v", 40), "/bin/true"}, `execve("/bin/true", ["/bin/true"], ["A=1", "LONG=vvvvvvvvvvvvvvvvvvvvvvvvvvv"...]) = 0`, `execve("/bin/true"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, got := bothTraces(t, dir, tc.opts, tc.argv...)
			norm := func(s string) []string {
				if tc.only != "" {
					var keep []string
					for _, l := range strings.Split(s, "\n") {
						if strings.Contains(l, tc.only) {
							keep = append(keep, l)
						}
					}
					s = strings.Join(keep, "\n")
				}
				s = addrRe.ReplaceAllString(s, "0xADDR")
				s = regexp.MustCompile(`(?m)^[0-9]+ +`).ReplaceAllString(s, "")
				s = regexp.MustCompile(`si_pid=[0-9]+`).ReplaceAllString(s, "si_pid=N")
				return strings.Split(strings.TrimSpace(s), "\n")
			}
			if !strings.Contains(strings.Join(norm(got), "\n"), tc.must) {
				t.Errorf("strace.ebpf %v lacks %q:\n%s", tc.opts, tc.must, got)
			}
			if diff := cmp.Diff(norm(want), norm(got)); diff != "" {
				t.Errorf("strace %v (-strace +strace.ebpf):\n%s", tc.opts, diff)
			}
		})
	}
}
