package format

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// fprog is a captured struct sock_fprog of n instructions at insns, and
// after it the instructions given (code, jt, jf, k each).
func fprog(n uint16, insns uint64, code ...[4]uint32) []byte {
	b := make([]byte, fprogSize, fprogSize+8*len(code))
	le.PutUint16(b, n)
	le.PutUint64(b[8:], insns)
	for _, c := range code {
		var i [8]byte
		le.PutUint16(i[:], uint16(c[0]))
		i[2], i[3] = byte(c[1]), byte(c[2])
		le.PutUint32(i[4:], c[3])
		b = append(b, i[:]...)
	}
	return b
}

// TestStraceSeccompFilter checks the filter programs of
// seccomp(SECCOMP_SET_MODE_FILTER) and prctl(PR_SET_SECCOMP,
// SECCOMP_MODE_FILTER) against what strace 6.1 prints for the same
// programs (testdata/edgecases.c structs): the address without -v, the
// instructions with it, unknown opcode fields and leftover bits in hex.
func TestStraceSeccompFilter(t *testing.T) {
	prog := fprog(6, 0x7ffd1000,
		[4]uint32{0x20, 0, 0, 4},          // BPF_LD|BPF_W|BPF_ABS
		[4]uint32{0x15, 0, 3, 0xc000003e}, // BPF_JMP|BPF_K|BPF_JEQ
		[4]uint32{0x06, 0, 0, 0x00050005}, // BPF_RET|BPF_K, SECCOMP_RET_ERRNO|5
		[4]uint32{0xffff, 0, 0, 0x1234},   // BPF_MISC, unknown bits
		[4]uint32{0x8f, 0, 0, 0},          // BPF_MISC, unknown miscop
		[4]uint32{0x06, 0, 0, 0x7fff0000}, // SECCOMP_RET_ALLOW
	)
	const insns = "[BPF_STMT(BPF_LD|BPF_W|BPF_ABS, 0x4), BPF_JUMP(BPF_JMP|BPF_K|BPF_JEQ, 0xc000003e, 0, 0x3), BPF_STMT(BPF_RET|BPF_K, SECCOMP_RET_ERRNO|0x5), BPF_STMT(BPF_MISC|0xf8 /* BPF_??? */|0xff00 /* BPF_??? */, 0x1234), BPF_STMT(BPF_MISC|0x88 /* BPF_??? */, 0), BPF_STMT(BPF_RET|BPF_K, SECCOMP_RET_ALLOW)]"
	others := fprog(7, 0x2000,
		[4]uint32{0x02, 0, 0, 1},          // BPF_ST
		[4]uint32{0x42, 0, 0, 1},          // BPF_ST, leftover
		[4]uint32{0x61, 0, 0, 2},          // BPF_LDX|BPF_W|BPF_MEM
		[4]uint32{0xe8, 0, 0, 2},          // BPF_LD|BPF_H|0xe0
		[4]uint32{0x5c, 0, 0, 0},          // BPF_ALU|BPF_X|BPF_AND
		[4]uint32{0xfc, 0, 0, 0},          // BPF_ALU|BPF_X|0xf0
		[4]uint32{0x1e, 0, 0, 0x12345678}, // BPF_RET|0x18, an unknown action
	)
	for _, tc := range []struct {
		name    string
		args    [6]uint64
		data    []event.Data
		verbose bool
		want    string
	}{
		{"seccomp", [6]uint64{1, 0x100, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: prog}}, false,
			"seccomp(SECCOMP_SET_MODE_FILTER, 0x100 /* SECCOMP_FILTER_FLAG_??? */, {len=6, filter=0x7ffd1000}) = 0"},
		{"seccomp", [6]uint64{1, 0, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: prog}}, true,
			"seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=6, filter=" + insns + "}) = 0"},
		{"seccomp", [6]uint64{1, 0, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: others}}, true,
			"seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=7, filter=[BPF_STMT(BPF_ST, 0x1), BPF_STMT(BPF_ST|0x40 /* BPF_??? */, 0x1), BPF_STMT(BPF_LDX|BPF_W|BPF_MEM, 0x2), BPF_STMT(BPF_LD|BPF_H|0xe0 /* BPF_??? */, 0x2), BPF_STMT(BPF_ALU|BPF_X|BPF_AND, 0), BPF_STMT(BPF_ALU|BPF_X|0xf0 /* BPF_??? */, 0), BPF_STMT(BPF_RET|0x18 /* BPF_??? */, 0x12340000 /* SECCOMP_RET_??? */|0x5678)]}) = 0"},
		{"seccomp", [6]uint64{1, 0, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: fprog(0, 0x2000)}}, true,
			"seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=0, filter=[]}) = 0"},
		{"seccomp", [6]uint64{1, 0, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: fprog(3, 0)}}, true,
			"seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=3, filter=NULL}) = 0"},
		// The instructions were not readable: their address.
		{"seccomp", [6]uint64{1, 0, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: fprog(3, 8)}}, true,
			"seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=3, filter=0x8}) = 0"},
		// More instructions than were captured.
		{"seccomp", [6]uint64{1, 0, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: fprog(300, 0x2000, [4]uint32{6, 0, 0, 0x7fff0000})}}, true,
			"seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=300, filter=[BPF_STMT(BPF_RET|BPF_K, SECCOMP_RET_ALLOW), ...]}) = 0"},
		// The struct itself was not readable, or short.
		{"seccomp", [6]uint64{1, 0, 8}, nil, true, "seccomp(SECCOMP_SET_MODE_FILTER, 0, 0x8) = 0"},
		{"seccomp", [6]uint64{1, 0, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: prog[:10]}}, true, "seccomp(SECCOMP_SET_MODE_FILTER, 0, 0x1000) = 0"},
		{"prctl", [6]uint64{22, 2, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: prog}}, false,
			"prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=6, filter=0x7ffd1000}) = 0"},
		{"prctl", [6]uint64{22, 2, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: prog}}, true,
			"prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=6, filter=" + insns + "}) = 0"},
		{"prctl", [6]uint64{22, 2, 8}, nil, true, "prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, 0x8) = 0"},
		{"prctl", [6]uint64{22, 2, 0}, nil, false, "prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL) = 0"},
	} {
		tab := fuzzTables[0]
		ev := &event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: int32(tab.ByName(tc.name).Nr), Args: tc.args, Data: tc.data}
		if d := cmp.Diff(tc.want, string(AppendStrace(nil, ev, tab, StraceOptions{Column: 1, Verbose: tc.verbose}))); d != "" {
			t.Errorf("%s %#x (-want +got):\n%s", tc.name, tc.args[:3], d)
		}
	}
}
