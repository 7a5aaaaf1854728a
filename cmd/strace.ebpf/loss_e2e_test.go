package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// spinner builds a program that waits 300 ms, then calls getppid n times,
// in bursts of 500 two milliseconds apart: a workload whose count of one
// syscall is known exactly, and that outlasts a pause of the tracer.
func spinner(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "spin.c")
	os.WriteFile(src, []byte(`#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
	long n = atol(argv[1]);
	usleep(300000);
	for (long i = 0; i < n; i++) {
		getppid();
		if (i % 500 == 499)
			usleep(2000);
	}
	return 0;
}
`), 0o644)
	bin := filepath.Join(dir, "spin")
	if out, err := exec.Command("cc", "-O2", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("building spin: %v\n%s", err, out)
	}
	return bin
}

// lossyRun traces n getppid calls through a one-page ring while the tracer
// is stopped for a moment (SIGSTOP), so that the kernel must drop records.
func lossyRun(t *testing.T, n int, args ...string) (trace, stderr string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "trace")
	spin := spinner(t)
	cmd := exec.Command(testutil.Tracer(t), append(append([]string{"--lossy", "--buffer-size", "4K", "-e", "trace=getppid", "-o", out}, args...),
		spin, strconv.Itoa(n))...)
	var se bytes.Buffer
	cmd.Stderr = &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(350 * time.Millisecond) // the spinner starts
	cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(150 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGCONT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("tracer: %v\n%s", err, se.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), se.String()
}

// lostTotal reads the "N events lost" line of stderr.
func lostTotal(t *testing.T, stderr string) int {
	t.Helper()
	for _, l := range strings.Split(stderr, "\n") {
		if v, ok := strings.CutSuffix(strings.TrimPrefix(l, "strace.ebpf: "), " events lost"); ok {
			n, err := strconv.Atoi(v)
			if err == nil {
				return n
			}
		}
	}
	t.Fatalf("no loss reported on stderr:\n%s", stderr)
	return 0
}

// TestLossMarkedWhereItHappens: forced loss shows as a marker at the gap in
// hex, strace and json, with the total on stderr, and delivered plus lost is
// the workload's count.
func TestLossMarkedWhereItHappens(t *testing.T) {
	testutil.RequireBPF(t)
	const n = 100000
	t.Run("hex", func(t *testing.T) {
		trace, stderr := lossyRun(t, n)
		_, rows := parseHex(t, trace, "\t")
		calls, lost, after := 0, 0, 0
		for _, r := range rows {
			switch r["SYSCALL"] {
			case "getppid":
				calls++
				if lost > 0 {
					after++
				}
			case "LOST":
				v, _ := strconv.ParseUint(r["RES"], 16, 64)
				lost += int(v)
			}
		}
		if lost == 0 || after == 0 {
			t.Fatalf("no LOST row before later calls (lost %d, calls after %d)", lost, after)
		}
		if total := lostTotal(t, stderr); total != lost || calls+lost != n {
			t.Errorf("calls %d + lost rows %d = %d, want %d; stderr total %d", calls, lost, calls+lost, n, total)
		}
	})
	t.Run("strace", func(t *testing.T) {
		trace, stderr := lossyRun(t, n, "-l", "strace")
		calls, lost, after := 0, 0, 0
		for _, l := range strings.Split(trace, "\n") {
			switch {
			case strings.HasPrefix(l, "getppid()"):
				calls++
				if lost > 0 {
					after++
				}
			case strings.HasPrefix(l, "[ strace.ebpf: "):
				v, _ := strconv.Atoi(strings.Fields(l)[2])
				lost += v
			}
		}
		if lost == 0 || after == 0 {
			t.Fatalf("no loss note before later calls (lost %d, calls after %d)", lost, after)
		}
		// strace also carries the thread's exit, which the ring may drop.
		if total := lostTotal(t, stderr); total != lost || calls+lost < n || calls+lost > n+1 {
			t.Errorf("calls %d + lost notes %d = %d, want %d; stderr total %d", calls, lost, calls+lost, n, total)
		}
	})
	t.Run("json", func(t *testing.T) {
		trace, stderr := lossyRun(t, n, "-l", "json")
		calls, lost, after := 0, 0, 0
		for _, l := range strings.Split(strings.TrimSpace(trace), "\n") {
			var o struct {
				Kind, Name string
				N          int
			}
			if err := json.Unmarshal([]byte(l), &o); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			switch {
			case o.Kind == "syscall" && o.Name == "getppid":
				calls++
				if lost > 0 {
					after++
				}
			case o.Kind == "lost":
				lost += o.N
			}
		}
		if lost == 0 || after == 0 {
			t.Fatalf("no lost record before later calls (lost %d, calls after %d)", lost, after)
		}
		// json also carries thread exits, which the ring may drop too.
		if total := lostTotal(t, stderr); total != lost || calls+lost < n || calls+lost > n+1 {
			t.Errorf("calls %d + lost records %d = %d, want %d; stderr total %d", calls, lost, calls+lost, n, total)
		}
	})
}
