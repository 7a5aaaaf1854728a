package session

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/filter"
	"github.com/strace-ebpf/strace.ebpf/format"
)

// TestKernelSwitches: the engine's switches follow from what the output
// needs: no clock for hex without -t, -r, -T; counting in the kernel for
// -c and -C unless something in front of the summary or a user-space
// filter could drop calls; no records for -c alone.
func TestKernelSwitches(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "s.star")
	if err := os.WriteFile(script, []byte("def on_syscall(ev):\n    return True\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Counting scripts: one that reads no time, one that reads time_ns.
	calls := filepath.Join(dir, "calls.star")
	timed := filepath.Join(dir, "timed.star")
	if err := os.WriteFile(calls, []byte("trace(counts = True)\ndef on_exit():\n    print(kernel_counts())\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(timed, []byte("trace(counts = True)\ndef on_exit():\n    print([c.time_ns for c in kernel_counts().values()])\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	type want struct {
		noClock bool
		count   engine.CountMode
	}
	for _, tt := range []struct {
		name string
		plan Plan
		want want
	}{
		{"hex", Plan{}, want{noClock: true}},
		{"hex -t", Plan{Show: Presentation{Timestamps: 1}, Given: format.OptTimestamp}, want{}},
		{"hex -r", Plan{Show: Presentation{Relative: true}, Given: format.OptRelative}, want{}},
		{"hex -T", Plan{Show: Presentation{SyscallTime: true}, Given: format.OptSyscallTime}, want{}},
		{"hex --record", Plan{Record: filepath.Join(t.TempDir(), "r.bin")}, want{}},
		{"hex -s", Plan{Scripts: []string{script}}, want{}},
		{"strace", Plan{Format: "strace"}, want{}},
		{"json", Plan{Format: "json"}, want{}},
		{"bin", Plan{Format: "bin"}, want{}},
		{"-c", Plan{Summary: SummaryOnly}, want{count: engine.CountOnly}},
		{"-C", Plan{Summary: SummaryAlso}, want{count: engine.CountAlso}},
		{"-c -e status=failed", Plan{Summary: SummaryOnly, Filter: Filter{Status: filter.Failed}}, want{count: engine.CountOnly}},
		{"-c -e status=successful", Plan{Summary: SummaryOnly, Filter: Filter{Status: filter.Successful}}, want{}},
		{"-c --record", Plan{Summary: SummaryOnly, Record: filepath.Join(t.TempDir(), "r.bin")}, want{count: engine.CountAlso}},
		{"-c -s", Plan{Summary: SummaryOnly, Scripts: []string{script}}, want{}},
		// -U without a time column: counted without a clock.
		{"-c -U calls,errors", Plan{Summary: SummaryOnly, SummaryArgs: map[string]string{"summary_columns": "calls,errors,name", "summary_sort": "time"}}, want{noClock: true, count: engine.CountOnly}},
		{"-c -U calls,avg-time", Plan{Summary: SummaryOnly, SummaryArgs: map[string]string{"summary_columns": "calls,avg-time,name"}}, want{count: engine.CountOnly}},
		{"-C -U calls", Plan{Summary: SummaryAlso, SummaryArgs: map[string]string{"summary_columns": "calls,name"}}, want{noClock: true, count: engine.CountAlso}},
		{"-C -U calls -l strace", Plan{Summary: SummaryAlso, Format: "strace", SummaryArgs: map[string]string{"summary_columns": "calls,name"}}, want{count: engine.CountAlso}},
		{"-c -U calls --record", Plan{Summary: SummaryOnly, SummaryArgs: map[string]string{"summary_columns": "calls,name"}, Record: filepath.Join(t.TempDir(), "r.bin")}, want{count: engine.CountAlso}},
		{"counting script, no time", Plan{Scripts: []string{calls}}, want{noClock: true, count: engine.CountOnly}},
		{"counting script, time_ns", Plan{Scripts: []string{timed}}, want{count: engine.CountOnly}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.plan
			p.Command = []string{"true"}
			p.Stderr, p.Stdout = io.Discard, io.Discard
			s, err := prepare(&p)
			if err != nil {
				t.Fatal(err)
			}
			defer s.close()
			got := want{noClock: s.config.NoClock, count: s.config.Count}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestRingSizeWithoutRecords: with no record per call the ring is small,
// lossless it is 16 MiB, lossy the engine's default (0 here), unless
// --buffer-size says otherwise.
func TestRingSizeWithoutRecords(t *testing.T) {
	for _, tt := range []struct {
		plan Plan
		want int
	}{
		{Plan{Summary: SummaryOnly}, 256 << 10},
		{Plan{Summary: SummaryOnly, RingSize: 1 << 20}, 1 << 20},
		{Plan{Summary: SummaryAlso}, losslessRing},
		{Plan{}, losslessRing},
		{Plan{Lossy: true}, 0},
		{Plan{Lossy: true, RingSize: 4 << 20}, 4 << 20},
		{Plan{RingSize: 1 << 20}, 1 << 20},
	} {
		p := tt.plan
		p.Command = []string{"true"}
		p.Stderr, p.Stdout = io.Discard, io.Discard
		s, err := prepare(&p)
		if err != nil {
			t.Fatal(err)
		}
		s.close()
		if s.config.RingSize != tt.want {
			t.Errorf("summary %d, --buffer-size %d: ring %d, want %d", p.Summary, p.RingSize, s.config.RingSize, tt.want)
		}
	}
}
