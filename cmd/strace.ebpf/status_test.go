package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// openTerm opens a pseudo-terminal; what is written to the terminal side
// is collected from the other.
func openTerm(t *testing.T) (term *os.File, read func() string) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&buf, m) // ends with EIO once every terminal side is closed
		close(done)
	}()
	t.Cleanup(func() { m.Close(); s.Close() })
	return s, func() string {
		s.Close()
		<-done
		return buf.String()
	}
}

// runOnPty runs the tracer with stdout and stderr on a pseudo-terminal.
func runOnPty(t *testing.T, dir string, stop time.Duration, args ...string) string {
	t.Helper()
	term, read := openTerm(t)
	cmd := exec.Command(testutil.Tracer(t), args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = term, term
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if stop > 0 {
		time.AfterFunc(stop, func() { cmd.Process.Signal(os.Interrupt) })
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("strace.ebpf %v: %v", args, err)
	}
	return read()
}

var statusRE = regexp.MustCompile(`\r\x1b\[Kstrace\.ebpf: \d+ events/s, \d+ events, [\d.]+[BKMG] written, \d+ lost`)

// A run of more than two seconds on a terminal shows a status line on
// stderr, erased at the end and never in the trace; -q turns it off; a
// pipe never gets it.
func TestStatusLine(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "t")
	loop := "i=0; while [ $i -lt 35 ]; do cat /dev/null; sleep 0.1; i=$((i+1)); done"
	got := runOnPty(t, dir, 0, "-o", out, "-e", "trace=openat", "sh", "-c", loop)
	if !statusRE.MatchString(got) {
		t.Fatalf("no status line on the terminal:\n%q", got)
	}
	last := statusRE.FindAllStringIndex(got, -1)
	tail := got[last[len(last)-1][1]:]
	if !strings.Contains(tail, "\r\x1b[K") {
		t.Errorf("the status line is not erased at the end: after it %q", tail)
	}
	if trace := readFile(t, out); strings.Contains(trace, "events/s") || !strings.Contains(trace, "openat") {
		t.Errorf("the trace file holds the status line, or no openat:\n%s", trace)
	}

	if got := runOnPty(t, dir, 0, "-q", "-o", out, "-e", "trace=openat", "sh", "-c", loop); strings.Contains(got, "events/s") {
		t.Errorf("-q: a status line anyway:\n%q", got)
	}
	r := runTracer(t, "-o", out, "-e", "trace=openat", "sh", "-c", loop)
	if strings.Contains(r.stderr, "events/s") {
		t.Errorf("stderr a pipe: a status line anyway:\n%q", r.stderr)
	}

	// The whole system onto the terminal: one line saying so and how to
	// stop first (TestSystemWideNote has it with -o), then the trace, and
	// no status line written into it.
	got = runOnPty(t, dir, 2500*time.Millisecond, "-e", "trace=none")
	if !strings.HasPrefix(got, "strace.ebpf: tracing every process on this system (no command, no -p) until Ctrl-C") ||
		strings.Count(got, "tracing every process") != 1 {
		t.Errorf("whole system onto the terminal: not one first line saying so:\n%q", got)
	}
}
