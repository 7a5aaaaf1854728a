package bench

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
)

var pausedRE = regexp.MustCompile(`strace\.ebpf: paused (\d+) times, (\S+) in all`)

// BenchmarkLossless is what lossless tracing (the default for a launched
// command) costs: the workload traced lossless and --lossy, alternating;
// medians compared. With -l bin the reader keeps up (or nearly: the pauses
// column says); with hex it falls behind, and lossless then pauses the
// command where lossy lets the ring fill (64 MiB hold the whole run).
func BenchmarkLossless(b *testing.B) {
	testutil.RequireBPF(b)
	for _, v := range []variant{{"bin", []string{"-l", "bin"}}, {"hex", nil}} {
		b.Run(v.name, func(b *testing.B) { benchLossless(b, v) })
	}
}

func benchLossless(b *testing.B, v variant) {
	tracer := testutil.Tracer(b)
	dir := b.TempDir()
	out := dir + "/trace.out"
	lossless := append(append([]string{tracer, "-o", out}, v.args...), workload...)
	lossy := append(append([]string{tracer, "--lossy", "-o", out}, v.args...), workload...)
	for i := 0; i < b.N; i++ {
		var wLossless, wLossy, ddLossless, ddLossy []time.Duration
		var lost, pauses uint64
		for r := 0; r < reps; r++ {
			d, stderr := runIn(b, dir, lossy)
			wLossy = append(wLossy, d)
			ddLossy = append(ddLossy, ddTime(b, stderr))
			d, stderr = runIn(b, dir, lossless)
			wLossless = append(wLossless, d)
			ddLossless = append(ddLossless, ddTime(b, stderr))
			if m := lostRE.FindStringSubmatch(stderr); m != nil {
				n, _ := strconv.ParseUint(m[1], 10, 64)
				lost += n
			}
			if m := pausedRE.FindStringSubmatch(stderr); m != nil {
				n, _ := strconv.ParseUint(m[1], 10, 64)
				pauses += n
			}
		}
		ratio := float64(median(wLossless)) / float64(median(wLossy))
		inner := float64(median(ddLossless)) / float64(median(ddLossy))
		b.ReportMetric(ratio, "x-lossy")
		b.ReportMetric(inner, "dd-x-lossy")
		b.ReportMetric(float64(pauses), "pauses")
		b.ReportMetric(float64(lost), "lost")
		fmt.Fprintf(os.Stderr, "dd %-4s lossless %.3fx lossy (lossy %v, lossless %v; dd's own time %.3fx), %d pauses, %d events lost\n",
			v.name, ratio, median(wLossy).Round(time.Millisecond), median(wLossless).Round(time.Millisecond), inner, pauses, lost)
	}
}

// burner is a slow consumer: it burns a fixed time per event.
type burner struct {
	per    time.Duration
	events int
}

func (h *burner) Event(ev *event.Event) error {
	if ev.Kind == event.Syscall {
		h.events++
	}
	for t0 := time.Now(); time.Since(t0) < h.per; {
	}
	return nil
}

func (h *burner) Idle() error { return nil }

// BenchmarkLosslessSlowConsumer is a reader slower than the command: dd's
// 400k calls through a handler that burns 5µs per event, with a 4 MiB ring.
// Lossless, the command is paused for as long as the reader needs and
// nothing is lost; lossy, the command runs at its own pace and the records
// the ring can't hold are lost.
func BenchmarkLosslessSlowConsumer(b *testing.B) {
	testutil.RequireBPF(b)
	argv := []string{"dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=200000"}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	for _, lossless := range []bool{true, false} {
		name := map[bool]string{true: "lossless", false: "lossy"}[lossless]
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				s, err := engine.New(engine.Config{Command: argv, RingSize: 4 << 20, Lossless: lossless, Stderr: devnull})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.LossyReason(); err != nil {
					s.Close()
					b.Fatal(err)
				}
				h := &burner{per: 5 * time.Microsecond}
				t0 := time.Now()
				res, err := s.Run(context.Background(), h)
				if err != nil {
					b.Fatal(err)
				}
				wall := time.Since(t0)
				b.ReportMetric(float64(wall.Milliseconds()), "wall-ms")
				b.ReportMetric(float64(res.Paused.Milliseconds()), "paused-ms")
				b.ReportMetric(float64(res.Pauses), "pauses")
				b.ReportMetric(float64(res.Lost), "lost")
				fmt.Fprintf(os.Stderr, "dd slow reader %-8s %v: %d syscall events, paused %d times for %v, %d lost\n",
					name, wall.Round(time.Millisecond), h.events, res.Pauses, res.Paused.Round(time.Millisecond), res.Lost)
			}
		})
	}
}
