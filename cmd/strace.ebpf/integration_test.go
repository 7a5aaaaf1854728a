package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// These tests run the real binary against the syscaller helper and read
// the hex trace it writes. They load real BPF.

type result struct {
	stdout, stderr string
	code           int
}

func runTracer(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(testutil.Tracer(t), args...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("strace.ebpf %v died of %v\nstderr: %s", args, ws.Signal(), se.String())
		}
	} else if err != nil {
		t.Fatalf("running strace.ebpf %v: %v", args, err)
	}
	return result{so.String(), se.String(), code}
}

// row is one line of a hex trace, by column name.
type row map[string]string

// parseHex reads a hex log: the title line, the header, then rows. Lines
// that are not rows (the traced program's own output) are skipped.
func parseHex(t *testing.T, log, sep string) (header []string, rows []row) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "PID"+sep) {
			header = strings.Split(l, sep)
			lines = lines[i+1:]
			break
		}
	}
	if header == nil {
		t.Fatalf("no hex header in:\n%s", log)
	}
	for _, l := range lines {
		f := strings.Split(l, sep)
		if len(f) != len(header) || len(f[0]) != 16 {
			continue
		}
		r := row{}
		for i, h := range header {
			r[h] = f[i]
		}
		rows = append(rows, r)
	}
	return header, rows
}

func traceFile(t *testing.T, args ...string) (result, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "trace.log")
	res := runTracer(t, append([]string{"-o", out}, args...)...)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("reading trace: %v (stderr: %s)", err, res.stderr)
	}
	return res, string(b)
}

func hex16(v uint64) string { return fmt.Sprintf("%016X", v) }

func find(rows []row, pred func(row) bool) []row {
	var out []row
	for _, r := range rows {
		if pred(r) {
			out = append(out, r)
		}
	}
	return out
}

func longMarkerPath() string {
	p := "/nonexistent/"
	for len(p) < 300 {
		p += "long-path-component-"
	}
	return p + "end"
}

const msg = "syscaller: hello marker\n"

func TestTraceCommand(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	sc := testutil.Syscaller(t)
	res, log := traceFile(t, sc, "basic")
	if res.code != 0 {
		t.Fatalf("exit code %d, stderr: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, msg) {
		t.Errorf("the command's stdout lost its output: %q", res.stdout)
	}
	title := strings.SplitN(log, "\n", 2)[0]
	if want := strings.Join([]string{testutil.Tracer(t), "-o"}, "\t"); !strings.HasPrefix(title, want) {
		t.Errorf("title line %q, want it to start with %q", title, want)
	}
	header, rows := parseHex(t, log, "\t")
	wantHeader := []string{"PID", "ERR", "RES", "SYSCALL", "ARG1", "ARG2", "ARG3", "ARG4", "ARG5", "ARG6", "AUX_DATA"}
	if diff := cmp.Diff(wantHeader, header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	first := rows[0]
	if first["SYSCALL"] != "execve" || first["ARG1"] != sc || first["ERR"] != hex16(0) {
		t.Errorf("first event %v, want the successful execve of %s", first, sc)
	}
	for _, r := range rows {
		if r["AUX_DATA"] != "syscaller" {
			t.Errorf("row of another process: %v", r)
		}
	}

	t.Run("openat ENOENT with path", func(t *testing.T) {
		for _, path := range []string{"/nonexistent/strace-ebpf-marker", longMarkerPath()} {
			got := find(rows, func(r row) bool { return r["SYSCALL"] == "openat" && r["ARG2"] == path })
			if len(got) != 1 {
				t.Fatalf("%d openat rows with path %q (len %d), want 1", len(got), path, len(path))
			}
			r := got[0]
			if r["ERR"] != hex16(2) || r["RES"] != "FFFFFFFFFFFFFFFF" || r["ARG1"] != "00000000FFFFFF9C" {
				t.Errorf("openat row %v, want ERR 2 (ENOENT), RES all F, ARG1 AT_FDCWD", r)
			}
		}
	})
	t.Run("write returns N", func(t *testing.T) {
		got := find(rows, func(r row) bool { return r["SYSCALL"] == "write" && r["ARG1"] == hex16(1) })
		if len(got) != 1 {
			t.Fatalf("%d writes to fd 1, want 1", len(got))
		}
		if want := hex16(uint64(len(msg))); got[0]["RES"] != want || got[0]["ARG3"] != want {
			t.Errorf("write row %v, want RES and ARG3 %s", got[0], want)
		}
	})
	t.Run("close marker EBADF", func(t *testing.T) {
		got := find(rows, func(r row) bool { return r["SYSCALL"] == "close" && r["ARG1"] == hex16(0x12345678) })
		if len(got) != 1 || got[0]["ERR"] != hex16(9) {
			t.Errorf("close(0x12345678) rows %v, want one with ERR 9 (EBADF)", got)
		}
	})
	t.Run("exit_group last", func(t *testing.T) {
		last := rows[len(rows)-1]
		if last["SYSCALL"] != "exit_group" || last["RES"] != "?" {
			t.Errorf("last row %v, want exit_group with RES ?", last)
		}
	})
}

func TestOutputFileMode(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	out := filepath.Join(t.TempDir(), "t.log")
	res := runTracer(t, "-o", out, testutil.Syscaller(t), "basic")
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("trace file mode %v, want 0600", st.Mode().Perm())
	}
	if strings.Contains(res.stderr, "SYSCALL") {
		t.Errorf("trace written to stderr despite -o: %s", res.stderr)
	}
}

func TestTraceToStderr(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	res := runTracer(t, testutil.Syscaller(t), "basic")
	if !strings.Contains(res.stderr, "\tSYSCALL\t") || strings.Contains(res.stdout, "SYSCALL") {
		t.Errorf("trace not on stderr alone; stdout %q", res.stdout)
	}
	if res.stdout != msg {
		t.Errorf("stdout %q, want only the command's %q", res.stdout, msg)
	}
}

func TestFailedOnly(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	_, log := traceFile(t, "-X", testutil.Syscaller(t), "basic")
	_, rows := parseHex(t, log, "\t")
	if len(rows) < 3 {
		t.Fatalf("%d rows, want at least the three failing markers", len(rows))
	}
	for _, r := range rows {
		if r["RES"] != "FFFFFFFFFFFFFFFF" || r["ERR"] == hex16(0) {
			t.Errorf("-X printed a call that did not fail: %v", r)
		}
	}
	if got := find(rows, func(r row) bool { return r["ARG2"] == "/nonexistent/strace-ebpf-marker" }); len(got) != 1 {
		t.Errorf("marker openat missing under -X")
	}
}

func TestExprTrace(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	_, log := traceFile(t, "-e", "trace=openat,close", testutil.Syscaller(t), "basic")
	_, rows := parseHex(t, log, "\t")
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r["SYSCALL"]] = true
	}
	if diff := cmp.Diff(map[string]bool{"openat": true, "close": true}, seen); diff != "" {
		t.Errorf("syscalls seen with -e trace=openat,close (-want +got):\n%s", diff)
	}

	_, log = traceFile(t, "-e", "trace=!write,close", testutil.Syscaller(t), "basic")
	_, rows = parseHex(t, log, "\t")
	for _, r := range rows {
		if r["SYSCALL"] == "write" || r["SYSCALL"] == "close" {
			t.Errorf("-e trace=!write,close printed %v", r)
		}
	}
	if len(find(rows, func(r row) bool { return r["SYSCALL"] == "openat" })) == 0 {
		t.Error("-e trace=!write,close lost openat")
	}
}

func TestTimestampAndSeparator(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	_, log := traceFile(t, "-t", "-K", ",", testutil.Syscaller(t), "basic")
	header, rows := parseHex(t, log, ",")
	if len(header) < 2 || header[1] != "TIME(usec)" {
		t.Fatalf("header %v, want TIME(usec) second", header)
	}
	// Rows come in the order calls return; a single thread's calls are
	// in order, so its enter times never go back.
	var prev uint64
	for _, r := range rows {
		ts, err := strconv.ParseUint(r["TIME(usec)"], 16, 64)
		if err != nil || len(r["TIME(usec)"]) != 16 {
			t.Fatalf("bad timestamp in %v", r)
		}
		if ts < prev {
			t.Errorf("timestamps go back: %d after %d in %v", ts, prev, r)
		}
		prev = ts
	}
	if !strings.HasPrefix(log, testutil.Tracer(t)+",-o,") {
		t.Errorf("title not joined by the separator: %q", strings.SplitN(log, "\n", 2)[0])
	}
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	sc := testutil.Syscaller(t)
	if res := runTracer(t, "-o", os.DevNull, sc, "basic", "7"); res.code != 7 {
		t.Errorf("exit code %d, want the command's 7 (stderr %s)", res.code, res.stderr)
	}
	if res := runTracer(t, "-o", os.DevNull, sc, "kill"); res.code != 128+9 {
		t.Errorf("exit code %d, want 137 for a command killed by SIGKILL", res.code)
	}
}

func TestFollowForks(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	sc := testutil.Syscaller(t)
	marker := "/nonexistent/grandchild-marker"
	_, log := traceFile(t, "-f", "-e", "trace=openat", sc, "fork")
	_, rows := parseHex(t, log, "\t")
	got := find(rows, func(r row) bool { return r["ARG2"] == marker })
	if len(got) != 1 {
		t.Fatalf("-f: %d grandchild marker rows, want 1", len(got))
	}
	_, log = traceFile(t, "-e", "trace=openat", sc, "fork")
	_, rows = parseHex(t, log, "\t")
	if got := find(rows, func(r row) bool { return r["ARG2"] == marker }); len(got) != 0 {
		t.Errorf("without -f the grandchild was traced: %v", got)
	}
}

func TestThreadsTraced(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	_, log := traceFile(t, "-e", "trace=openat", testutil.Syscaller(t), "threads")
	_, rows := parseHex(t, log, "\t")
	got := find(rows, func(r row) bool { return r["ARG2"] == "/nonexistent/thread-marker" })
	if len(got) != 1 {
		t.Fatalf("%d thread marker rows, want 1", len(got))
	}
}

func TestAttachPID(t *testing.T) {
	testutil.RequireBPF(t)
	// The target waits for the tracer to be attached, then loops for
	// about a second and exits: the tracer must end with it.
	goFile := filepath.Join(t.TempDir(), "go")
	target := exec.Command("sh", "-c", `while [ ! -e "$1" ]; do sleep 0.02; done; exec "$2" loop 50`, "sh", goFile, testutil.Syscaller(t))
	if err := target.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { target.Wait(); close(done) }()
	defer func() { target.Process.Kill(); <-done }()
	out := filepath.Join(t.TempDir(), "trace.log")
	tracer, se := startBackground(t, out, "-e", "trace=openat", "-p", strconv.Itoa(target.Process.Pid))
	if !waitFor(se, "attached") {
		t.Fatalf("not attached: %s", se.String())
	}
	if err := os.WriteFile(goFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	<-done
	start := time.Now()
	ended := make(chan error, 1)
	go func() { ended <- tracer.Wait() }()
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("tracer: %v: %s", err, se.String())
		}
	case <-time.After(waitLimit):
		tracer.Process.Kill()
		t.Fatalf("the tracer did not end with the process (%v after): %s", time.Since(start), se.String())
	}
	log := readFile(t, out)
	_, rows := parseHex(t, log, "\t")
	got := find(rows, func(r row) bool { return r["ARG2"] == "/nonexistent/loop-marker" })
	if len(got) < 5 {
		t.Errorf("%d loop markers from -p, want several", len(got))
	}
	for _, r := range rows {
		if pid, _ := strconv.ParseUint(r["PID"], 16, 32); int(pid) != target.Process.Pid {
			t.Errorf("row of another process: %v", r)
		}
	}
}

// startBackground starts the tracer with -d and waits until it says it is
// attached. What it prints on stderr is returned once it has exited.
func startBackground(t *testing.T, out string, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(testutil.Tracer(t), append([]string{"-d", "-o", out}, args...)...)
	se := &syncBuffer{}
	cmd.Stderr = se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !waitFor(se, "strace.ebpf: loaded in ") {
		cmd.Process.Kill()
		t.Fatalf("tracer not attached after %s: %s", waitLimit, se.String())
	}
	return cmd, se
}

// waitForFile waits until the file name exists, and says whether it came
// before waitLimit.
func waitForFile(name string) bool {
	deadline := time.Now().Add(waitLimit)
	for {
		if _, err := os.Stat(name); err == nil {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitLimit bounds waitFor: start-up on a loaded machine, never a test's pace.
const waitLimit = 30 * time.Second

// waitFor waits until out holds every one of wants, and says whether it
// came before waitLimit.
func waitFor(out fmt.Stringer, wants ...string) bool {
	deadline := time.Now().Add(waitLimit)
	for {
		s, all := out.String(), true
		for _, w := range wants {
			all = all && strings.Contains(s, w)
		}
		if all {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSystemWide(t *testing.T) {
	testutil.RequireBPF(t)
	out := filepath.Join(t.TempDir(), "all.log")
	tracer, se := startBackground(t, out, "-e", "trace=openat")
	if err := exec.Command(testutil.Syscaller(t), "basic").Run(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	tracer.Process.Signal(os.Interrupt)
	if err := tracer.Wait(); err != nil {
		t.Fatalf("tracer after SIGINT: %v: %s", err, se.String())
	}
	b, _ := os.ReadFile(out)
	_, rows := parseHex(t, string(b), "\t")
	if got := find(rows, func(r row) bool { return r["ARG2"] == "/nonexistent/strace-ebpf-marker" }); len(got) != 1 {
		t.Errorf("system-wide trace has %d marker rows from another process, want 1", len(got))
	}
	self := fmt.Sprintf("%016X", tracer.Process.Pid)
	if got := find(rows, func(r row) bool { return r["PID"] == self }); len(got) != 0 {
		t.Errorf("system-wide trace includes the tracer itself: %v", got[0])
	}
}

func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCountingScript(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	s := writeScript(t, "count.star", `
counts = {}

def on_syscall(ev):
    counts[ev.name] = counts.get(ev.name, 0) + 1
    if ev.path == "/nonexistent/strace-ebpf-marker":
        print("marker", ev.err, ev.failed, ev.args[0] == 0xffffff9c, ev.strings[1] == ev.path)

def on_exit():
    print("openat>=2", counts["openat"] >= 2, "close", counts.get("close", 0) > 0)
`)
	res, log := traceFile(t, "-s", s, testutil.Syscaller(t), "basic")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{"marker 2 True True True\n", "openat>=2 True close True\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("script output lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "SYSCALL") {
		t.Errorf("events dropped by the script reached the hex format:\n%s", log)
	}
}

func TestScriptPassesToFormat(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	s := writeScript(t, "keep.star", "def on_syscall(ev):\n    return ev.name == \"close\"\n")
	_, log := traceFile(t, "-s", s, testutil.Syscaller(t), "basic")
	_, rows := parseHex(t, log, "\t")
	if len(rows) == 0 {
		t.Fatal("no rows passed to the format")
	}
	for _, r := range rows {
		if r["SYSCALL"] != "close" {
			t.Errorf("filter let through %v", r)
		}
	}
}

func TestRunawayScript(t *testing.T) {
	testutil.RequireBPF(t)
	s := writeScript(t, "spin.star", `
seen = []

def on_syscall(ev):
    seen.append(ev.name)
    if ev.name == "write":
        while True:
            pass
    return True
`)
	start := time.Now()
	res, log := traceFile(t, "-s", s, testutil.Syscaller(t), "basic")
	// Tracing stops; the command runs on and its status is the exit status.
	if res.code != 0 || !strings.Contains(res.stderr, "tracing stopped") {
		t.Fatalf("a runaway script: exit %d (want the command's 0), stderr %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "spin.star:6") || !strings.Contains(res.stderr, "too many steps") {
		t.Errorf("error does not name spin.star:6 and the step budget: %s", res.stderr)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("runaway script took %v to stop", time.Since(start))
	}
	if !strings.Contains(log, "\texecve\t") {
		t.Errorf("events before the failure were not flushed:\n%s", log)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	bad := writeScript(t, "bad.star", "def on_syscall(ev):\n    return ev.name ==\n")
	raise := writeScript(t, "raise.star", "def on_syscall(ev):\n    return 1 // 0\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nosuch-command-xyz"}, "strace.ebpf: can't run 'nosuch-command-xyz': no such file or directory"},
		{[]string{"-p", "999999999"}, "strace.ebpf: attaching to pid 999999999: no such process"},
		{[]string{"-p", "abc"}, `strace.ebpf: parsing -p: "abc" is not a pid`},
		{[]string{"-l", "bogus", "true"}, `strace.ebpf: choosing format: unknown format "bogus" (valid: `},
		{[]string{"-e", "trace=bogus", "true"}, `strace.ebpf: parsing -e trace=bogus: unknown amd64 syscall "bogus"`},
		{[]string{"-s", bad, "true"}, "strace.ebpf: compiling script: " + bad + ":2:22: got newline, want primary expression"},
		{[]string{"-s", "/nonexistent.star", "true"}, "strace.ebpf: loading script /nonexistent.star: no such file or directory"},
		{[]string{"-o", os.DevNull, "-s", raise, "false"}, "strace.ebpf: tracing stopped: running script " + raise + ": " + raise + ":2:14: in on_syscall: floored division by zero"},
		{[]string{"--bogus"}, "strace.ebpf: parsing options: unknown flag: --bogus"},
	} {
		res := runTracer(t, tc.args...)
		if res.code == 0 {
			t.Errorf("%v: exit 0, want failure", tc.args)
		}
		first := strings.SplitN(res.stderr, "\n", 2)[0]
		if strings.Count(strings.TrimSpace(res.stderr), "\n") > 0 && tc.args[0] != "-s" && tc.args[0] != "-o" {
			t.Errorf("%v: error is not one line: %q", tc.args, res.stderr)
		}
		if first != tc.want && !(strings.HasSuffix(tc.want, "(valid: ") && strings.HasPrefix(first, tc.want)) {
			t.Errorf("%v: stderr first line\n  %q\nwant\n  %q", tc.args, first, tc.want)
		}
		if strings.Contains(res.stderr, "panic") {
			t.Errorf("%v panicked: %s", tc.args, res.stderr)
		}
	}
}

func TestNoPrivilege(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) not installed")
	}
	tracer := testutil.Tracer(t)
	// The build directory is private to root; let the unprivileged user in.
	if err := os.Chmod(filepath.Dir(tracer), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
		tracer, "-o", os.DevNull, "true")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("unprivileged run succeeded: %s", out)
	}
	want := "strace.ebpf: checking privileges: need root, or CAP_BPF and CAP_PERFMON: permission denied\n"
	if string(out) != want {
		t.Errorf("unprivileged run printed %q, want %q", out, want)
	}
}

// detachFromBlockedRead attaches to the syscaller's block mode, whose read
// of a pipe never written blocks, with the options given, stops with
// SIGINT, and returns the trace and the tracer's stderr.
func detachFromBlockedRead(t *testing.T, args ...string) (trace, stderr string) {
	t.Helper()
	testutil.Tracer(t) // built before the clock starts
	target := exec.Command(testutil.Syscaller(t), "block")
	stdin, err := target.StdinPipe() // never written: the read blocks
	if err != nil {
		t.Fatal(err)
	}
	if err := target.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); target.Wait() }()
	out := filepath.Join(t.TempDir(), "t.log")
	tracer, se := startBackground(t, out, append(args, "-p", strconv.Itoa(target.Process.Pid))...)
	waitInSyscall(t, target.Process.Pid, "read") // the read starts 300 ms after launch
	tracer.Process.Signal(os.Interrupt)
	if err := tracer.Wait(); err != nil {
		t.Fatalf("tracer after SIGINT: %v: %s", err, se.String())
	}
	b, _ := os.ReadFile(out)
	return string(b), se.String()
}

func TestUnfinishedAtDetach(t *testing.T) {
	testutil.RequireBPF(t)
	b, se := detachFromBlockedRead(t, "-e", "trace=read")
	_, rows := parseHex(t, b, "\t")
	got := find(rows, func(r row) bool { return r["SYSCALL"] == "read" && r["ARG1"] == hex16(0) })
	if len(got) != 1 || got[0]["RES"] != "?" {
		t.Errorf("blocked read at detach: rows %v, want one read(0) with RES ?\n%s\n%s", got, b, se)
	}
}

// --calibrate (make bench's floor) attaches programs that trace nothing.
func TestCalibrate(t *testing.T) {
	testutil.RequireBPF(t)
	res, log := traceFile(t, "--calibrate", testutil.Syscaller(t), "basic", "3")
	if res.code != 3 {
		t.Errorf("exit code %d, want the command's 3", res.code)
	}
	if log != "" {
		t.Errorf("--calibrate traced something:\n%s", log)
	}
}
