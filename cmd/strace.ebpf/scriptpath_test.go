package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// make install puts the examples where -s NAME finds them; the current
// directory and the user's directory come first; --eval runs an inline
// script. Replays of a committed recording: no root needed.
func TestScriptSearchPath(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	root := testutil.Root()
	dest := t.TempDir()
	if out, err := exec.Command("make", "-C", root, "install", "DESTDIR="+dest, "PREFIX=/usr").CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	for _, f := range []string{"usr/share/strace.ebpf/examples/syscount.star", "usr/share/strace.ebpf/examples/fileio.star",
		"usr/share/doc/strace.ebpf/scripting.md", "usr/share/doc/strace.ebpf/README.md", "usr/share/man/man1/strace.ebpf.1"} {
		if _, err := os.Stat(filepath.Join(dest, f)); err != nil {
			t.Errorf("make install: %v", err)
		}
	}
	bin := filepath.Join(dest, "usr/bin/strace.ebpf")
	rec := filepath.Join(root, "examples/testdata/workload.bin")
	work := t.TempDir()
	data := t.TempDir()
	run := func(args ...string) (string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+data)
		var so, se strings.Builder
		cmd.Stdout, cmd.Stderr = &so, &se
		if err := cmd.Run(); err != nil {
			t.Fatalf("strace.ebpf %v: %v\n%s", args, err, se.String())
		}
		return so.String(), se.String()
	}
	help, _ := run("-s", "help")
	if !strings.Contains(help, "syscount.star") || !strings.Contains(help, filepath.Join(dest, "usr/share/strace.ebpf/examples")) {
		t.Errorf("-s help does not list the installed examples:\n%s", help)
	}
	byName, _ := run("-i", rec, "-s", "syscount")
	byPath, _ := run("-i", rec, "-s", filepath.Join(root, "examples/syscount.star"))
	if byName == "" || byName != byPath {
		t.Errorf("-s syscount printed\n%s\nwant what -s examples/syscount.star prints:\n%s", byName, byPath)
	}
	// The user's directory comes before the installed examples, the
	// current directory before both.
	userDir := filepath.Join(data, "strace.ebpf", "scripts")
	os.MkdirAll(userDir, 0o755)
	os.WriteFile(filepath.Join(userDir, "syscount.star"), []byte("def on_syscall(ev):\n    return None\ndef on_exit():\n    print(\"user's\")\n"), 0o644)
	if out, _ := run("-i", rec, "-s", "syscount"); out != "user's\n" {
		t.Errorf("-s syscount with one in the user's directory: %q", out)
	}
	os.WriteFile(filepath.Join(work, "syscount.star"), []byte("def on_syscall(ev):\n    return None\ndef on_exit():\n    print(\"here\")\n"), 0o644)
	if out, _ := run("-i", rec, "-s", "syscount"); out != "here\n" {
		t.Errorf("-s syscount with one in the current directory: %q", out)
	}
	// --eval: an inline script, after the -s ones.
	out, _ := run("-i", rec, "--eval", "n = [0]\ndef on_syscall(ev):\n    n[0] += 1\ndef on_exit():\n    print(\"calls\", n[0])")
	if !strings.HasPrefix(out, "calls ") || out == "calls 0\n" {
		t.Errorf("--eval counting calls printed %q", out)
	}
	cmd := exec.Command(bin, "-i", rec, "--eval", "def on_syscall(ev):\n    return ev.nmae")
	se, _ := cmd.CombinedOutput()
	if !strings.Contains(string(se), "--eval#1:2:") {
		t.Errorf("--eval's error does not name --eval#1:LINE: %s", se)
	}
	cmd = exec.Command(bin, "-s", "syscunt", "-i", rec)
	cmd.Dir = work
	se, _ = cmd.CombinedOutput()
	if !strings.Contains(string(se), `strace.ebpf: loading script syscunt: not found in .,`) || !strings.Contains(string(se), `(did you mean "syscount"?)`) {
		t.Errorf("-s syscunt: %s", se)
	}
}
