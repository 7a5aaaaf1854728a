package main

import (
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
	waitInSyscall(t, target.Process.Pid, "read")
	pid := strconv.Itoa(target.Process.Pid)

	out := filepath.Join(t.TempDir(), "t")
	tracer, se := startBackground(t, out, "-l", "strace", "-p", pid)
	if !waitFor(se, "Process "+pid+" attached") {
		t.Fatalf("not attached: %s", se.String())
	}
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
	var sb syncBuffer
	st.Stderr = &sb
	st.Start()
	// strace prints the call it finds the process in once attached.
	if !waitFor(&sb, "read(0, ") {
		t.Errorf("system strace did not attach: %s", sb.String())
	}
	st.Process.Signal(os.Interrupt)
	st.Wait()
	if s := sb.String(); !strings.Contains(s, "read(0, ") || !strings.Contains(s, " <detached ...>") {
		t.Errorf("system strace printed %q", s)
	}

	// -q silences the attach and detach notes.
	tracer, se = startBackground(t, out, "-q", "-l", "strace", "-p", pid) // attached once -d says "loaded in"
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

// With several -p processes every line names its process from the first,
// in strace's style: "[pid N] " on a terminal (here stderr), "N " in a file.
func TestPrefixesLikeStrace(t *testing.T) {
	testutil.RequireBPF(t)
	var pids []string
	for i := 0; i < 2; i++ {
		c := exec.Command("sh", "-c", "while :; do sleep 0.1; done")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { c.Process.Kill(); c.Wait() }()
		pids = append(pids, strconv.Itoa(c.Process.Pid))
	}
	run := func(tool string, args ...string) string {
		cmd := exec.Command(tool, args...)
		// strace prints on stderr; strace.ebpf -p on stdout (stderr when it
		// runs a command).
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Both attached (strace says so once it is; so does strace.ebpf),
		// then a few rounds of the loops' sleep 0.1.
		if !waitFor(&out, "Process "+pids[0]+" attached", "Process "+pids[1]+" attached") {
			t.Errorf("%s did not attach: %s", tool, out.String())
		}
		time.Sleep(500 * time.Millisecond)
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		return out.String()
	}
	style := func(out string, file bool) (lines, prefixed int) {
		for _, l := range strings.Split(out, "\n") {
			if !strings.Contains(l, "(") || strings.Contains(l, "Process ") {
				continue
			}
			lines++
			for _, p := range pids {
				if !file && strings.HasPrefix(l, "[pid "+strings.Repeat(" ", max(0, 5-len(p)))+p+"] ") ||
					file && strings.HasPrefix(l, p+" ") {
					prefixed++
				}
			}
		}
		return lines, prefixed
	}
	for _, file := range []bool{false, true} {
		dir := t.TempDir()
		ours := []string{"-l", "strace", "-p", pids[0], "-p", pids[1]}
		theirs := []string{"-p", pids[0], "-p", pids[1]}
		if file {
			ours = append(ours, "-o", filepath.Join(dir, "ours"))
			theirs = append(theirs, "-o", filepath.Join(dir, "theirs"))
		}
		o := run(testutil.Tracer(t), ours...)
		s := run("strace", theirs...)
		if file {
			o, s = readFile(t, filepath.Join(dir, "ours")), readFile(t, filepath.Join(dir, "theirs"))
		}
		ol, op := style(o, file)
		sl, sp := style(s, file)
		if ol == 0 || op != ol || sl == 0 || sp != sl {
			t.Errorf("file %v: ours %d of %d lines prefixed, strace's %d of %d:\n%s\n---\n%s", file, op, ol, sp, sl, o, s)
		}
	}
}
