package bench

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

// injectRows measure what an inject set (-e inject=, a seccomp filter with
// user notifications) costs: calls it does not name pay the filter alone
// (compared with the same trace without inject); a call it names stops in
// the tracer, which counts it and answers (continue, or a fault).
var injectRows = []struct {
	name      string
	count     int      // dd's bytes: count reads and count writes
	named     int      // the calls each run names (per run: count or 0)
	base, arg []string // the trace without and with the inject set
}{
	{"unnamed", 200000, 0,
		[]string{"--lossy", "-e", "trace=openat", "-o", "{out}"},
		[]string{"--lossy", "-e", "trace=openat", "-e", "inject=openat:error=EIO:when=65535", "-o", "{out}"}},
	{"named-continue", 20000, 20000,
		[]string{"--lossy", "-e", "trace=openat,read", "-o", "{out}"},
		[]string{"--lossy", "-e", "trace=openat,read", "-e", "inject=read:error=EIO:when=65535", "-o", "{out}"}},
	// A script decides: dd's reads of fd 0 return 1 without running (the
	// wrapper that measures dd's CPU time is a Go program whose reads
	// must run).
	{"named-script-retval", 20000, 20000,
		[]string{"--lossy", "-e", "trace=openat,read", "-o", "{out}"},
		[]string{"--lossy", "-e", "trace=openat,read", "-s", "{testdata}/inject_read.star", "-o", "{out}"}},
}

// BenchmarkInject runs dd under the trace without and with the inject set,
// alternating, and reports the ns each call gains: per syscall in dd's CPU
// time (unnamed calls: the filter runs in dd), and per named call in dd's
// own wall time (a named call waits for the tracer).
func BenchmarkInject(b *testing.B) {
	testutil.RequireBPF(b)
	tracer := testutil.Tracer(b)
	for _, row := range injectRows {
		b.Run(row.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				dd := wrapped([]string{"dd", "if=/dev/zero", "of=/dev/null", "bs=1", fmt.Sprintf("count=%d", row.count)})
				base := append(append([]string{tracer, "-f"}, expand(row.base, dir)...), dd...)
				with := append(append([]string{tracer, "-f"}, expand(row.arg, dir)...), dd...)
				var cb, cw, db, dw []time.Duration
				for r := 0; r < reps; r++ {
					_, e := runIn(b, dir, base)
					cb, db = append(cb, cpuTime(b, e)), append(db, ddTime(b, e))
					_, e = runIn(b, dir, with)
					cw, dw = append(cw, cpuTime(b, e)), append(dw, ddTime(b, e))
				}
				calls := float64(2 * row.count)
				cpuNS := float64(median(cw)-median(cb)) / calls
				b.ReportMetric(cpuNS, "cpu-ns/syscall")
				line := fmt.Sprintf("inject %-15s dd %v -> %v: %5.0f ns/syscall of dd's CPU time",
					row.name, median(db).Round(time.Millisecond), median(dw).Round(time.Millisecond), cpuNS)
				if row.named > 0 {
					wallNS := float64(median(dw)-median(db)) / float64(row.named)
					b.ReportMetric(wallNS, "wall-ns/named-call")
					line += fmt.Sprintf(", %6.0f ns of wall time per named call", wallNS)
				} else {
					wallNS := float64(median(dw)-median(db)) / calls
					b.ReportMetric(wallNS, "wall-ns/syscall")
					line += fmt.Sprintf(", %5.0f ns of wall time per syscall", wallNS)
				}
				fmt.Fprintln(os.Stderr, line)
			}
		})
	}
}
