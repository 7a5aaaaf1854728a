// Package testutil holds what the privileged tests share: the BPF gate and
// builders for the tracer binary and the syscaller helper.
package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

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

// Tracer returns the path of cmd/strace.ebpf built from this tree (or the
// one STRACE_EBPF_BIN names), with the
// race detector when this test binary has it (make test: -race), so that
// the end-to-end tests check the tracer's own goroutines too. The build is
// shared by every test binary of a run (their packages run at once): it
// lives in the system's temporary directory under a name made from the
// sources it is built from, made by the first binary that needs it while
// the others wait on a lock.
func Tracer(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv("STRACE_EBPF_BIN"); bin != "" {
		return bin // built elsewhere (the kernel matrix's guests have no Go)
	}
	tracerOnce.Do(func() { tracerPath, tracerErr = buildTracer() })
	if tracerErr != nil {
		tb.Fatal(tracerErr)
	}
	return tracerPath
}

var tracerPath string

// buildTracer builds the tracer into its shared directory, unless a test
// binary of this run or an earlier one already did from the same sources.
func buildTracer() (string, error) {
	key, err := sourceKey(Root(), raceEnabled)
	if err != nil {
		return "", fmt.Errorf("hashing the tracer's sources: %w", err)
	}
	dir := filepath.Join(os.TempDir(), "strace-ebpf-test-tracer-"+key)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "strace.ebpf")
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return "", fmt.Errorf("locking %s: %w", dir, err)
	}
	defer unix.Flock(int(lock.Fd()), unix.LOCK_UN)
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	args := []string{"build", "-o", out + ".tmp"}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/strace.ebpf")...)
	cmd.Dir = Root()
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", &buildError{"go " + strings.Join(args, " ") + " ./cmd/strace.ebpf", err, b}
	}
	return out, os.Rename(out+".tmp", out)
}

// sourceKey names a build of the tracer: a hash of every file a build of
// cmd/strace.ebpf can read (Go sources but tests, embedded scripts and
// tables, BPF objects, go.mod and go.sum: name, size and modification
// time), of the Go toolchain and of the race flag.
func sourceKey(root string, race bool) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s %v\n", runtime.Version(), os.Getenv("GOFLAGS"), race)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "results") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, "_test.go") {
			return nil
		}
		switch filepath.Ext(name) {
		case ".go", ".o", ".star", ".lua", ".json", ".tsv", ".txt", ".h", ".c", ".mod", ".sum":
		default:
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fmt.Fprintf(h, "%s %d %d\n", rel, fi.Size(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
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
