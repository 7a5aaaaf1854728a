package bench

import (
	"io"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/script"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// BenchmarkPipelineHex is the user-space cost of one event in the default
// format: the stock hex.star stage and its native formatter, to io.Discard.
func BenchmarkPipelineHex(b *testing.B) {
	p := script.NewPipeline(io.Discard, script.Options{Table: syscalls.Native(), Argv: []string{"strace.ebpf"}})
	if err := p.AddStdlib("hex.star"); err != nil {
		b.Fatal(err)
	}
	if err := p.Start(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ev := &event.Event{Kind: event.Syscall, PID: 1234, TID: 1234, Nr: 0, Comm: "dd",
			TS: uint64(i) * 300, Duration: 150, Args: [6]uint64{0, 0x7ffd0000, 1}, Ret: 1}
		if err := p.Event(ev); err != nil {
			b.Fatal(err)
		}
	}
	p.Finish()
}
