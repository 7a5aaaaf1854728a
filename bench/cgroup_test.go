package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// cgroupVariant is one way of running the tracer in the background while dd
// runs: what it costs dd, in dd's CPU time per syscall.
type cgroupVariant struct {
	name     string
	args     []string // the tracer's options ({cgroup}: the target)
	inTarget bool     // dd runs in the target cgroup
}

var cgroupVariants = []cgroupVariant{
	// dd traced by a whole-system trace.
	{"system", []string{"--lossy", "-l", "bin", "-o", "{out}"}, false},
	// dd in the traced cgroup.
	{"cgroup-in", []string{"--lossy", "-l", "bin", "-o", "{out}", "--cgroup", "{cgroup}"}, true},
	// The rest of the system under --cgroup: dd outside the target.
	{"cgroup-out", []string{"--lossy", "-l", "bin", "-o", "{out}", "--cgroup", "{cgroup}"}, false},
	// What a filtered-out call costs when tracing by pid: dd is not the
	// traced process (-p of a sleeper).
	{"pid-out", []string{"--lossy", "-l", "bin", "-o", "{out}", "-p", "{sleeper}"}, false},
}

// BenchmarkCgroupFilter measures the kernel's cgroup filter: dd's CPU time
// per syscall bare and while the tracer runs in the background, tracing
// the whole system, a cgroup dd is in, a cgroup dd is not in (the rest of
// the system), or another process by pid; the figures are the time added
// to each of dd's syscalls.
func BenchmarkCgroupFilter(b *testing.B) {
	testutil.RequireBPF(b)
	tracer := testutil.Tracer(b)
	root := unifiedRoot()
	if root == "" {
		b.Skip("no cgroup v2 hierarchy mounted")
	}
	cg := filepath.Join(root, fmt.Sprintf("strace-ebpf-bench-%d", os.Getpid()))
	if err := os.Mkdir(cg, 0o755); err != nil {
		b.Skipf("making a cgroup: %v", err)
	}
	defer os.Remove(cg)
	// The target holds a sleeper throughout, so that the trace does not end
	// between runs; -p traces another.
	keep := exec.Command("sh", "-c", "echo $$ > "+cg+"/cgroup.procs; exec sleep 1000")
	if err := keep.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { keep.Process.Kill(); keep.Wait() }()
	sleeper := exec.Command("sleep", "1000")
	if err := sleeper.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()

	ddOut := wrapped(workload)
	ddIn := []string{"sh", "-c", "echo $$ > " + cg + "/cgroup.procs && exec " + strings.Join(ddOut, " ")}
	for _, v := range cgroupVariants {
		b.Run(v.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				var args []string
				for _, a := range v.args {
					a = strings.ReplaceAll(a, "{out}", filepath.Join(dir, "trace.out"))
					a = strings.ReplaceAll(a, "{cgroup}", cg)
					a = strings.ReplaceAll(a, "{sleeper}", fmt.Sprint(sleeper.Process.Pid))
					args = append(args, a)
				}
				argv := ddOut
				if v.inTarget {
					argv = ddIn
				}
				var bare, traced []time.Duration
				for r := 0; r < reps; r++ {
					// Bare: no tracer loaded (its programs would run
					// in dd's syscalls even with it stopped).
					_, stderr := runIn(b, dir, ddOut)
					bare = append(bare, cpuTime(b, stderr))
					t := startTracer(b, tracer, args)
					_, stderr = runIn(b, dir, argv)
					traced = append(traced, cpuTime(b, stderr))
					t.Process.Signal(os.Interrupt)
					t.Wait()
				}
				ns := perSyscall(median(bare), median(traced))
				b.ReportMetric(ns, "ns/syscall")
				fmt.Fprintf(os.Stderr, "dd %-12s %5.0f ns/syscall added (dd's CPU time: bare %v, with the tracer %v)\n",
					v.name, ns, median(bare).Round(time.Millisecond), median(traced).Round(time.Millisecond))
			}
		})
	}
}

// startTracer starts the tracer in the background and waits until it is
// attached.
func startTracer(b *testing.B, tracer string, args []string) *exec.Cmd {
	t := exec.Command(tracer, append([]string{"-d"}, args...)...)
	se := &syncBuf{}
	t.Stderr = se
	if err := t.Start(); err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(se.String(), "strace.ebpf: loaded in "); {
		if time.Now().After(deadline) {
			t.Process.Kill()
			b.Fatalf("tracer not attached: %s", se.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return t
}

// unifiedRoot is where the cgroup v2 hierarchy is mounted, "" if nowhere.
func unifiedRoot() string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f := strings.Fields(pre)
		if ok && strings.HasPrefix(post, "cgroup2 ") && len(f) >= 5 && f[3] == "/" {
			return f[4]
		}
	}
	return ""
}

// syncBuf is a buffer a process writes while the benchmark reads it.
type syncBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
