package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// threader builds a program that starts 300 threads one after the other,
// each making one call and ending before the next starts.
func threader(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "threads.c")
	os.WriteFile(src, []byte(`#include <pthread.h>
#include <unistd.h>
static void *work(void *a) { getppid(); return a; }
int main(void) {
	for (int i = 0; i < 300; i++) {
		pthread_t th;
		if (pthread_create(&th, 0, work, 0) != 0 || pthread_join(th, 0) != 0)
			return 1;
	}
	return 0;
}
`), 0o644)
	bin := filepath.Join(dir, "threads")
	if out, err := exec.Command("cc", "-O2", "-pthread", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("building threads: %v\n%s", err, out)
	}
	return bin
}

// -ff closes each process's file when the process is gone, and -fff each
// thread's when the thread is: under a 256-descriptor limit, 300 processes
// (or threads) one after the other each get their whole file, as strace
// -ff writes them.
func TestSplitClosesEachFile(t *testing.T) {
	testutil.RequireBPF(t)
	tracer := testutil.Tracer(t)
	for _, tc := range []struct {
		name string
		args []string
		want int // files at least
	}{
		{"-ff, 300 processes", []string{"-ff", "sh", "-c", "for i in $(seq 300); do /bin/true; done"}, 301},
		{"-fff, 300 threads", []string{"-fff", threader(t)}, 301},
		{"-ff -l strace -Z, 300 processes", []string{"-ff", "-l", "strace", "-Z", "sh", "-c", "for i in $(seq 300); do /bin/true; done"}, 301},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			base := filepath.Join(dir, "t")
			args := append([]string{"-c", `ulimit -n 256 && exec "$0" "$@"`, tracer, "-o", base}, tc.args...)
			cmd := exec.Command("sh", args...)
			var se bytes.Buffer
			cmd.Stderr = &se
			if err := cmd.Run(); err != nil || strings.Contains(se.String(), "too many open files") {
				t.Fatalf("tracer: %v\n%s", err, se.String())
			}
			files, _ := filepath.Glob(base + ".*")
			if len(files) < tc.want {
				t.Errorf("%d files, want %d", len(files), tc.want)
			}
			if !strings.Contains(strings.Join(tc.args, " "), "-l strace") {
				return
			}
			exits := 0 // each file is whole: it ends with its process's exit
			for _, f := range files {
				b, _ := os.ReadFile(f)
				if strings.HasSuffix(string(b), "+++ exited with 0 +++\n") {
					exits++
				}
			}
			if exits < tc.want {
				t.Errorf("%d of %d files end with +++ exited, want %d", exits, len(files), tc.want)
			}
		})
	}
}

// -Z and -e status=failed keep the "+++ exited" and "--- SIG ---" lines,
// as strace does.
func TestStatusFilterKeepsExitsAndSignals(t *testing.T) {
	testutil.RequireBPF(t)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-Z", "sh", "-c", "exit 3"}, []string{"+++ exited with 3 +++"}},
		{[]string{"-e", "status=failed", "sh", "-c", "exit 3"}, []string{"+++ exited with 3 +++"}},
		{[]string{"-Z", "sh", "-c", "kill -USR1 $$"}, []string{"--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER,", "+++ killed by SIGUSR1 +++"}},
	} {
		res, log := traceFile(t, append([]string{"-l", "strace"}, tc.args...)...)
		for _, w := range tc.want {
			if !strings.Contains(log, w) {
				t.Errorf("%q: no %q in the trace (exit %d, stderr %s):\n%s", tc.args, w, res.code, res.stderr, log)
			}
		}
		if strings.Contains(log, "= 0\n") {
			t.Errorf("%q: a successful call in the trace:\n%s", tc.args, log)
		}
	}
}
