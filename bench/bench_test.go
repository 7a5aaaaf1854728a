// Package bench measures the tracer on a syscall-heavy workload against the
// same workload bare, in the same run: the ratios are the performance
// targets of the project. Run with `make bench` (root needed).
package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// workload is the dd: one read and one write per byte, 1M syscalls.
var workload = []string{"dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=500000"}

// reps is how many times each side runs; medians are compared.
const reps = 5

// variant is one way of tracing the workload; args go before the command,
// {out} is replaced by an output file and {dir} by a scratch directory.
type variant struct {
	name string
	args []string
}

var variants = []variant{
	// The floor: programs attached that return at once.
	{"floor", []string{"--calibrate", "-o", "{out}"}},
	{"hex", []string{"-o", "{out}"}},
	{"strace", []string{"-l", "strace", "-o", "{out}"}},
	// -k: every call's stack, unwound with the default 4 KiB stack
	// window, with 2 KiB, with frame pointers alone, and for openat only
	// (dd's loop makes none: the other calls must cost what they cost
	// without -k).
	{"strace-k", []string{"-l", "strace", "-k", "-o", "{out}"}},
	{"strace-k-2k", []string{"-l", "strace", "-k", "--stack-window=2048", "-o", "{out}"}},
	{"strace-k-fp", []string{"-l", "strace", "-k", "--stack-window=-1", "-o", "{out}"}},
	{"strace-k-openat", []string{"-l", "strace", "-k", "-e", "trace=openat", "-o", "{out}"}},
	{"strace-openat", []string{"-l", "strace", "-e", "trace=openat", "-o", "{out}"}},
	{"count.star", []string{"-s", "{testdata}/count.star", "-o", "{out}"}},
	{"openat.star", []string{"-s", "{testdata}/openat.star", "-o", "{out}"}},
}

var (
	lostRE = regexp.MustCompile(`strace\.ebpf: (\d+) events lost`)
	// dd reports its own elapsed time: the traced program's slowdown,
	// without the tracer's start and end.
	ddRE = regexp.MustCompile(`copied, ([0-9.]+) s`)
)

func ddTime(b *testing.B, stderr string) time.Duration {
	m := ddRE.FindStringSubmatch(stderr)
	if m == nil {
		b.Fatalf("no dd timing in %q", stderr)
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	return time.Duration(f * float64(time.Second))
}

// runIn runs argv in dir ("" for the current directory; -l bin writes its
// trace.h there) and returns the wall time and stderr.
func runIn(b *testing.B, dir string, argv []string) (time.Duration, string) {
	b.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%v: %v\n%s", argv, err, stderr.String())
	}
	return time.Since(start), stderr.String()
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func expand(args []string, dir string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		switch a {
		case "{out}":
			out[i] = filepath.Join(dir, "trace.out")
		case "{dir}":
			out[i] = dir
		case "{testdata}/count.star", "{testdata}/openat.star":
			out[i] = filepath.Join(testutil.Root(), "bench", "testdata", strings.TrimPrefix(a, "{testdata}/"))
		default:
			out[i] = a
		}
	}
	return out
}

// BenchmarkDD runs the workload bare and under each variant, alternating,
// and reports the ratio of median wall times and the events lost.
func BenchmarkDD(b *testing.B) {
	testutil.RequireBPF(b)
	tracer := testutil.Tracer(b)
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			dir := b.TempDir()
			traced := append(append([]string{tracer}, expand(v.args, dir)...), workload...)
			for i := 0; i < b.N; i++ {
				var bare, tr, ddBare, ddTr []time.Duration
				var lost uint64
				for r := 0; r < reps; r++ {
					d, stderr := runIn(b, dir, workload)
					bare = append(bare, d)
					ddBare = append(ddBare, ddTime(b, stderr))
					d, stderr = runIn(b, dir, traced)
					tr = append(tr, d)
					ddTr = append(ddTr, ddTime(b, stderr))
					if m := lostRE.FindStringSubmatch(stderr); m != nil {
						n, _ := strconv.ParseUint(m[1], 10, 64)
						lost += n
					}
				}
				ratio := float64(median(tr)) / float64(median(bare))
				inner := float64(median(ddTr)) / float64(median(ddBare))
				b.ReportMetric(ratio, "x-bare")
				b.ReportMetric(inner, "dd-x-bare")
				b.ReportMetric(float64(lost), "lost")
				b.ReportMetric(float64(median(bare).Milliseconds()), "bare-ms")
				b.ReportMetric(float64(median(tr).Milliseconds()), "traced-ms")
				fmt.Fprintf(os.Stderr, "dd %-12s %.2fx bare (bare %v, traced %v; dd's own time %.2fx), %d events lost\n",
					v.name, ratio, median(bare).Round(time.Millisecond), median(tr).Round(time.Millisecond), inner, lost)
			}
		})
	}
}
