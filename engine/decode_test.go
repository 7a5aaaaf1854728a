package engine

import (
	"encoding/binary"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// record is a ring-buffer record built from the generated types, as
// unfinished builds one.
func record(pid, tid uint32, nr int32, ret int64, comm string, items ...event.Data) []byte {
	rec := new(bpf.TracerRecord)
	h := &rec.Hdr
	h.Ts, h.Duration, h.Ret = 5_000, 700, ret
	for i := range h.Args {
		h.Args[i] = uint64(i + 1)
	}
	h.Pid, h.Tid, h.Nr, h.Nitems = pid, tid, nr, uint8(len(items))
	for i := 0; i < len(comm); i++ {
		h.Comm[i] = int8(comm[i])
	}
	off := 0
	for i, it := range items {
		h.Items[i] = bpf.TracerItem{Arg: it.Arg, Kind: bpf.TracerItemKind(it.Kind), Len: uint16(len(it.Bytes))}
		off += copy(rec.Data[off:], it.Bytes)
	}
	b, err := appendRecord(nil, rec)
	if err != nil {
		panic(err)
	}
	return b
}

// The kernel writes its item kinds where the decoder reads event.DataKind
// (which internal/event defines without the bpf package, since record/ and
// format/ import it): the values must be equal.
func TestItemKinds(t *testing.T) {
	if n := int(unsafe.Sizeof(bpf.TracerFdInfo{})); n != event.FdInfoSize {
		t.Errorf("struct fd_info is %d bytes, event.FdInfoSize %d", n, event.FdInfoSize)
	}
	for _, k := range []struct {
		kernel bpf.TracerItemKind
		event  event.DataKind
	}{
		{bpf.TracerItemKindITEM_STR, event.Str},
		{bpf.TracerItemKindITEM_BUF_IN, event.BufIn},
		{bpf.TracerItemKindITEM_BUF_OUT, event.BufOut},
		{bpf.TracerItemKindITEM_STR_TRUNC, event.StrTrunc},
		{bpf.TracerItemKindITEM_FD, event.Fd},
	} {
		if uint8(k.kernel) != uint8(k.event) {
			t.Errorf("item kind %d in the kernel is event.DataKind %d", k.kernel, k.event)
		}
	}
}

// TestDecodeFlags checks that each kernel record flag gives its event kind
// and flags.
func TestDecodeFlags(t *testing.T) {
	for _, tc := range []struct {
		flags bpf.TracerEvFlags
		kind  event.Kind
		evf   event.Flags
	}{
		{0, event.Syscall, 0},
		{bpf.TracerEvFlagsEV_NORETURN, event.Syscall, event.NoReturn},
		{bpf.TracerEvFlagsEV_EXIT, event.Exit, 0},
		{bpf.TracerEvFlagsEV_SIGNAL, event.Signal, 0},
		{bpf.TracerEvFlagsEV_ENTERED, event.Syscall, event.Entered},
		{bpf.TracerEvFlagsEV_NETLINK, event.Syscall, event.Netlink},
	} {
		raw := record(1, 1, 0, 0, "x")
		binary.LittleEndian.PutUint16(raw[offFlags:], uint16(tc.flags))
		var ev event.Event
		if err := (&decoder{}).decode(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Kind != tc.kind || ev.Flags != tc.evf {
			t.Errorf("flags %#x: kind %d, flags %#x; want %d, %#x", tc.flags, ev.Kind, ev.Flags, tc.kind, tc.evf)
		}
	}
}

func TestDecode(t *testing.T) {
	d := decoder{startNS: 1_000}
	raw := record(10, 11, 257, -2, "cat",
		event.Data{Arg: 1, Kind: event.Str, Bytes: []byte("/etc/passwd")},
		event.Data{Arg: 3, Kind: event.BufIn, Bytes: []byte{1, 2}})
	var ev event.Event
	if err := d.decode(raw, &ev); err != nil {
		t.Fatal(err)
	}
	want := event.Event{
		Kind: event.Syscall, PID: 10, TID: 11, Nr: 257, Comm: "cat",
		TS: 4_000, Duration: 700, Args: [6]uint64{1, 2, 3, 4, 5, 6}, Ret: -2,
		Data: []event.Data{
			{Arg: 1, Kind: event.Str, Bytes: []byte("/etc/passwd")},
			{Arg: 3, Kind: event.BufIn, Bytes: []byte{1, 2}},
		},
	}
	if diff := cmp.Diff(want, ev); diff != "" {
		t.Errorf("decoded event (-want +got):\n%s", diff)
	}
	// The captured bytes are copies: the record buffer may be reused.
	raw[hdrSize] = 'X'
	if ev.Data[0].Bytes[0] != '/' {
		t.Error("decoded data aliases the record buffer")
	}
}

func TestDecodeBadRecords(t *testing.T) {
	d := decoder{}
	var ev event.Event
	for name, raw := range map[string][]byte{
		"short":          make([]byte, hdrSize-1),
		"too many items": func() []byte { b := record(1, 1, 0, 0, "x"); b[offNItems] = 9; return b }(),
		"truncated data": record(1, 1, 0, 0, "x", event.Data{Arg: 0, Kind: event.Str, Bytes: []byte("abc")})[:hdrSize+1],
	} {
		if err := d.decode(raw, &ev); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}
