package format

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// TestStraceIoUringRegister checks io_uring_register's argument by opcode
// where the edge-case test cannot reach: a probe passed non-zero (printed
// at enter, then what the kernel wrote), short captures, abbreviated
// arrays.
func TestStraceIoUringRegister(t *testing.T) {
	probeIn := make([]byte, 16+2*8)
	probeIn[2] = 1 // resv
	probeOut := make([]byte, 16+2*8)
	probeOut[0], probeOut[1] = 46, 2
	probeOut[16], probeOut[18] = 0, 1
	probeOut[24], probeOut[26] = 47, 1
	zero := make([]byte, 16+2*8)
	workers := []byte{4, 0, 0, 0, 8, 0, 0, 0}
	iovs := make([]byte, 40*16)
	for i := 0; i < 40; i++ {
		le.PutUint64(iovs[i*16:], 0x1000)
		le.PutUint64(iovs[i*16+8:], 1)
	}
	for _, tc := range []struct {
		args [6]uint64
		ret  int64
		data []event.Data
		want string
	}{
		{[6]uint64{3, 8, 0x1000, 2}, 0, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: probeIn}, {Arg: 2, Kind: event.BufOut, Bytes: probeOut}},
			"io_uring_register(3, IORING_REGISTER_PROBE, {last_op=IORING_OP_NOP, ops_len=0, resv=0x1, ops=[{op=IORING_OP_NOP, flags=0}, {op=IORING_OP_NOP, flags=0}]} => {last_op=IORING_OP_URING_CMD, ops_len=2, ops=[{op=IORING_OP_NOP, flags=IO_URING_OP_SUPPORTED}, {op=47 /* IORING_OP_??? */, flags=IO_URING_OP_SUPPORTED}]}, 2) = 0"},
		{[6]uint64{3, 8, 0x1000, 2}, -22, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: zero}},
			"io_uring_register(3, IORING_REGISTER_PROBE, 0x1000, 2) = -1 EINVAL (Invalid argument)"},
		{[6]uint64{3, 8, 0x1000, 1}, 0, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: zero[:24]}, {Arg: 2, Kind: event.BufOut, Bytes: probeOut[:24]}},
			"io_uring_register(3, IORING_REGISTER_PROBE, {last_op=IORING_OP_URING_CMD, ops_len=2, ops=[{op=IORING_OP_NOP, flags=IO_URING_OP_SUPPORTED}, ...]}, 1) = 0"},
		{[6]uint64{3, 8, 0x1000, 300}, 0, nil, "io_uring_register(3, IORING_REGISTER_PROBE, 0x1000, 300) = 0"},
		{[6]uint64{3, 19, 0x1000, 2}, 0, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: make([]byte, 8)}, {Arg: 2, Kind: event.BufOut, Bytes: workers}},
			"io_uring_register(3, IORING_REGISTER_IOWQ_MAX_WORKERS, [[IO_WQ_BOUND]=0, [IO_WQ_UNBOUND]=0] => [[IO_WQ_BOUND]=4, [IO_WQ_UNBOUND]=8], 2) = 0"},
		{[6]uint64{3, 19, 0, 2}, -14, nil, "io_uring_register(3, IORING_REGISTER_IOWQ_MAX_WORKERS, NULL, 2) = -1 EFAULT (Bad address)"},
		{[6]uint64{3, 0, 0x1000, 40}, 0, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: iovs}},
			"io_uring_register(3, IORING_REGISTER_BUFFERS, [" + repeatIov(32) + "...], 40) = 0"},
		{[6]uint64{3, 0, 0x1000, 1}, 0, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: make([]byte, 4)}}, "io_uring_register(3, IORING_REGISTER_BUFFERS, 0x1000, 1) = 0"},
		{[6]uint64{3, 22, 0x1000, 1}, 0, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: make([]byte, 40)}}, "io_uring_register(3, IORING_REGISTER_PBUF_RING, {ring_addr=NULL, ring_entries=0, bgid=0}, 1) = 0"},
		{[6]uint64{3, 17, 0x1000, 2}, 0, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: []byte{0x81, 1}}}, "io_uring_register(3, IORING_REGISTER_IOWQ_AFF, [0 7 8], 2) = 0"},
	} {
		tab := fuzzTables[0]
		ev := &event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: int32(tab.ByName("io_uring_register").Nr), Args: tc.args, Ret: tc.ret, Data: tc.data}
		if d := cmp.Diff(tc.want, string(AppendStrace(nil, ev, tab, StraceOptions{Column: 1}))); d != "" {
			t.Errorf("%#x (-want +got):\n%s", tc.args[:4], d)
		}
	}
}

func repeatIov(n int) string {
	s := ""
	for i := 0; i < n; i++ {
		s += "{iov_base=0x1000, iov_len=1}, "
	}
	return s
}
