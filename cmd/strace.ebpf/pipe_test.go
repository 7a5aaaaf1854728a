package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// A replay whose reader went away (| head -1) ends as other tools do: no
// message, and the status a shell shows for a tool SIGPIPE killed, 141.
// (A replay: no BPF needed.)
func TestClosedPipeQuiet(t *testing.T) {
	rec := filepath.Join(testutil.Root(), "examples", "testdata", "workload.bin")
	for _, args := range [][]string{
		{"-i", rec, "-l", "strace"},
		{"-i", rec, "-l", "json", "-o", "/dev/stdout"},
		{"-i", rec, "-s", filepath.Join(testutil.Root(), "examples", "syscount.star")},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close() // the reader is gone before the first write
		cmd := exec.Command(testutil.Tracer(t), args...)
		var se bytes.Buffer
		cmd.Stdout, cmd.Stderr = w, &se
		err = cmd.Run()
		w.Close()
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Errorf("%v: %v, want exit 141", args, err)
			continue
		}
		// A replay's note of what the recording lacks is not about the
		// pipe: anything else is.
		var other []string
		for _, l := range strings.Split(strings.TrimSpace(se.String()), "\n") {
			if l != "" && !strings.HasPrefix(l, "strace.ebpf: the recording holds no ") {
				other = append(other, l)
			}
		}
		if ee.ExitCode() != 128+int(syscall.SIGPIPE) || len(other) > 0 {
			t.Errorf("%v: %v, stderr %q; want 141, no message", args, ee, se.String())
		}
	}
}

// Tracing a command whose trace reader went away: no message, the
// command runs to its end and its status is the exit status.
func TestClosedPipeQuietLive(t *testing.T) {
	testutil.RequireBPF(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	done := filepath.Join(t.TempDir(), "done")
	cmd := exec.Command(testutil.Tracer(t), "-l", "strace", "-o", "/dev/stdout", "sh", "-c", "for i in $(seq 100); do :> /dev/null; done; : > "+done+"; exit 3")
	var se bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &se
	err = cmd.Run()
	w.Close()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || se.Len() > 0 {
		t.Errorf("%v, stderr %q; want the command's 3, no message", err, se.String())
	}
	if _, err := os.Stat(done); err != nil {
		t.Errorf("the command did not run to its end: %v", err)
	}
}
