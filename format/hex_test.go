package format

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

var update = flag.Bool("update", false, "rewrite golden files")

// recorded is a small event stream as the amd64 tracer records it.
func recorded() []*event.Event {
	return []*event.Event{
		{Kind: event.Syscall, PID: 0x4410, TID: 0x4410, Nr: 59, Comm: "mkdir", TS: 0,
			Args: [6]uint64{0x7ffd1000, 0x7ffd2000, 0x7ffd3000}, Ret: 0,
			Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("/usr/bin/mkdir")}}},
		{Kind: event.Syscall, PID: 0x4410, TID: 0x4410, Nr: 257, Comm: "mkdir", TS: 1_500_000,
			Args: [6]uint64{0xffffff9c, 0x55d0, 0x80000}, Ret: -2,
			Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/usr/share/locale/en_US/LC_MESSAGES/coreutils.mo")}}},
		{Kind: event.Syscall, PID: 0x4410, TID: 0x4411, Nr: 0, Comm: "mkdir", TS: 2_000_000,
			Args: [6]uint64{3, 0x7ffd0000, 0x340}, Ret: 0x340},
		{Kind: event.Syscall, PID: 0x4410, TID: 0x4410, Nr: 83, Comm: "mkdir", TS: 2_000_999,
			Args: [6]uint64{0x55e0, 0777}, Ret: -17,
			Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("a\tpath\nwith\\odd\x01bytes")}}},
		{Kind: event.Syscall, PID: 0x4410, TID: 0x4410, Nr: 0x3e7, Comm: "mkdir", TS: 3_000_000,
			Args: [6]uint64{1, 2, 3, 4, 5, 6}, Ret: -38},
		{Kind: event.Exit, PID: 0x4410, TID: 0x4411, Comm: "mkdir", TS: 3_500_000},
		{Kind: event.Syscall, PID: 0x4410, TID: 0x4410, Nr: 231, Comm: "mkdir", TS: 4_000_000,
			Args: [6]uint64{1}, Flags: event.NoReturn},
	}
}

func TestHexGolden(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	argv := []string{"./strace.ebpf", "-l", "hex", "mkdir", "."}
	for _, tc := range []struct {
		golden string
		opts   HexOptions
	}{
		{"hex.golden", HexOptions{}},
		{"hex_t_comma.golden", HexOptions{Sep: ",", Timestamp: true}},
	} {
		var b strings.Builder
		b.WriteString(HexTitle(argv, tc.opts) + "\n")
		b.WriteString(HexHeader(tc.opts) + "\n")
		for _, ev := range recorded() {
			if row := AppendHex(nil, ev, tab, tc.opts, 0); len(row) > 0 {
				b.Write(row)
				b.WriteByte('\n')
			}
		}
		path := filepath.Join("testdata", tc.golden)
		if *update {
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if diff := cmp.Diff(string(want), b.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.golden, diff)
		}
	}
}

func BenchmarkAppendHex(b *testing.B) {
	tab := syscalls.Native()
	evs := recorded()
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendHex(buf[:0], evs[i%len(evs)], tab, HexOptions{}, 0)
	}
}
