package bench

import (
	"io"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// BenchmarkHexWriter is the user-space cost of one event in the default
// format: the hex writer, to io.Discard.
func BenchmarkHexWriter(b *testing.B) {
	p := format.NewHexWriter(io.Discard, syscalls.Native(), []string{"strace.ebpf"}, format.HexOptions{})
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
