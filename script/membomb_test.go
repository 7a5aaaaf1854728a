package script

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The memory bombs of the issue, with the default budget (1 GiB), in a
// child process inside a memory-limited cgroup: the safety net that keeps
// the host unharmed should a guard fail. The child runs
// TestMemoryBombChild; the cgroup kills it, and the test fails, if the
// scripts outgrow bombCgroupLimit.
// Under the race detector, whose shadow memory multiplies the heap, the net
// is wider: it still keeps the host (24 GiB here) safe.
var bombCgroupLimit = map[bool]int{false: 2 << 30, true: 8 << 30}[raceDetector]

// The child's environment: its cgroup, and the name of the cgroup's peak
// usage file.
const (
	bombChildEnv = "STRACE_EBPF_MEMBOMB_CGROUP"
	bombPeakEnv  = "STRACE_EBPF_MEMBOMB_PEAK"
)

var memoryBombs = []struct{ name, file, src string }{
	{"star repeat", "bomb.star", "def on_syscall(ev):\n    x = [0] * 1000000000\n"},
	{"lua rep", "bomb.lua", "function on_syscall(ev)\n  local s = string.rep('x', 2^31)\nend\n"},
	{"star growth", "grow.star", "l = []\ndef on_syscall(ev):\n    for i in range(100000000):\n        l.append('x' * 1000 + str(i))\n"},
	{"lua growth", "grow.lua", "t = {}\nfunction on_syscall(ev)\n  for i = 1, 1e8 do t[i] = string.rep('x', 1000) .. i end\nend\n"},
	{"lua doubling", "double.lua", "function on_syscall(ev)\n  local s = 'x'\n  while true do s = s .. s end\nend\n"},
	{"star doubling", "double.star", "def on_syscall(ev):\n    s = 'x'\n    for i in range(64):\n        s = s + s\n"},
	{"star list doubling", "double2.star", "def on_syscall(ev):\n    l = [0]\n    for i in range(64):\n        l += l\n"},
}

func TestMemoryBombChild(t *testing.T) {
	if os.Getenv(bombChildEnv) == "" {
		t.Skip("runs as the child of TestMemoryBombInCgroup")
	}
	for _, b := range memoryBombs {
		start := time.Now()
		_, err := runEvents(t, Options{MaxSteps: 1 << 40, CallTimeout: time.Minute}, b.file, b.src)
		var se *Error
		if !errors.As(err, &se) || se.Budget != "memory" || se.File != b.file {
			t.Errorf("%s: error %v, want the memory budget in %s", b.name, err, b.file)
			continue
		}
		took := time.Since(start).Round(time.Millisecond)
		// The cgroup's peak, reset for the next bomb where it can be.
		peak := filepath.Join(os.Getenv(bombChildEnv), os.Getenv(bombPeakEnv))
		usage, _ := os.ReadFile(peak)
		n, _ := strconv.ParseInt(strings.TrimSpace(string(usage)), 10, 64)
		_ = os.WriteFile(peak, []byte("0"), 0o644)
		fmt.Printf("BOMB %s: stopped after %v, cgroup peak %d MiB: %v\n", b.name, took, n>>20, err)
		runtime.GC()
		debug.FreeOSMemory()
	}
}

func TestMemoryBombInCgroup(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates over 1 GiB")
	}
	cg, limitFile, peakFile, err := makeMemoryCgroup(fmt.Sprintf("strace-ebpf-membomb-%d", os.Getpid()))
	if err != nil {
		t.Skipf("no memory-limited cgroup for the safety net: %v", err)
	}
	defer os.Remove(cg)
	if err := os.WriteFile(filepath.Join(cg, limitFile), []byte(strconv.Itoa(bombCgroupLimit)), 0o644); err != nil {
		t.Skipf("no memory-limited cgroup for the safety net: %v", err)
	}
	// The child joins the cgroup before it runs a line of Go.
	cmd := exec.Command("/bin/sh", "-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`, cg,
		os.Args[0], "-test.run=^TestMemoryBombChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), bombChildEnv+"="+cg, bombPeakEnv+"="+peakFile)
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil {
		t.Fatalf("the child failed (killed by the cgroup's limit of %d bytes?): %v", bombCgroupLimit, err)
	}
	for _, b := range memoryBombs {
		if !strings.Contains(string(out), "BOMB "+b.name+": stopped") {
			t.Errorf("%s was not stopped", b.name)
		}
	}
	if peak, err := os.ReadFile(filepath.Join(cg, peakFile)); err == nil {
		n, _ := strconv.ParseInt(strings.TrimSpace(string(peak)), 10, 64)
		t.Logf("peak memory of the child: %d MiB", n>>20)
	}
}

// makeMemoryCgroup makes a cgroup with a memory limit: under the cgroup v2
// root when it has the memory controller, else under this process's cgroup
// v1 memory hierarchy. It returns its directory and the names of its limit
// and peak usage files.
func makeMemoryCgroup(name string) (dir, limit, peak string, err error) {
	if os.Geteuid() != 0 {
		return "", "", "", errors.New("not root")
	}
	const v2 = "/sys/fs/cgroup"
	if b, err := os.ReadFile(v2 + "/cgroup.controllers"); err == nil && strings.Contains(" "+string(b), " memory") {
		_ = os.WriteFile(v2+"/cgroup.subtree_control", []byte("+memory"), 0o644)
		dir = filepath.Join(v2, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return "", "", "", err
		}
		return dir, "memory.max", "memory.peak", nil
	}
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", "", "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 || !strings.Contains(","+parts[1]+",", ",memory,") {
			continue
		}
		dir = filepath.Join("/sys/fs/cgroup/memory", parts[2], name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return "", "", "", err
		}
		return dir, "memory.limit_in_bytes", "memory.max_usage_in_bytes", nil
	}
	return "", "", "", errors.New("no memory cgroup found")
}
