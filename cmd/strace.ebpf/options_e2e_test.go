package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// -p on a process blocked in a call shows that call at detach, as strace
// does: "read(0, <detached ...>".
func TestAttachBlocked(t *testing.T) {
	testutil.RequireBPF(t)
	target := exec.Command("cat")
	stdin, err := target.StdinPipe() // never written: cat blocks in read
	if err != nil {
		t.Fatal(err)
	}
	if err := target.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); target.Wait() }()
	time.Sleep(200 * time.Millisecond)
	pid := strconv.Itoa(target.Process.Pid)

	out := filepath.Join(t.TempDir(), "t")
	tracer, se := startBackground(t, out, "-l", "strace", "-p", pid)
	time.Sleep(500 * time.Millisecond)
	tracer.Process.Signal(os.Interrupt)
	if err := tracer.Wait(); err != nil {
		t.Fatalf("tracer: %v: %s", err, se.String())
	}
	got := readFile(t, out)
	if got != "read(0,  <detached ...>\n" {
		t.Errorf("trace %q, want strace's \"read(0,  <detached ...>\\n\"", got)
	}
	for _, want := range []string{"strace.ebpf: Process " + pid + " attached\n", "strace.ebpf: Process " + pid + " detached\n"} {
		if !strings.Contains(se.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, se.String())
		}
	}

	// The system's strace prints the same call (its line is split by its
	// own "detached" message on the same stream).
	st := exec.Command("strace", "-p", pid)
	var sb bytes.Buffer
	st.Stderr = &sb
	st.Start()
	time.Sleep(500 * time.Millisecond)
	st.Process.Signal(os.Interrupt)
	st.Wait()
	if s := sb.String(); !strings.Contains(s, "read(0, ") || !strings.Contains(s, " <detached ...>") {
		t.Errorf("system strace printed %q", s)
	}

	// -q silences the attach and detach notes.
	tracer, se = startBackground(t, out, "-q", "-l", "strace", "-p", pid)
	time.Sleep(500 * time.Millisecond)
	tracer.Process.Signal(os.Interrupt)
	tracer.Wait()
	if strings.Contains(se.String(), "Process "+pid) {
		t.Errorf("-q: stderr %q", se.String())
	}
}

// -E and -u set the command's environment and user.
func TestEnvAndUser(t *testing.T) {
	testutil.RequireBPF(t)
	t.Setenv("STRACE_EBPF_GONE", "x")
	res := runTracer(t, "-o", os.DevNull, "-E", "FOO=bar", "-E", "STRACE_EBPF_GONE", "-u", "nobody",
		"sh", "-c", `echo "[$FOO][$STRACE_EBPF_GONE][$(id -u)]"`)
	if res.code != 0 || res.stdout != "[bar][][65534]\n" {
		t.Errorf("exit %d, stdout %q, want [bar][][65534]; stderr %s", res.code, res.stdout, res.stderr)
	}
	if res := runTracer(t, "-u", "no-such-user-xyz", "true"); res.code != 2 || !strings.Contains(res.stderr, "parsing -u no-such-user-xyz: no such user") {
		t.Errorf("-u unknown: exit %d, %s", res.code, res.stderr)
	}
}
