package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// memoryCgroup makes a memory cgroup limited to limit bytes, in the
// hierarchy that has the memory controller (v2 when the unified one has
// it, else v1), and returns the file a process writes its pid into to
// join it, and the version.
func memoryCgroup(t *testing.T, limit int64) (procs string, v2 bool) {
	t.Helper()
	name := fmt.Sprintf("strace-ebpf-test-%d", os.Getpid())
	for _, root := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		ctl, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
		if err != nil || !strings.Contains(" "+strings.TrimSpace(string(ctl))+" ", " memory ") {
			continue
		}
		os.WriteFile(filepath.Join(root, "cgroup.subtree_control"), []byte("+memory"), 0)
		dir := filepath.Join(root, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatalf("making a v2 memory cgroup: %v", err)
		}
		t.Cleanup(func() { removeCgroup(dir) })
		if err := os.WriteFile(filepath.Join(dir, "memory.max"), []byte(fmt.Sprint(limit)), 0); err != nil {
			t.Fatalf("setting memory.max: %v", err)
		}
		os.WriteFile(filepath.Join(dir, "memory.swap.max"), []byte("0"), 0)
		return filepath.Join(dir, "cgroup.procs"), true
	}
	root := "/sys/fs/cgroup/memory"
	if _, err := os.Stat(filepath.Join(root, "memory.limit_in_bytes")); err != nil {
		if os.Getenv("STRACE_EBPF_REQUIRE_BPF") == "1" {
			t.Fatal("no memory cgroup controller mounted (v2 or v1)")
		}
		t.Skip("no memory cgroup controller mounted (v2 or v1)")
	}
	dir := filepath.Join(root, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("making a v1 memory cgroup: %v", err)
	}
	t.Cleanup(func() { removeCgroup(dir) })
	if err := os.WriteFile(filepath.Join(dir, "memory.limit_in_bytes"), []byte(fmt.Sprint(limit)), 0); err != nil {
		t.Fatalf("setting memory.limit_in_bytes: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "memory.memsw.limit_in_bytes"), []byte(fmt.Sprint(limit)), 0)
	return filepath.Join(dir, "cgroup.procs"), false
}

// removeCgroup removes a test's cgroup once its processes are gone.
func removeCgroup(dir string) {
	for i := 0; i < 50; i++ {
		if err := os.Remove(dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// In a 600 MiB memory cgroup, a script that doubles a string is stopped
// by the default budget, derived from the cgroup's limit, with one line:
// the tracer is not OOM-killed, and the command's status is the exit
// status.
func TestMemoryBudgetFollowsCgroup(t *testing.T) {
	testutil.RequireBPF(t)
	procs, v2 := memoryCgroup(t, 600<<20)
	bomb := writeScript(t, "bomb.star", "def on_syscall(ev):\n    s = 'x'\n    while True:\n        s = s + s\n")
	cmd := exec.Command("sh", "-c", `echo $$ > "$0" && exec "$@"`, procs, testutil.Tracer(t), "-o", os.DevNull, "-s", bomb, "sh", "-c", "sleep 0.3; exit 5")
	var se bytes.Buffer
	cmd.Stderr = &se
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("%v, want the command's exit 5 (stderr %s)", err, se.String())
	}
	if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() || ee.ExitCode() != 5 {
		t.Fatalf("tracer in a 600 MiB cgroup (v2 %v): %v, want the command's 5 (stderr %q)", v2, ee, se.String())
	}
	limit := "memory.max"
	if !v2 {
		limit = "memory.limit_in_bytes"
	}
	from := "left under " + limit + " of cgroup /strace-ebpf-test-"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if i := strings.Index(string(b), "MemAvailable:"); i >= 0 {
			fmt.Sscan(string(b[i+len("MemAvailable:"):]), &kb)
		}
		if kb > 0 && kb<<10 < 600<<20 {
			from = "left under MemAvailable" // a machine with less free than the cgroup allows
		}
	}
	line := strings.TrimSpace(se.String())
	if strings.Count(line, "\n") != 0 || !strings.Contains(line, "memory budget exceeded: scripts hold more than ") || !strings.Contains(line, from) {
		t.Errorf("stderr %q, want one line naming the budget and %q", se.String(), from)
	}
}
