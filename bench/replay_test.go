package bench

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/session"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// ddRecording writes a recording of n dd-like events (a read and a write
// of one byte, in turn) and returns its path.
func ddRecording(b *testing.B, n int) string {
	path := filepath.Join(b.TempDir(), "dd.bin")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	hdr := record.Header{Arch: syscalls.Native().Arch(), Argv: []string{"strace.ebpf", "-l", "bin", "dd"}}
	for _, sc := range syscalls.Native().All() {
		hdr.Syscalls = append(hdr.Syscalls, record.Syscall{Nr: int32(sc.Nr), Name: sc.Name})
	}
	w, err := record.NewWriter(bw, hdr)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		ev := &event.Event{Kind: event.Syscall, PID: 1234, TID: 1234, Nr: int32(i % 2), Comm: "dd",
			TS: uint64(i) * 300, Duration: 150, Args: [6]uint64{uint64(i % 2), 0x7ffd0000, 1}, Ret: 1}
		if err := w.Write(ev); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkReplayHex replays a recording of dd's calls into the default
// format (hex) through the whole session, to io.Discard: the consumer's
// rate in events per second (the aim is 3M or more), and its allocations
// per event.
func BenchmarkReplayHex(b *testing.B) {
	const n = 1 << 20
	path := ddRecording(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := session.Open(&session.Plan{Input: path, Format: "hex", Stdout: io.Discard, Stderr: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}
