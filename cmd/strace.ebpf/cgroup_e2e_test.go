package main

import (
	"bytes"
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

// cgroupMounts are this machine's writable cgroup hierarchies the tests
// make cgroups in: "v2" (the unified one) and "v1" (the pids controller's,
// or the first v1 controller's), where mounted.
func cgroupMounts(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, pf := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(pf) < 3 || f[3] != "/" {
			continue
		}
		switch {
		case pf[0] == "cgroup2" && m["v2"] == "":
			m["v2"] = f[4]
		case pf[0] == "cgroup" && strings.Contains(","+pf[2]+",", ",pids,"):
			m["v1"] = f[4]
		}
	}
	return m
}

// makeCgroup makes the cgroup dir (and its parents) for the test; at the
// end its processes are killed and it is removed.
func makeCgroup(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Skipf("cannot make a cgroup here: %v", err)
	}
	t.Cleanup(func() {
		for range 100 {
			b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
			for _, pid := range strings.Fields(string(b)) {
				exec.Command("kill", "-9", pid).Run()
			}
			if os.Remove(dir) == nil || os.IsNotExist(os.Remove(dir)) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Errorf("cgroup %s left behind", dir)
	})
}

// startInCgroup starts, in its own pid and mount namespaces (unshare, as a
// container runtime would), a shell that joins cgroup dir, waits for the
// file gate, then runs script: the processes it starts come after the
// trace began.
func startInCgroup(t *testing.T, dir, gate, script string) *exec.Cmd {
	t.Helper()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare(1)")
	}
	sh := fmt.Sprintf("echo $$ > %s/cgroup.procs && while [ ! -e %s ]; do sleep 0.02; done; %s", dir, gate, script)
	c := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", sh)
	c.Stderr = os.Stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	// Wait until the shell is in the cgroup.
	deadline := time.Now().Add(waitLimit)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		if len(strings.TrimSpace(string(b))) > 0 {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("the container's shell never joined %s", dir)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCgroupTrace: --cgroup traces the processes a "container" (unshare
// and a cgroup made here) starts after the trace began, in a descendant
// cgroup too, and nothing else; the trace ends when the cgroup empties, as
// a command's exit ends it.
func TestCgroupTrace(t *testing.T) {
	testutil.RequireBPF(t)
	mounts := cgroupMounts(t)
	if len(mounts) == 0 {
		t.Skip("no cgroup hierarchy mounted")
	}
	sc := testutil.Syscaller(t)
	for _, h := range []string{"v2", "v1"} {
		t.Run(h, func(t *testing.T) {
			root := mounts[h]
			if root == "" {
				t.Skipf("no %s cgroup hierarchy mounted", h)
			}
			dir := filepath.Join(root, fmt.Sprintf("strace-ebpf-test-%d", os.Getpid()))
			makeCgroup(t, dir)
			makeCgroup(t, filepath.Join(dir, "child"))
			tmp := t.TempDir()
			gate := filepath.Join(tmp, "go")
			pidsFile := filepath.Join(tmp, "pids")
			// Two syscallers in the cgroup, the second in its child cgroup.
			script := fmt.Sprintf("%s basic & echo $! >> %s; wait; sh -c 'echo $$ > %s/child/cgroup.procs; exec %s basic' & wait",
				sc, pidsFile, dir, sc)
			startInCgroup(t, dir, gate, script)

			out := filepath.Join(tmp, "trace.log")
			// The hierarchy's path, as a user would give it.
			tracer, se := startBackground(t, out, "-f", "-e", "trace=openat,execve", "--cgroup", strings.TrimPrefix(dir, root))
			outside := exec.Command(sc, "basic")
			if err := outside.Run(); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(gate, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- tracer.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("tracer: %v: %s", err, se.String())
				}
			case <-time.After(waitLimit):
				tracer.Process.Kill()
				t.Fatalf("the trace did not end when the cgroup emptied: %s", se.String())
			}
			b, _ := os.ReadFile(out)
			_, rows := parseHex(t, string(b), "\t")
			markers := find(rows, func(r row) bool { return r["ARG2"] == "/nonexistent/strace-ebpf-marker" })
			if len(markers) != 2 {
				t.Errorf("%d marker openat rows, want 2 (the cgroup's two syscallers): %v", len(markers), markers)
			}
			if got := find(rows, func(r row) bool { return r["PID"] == hex16(uint64(outside.Process.Pid)) }); len(got) != 0 {
				t.Errorf("the process outside the cgroup (%d) is traced: %v", outside.Process.Pid, got[0])
			}
			if got := find(rows, func(r row) bool { return r["PID"] == hex16(uint64(tracer.Process.Pid)) }); len(got) != 0 {
				t.Errorf("the tracer is traced: %v", got[0])
			}
			// Every traced process is the container's: its pids (host
			// pids) are in the cgroup's pid namespace, whose first
			// process is unshare's child.
			seen := map[string]bool{}
			for _, r := range rows {
				seen[r["PID"]] = true
			}
			if len(seen) < 3 {
				t.Errorf("%d processes traced, want the shell, its subshell and the syscallers: %v", len(seen), seen)
			}
		})
	}
}

// TestUnitTrace: --unit NAME traces a systemd-like service's cgroup,
// /system.slice/NAME.service, made here; a unit that is not running is
// refused, naming it.
func TestUnitTrace(t *testing.T) {
	testutil.RequireBPF(t)
	root := cgroupMounts(t)["v2"]
	if root == "" {
		t.Skip("no cgroup v2 hierarchy mounted")
	}
	slice := filepath.Join(root, "system.slice")
	if _, err := os.Stat(slice); err != nil {
		makeCgroup(t, slice)
	}
	name := fmt.Sprintf("strace-ebpf-test-%d", os.Getpid())
	dir := filepath.Join(slice, name+".service")
	makeCgroup(t, dir)

	// Not running: the cgroup is empty.
	res := runTracer(t, "--unit", name)
	if res.code == 0 || !strings.Contains(res.stderr, "strace.ebpf: finding unit "+name+": its cgroup "+dir+" holds no process: not running") {
		t.Errorf("an empty unit: exit %d, stderr %q", res.code, res.stderr)
	}

	tmp := t.TempDir()
	gate := filepath.Join(tmp, "go")
	startInCgroup(t, dir, gate, testutil.Syscaller(t)+" basic")
	out := filepath.Join(tmp, "trace.log")
	rec := filepath.Join(tmp, "trace.bin")
	tracer, se := startBackground(t, out, "-l", "strace", "--decode-pids=container", "--record", rec, "-e", "trace=openat", "--unit", name)
	os.WriteFile(gate, nil, 0o644)
	done := make(chan error, 1)
	go func() { done <- tracer.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("tracer: %v: %s", err, se.String())
		}
	case <-time.After(waitLimit):
		tracer.Process.Kill()
		t.Fatalf("the trace did not end when the unit stopped: %s", se.String())
	}
	unit := name + ".service"
	b, _ := os.ReadFile(out)
	var marker string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `openat(AT_FDCWD, "/nonexistent/strace-ebpf-marker", O_RDONLY) = -1 ENOENT`) {
			marker = line
		}
	}
	if marker == "" {
		t.Fatalf("the unit's syscaller is not in the trace:\n%s", b)
	}
	// --decode-pids=container: "PID<unit> " on every line of a file.
	if pid, _, _ := strings.Cut(marker, "<"); !strings.HasPrefix(marker, pid+"<"+unit+"> ") {
		t.Errorf("--decode-pids=container: the line does not name the unit: %q", marker)
	}

	// The recording carries the cgroup and the unit's name: every replayed
	// event has them, in json and in scripts.
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	res = runTracer(t, "-i", rec, "-l", "json")
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if res.code != 0 || len(lines) < 2 {
		t.Fatalf("replay to json: exit %d, %d lines: %s", res.code, len(lines), res.stderr)
	}
	want := fmt.Sprintf(`,"cgroup":%d,"container":%q`, st.Ino, unit)
	for _, l := range lines {
		if !strings.Contains(l, want) {
			t.Errorf("replayed json line without %s: %s", want, l)
		}
	}
	// --decode-pids=container in a replay: the names come from the recording.
	res = runTracer(t, "-i", rec, "-l", "strace", "--decode-pids=container")
	if res.code != 0 || !strings.Contains(res.stdout, "<"+unit+"> openat(AT_FDCWD, \"/nonexistent/strace-ebpf-marker\"") {
		t.Errorf("replay with --decode-pids=container: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	// And through every other format.
	for _, f := range []string{"hex", "strace", "perfetto", "bin"} {
		o := filepath.Join(tmp, "replay."+f)
		if res := runTracer(t, "-i", rec, "-l", f, "-o", o); res.code != 0 {
			t.Errorf("replay to -l %s: exit %d: %s", f, res.code, res.stderr)
		} else if b, _ := os.ReadFile(o); !bytes.Contains(b, []byte("strace-ebpf-marker")) {
			t.Errorf("replay to -l %s: no marker call in %d bytes", f, len(b))
		}
	}
	script := writeScript(t, "ctr.star", "def on_syscall(ev):\n    return '%s %d' % (ev.container, ev.cgroup_id)\n")
	res = runTracer(t, "-i", rec, "-s", script)
	if got, want := strings.TrimSpace(res.stdout), fmt.Sprintf("%s %d", unit, st.Ino); res.code != 0 || !strings.Contains(got, want) || strings.Count(got, want) != len(strings.Split(got, "\n")) {
		t.Errorf("ev.container and ev.cgroup_id in a replay: exit %d, got %q, want every line %q; stderr %s", res.code, got, want, res.stderr)
	}
}

// TestTargetRefusals: what --cgroup, --container and --unit do not go
// with, and names that resolve to nothing, are refused in one line.
func TestTargetRefusals(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--cgroup", "/", "true"}, "strace.ebpf: parsing options: --cgroup / and a command (true) are exclusive"},
		{[]string{"--cgroup", "/", "-p", "1"}, "strace.ebpf: parsing options: --cgroup / and -p are exclusive"},
		{[]string{"--container", "web", "-i", "x.bin"}, "strace.ebpf: parsing options: --container web chooses what a live trace traces; a replay (-i) traces nothing"},
		{[]string{"--unit", "x", "-e", "inject=openat:error=ENOENT"}, "strace.ebpf: -e inject=openat:error=ENOENT: not with --unit x: a fault is injected through a seccomp filter that the tracer installs in a command it starts, and it starts none of the cgroup's processes"},
		{[]string{"--cgroup", "/strace-ebpf-no-such-cgroup"}, "strace.ebpf: resolving cgroup /strace-ebpf-no-such-cgroup: no such cgroup in any mounted hierarchy"},
		{[]string{"--unit", "strace-ebpf-no-such-unit"}, "strace.ebpf: finding unit strace-ebpf-no-such-unit: no cgroup /system.slice/strace-ebpf-no-such-unit.service in any mounted hierarchy: not running"},
		{[]string{"--container", "strace-ebpf-no-such-container"}, "strace.ebpf: finding container strace-ebpf-no-such-container: no container of that name or id in "},
		{[]string{"--cgroup", "/", "--cgroup", "/"}, "strace.ebpf: parsing options: "}, // then "DIR and DIR are the same cgroup", DIR the hierarchy's root
		{[]string{"--pidns", "-i", "x.bin"}, "strace.ebpf: parsing options: --pidns translates the pids of a live trace; a replay (-i) shows the pids recorded"},
		{[]string{"--decode-pids=pidns", "-l", "strace", "--cgroup", "/"}, "strace.ebpf: parsing --decode-pids pidns: comm (the command name, as strace -Y) or container"},
		{[]string{"--decode-pids=container", "--cgroup", "/"}, "strace.ebpf: parsing options: --decode-pids=container names containers in -l strace's process prefix, not in -l hex"},
		{[]string{"--decode-pids=container", "-l", "strace", "true"}, "strace.ebpf: parsing options: --decode-pids=container names the containers of a trace by --container, --unit or --cgroup"},
		{[]string{"--cgroup", "/a", "--cgroup", "/b", "--unit", "c", "--container", "d", "--cgroup", "/e"}, "strace.ebpf: parsing options: 5 cgroups, containers and units: at most 4"},
	}
	// A named v1 hierarchy (name=systemd on a hybrid system) has no
	// controller the kernel can follow.
	if b, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			pre, post, ok := strings.Cut(line, " - ")
			f, pf := strings.Fields(pre), strings.Fields(post)
			if ok && len(f) >= 5 && len(pf) >= 3 && pf[0] == "cgroup" && strings.Contains(pf[2], "name=") {
				tests = append(tests, struct {
					args []string
					want string
				}{[]string{"--cgroup", f[4]}, "strace.ebpf: resolving cgroup " + f[4] + ": " + f[4] + " is a named v1 hierarchy, with no controller the kernel can follow"})
				break
			}
		}
	}
	for _, tt := range tests {
		res := runTracer(t, tt.args...)
		if res.code == 0 || !strings.HasPrefix(res.stderr, tt.want) || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q, want one line starting %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}

// TestCgroupLossless: --lossless with --cgroup pauses the target cgroup
// itself (its cgroup.freeze), never the tracer or the host: a burst of
// calls bigger than the ring loses nothing, the processes paused, and the
// cgroup is the container's still at the end (thawed, not removed).
// Several cgroups, or a v1 one, are refused.
func TestCgroupLossless(t *testing.T) {
	testutil.RequireBPF(t)
	mounts := cgroupMounts(t)
	if mounts["v2"] == "" {
		t.Skip("no cgroup v2 hierarchy mounted")
	}
	if v1 := mounts["v1"]; v1 != "" {
		res := runTracer(t, "--lossless", "--cgroup", v1)
		if res.code == 0 || !strings.Contains(res.stderr, "strace.ebpf: lossless tracing: cgroup "+v1+" is in a v1 hierarchy (pids): pausing it needs cgroup v2's cgroup.freeze") {
			t.Errorf("--lossless with a v1 cgroup: exit %d, stderr %q", res.code, res.stderr)
		}
	}
	dir := filepath.Join(mounts["v2"], fmt.Sprintf("strace-ebpf-lossless-%d", os.Getpid()))
	makeCgroup(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "cgroup.freeze")); err != nil {
		t.Skipf("no cgroup.freeze: %v", err)
	}
	// A ring of 1 MiB: pauses from 256 KiB queued, with room for what
	// dd does while the freeze takes hold on a loaded machine.
	const n = 60000
	tmp := t.TempDir()
	gate := filepath.Join(tmp, "go")
	startInCgroup(t, dir, gate, fmt.Sprintf("exec dd if=/dev/zero of=/dev/null bs=1 count=%d 2>/dev/null", n))
	out := filepath.Join(tmp, "trace.log")
	tracer, se := startBackground(t, out, "--lossless", "--buffer-size=1M", "-e", "trace=write", "--cgroup", dir)
	os.WriteFile(gate, nil, 0o644)
	done := make(chan error, 1)
	go func() { done <- tracer.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("tracer: %v: %s", err, se.String())
		}
	case <-time.After(2 * waitLimit):
		tracer.Process.Kill()
		t.Fatalf("the trace did not end: %s", se.String())
	}
	b, _ := os.ReadFile(out)
	_, rows := parseHex(t, string(b), "\t")
	writes := find(rows, func(r row) bool { return r["SYSCALL"] == "write" && r["ARG1"] == hex16(1) && r["RES"] == hex16(1) })
	if len(writes) != n {
		t.Errorf("%d one-byte writes traced, want %d; stderr:\n%s", len(writes), n, se.String())
	}
	if !strings.Contains(se.String(), "lossless: cgroup "+dir+", frozen from") || !strings.Contains(se.String(), "for the trace to keep up") {
		t.Errorf("the target cgroup was not the one paused, or never paused:\n%s", se.String())
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the target cgroup is gone after the trace: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "cgroup.freeze")); strings.TrimSpace(string(b)) != "0" {
		t.Errorf("the target cgroup is left frozen: cgroup.freeze %q", b)
	}
}

// TestSeveralCgroups: two targets at once, each a "container" whose
// processes start after the trace began: -c prints a table per target,
// each event placed in its own (json's "cgroup"), and the trace ends when
// both have emptied.
func TestSeveralCgroups(t *testing.T) {
	testutil.RequireBPF(t)
	root := cgroupMounts(t)["v2"]
	if root == "" {
		t.Skip("no cgroup v2 hierarchy mounted")
	}
	sc := testutil.Syscaller(t)
	tmp := t.TempDir()
	gate := filepath.Join(tmp, "go")
	var dirs []string
	ids := map[string]uint64{}
	for _, name := range []string{"a", "b"} {
		dir := filepath.Join(root, fmt.Sprintf("strace-ebpf-test-%d-%s", os.Getpid(), name))
		makeCgroup(t, dir)
		var st syscall.Stat_t
		if err := syscall.Stat(dir, &st); err != nil {
			t.Fatal(err)
		}
		ids[name] = st.Ino
		dirs = append(dirs, dir)
		// "a" runs the syscaller once, "b" twice: their counts differ.
		script := sc + " basic"
		if name == "b" {
			script += "; " + sc + " basic"
		}
		startInCgroup(t, dir, gate, "sleep 0.2; "+script)
	}
	for _, mode := range []string{"summary", "json"} {
		out := filepath.Join(tmp, mode+".out")
		args := []string{"-e", "trace=openat", "--cgroup", dirs[0], "--cgroup", dirs[1]}
		if mode == "summary" {
			args = append([]string{"-c"}, args...)
		} else {
			args = append([]string{"-l", "json"}, args...)
		}
		tracer, se := startBackground(t, out, args...)
		if mode == "summary" {
			os.WriteFile(gate, nil, 0o644)
		} else {
			// The second run: new containers in the same cgroups, started
			// after the trace began, behind a gate of their own.
			gate2 := filepath.Join(tmp, "go2")
			for _, dir := range dirs {
				startInCgroup(t, dir, gate2, sc+" basic")
			}
			os.WriteFile(gate2, nil, 0o644)
		}
		done := make(chan error, 1)
		go func() { done <- tracer.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: tracer: %v: %s", mode, err, se.String())
			}
		case <-time.After(waitLimit):
			tracer.Process.Kill()
			t.Fatalf("%s: the trace did not end when both cgroups emptied: %s", mode, se.String())
		}
		b, _ := os.ReadFile(out)
		got := string(b)
		if mode == "summary" {
			for _, name := range []string{"a", "b"} {
				head := fmt.Sprintf("Summary for cgroup %d:", ids[name])
				i := strings.Index(got, head)
				if i < 0 {
					t.Errorf("-c: no table for cgroup %s (%s):\n%s", name, head, got)
					continue
				}
				table := got[i:]
				if j := strings.Index(table[len(head):], "Summary for"); j >= 0 {
					table = table[:len(head)+j]
				}
				// Each syscaller makes one failing openat of the marker
				// (and the loader's own).
				if !strings.Contains(table, " openat") {
					t.Errorf("-c: cgroup %s's table has no openat:\n%s", name, table)
				}
			}
			continue
		}
		for _, name := range []string{"a", "b"} {
			want := fmt.Sprintf(`"cgroup":%d`, ids[name])
			if !strings.Contains(got, want) {
				t.Errorf("json: no event of cgroup %s (%s):\n%s", name, want, got)
			}
		}
		// Every event is placed, a shell's exit read after the shell was
		// reaped included: the kernel's filter noted its target.
		for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
			if !strings.Contains(l, `"cgroup":`) {
				t.Errorf("json: an event without its cgroup: %s", l)
			}
		}
	}
}

// TestPidNS: --pidns shows a container's processes with the pids its own
// pid namespace gives them: the first process of an unshare'd namespace,
// which execs the syscaller, is pid 1; without --pidns it is its host pid.
func TestPidNS(t *testing.T) {
	testutil.RequireBPF(t)
	root := cgroupMounts(t)["v2"]
	if root == "" {
		t.Skip("no cgroup v2 hierarchy mounted")
	}
	dir := filepath.Join(root, fmt.Sprintf("strace-ebpf-pidns-%d", os.Getpid()))
	makeCgroup(t, dir)
	tmp := t.TempDir()
	gate := filepath.Join(tmp, "go")
	// It lives on for half a second after its first marker: the ids are
	// read from /proc while the process lives (docs/containers.md).
	startInCgroup(t, dir, gate, "exec "+testutil.Syscaller(t)+" loop 25")
	out := filepath.Join(tmp, "trace.log")
	tracer, se := startBackground(t, out, "-l", "strace", "--pidns", "-e", "trace=openat", "--cgroup", dir)
	os.WriteFile(gate, nil, 0o644)
	if err := tracer.Wait(); err != nil {
		t.Fatalf("tracer: %v: %s", err, se.String())
	}
	b, _ := os.ReadFile(out)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "loop-marker") {
			if !strings.HasPrefix(line, "1     openat(") {
				t.Errorf("--pidns: the namespace's first process is not pid 1: %q", line)
			}
			return
		}
	}
	t.Errorf("no marker line:\n%s", b)
}

// TestPodmanContainer: --container NAME traces a real Podman container,
// from an image built here from a root file system of a static busybox (no
// registry needed), started before the trace and making its calls after it
// began; the trace ends when the container exits. Where Podman cannot run a
// container (no podman, no static busybox, or a runtime that refuses this
// machine's cgroups), it skips with the reason: TestCgroupTrace covers the
// same with unshare and a cgroup of the test's.
func TestPodmanContainer(t *testing.T) {
	testutil.RequireBPF(t)
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("no podman (apt-get install podman)")
	}
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("no busybox for the image's root file system")
	}
	if out, _ := exec.Command("file", "-L", busybox).Output(); !strings.Contains(string(out), "statically linked") {
		t.Skipf("%s is not statically linked: %s", busybox, out)
	}
	tmp := t.TempDir()
	rootfs := filepath.Join(tmp, "rootfs")
	if err := os.MkdirAll(filepath.Join(rootfs, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin", "busybox"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"sh", "sleep", "cat"} {
		os.Symlink("busybox", filepath.Join(rootfs, "bin", l))
	}
	tarball := filepath.Join(tmp, "rootfs.tar")
	if out, err := exec.Command("tar", "-C", rootfs, "-cf", tarball, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v: %s", err, out)
	}
	image := fmt.Sprintf("localhost/strace-ebpf-test:%d", os.Getpid())
	if out, err := exec.Command(podman, "import", tarball, image).CombinedOutput(); err != nil {
		t.Skipf("podman import: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command(podman, "rmi", "-f", image).Run() })
	name := fmt.Sprintf("strace-ebpf-test-%d", os.Getpid())
	t.Cleanup(func() { exec.Command(podman, "rm", "-f", name).Run() })
	// Its calls come after the trace began: it waits for /tmp/go, made
	// through podman exec once the tracer is attached.
	run := exec.Command(podman, "run", "-d", "--name", name, "--network", "none",
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", image,
		"/bin/sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.1; done; cat /strace-ebpf-marker; exit 0")
	if out, err := run.CombinedOutput(); err != nil {
		t.Skipf("podman cannot run a container here: %v: %s", err, strings.TrimSpace(string(out)))
	}
	out := filepath.Join(tmp, "trace.log")
	tracer, se := startBackground(t, out, "-l", "strace", "-e", "trace=openat", "--container", name)
	if out, err := exec.Command(podman, "exec", name, "/bin/sh", "-c", "mkdir -p /tmp && : > /tmp/go").CombinedOutput(); err != nil {
		t.Fatalf("podman exec: %v: %s", err, out)
	}
	done := make(chan error, 1)
	go func() { done <- tracer.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("tracer: %v: %s", err, se.String())
		}
	case <-time.After(waitLimit):
		tracer.Process.Kill()
		t.Fatalf("the trace did not end when the container exited: %s", se.String())
	}
	got, _ := os.ReadFile(out)
	if !strings.Contains(string(got), `"/strace-ebpf-marker", O_RDONLY`) {
		t.Errorf("the container's cat is not in the trace:\n%s", got)
	}
	// A container that is not running is refused, naming it.
	res := runTracer(t, "--container", name)
	if res.code == 0 || !strings.Contains(res.stderr, "finding container "+name+": podman/cri-o container ") || !strings.Contains(res.stderr, "is not running") {
		t.Errorf("an exited container: exit %d, stderr %q", res.code, res.stderr)
	}
}
