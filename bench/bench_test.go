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

// nSyscalls is how many syscalls dd's loop makes: a read and a write per byte.
const nSyscalls = 1_000_000

// Tracing rows pass --lossy: a launched command is lossless by default, and
// a paused command would hide the tracing cost in the pauses. "hex-lossless"
// is the default as users run it.
var variants = []variant{
	// The floor: programs attached that return at once.
	{"floor", []string{"--lossy", "--calibrate", "-o", "{out}"}},
	{"c", []string{"--lossy", "-c", "-o", "{out}"}},
	// -c without a time column: counted at sys_exit alone, no clock.
	{"c-calls", []string{"--lossy", "-c", "-U", "calls,errors", "-o", "{out}"}},
	{"bin", []string{"--lossy", "-l", "bin", "-o", "{out}"}},
	{"hex", []string{"--lossy", "-o", "{out}"}},
	{"hex-lossless", []string{"-o", "{out}"}},
	{"json", []string{"--lossy", "-l", "json", "-o", "{out}"}},
	{"strace", []string{"--lossy", "-l", "strace", "-o", "{out}"}},
	{"C", []string{"--lossy", "-C", "-l", "strace", "-o", "{out}"}},
	// A filtered-out syscall: dd's loop makes no openat.
	{"strace-openat", []string{"--lossy", "-l", "strace", "-e", "trace=openat", "-o", "{out}"}},
	{"openat.star", []string{"--lossy", "-s", "{testdata}/openat.star", "-o", "{out}"}},
	{"count.star", []string{"--lossy", "-s", "{testdata}/count.star", "-o", "{out}"}},
	// The same counts kept in the kernel: trace(counts = True).
	{"kcount.star", []string{"--lossy", "-s", "{examples}/kcount.star", "-o", "{out}"}},
	// Counts, a duration histogram per syscall and counts per process,
	// all kept in the kernel.
	{"syscount.star", []string{"--lossy", "-s", "{examples}/syscount.star", "-o", "{out}"}},
	// -k: every call's stack, unwound with the default 4 KiB stack
	// window, with frame pointers alone, and for openat only (dd's loop
	// makes none: the other calls must cost what they cost without -k).
	{"strace-k", []string{"--lossy", "-l", "strace", "-k", "-o", "{out}"}},
	{"strace-k-fp", []string{"--lossy", "-l", "strace", "-k", "--stack-window=-1", "-o", "{out}"}},
	{"strace-k-openat", []string{"--lossy", "-l", "strace", "-k", "-e", "trace=openat", "-o", "{out}"}},
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
		case "{testdata}/count.star", "{testdata}/openat.star", "{testdata}/inject_read.star":
			out[i] = filepath.Join(testutil.Root(), "bench", "testdata", strings.TrimPrefix(a, "{testdata}/"))
		case "{examples}/kcount.star", "{examples}/syscount.star":
			out[i] = filepath.Join(testutil.Root(), "examples", strings.TrimPrefix(a, "{examples}/"))
		default:
			out[i] = a
		}
	}
	return out
}

// measure runs the workload bare and traced with args, alternating, reps
// times each, and returns the medians: wall times, dd's own times, dd's CPU
// times, and the events lost in all. The traced run follows forks (-f):
// dd runs under the wrapper that reports its CPU time (cpu_test.go).
func measure(b *testing.B, tracer string, args []string) (m measured) {
	dir := b.TempDir()
	bareArgv := wrapped(workload)
	traced := append(append([]string{tracer, "-f"}, expand(args, dir)...), bareArgv...)
	var bs, ts, dbs, dts, cbs, cts []time.Duration
	for r := 0; r < reps; r++ {
		d, stderr := runIn(b, dir, bareArgv)
		bs = append(bs, d)
		dbs = append(dbs, ddTime(b, stderr))
		cbs = append(cbs, cpuTime(b, stderr))
		d, stderr = runIn(b, dir, traced)
		ts = append(ts, d)
		dts = append(dts, ddTime(b, stderr))
		cts = append(cts, cpuTime(b, stderr))
		if mm := lostRE.FindStringSubmatch(stderr); mm != nil {
			n, _ := strconv.ParseUint(mm[1], 10, 64)
			m.lost += n
		}
	}
	m.bare, m.traced = median(bs), median(ts)
	m.ddBare, m.ddTraced = median(dbs), median(dts)
	m.cpuBare, m.cpuTraced = median(cbs), median(cts)
	return m
}

type measured struct {
	bare, traced       time.Duration // wall, the whole command
	ddBare, ddTraced   time.Duration // dd's own report
	cpuBare, cpuTraced time.Duration // dd's CPU time
	lost               uint64
}

// floorNS is the floor's cost per syscall in dd's CPU time, measured once
// per run (by the floor row, or by the first row that needs it).
var floorNS *float64

func floor(b *testing.B, tracer string) float64 {
	if floorNS == nil {
		m := measure(b, tracer, variants[0].args)
		f := perSyscall(m.cpuBare, m.cpuTraced)
		floorNS = &f
	}
	return *floorNS
}

// perSyscall is the time tracing adds to each of dd's syscalls.
func perSyscall(bare, traced time.Duration) float64 {
	return float64(traced-bare) / nSyscalls
}

// BenchmarkDD runs the workload bare and under each variant, alternating,
// and reports per variant: the ratio of median wall times, the ns added
// per syscall in dd's CPU time and above the floor (the tracepoints
// alone), the same from dd's own reported (wall) time, and the events
// lost; beside each, the peers measured in the same run (peers_test.go;
// STRACE_EBPF_BENCH_PEERS=0 skips them). It ends with the run's table, as
// the README shows it.
func BenchmarkDD(b *testing.B) {
	testutil.RequireBPF(b)
	tracer := testutil.Tracer(b)
	if os.Getenv("STRACE_EBPF_BENCH_PEERS") != "0" {
		measurePeers(b, tracer)
	}
	defer printTable()
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				m := measure(b, tracer, v.args)
				ns := perSyscall(m.cpuBare, m.cpuTraced)
				if v.name == "floor" {
					floorNS = &ns
				}
				above := ns - floor(b, tracer)
				wallNS := perSyscall(m.ddBare, m.ddTraced)
				ratio := float64(m.traced) / float64(m.bare)
				b.ReportMetric(ratio, "x-bare")
				b.ReportMetric(ns, "ns/syscall")
				b.ReportMetric(above, "ns-above-floor")
				b.ReportMetric(wallNS, "wall-ns/syscall")
				b.ReportMetric(float64(m.lost), "lost")
				fmt.Fprintf(os.Stderr, "dd %-16s %5.2fx bare (bare %v, traced %v): %4.0f ns/syscall, %4.0f above the floor (dd's own wall time: %4.0f ns/syscall), %d events lost\n",
					v.name, ratio, m.bare.Round(time.Millisecond), m.traced.Round(time.Millisecond), ns, above, wallNS, m.lost)
				r := row{name: v.name, ns: ns, above: above, ratio: ratio, lost: m.lost}
				if st, ok := ourStartup[startupKey[v.name]]; ok {
					r.startup, r.startupKnown = st, true
					fmt.Fprintf(os.Stderr, "   start-up (-o /dev/null true): %.0f ms\n", float64(st)/1e6)
				}
				if peerResults != nil {
					fmt.Fprintf(os.Stderr, "   %s\n", peersLine(floor(b, tracer)))
				}
				rows = append(rows, r)
			}
		})
	}
}
