package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// TestLosslessEveryRing traces dd bs=1 (40,000 calls in a burst) through
// every ring size lossless accepts, from the smallest to the default: not
// one record may be lost, and every read and write must be in the trace.
func TestLosslessEveryRing(t *testing.T) {
	testutil.RequireBPF(t)
	tracer := testutil.Tracer(t)
	for size := 256; size <= 64<<10; size *= 2 {
		arg := formatK(size)
		t.Run(arg, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "trace")
			cmd := exec.Command(tracer, "--buffer-size", arg, "-l", "strace", "-o", out,
				"dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=20000")
			var se bytes.Buffer
			cmd.Stderr = &se
			if err := cmd.Run(); err != nil {
				t.Fatalf("tracer: %v\n%s", err, se.String())
			}
			if strings.Contains(se.String(), "lost") {
				t.Errorf("records lost with a %s ring:\n%s", arg, se.String())
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			reads, writes := 0, 0
			for _, l := range strings.Split(string(b), "\n") {
				if !strings.HasSuffix(l, " = 1") {
					continue
				}
				switch {
				case strings.HasPrefix(l, `read(0, "\0", 1)`):
					reads++
				case strings.HasPrefix(l, `write(1, "\0", 1)`):
					writes++
				}
			}
			if reads != 20000 || writes != 20000 {
				t.Errorf("%s ring: %d reads and %d writes of dd's 20000 each in the trace\nstderr:\n%s", arg, reads, writes, se.String())
			}
		})
	}
}

// TestLosslessRingFloor: a ring below the smallest lossless accepts is
// refused in one line unless --lossy is given.
func TestLosslessRingFloor(t *testing.T) {
	testutil.RequireBPF(t)
	tracer := testutil.Tracer(t)
	cmd := exec.Command(tracer, "--buffer-size", "128K", "-o", "/dev/null", "true")
	se, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("--buffer-size 128K, lossless: want exit 2, got %v\n%s", err, se)
	}
	if want := "strace.ebpf: parsing --buffer-size: lossless tracing needs a ring of at least 256K"; !strings.HasPrefix(string(se), want) || strings.Count(string(se), "\n") != 1 {
		t.Errorf("want one line starting %q, got:\n%s", want, se)
	}
	if se, err := exec.Command(tracer, "--lossy", "--buffer-size", "4K", "-o", "/dev/null", "true").CombinedOutput(); err != nil {
		t.Errorf("--lossy --buffer-size 4K: %v\n%s", err, se)
	}
}

// formatK writes k KiB as --buffer-size takes it.
func formatK(k int) string {
	if k >= 1024 {
		return strconv.Itoa(k/1024) + "M"
	}
	return strconv.Itoa(k) + "K"
}
