package kernels

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite testdata/matrix.golden (with the system's strace) and testdata/count.golden")

// matrixCalls are the calls testdata/matrix.c makes after glibc's startup;
// kernels/init traces the same set.
const matrixCalls = "trace=getuid,openat,close,read,write,fcntl,unlinkat"

// TestMatrixGolden checks on the running kernel what kernels/run checks in
// each guest: the -l strace lines of testdata/matrix.c against
// matrix.golden, made with the system's strace, and count.star's output
// against count.golden. With -update it rewrites both.
func TestMatrixGolden(t *testing.T) {
	testutil.RequireBPF(t)
	bin := testutil.Tracer(t)
	dir := t.TempDir()
	prog := filepath.Join(dir, "matrix")
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	// Static: a dynamic program's loader would add openat and read calls.
	if out, err := exec.Command(cc, "-static", "-O2", "-o", prog, filepath.Join("testdata", "matrix.c")).CombinedOutput(); err != nil {
		t.Fatalf("%s -static testdata/matrix.c: %v\n%s", cc, err, out)
	}

	if *update {
		if out, err := exec.Command("strace", "-e", matrixCalls, "-o", filepath.Join("testdata", "matrix.golden"), prog).CombinedOutput(); err != nil {
			t.Fatalf("strace: %v\n%s", err, out)
		}
	}
	check := func(golden string, args ...string) {
		t.Helper()
		out := filepath.Join(dir, golden)
		args = append(args, "-o", out, prog)
		if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("strace.ebpf %v: %v\n%s", args, err, b)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", golden)
		if *update && golden != "matrix.golden" {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("strace.ebpf %v differs from %s (-want +got):\n%s", args, path, diff)
		}
	}
	check("matrix.golden", "-l", "strace", "-e", matrixCalls)
	check("count.golden", "-s", filepath.Join("testdata", "count.star"))
}
