package engine

import (
	"encoding/binary"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// The decoder's offsets must match the C struct that bpf2go mirrors.
func TestHeaderLayout(t *testing.T) {
	var h bpf.TracerEventHdr
	got := map[string]uintptr{
		"size":     unsafe.Sizeof(h),
		"duration": unsafe.Offsetof(h.Duration),
		"args":     unsafe.Offsetof(h.Args),
		"ret":      unsafe.Offsetof(h.Ret),
		"pid":      unsafe.Offsetof(h.Pid),
		"tid":      unsafe.Offsetof(h.Tid),
		"nr":       unsafe.Offsetof(h.Nr),
		"flags":    unsafe.Offsetof(h.Flags),
		"nitems":   unsafe.Offsetof(h.Nitems),
		"items":    unsafe.Offsetof(h.Items),
		"comm":     unsafe.Offsetof(h.Comm),
	}
	want := map[string]uintptr{
		"size": hdrSize, "duration": offDuration, "args": offArgs, "ret": offRet,
		"pid": offPID, "tid": offTID, "nr": offNr, "flags": offFlags,
		"nitems": offNItems, "items": offItems, "comm": offComm,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event_hdr layout (-want +got):\n%s", diff)
	}
	if n := len(h.Items); n != maxItems {
		t.Errorf("items: %d in C, %d in Go", n, maxItems)
	}
}

func record(pid, tid uint32, nr int32, ret int64, comm string, items ...event.Data) []byte {
	b := make([]byte, hdrSize)
	le := binary.LittleEndian
	le.PutUint64(b, 5_000)
	le.PutUint64(b[offDuration:], 700)
	for i := 0; i < 6; i++ {
		le.PutUint64(b[offArgs+8*i:], uint64(i+1))
	}
	le.PutUint64(b[offRet:], uint64(ret))
	le.PutUint32(b[offPID:], pid)
	le.PutUint32(b[offTID:], tid)
	le.PutUint32(b[offNr:], uint32(nr))
	b[offNItems] = byte(len(items))
	copy(b[offComm:], comm)
	for i, it := range items {
		b[offItems+4*i] = it.Arg
		b[offItems+4*i+1] = byte(it.Kind)
		le.PutUint16(b[offItems+4*i+2:], uint16(len(it.Bytes)))
		b = append(b, it.Bytes...)
	}
	return b
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
