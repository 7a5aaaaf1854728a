package record

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

func sampleHeader() Header {
	return Header{
		Arch:          "amd64",
		KernelRelease: "6.18.0-test",
		BootOffset:    1_700_000_000_123_456_789,
		Argv:          []string{"strace.ebpf", "-l", "bin", "-o", "run.bin", "ls", ""},
		Options:       map[string]string{"hex_separator": "\t", "timestamp": "1"},
		Syscalls: []Syscall{
			{Nr: 0, Name: "read", Args: []Arg{{"fd", "unsigned int"}, {"buf", "char *"}, {"count", "size_t"}}},
			{Nr: 39, Name: "getpid"},
			{Nr: 257, Name: "openat", Args: []Arg{{"dfd", "int"}, {"filename", "const char *"}, {"flags", "int"}, {"mode", "umode_t"}}},
		},
	}
}

func sampleEvents() []event.Event {
	return []event.Event{
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 59, Comm: "strace.ebpf", TS: 1, Flags: event.NoReturn,
			Args: [6]uint64{0x7ffc0000, 0x7ffc0100, 0x7ffc0200},
			Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("/bin/ls")}}},
		{Kind: event.Syscall, PID: 100, TID: 100, Nr: 257, Comm: "ls", TS: 1000, Duration: 2500,
			Args: [6]uint64{0xffffffffffffff9c, 0x55550000, 0x80000, 0, 0, 0}, Ret: -2,
			Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/nonexistent\xff\x00odd")}}},
		{Kind: event.Syscall, PID: 100, TID: 101, Nr: 1, Comm: "fifteen-chars-x", TS: 5000, Duration: 10,
			Args: [6]uint64{1, 2, 3, 4, 5, 6}, Ret: 3,
			Data: []event.Data{
				{Arg: 1, Kind: event.BufIn, Bytes: []byte("hi\n")},
				{Arg: 1, Kind: event.BufOut, Bytes: bytes.Repeat([]byte{0xab}, 300)},
				{Arg: 5, Kind: event.StrTrunc, Bytes: []byte("12345678")},
				{Arg: 2, Kind: event.Str, Bytes: []byte{}},
			}},
		{Kind: event.Lost, TS: 6000, LostN: 42},
		{Kind: event.Syscall, PID: 7, TID: 8, Nr: 0x1c2, Comm: "", TS: 7000, Flags: event.Unfinished, Ret: 0},
		{Kind: event.Signal, PID: 100, TID: 100, Nr: 17, Comm: "ls", TS: 7500,
			Data: []event.Data{{Arg: 0, Kind: event.BufOut, Bytes: bytes.Repeat([]byte{0x11}, 48)}}},
		{Kind: event.Exit, PID: 100, TID: 101, Comm: "ls", TS: 7600, Ret: 0x100},
		{Kind: event.Syscall, PID: 7, TID: 8, Nr: 39, Comm: "big", TS: 8000, Duration: 1, Ret: 7,
			Data: []event.Data{{Arg: 0, Kind: event.BufOut, Bytes: bytes.Repeat([]byte("0123456789abcdef"), 40000)}}},
	}
}

func encode(t testing.TB, hdr Header, evs []event.Event, close bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, hdr)
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if err := w.Write(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if close {
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	} else if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readAll returns the header, deep copies of the events read and the error
// that ended reading (nil at a clean io.EOF).
func readAll(data []byte) (*Header, []event.Event, error) {
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	var out []event.Event
	var ev event.Event
	for {
		err := r.Next(&ev)
		if err == io.EOF {
			return r.Header(), out, nil
		}
		if err != nil {
			return r.Header(), out, err
		}
		c := ev
		c.Data = nil
		for _, d := range ev.Data {
			c.Data = append(c.Data, event.Data{Arg: d.Arg, Kind: d.Kind, Bytes: bytes.Clone(d.Bytes)})
		}
		out = append(out, c)
	}
}

var eventOpts = cmp.Options{
	cmp.Comparer(bytes.Equal),
	cmp.FilterValues(func(x, y []event.Event) bool { return len(x) == 0 && len(y) == 0 }, cmp.Ignore()),
}

func TestRoundTrip(t *testing.T) {
	hdr := sampleHeader()
	evs := sampleEvents()
	data := encode(t, hdr, evs, true)
	gotHdr, got, err := readAll(data)
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	hdr.Version = 1 // no stacks
	if diff := cmp.Diff(&hdr, gotHdr); diff != "" {
		t.Errorf("header mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(evs, got, eventOpts); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
}

func TestCommTruncated(t *testing.T) {
	evs := []event.Event{{Kind: event.Syscall, Comm: "a-name-longer-than-sixteen"}}
	_, got, err := readAll(encode(t, Header{Arch: "arm64"}, evs, true))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("a-name-longer-th", got[0].Comm); diff != "" {
		t.Errorf("comm (-want +got):\n%s", diff)
	}
}

func TestLayout(t *testing.T) {
	// The fixed sizes the C header and docs/binary-format.md promise.
	data := encode(t, Header{Arch: "amd64"}, []event.Event{{Kind: event.Syscall, Nr: 3}, {Kind: event.Lost, LostN: 1}}, true)
	hsize := int(le.Uint32(data[12:]))
	// fixed 32 + arch item (8+8) + kernel item (8) + argv item (8)
	if want := 32 + 16 + 8 + 8; hsize != want {
		t.Errorf("header size = %d, want %d", hsize, want)
	}
	if got := le.Uint32(data[24:]); got != 0xC000003E {
		t.Errorf("audit arch = %#x, want AUDIT_ARCH_X86_64", got)
	}
	recs := data[hsize:]
	if diff := cmp.Diff([]uint32{112, 32, 16}, []uint32{le.Uint32(recs), le.Uint32(recs[112:]), le.Uint32(recs[144:])}); diff != "" {
		t.Errorf("record sizes (-want +got):\n%s", diff)
	}
	if len(recs) != 112+32+16 {
		t.Errorf("records take %d bytes, want %d", len(recs), 112+32+16)
	}
}

func TestWriterNoAlloc(t *testing.T) {
	w, err := NewWriter(io.Discard, sampleHeader())
	if err != nil {
		t.Fatal(err)
	}
	evs := sampleEvents()[:3]
	for i := range evs { // grow the buffer first
		w.Write(&evs[i])
	}
	allocs := testing.AllocsPerRun(100, func() {
		for i := range evs {
			if err := w.Write(&evs[i]); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Write allocates %v times per run, want 0", allocs)
	}
}

func TestReaderNoAlloc(t *testing.T) {
	evs := sampleEvents()[:4]
	var many []event.Event
	for range 200 {
		many = append(many, evs...)
	}
	r, err := NewReader(bytes.NewReader(encode(t, sampleHeader(), many, true)))
	if err != nil {
		t.Fatal(err)
	}
	var ev event.Event
	r.Next(&ev)
	allocs := testing.AllocsPerRun(100, func() {
		if err := r.Next(&ev); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Next allocates %v times per event, want 0", allocs)
	}
}

func TestWriteErrors(t *testing.T) {
	w, err := NewWriter(io.Discard, Header{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ev   event.Event
		want string
	}{
		{"kind", event.Event{Kind: 9}, "writing record: unknown event kind 9"},
		{"too big", event.Event{Kind: event.Syscall, Data: []event.Data{{Bytes: make([]byte, MaxRecordSize)}}},
			"writing record: 16777336 bytes of captured data exceed the 16777216-byte record limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := w.Write(&tt.ev)
			if diff := cmp.Diff(tt.want, errString(err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
	w.Close()
	if diff := cmp.Diff("writing record: writer is closed", errString(w.Write(&event.Event{Kind: event.Lost}))); diff != "" {
		t.Errorf("write after close (-want +got):\n%s", diff)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// patch returns a copy of b with p written at off.
func patch(b []byte, off int, p ...byte) []byte {
	c := bytes.Clone(b)
	copy(c[off:], p)
	return c
}

func u32(v uint32) []byte { return le.AppendUint32(nil, v) }

func TestBadInput(t *testing.T) {
	hdr := Header{Arch: "amd64", Argv: []string{"x"}}
	evs := []event.Event{
		{Kind: event.Syscall, Nr: 1, Comm: "a", Data: []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: []byte("abc")}}},
		{Kind: event.Syscall, Nr: 2, Comm: "b"},
	}
	good := encode(t, hdr, evs, true)
	hs := int(le.Uint32(good[12:])) // 32 + 16 + 8 + 16 = 72
	r1 := hs                        // first record, 112 + 8 + 8 bytes
	r2 := r1 + 128                  // second record
	end := r2 + 112                 // end record
	if end+16 != len(good) {
		t.Fatalf("layout: end record at %d, file of %d bytes", end, len(good))
	}
	tests := []struct {
		name     string
		data     []byte
		want     string
		sentinel error
		nevents  int
	}{
		{"empty", nil, "record: offset 0: empty input: want a strace.ebpf recording", ErrNotRecording, 0},
		{"text", []byte("#!/bin/sh\necho hello\n"), `record: offset 0: not a strace.ebpf recording: want magic "SEBPFREC", have "#!/bin/s"`, ErrNotRecording, 0},
		{"short text", []byte("PK"), `record: offset 0: not a strace.ebpf recording: want magic "SEBPFREC", have "PK"`, ErrNotRecording, 0},
		{"short header", good[:20], "record: offset 0: truncated header: want 32 bytes, have 20", ErrTruncated, 0},
		{"newer version", patch(good, 8, 4), "record: offset 8: unsupported format version 4: this strace.ebpf reads versions 1 to 3; a newer one wrote it", ErrVersion, 0},
		{"version 0", patch(good, 8, 0), "record: offset 8: unsupported format version 0: this strace.ebpf reads versions 1 to 3; a newer one wrote it", ErrVersion, 0},
		{"header size odd", patch(good, 12, 33), "record: offset 12: bad header size 33: want a multiple of 8 between 32 and 16777216", ErrCorrupt, 0},
		{"header size huge", patch(good, 12, u32(0xfffffff8)...), "record: offset 12: bad header size 4294967288: want a multiple of 8 between 32 and 16777216", ErrCorrupt, 0},
		{"header cut", good[:50], "record: offset 0: truncated header: want 72 bytes, have 50", ErrTruncated, 0},
		{"header size points past end", patch(good[:hs], 12, u32(1<<20)...), "record: offset 0: truncated header: want 1048576 bytes, have 72", ErrTruncated, 0},
		{"meta overrun", patch(good, 36, u32(1000)...), "record: offset 32: header item of type 1: length 1000 overruns the header: 32 bytes left", ErrCorrupt, 0},
		{"no arch", patch(good, 32, 99), "record: offset 32: header has no architecture item", ErrCorrupt, 0},
		{"argv without NUL", patch(good, 65, 'y'), "record: offset 56: command line item: word without a NUL terminator", ErrCorrupt, 0},
		{"no end record", good[:end], "record: offset 312: missing end record: the recording was cut short after 2 records", ErrTruncated, 2},
		{"cut in record prefix", good[:r2+3], "record: offset 200: truncated record: want 8 bytes, have 3", ErrTruncated, 1},
		{"cut in record", good[:r2+10], "record: offset 200: truncated record: want 112 bytes, have 10", ErrTruncated, 1},
		{"bad size", patch(good, r2, 13), "record: offset 200: bad record size 13: want a multiple of 8 between 8 and 16777216", ErrCorrupt, 1},
		{"huge size", patch(good, r2, u32(0xfffffff0)...), "record: offset 200: bad record size 4294967280: want a multiple of 8 between 8 and 16777216", ErrCorrupt, 1},
		{"big size past end", patch(good, r2, u32(8<<20)...), "record: offset 200: truncated record: want 8388608 bytes, have 128", ErrTruncated, 1},
		{"unknown kind", patch(good, r2+4, 7), "record: offset 200: unknown record kind 7: want 1 (syscall), 2 (lost), 3 (end), 4 (exit) or 5 (signal)", ErrCorrupt, 1},
		{"small syscall", patch(good, r2, 16), "record: offset 200: bad syscall record size 16: want at least 112", ErrCorrupt, 1},
		{"data kind", patch(good, r1+113, 9), "record: offset 184: data item 1: unknown kind 9: want 1 to 4", ErrCorrupt, 0},
		{"data arg", patch(good, r1+112, 6), "record: offset 184: data item 1: argument 6: want 0 to 5", ErrCorrupt, 0},
		{"data overrun", patch(good, r1+116, 9), "record: offset 184: data item 1: length 9 overruns the record: 8 bytes left", ErrCorrupt, 0},
		{"ndata too many", patch(good, r1+20, 2), "record: offset 200: syscall record of 128 bytes ends before data item 2 of 2", ErrCorrupt, 0},
		{"ndata too few", patch(good, r1+20, 0), "record: offset 72: syscall record size 128: its 0 data items end at 112", ErrCorrupt, 0},
		{"end count", patch(good, end+8, 5), "record: offset 312: end record counts 5 records, read 2", ErrCorrupt, 2},
		{"after end", append(bytes.Clone(good), 0), "record: offset 328: data after the end record", ErrCorrupt, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, err := readAll(tt.data)
			if diff := cmp.Diff(tt.want, errString(err)); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("error %v does not wrap %v", err, tt.sentinel)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FormatError", err)
			}
			if diff := cmp.Diff(evs[:tt.nevents], got, eventOpts); diff != "" {
				t.Errorf("events before the error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEveryPrefix cuts a recording at every byte: each prefix reads the
// events wholly inside it, then fails with ErrTruncated, never a panic.
func TestEveryPrefix(t *testing.T) {
	evs := sampleEvents()[:5]
	data := encode(t, sampleHeader(), evs, true)
	_, all, err := readAll(data)
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) {
		_, got, err := readAll(data[:n])
		if !errors.Is(err, ErrTruncated) && !(n < 8 && errors.Is(err, ErrNotRecording)) {
			t.Fatalf("prefix of %d bytes: error %v, want ErrTruncated", n, err)
		}
		if diff := cmp.Diff(all[:len(got)], got, eventOpts); diff != "" {
			t.Fatalf("prefix of %d bytes: events (-want +got):\n%s", n, diff)
		}
	}
}

func TestReaderIOError(t *testing.T) {
	data := encode(t, sampleHeader(), sampleEvents()[:2], true)
	r, err := NewReader(io.MultiReader(bytes.NewReader(data[:400]), errReader{}))
	if err != nil {
		t.Fatal(err)
	}
	var ev event.Event
	for err == nil {
		err = r.Next(&ev)
	}
	if !strings.Contains(errString(err), "disk on fire") || errors.Is(err, io.EOF) {
		t.Errorf("error = %v, want the I/O error", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func BenchmarkWrite(b *testing.B) {
	w, err := NewWriter(io.Discard, sampleHeader())
	if err != nil {
		b.Fatal(err)
	}
	evs := sampleEvents()[:4]
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w.Write(&evs[i%len(evs)])
	}
}

func BenchmarkRead(b *testing.B) {
	evs := sampleEvents()[:4]
	var many []event.Event
	for range 25000 {
		many = append(many, evs...)
	}
	data := encode(b, sampleHeader(), many, true)
	b.SetBytes(int64(len(data)) / int64(len(many)))
	b.ReportAllocs()
	var ev event.Event
	var r *Reader
	for b.Loop() {
		if r == nil {
			r, _ = NewReader(bytes.NewReader(data))
		}
		if err := r.Next(&ev); err != nil {
			r = nil
		}
	}
}

// TestBoundedAlloc: a length field claiming the maximum costs no more memory
// than the input holds.
func TestBoundedAlloc(t *testing.T) {
	good := encode(t, Header{Arch: "amd64"}, []event.Event{{Kind: event.Syscall}}, true)
	hs := int(le.Uint32(good[12:]))
	tests := []struct {
		name string
		data []byte
	}{
		{"header size", patch(good[:hs], 12, u32(MaxHeaderSize)...)},
		{"record size", patch(good[:hs+112], hs, u32(MaxRecordSize)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, _, err := readAll(tt.data)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTruncated) {
				t.Errorf("error %v, want ErrTruncated", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 2<<20 {
				t.Errorf("reading %d bytes allocated %d bytes", len(tt.data), got)
			}
		})
	}
}

var update = flag.Bool("update", false, "rewrite testdata/v1.bin")

// TestVersion1File keeps the format stable: testdata/v1.bin, written by
// this package when version 1 was current, must still read as the sample
// events, and the writer must still produce it byte for byte (a change
// needs a version bump, or -update when it is compatible).
func TestVersion1File(t *testing.T) {
	hdr := sampleHeader()
	evs := sampleEvents()[:7] // the big one would bloat the file
	data := encode(t, hdr, evs, true)
	if *update {
		if err := os.WriteFile("testdata/v1.bin", data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, err := os.ReadFile("testdata/v1.bin")
	if err != nil {
		t.Fatal(err)
	}
	gotHdr, got, err := readAll(old)
	if err != nil {
		t.Fatal(err)
	}
	hdr.Version = 1
	if diff := cmp.Diff(&hdr, gotHdr); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(evs, got, eventOpts); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if !bytes.Equal(old, data) {
		t.Errorf("the writer's output differs from testdata/v1.bin: bump Version for an incompatible change, or run go test ./record -update")
	}
}

// TestStacks round-trips -k stacks: a header with Stacks writes version 2,
// whose DataStack items read back as the frames; a version-1 writer
// refuses a stack rather than drop it, and a version-1 file may not hold a
// DataStack item.
func TestStacks(t *testing.T) {
	hdr := sampleHeader()
	hdr.Stacks = true
	evs := sampleEvents()
	evs[1].Stack = []event.Frame{
		{Addr: 0x7f0000f8011, Module: "/usr/lib/x86_64-linux-gnu/libc.so.6", Offset: 0xf8011, Symbol: "__open64", SymOff: 0x51},
		{Addr: 0x555500001161, Module: "/tmp/stackhelper", Offset: 0x1161}, // no symbol
		{Addr: 0x7ffc00000010}, // no mapping
	}
	evs[2].Stack = evs[1].Stack[:1]
	data := encode(t, hdr, evs, true)
	if v := le.Uint32(data[8:]); v != 2 {
		t.Errorf("version %d, want 2", v)
	}
	gotHdr, got, err := readAll(data)
	if err != nil {
		t.Fatal(err)
	}
	hdr.Version = 2
	if diff := cmp.Diff(&hdr, gotHdr); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(evs, got, eventOpts); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	var buf bytes.Buffer
	w, err := NewWriter(&buf, sampleHeader())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&evs[1]); err == nil {
		t.Error("a writer without Stacks wrote a stack")
	}

	// The same bytes with version 1: the stack item is corrupt there.
	old := patch(data, 8, 1)
	_, _, err = readAll(old)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "unknown kind 5: want 1 to 4") {
		t.Errorf("version 1 with a stack item: %v, want unknown kind 5", err)
	}
}
