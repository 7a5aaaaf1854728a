package stack

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// stackHelper compiles testdata/stackhelper.c as the integration tests do
// (internal/testutil imports the engine, which imports this package).
func stackHelper(t *testing.T) string {
	t.Helper()
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	out := filepath.Join(t.TempDir(), "stackhelper")
	if b, err := exec.Command(cc, "-O1", "-fno-omit-frame-pointer", "-o", out, "../testdata/stackhelper.c").CombinedOutput(); err != nil {
		t.Fatalf("%s testdata/stackhelper.c: %v\n%s", cc, err, b)
	}
	return out
}

func TestParseProcMaps(t *testing.T) {
	in := `55d0c1a00000-55d0c1a01000 r--p 00000000 fe:01 123 /usr/bin/cat
55d0c1a01000-55d0c1a05000 r-xp 00001000 fe:01 123 /usr/bin/cat
7f3a9e000000-7f3a9e028000 r--p 00000000 fe:01 456 /usr/lib/x86_64-linux-gnu/libc.so.6
7f3a9e028000-7f3a9e19d000 r-xp 00028000 fe:01 456 /usr/lib/x86_64-linux-gnu/libc.so.6
7ffd0000a000-7ffd0000c000 r-xp 00000000 00:00 0 [vdso]
7f0000000000-7f0000001000 rwxp 00000000 00:00 0
7f0000002000-7f0000003000 r-xp 00000000 fe:01 789 /tmp/a name with spaces
`
	want := []Mapping{
		{0x55d0c1a01000, 0x55d0c1a05000, 0x1000, "/usr/bin/cat"},
		{0x7f3a9e028000, 0x7f3a9e19d000, 0x28000, "/usr/lib/x86_64-linux-gnu/libc.so.6"},
		{0x7ffd0000a000, 0x7ffd0000c000, 0, "[vdso]"},
		{0x7f0000000000, 0x7f0000001000, 0, ""},
		{0x7f0000002000, 0x7f0000003000, 0, "/tmp/a name with spaces"},
	}
	if diff := cmp.Diff(want, ParseProcMaps([]byte(in))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestTrackerTimeline: a lookup sees the mappings of the image current at
// the event's time, made by then: an exec hides the old image's mappings
// from later events but not from earlier ones; a fork starts with the
// parent's.
func TestTrackerTimeline(t *testing.T) {
	tr := NewTracker()
	tr.ProcRoot = ""
	old := Mapping{0x1000, 0x2000, 0, "/old"}
	lib := Mapping{0x5000, 0x6000, 0x1000, "/lib"}
	tr.Mmap(10, 100, old)
	tr.Mmap(10, 150, lib)
	tr.Fork(10, 11, 160)
	tr.Exec(10, 200)
	tr.Mmap(10, 210, Mapping{0x1000, 0x3000, 0, "/new"})
	for _, tc := range []struct {
		pid      uint32
		ts, addr uint64
		want     string
	}{
		{10, 120, 0x1800, "/old"},
		{10, 120, 0x5800, ""}, // not mapped yet
		{10, 190, 0x5800, "/lib"},
		{10, 205, 0x1800, ""}, // exec'd, not mapped again yet
		{10, 220, 0x1800, "/new"},
		{10, 220, 0x5800, ""}, // the old image's
		{11, 300, 0x5800, "/lib"},
		{12, 300, 0x5800, ""},
	} {
		got := ""
		if m := tr.lookup(tc.pid, tc.ts, tc.addr); m != nil {
			got = m.Path
		}
		if got != tc.want {
			t.Errorf("pid %d at %d, %#x: %q, want %q", tc.pid, tc.ts, tc.addr, got, tc.want)
		}
	}
	tr.Exit(11, 400)
	tr.Forget(500)
	if tr.Known(11) || !tr.Known(10) {
		t.Errorf("after Forget: known 11 %v, 10 %v; want false, true", tr.Known(11), tr.Known(10))
	}
}

func TestParseRaw(t *testing.T) {
	le := binary.LittleEndian
	b := le.AppendUint64(nil, 0x7ffc1000)
	b = le.AppendUint64(b, 0x7ffc1040)
	b = le.AppendUint64(b, 0)
	b = le.AppendUint64(b, 16<<32|2)
	b = le.AppendUint64(b, 0x401000)
	b = le.AppendUint64(b, 0x402000)
	b = append(b, make([]byte, 16)...)
	r, err := ParseRaw(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.SP != 0x7ffc1000 || r.FP != 0x7ffc1040 || len(r.IPs) != 2 || r.IPs[1] != 0x402000 || len(r.Window) != 16 {
		t.Errorf("ParseRaw: %+v", r)
	}
	if _, err := ParseRaw(b[:len(b)-8]); err == nil {
		t.Error("a short item parsed")
	}
}

// TestCFI reads the .eh_frame of the stack helper (cc, frame pointers):
// inside open_marker, after its prologue, the caller's frame is at
// rbp+16, its return address at CFA-8, its rbp saved at CFA-16.
func TestCFI(t *testing.T) {
	path := stackHelper(t)
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	var fn elf.Symbol
	for _, s := range syms {
		if s.Name == "open_marker" {
			fn = s
		}
	}
	if fn.Value == 0 {
		t.Fatal("no open_marker in the helper")
	}
	o := loadObject(path)
	if o == nil || o.cfi == nil {
		t.Fatal("no .eh_frame read")
	}
	// At entry: CFA = rsp+8, the return address just above.
	r, ra, ok := o.rulesAt(fn.Value)
	if !ok || ra != AMD64.RA || r.cfaReg != AMD64.SP || r.cfaOffset != 8 || r.rule(ra) != (rule{kind: ruleOffset, offset: -8}) {
		t.Errorf("at entry: ok %v ra %d cfa r%d%+d ra rule %+v", ok, ra, r.cfaReg, r.cfaOffset, r.rule(ra))
	}
	// Near the end of the function body (before its epilogue): rbp-based.
	r, _, ok = o.rulesAt(fn.Value + fn.Size/2)
	if !ok || r.cfaReg != AMD64.FP || r.cfaOffset != 16 || r.rule(AMD64.FP) != (rule{kind: ruleOffset, offset: -16}) {
		t.Errorf("in the body: ok %v cfa r%d%+d rbp rule %+v", ok, r.cfaReg, r.cfaOffset, r.rule(AMD64.FP))
	}
	name, off, ok := o.symbolize(fn.Value + 3)
	if !ok || name != "open_marker" || off != 3 {
		t.Errorf("symbolize: %s+%d %v", name, off, ok)
	}
}

// TestFramesUnknown: the syscall's own frame is kept with its address
// alone when no mapping holds it; the kernel's walk (a stack without a
// window) ends at the first return address in no mapping: garbage.
func TestFramesUnknown(t *testing.T) {
	tr := NewTracker()
	tr.ProcRoot = ""
	s := &Symbolizer{Tracker: tr, Arch: AMD64}
	got := s.Frames(1, 0, Raw{IPs: []uint64{0x10, 0x20}})
	want := []event.Frame{{Addr: 0x10}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
