// Package testutil holds what the privileged tests share: the BPF gate and
// builders for the tracer binary and the syscaller helper.
package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/engine"
)

// RequireBPF skips the test, with the reason, when this process can't load
// and attach the tracer; with STRACE_EBPF_REQUIRE_BPF=1 it fails instead, so
// CI never skips silently.
//
// The first call also loads the programs, plain and with every capture on:
// when the running kernel refuses them, nothing that traces can pass, and
// the test binary stops at once with one line instead of failing each test
// with the same error (with STRACE_EBPF_REQUIRE_BPF=1; otherwise every such
// test skips with it).
func RequireBPF(tb testing.TB) {
	tb.Helper()
	if err := engine.Available(); err != nil {
		if os.Getenv("STRACE_EBPF_REQUIRE_BPF") == "1" {
			tb.Fatalf("BPF required (STRACE_EBPF_REQUIRE_BPF=1) but unavailable: %v", err)
		}
		tb.Skipf("BPF unavailable: %v", err)
	}
	loadOnce.Do(func() { loadErr = probeLoad() })
	if loadErr != nil {
		if os.Getenv("STRACE_EBPF_REQUIRE_BPF") == "1" {
			fmt.Fprintf(os.Stderr, "%s: stopping: the tracer's BPF programs do not load on this kernel: %v\n", filepath.Base(os.Args[0]), loadErr)
			os.Exit(1)
		}
		tb.Skipf("the tracer's BPF programs do not load on this kernel: %v", loadErr)
	}
}

var (
	loadOnce sync.Once
	loadErr  error
)

// probeLoad loads the programs as the default format does, then with
// every capture and switch that grows them on.
func probeLoad() error {
	for _, cfg := range []engine.Config{
		{Command: []string{"true"}},
		{Command: []string{"true"}, FollowForks: true, CaptureBuffers: true, BufSize: 4096, ProcessEvents: true,
			EnterMarks: true, StackTrace: true, DecodeFds: true, Lossless: true, FullEnv: true},
	} {
		if _, err := engine.Verify(cfg); err != nil {
			return err
		}
	}
	return nil
}

// Root is the repository's top directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var (
	buildDir  string
	buildOnce sync.Once
	buildErr  error

	tracerOnce, syscallerOnce, stackHelperOnce sync.Once
	tracerErr, syscallerErr, stackHelperErr    error
)

func dir(tb testing.TB) string {
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "strace-ebpf-test-")
	})
	if buildErr != nil {
		tb.Fatalf("making build directory: %v", buildErr)
	}
	return buildDir
}

// Tracer builds cmd/strace.ebpf once per test binary and returns its path.
func Tracer(tb testing.TB) string {
	tb.Helper()
	out := filepath.Join(dir(tb), "strace.ebpf")
	tracerOnce.Do(func() {
		cmd := exec.Command("go", "build", "-o", out, "./cmd/strace.ebpf")
		cmd.Dir = Root()
		if b, err := cmd.CombinedOutput(); err != nil {
			tracerErr = &buildError{"go build ./cmd/strace.ebpf", err, b}
		}
	})
	if tracerErr != nil {
		tb.Fatal(tracerErr)
	}
	return out
}

// Syscaller compiles testdata/syscaller.c once per test binary and returns
// its path.
func Syscaller(tb testing.TB) string {
	tb.Helper()
	out := filepath.Join(dir(tb), "syscaller")
	syscallerOnce.Do(func() {
		cc := os.Getenv("CC")
		if cc == "" {
			cc = "cc"
		}
		cmd := exec.Command(cc, "-O1", "-pthread", "-o", out, filepath.Join(Root(), "testdata", "syscaller.c"))
		if b, err := cmd.CombinedOutput(); err != nil {
			syscallerErr = &buildError{cc + " testdata/syscaller.c", err, b}
		}
	})
	if syscallerErr != nil {
		tb.Fatal(syscallerErr)
	}
	return out
}

// StackHelper compiles testdata/stackhelper.c with frame pointers once per
// test binary and returns its path.
func StackHelper(tb testing.TB) string {
	tb.Helper()
	out := filepath.Join(dir(tb), "stackhelper")
	stackHelperOnce.Do(func() {
		cc := os.Getenv("CC")
		if cc == "" {
			cc = "cc"
		}
		cmd := exec.Command(cc, "-O1", "-fno-omit-frame-pointer", "-o", out, filepath.Join(Root(), "testdata", "stackhelper.c"))
		if b, err := cmd.CombinedOutput(); err != nil {
			stackHelperErr = &buildError{cc + " testdata/stackhelper.c", err, b}
		}
	})
	if stackHelperErr != nil {
		tb.Fatal(stackHelperErr)
	}
	return out
}

type buildError struct {
	what string
	err  error
	out  []byte
}

func (e *buildError) Error() string { return e.what + ": " + e.err.Error() + "\n" + string(e.out) }

// Main is the TestMain of a test binary that traces commands in process:
// it runs the engine's helpers (the launcher and the cgroup keeper are
// copies of the test binary), then the tests.
func Main(m *testing.M) {
	engine.RunHelper()
	os.Exit(m.Run())
}
