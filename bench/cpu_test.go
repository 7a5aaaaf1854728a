package bench

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/engine"
)

// wrapEnv makes the test binary a wrapper (TestMain): it runs its
// arguments as a command and prints the CPU time that command used, user
// and system, from its rusage. The tracer's BPF programs run in the
// traced task, on its system time: the CPU time says what tracing adds to
// each syscall without the noise of waiting for a CPU on a busy machine,
// which wall times carry.
const wrapEnv = "STRACE_EBPF_BENCH_WRAP"

var cpuRE = regexp.MustCompile(`strace-ebpf-bench cpu (\d+) ns`)

func TestMain(m *testing.M) {
	engine.RunHelper() // the live benchmarks launch commands as copies of this binary
	if os.Getenv(wrapEnv) == "1" {
		os.Exit(wrap(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func wrap(argv []string) int {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Fprintf(os.Stderr, "strace-ebpf-bench cpu %d ns\n", cpu.Nanoseconds())
	return cmd.ProcessState.ExitCode()
}

// wrapped is argv run by the wrapper.
func wrapped(argv []string) []string {
	self, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return append([]string{"env", wrapEnv + "=1", self}, argv...)
}

func cpuTime(b *testing.B, stderr string) time.Duration {
	m := cpuRE.FindStringSubmatch(stderr)
	if m == nil {
		b.Fatalf("no CPU time in %q", stderr)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return time.Duration(n)
}
