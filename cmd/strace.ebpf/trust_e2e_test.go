package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// A script that fails at its 100th event stops tracing, not the command:
// the command finishes its work and its status is the exit status.
func TestScriptErrorSparesCommand(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.star")
	os.WriteFile(bad, []byte("n = [0]\ndef on_syscall(ev):\n    n[0] += 1\n    if n[0] == 100:\n        fail('boom at 100')\n    return True\n"), 0o644)
	f := filepath.Join(dir, "F")
	res := runTracer(t, "-f", "-o", filepath.Join(dir, "t"), "-s", bad, "sh", "-c", "sleep 0.5; echo ok > "+f)
	if res.code != 0 {
		t.Errorf("exit %d, want the command's 0", res.code)
	}
	if b, err := os.ReadFile(f); err != nil || string(b) != "ok\n" {
		t.Errorf("the command did not finish: %q, %v", b, err)
	}
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "tracing stopped") || !strings.Contains(lines[0], "bad.star:5") || !strings.Contains(lines[0], "boom at 100") {
		t.Errorf("stderr %q, want one line naming bad.star:5 and the cause", res.stderr)
	}
}

// A full disk under -o stops tracing; the command completes.
func TestFullOutputSparesCommand(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	mnt := filepath.Join(dir, "small")
	os.Mkdir(mnt, 0o755)
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("mounting a small tmpfs: %v", err)
	}
	defer unix.Unmount(mnt, unix.MNT_DETACH)
	f := filepath.Join(dir, "F")
	res := runTracer(t, "-f", "-o", filepath.Join(mnt, "t"), "sh", "-c", "for i in $(seq 200); do cat /etc/hostname > /dev/null; done; echo ok > "+f)
	if res.code != 0 {
		t.Errorf("exit %d, want the command's 0 (stderr %s)", res.code, res.stderr)
	}
	if b, _ := os.ReadFile(f); string(b) != "ok\n" {
		t.Errorf("the command did not finish: %q", b)
	}
	if !strings.Contains(res.stderr, "tracing stopped") || !strings.Contains(res.stderr, "no space left on device") {
		t.Errorf("stderr %q, want the cause", res.stderr)
	}
}

// SIGHUP (a closed terminal) ends the trace with its outputs complete.
func TestHangupCompletesOutputs(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	out, rec := filepath.Join(dir, "t.json"), filepath.Join(dir, "t.bin")
	started := filepath.Join(dir, "started")
	cmd := exec.Command(testutil.Tracer(t), "-l", "perfetto", "-o", out, "--record", rec, "-f", "sh", "-c", ": > "+started+"; while :; do cat /etc/hostname >/dev/null; done")
	var se bytes.Buffer
	cmd.Stderr = &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The command runs once the tracer runs; then a few rounds of its loop.
	if !waitForFile(started) {
		t.Fatalf("the command did not start: %s", se.String())
	}
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGHUP) // forwarded: the loop ends
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the tracer did not end after SIGHUP: %s", se.String())
	}
	b, _ := os.ReadFile(out)
	var doc struct{ TraceEvents []json.RawMessage }
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.TraceEvents) == 0 {
		t.Errorf("perfetto output after SIGHUP is not valid JSON with events: %v\n%.300s", err, b)
	}
	r := runTracer(t, "-i", rec, "-l", "json")
	if r.code != 0 || strings.Contains(r.stderr, "truncated") || !strings.Contains(r.stdout, `"kind":"syscall"`) {
		t.Errorf("replaying the recording after SIGHUP: exit %d, stderr %s", r.code, r.stderr)
	}
}

// -f follows a background child after the launched command exits.
func TestFollowOutlivesCommand(t *testing.T) {
	testutil.RequireBPF(t)
	start := time.Now()
	res, log := traceFile(t, "-f", "-l", "strace", "sh", "-c", "(sleep 0.5; cat /etc/hostname > /dev/null) & exit 3")
	if res.code != 3 {
		t.Errorf("exit %d, want the command's 3", res.code)
	}
	if time.Since(start) < 500*time.Millisecond || !strings.Contains(log, `"/etc/hostname"`) || strings.Contains(log, "detached") {
		t.Errorf("the background child was not followed to its end:\n%s", log)
	}
}

// The smaller items: empty file names, -p of a kernel thread or the
// tracer, the process name escaped in hex rows.
func TestSmallTrustItems(t *testing.T) {
	testutil.RequireBPF(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-i", "", "true"}, "strace.ebpf: parsing options: --input needs a file name, got an empty one"},
		{[]string{"-o", "", "true"}, "strace.ebpf: parsing options: --output needs a file name, got an empty one"},
		{[]string{"--record", "", "true"}, "strace.ebpf: parsing options: --record needs a file name, got an empty one"},
		{[]string{"-p", "2"}, "strace.ebpf: attaching to pid 2: a kernel thread makes no system calls"},
		{[]string{"-P", "", "true"}, "strace.ebpf: parsing -P: an empty path"},
		{[]string{"-w", "true"}, "strace.ebpf: parsing options: -w sums wall-clock time in the -c/-C summary; give -c or -C (to record events, use --record FILE)"},
	} {
		res := runTracer(t, tt.args...)
		if res.code == 0 || strings.TrimSpace(res.stderr) != tt.want {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
	// -c -w ./prog is a wall-clock summary of prog, not a recording over it.
	dir := t.TempDir()
	prog := filepath.Join(dir, "prog")
	os.WriteFile(prog, []byte("#!/bin/sh\ntrue\n"), 0o755)
	res := runTracer(t, "-c", "-w", prog)
	if b, _ := os.ReadFile(prog); string(b) != "#!/bin/sh\ntrue\n" || res.code != 0 || !strings.Contains(res.stderr, "% time") {
		t.Errorf("-c -w prog: exit %d, prog now %q, stderr %s", res.code, b, res.stderr)
	}
	// A process name with a newline and a tab stays in its column.
	_, log := traceFile(t, "-e", "trace=prctl,getppid", "python3", "-c", `import ctypes,os; ctypes.CDLL(None).prctl(15, b"x\nFAKE\tROW", 0, 0, 0); os.getppid()`)
	_, rows := parseHex(t, log, "\t")
	if n := len(find(rows, func(r row) bool { return r["AUX_DATA"] == `x\nFAKE\tROW` })); n == 0 || strings.Contains(log, "\nFAKE") {
		t.Errorf("the process name broke a row:\n%s", log)
	}
}

// The launcher (this Go program until its exec) sends itself no SIGURG:
// the trace never starts with a signal the command did not get.
func TestNoLauncherSignal(t *testing.T) {
	testutil.RequireBPF(t)
	for i := 0; i < 5; i++ {
		_, log := traceFile(t, "-l", "strace", "true")
		if strings.Contains(log, "SIGURG") {
			t.Fatalf("run %d: a SIGURG in the trace:\n%s", i, log)
		}
	}
	// In this process, run is the tracer: -p of itself is refused.
	var so, se bytes.Buffer
	if code, err := run([]string{"strace.ebpf", "-p", strconv.Itoa(os.Getpid())}, &so, &se); code != 2 || err == nil || !strings.Contains(err.Error(), "is the tracer itself") {
		t.Errorf("-p of the tracer: exit %d, %v", code, err)
	}
}

// A second Ctrl-C detaches at once, leaving the command running; the
// first is the command's.
func TestSecondInterruptDetaches(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	f := filepath.Join(dir, "F")
	started := filepath.Join(dir, "started")
	cmd := exec.Command(testutil.Tracer(t), "-o", filepath.Join(dir, "t"), "sh", "-c", `trap "" INT; : > `+started+`; sleep 1.5; echo ok > `+f)
	// A file, not a pipe: Wait then waits for the tracer alone, not for the
	// detached command that shares its stderr.
	seFile, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer seFile.Close()
	cmd.Stderr = seFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The command runs once the tracer runs (its signal handling too).
	if !waitForFile(started) {
		t.Fatalf("the command did not start")
	}
	cmd.Process.Signal(os.Interrupt) // forwarded: the shell ignores it
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(os.Interrupt) // detach
	err = cmd.Wait()
	se, _ := os.ReadFile(seFile.Name())
	if took := time.Since(start); took > 700*time.Millisecond {
		t.Errorf("the second Ctrl-C took %v to detach", took)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(string(se), "runs on") {
		t.Errorf("after two Ctrl-C: %v, stderr %s", err, se)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if b, _ := os.ReadFile(f); string(b) == "ok\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the detached command did not run to its end")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A trace reader that goes away (EPIPE) stops tracing, not the command.
func TestClosedPipeSparesCommand(t *testing.T) {
	t.Parallel()
	testutil.RequireBPF(t)
	dir := t.TempDir()
	f := filepath.Join(dir, "F")
	cmd := exec.Command(testutil.Tracer(t), "-f", "-l", "strace", "sh", "-c", "sleep 0.3; for i in 1 2 3; do cat /etc/hostname >/dev/null; done; echo ok > "+f)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = w // the trace goes to stderr when tracing a command
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	r.Close() // the reader is gone before the first line
	err = cmd.Wait()
	if err != nil {
		t.Errorf("tracer: %v, want the command's 0", err)
	}
	if b, _ := os.ReadFile(f); string(b) != "ok\n" {
		t.Errorf("the command did not finish: %q", b)
	}
}

// openPty opens a pseudo-terminal pair: the master to read, the slave to
// hand to a process as its terminal.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

// Tracing the whole system on a terminal says so before the firehose.
func TestSystemWideNote(t *testing.T) {
	testutil.RequireBPF(t)
	m, s := openPty(t)
	defer m.Close()
	cmd := exec.Command(testutil.Tracer(t), "-o", os.DevNull)
	cmd.Stderr = s
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	got := make(chan string, 1)
	go func() {
		b := make([]byte, 4096)
		n, _ := m.Read(b)
		got <- string(b[:n])
	}()
	var note string
	select {
	case note = <-got:
	case <-time.After(10 * time.Second):
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if !strings.Contains(note, "tracing every process on this system") {
		t.Errorf("a system-wide trace on a terminal printed %q first", note)
	}
}
