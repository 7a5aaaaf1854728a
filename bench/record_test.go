package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
	"github.com/strace-ebpf/strace.ebpf/record"
)

// countEvents reads a recording through and returns its events.
func countEvents(b *testing.B, path string) uint64 {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r, err := record.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var n uint64
	var ev event.Event
	for {
		err := r.Next(&ev)
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// BenchmarkRecordReplay records the dd workload with -l bin -o FILE
// (ratio to bare, lost events, bytes per event), then replays the
// recording into the hex, json and perfetto formats (events per second).
func BenchmarkRecordReplay(b *testing.B) {
	testutil.RequireBPF(b)
	tracer := testutil.Tracer(b)
	dir := b.TempDir()
	rec := filepath.Join(dir, "dd.bin")
	traced := append([]string{tracer, "-l", "bin", "-o", rec}, workload...)
	for i := 0; i < b.N; i++ {
		var bare, tr []time.Duration
		var lost uint64
		for r := 0; r < reps; r++ {
			d, _ := runIn(b, dir, workload)
			bare = append(bare, d)
			d, stderr := runIn(b, dir, traced)
			tr = append(tr, d)
			if m := lostRE.FindStringSubmatch(stderr); m != nil {
				n, _ := strconv.ParseUint(m[1], 10, 64)
				lost += n
			}
		}
		ratio := float64(median(tr)) / float64(median(bare))
		fi, err := os.Stat(rec)
		if err != nil {
			b.Fatal(err)
		}
		events := countEvents(b, rec)
		b.ReportMetric(ratio, "x-bare")
		b.ReportMetric(float64(lost), "lost")
		fmt.Fprintf(os.Stderr, "dd %-10s %.2fx bare (bare %v, traced %v), %d events lost, %d events, %.0f bytes/event\n",
			"bin", ratio, median(bare).Round(time.Millisecond), median(tr).Round(time.Millisecond), lost,
			events, float64(fi.Size())/float64(max(events, 1)))

		for _, format := range []string{"hex", "json", "perfetto"} {
			var ds []time.Duration
			for r := 0; r < 3; r++ {
				d, _ := runIn(b, dir, []string{tracer, "-i", rec, "-l", format, "-o", os.DevNull})
				ds = append(ds, d)
			}
			rate := float64(events) / median(ds).Seconds()
			b.ReportMetric(rate, "replay-"+format+"-ev/s")
			fmt.Fprintf(os.Stderr, "replay -l %-8s %d events in %v: %.0f events/s\n",
				format, events, median(ds).Round(time.Millisecond), rate)
		}
	}
}
