package record

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// The values below are stored in recordings: changing one (reordering an
// enum, inserting a kind) makes every older recording read wrong. They are
// pinned to literal numbers here, and TestOnDiskBytes checks the bytes a
// Writer really puts on disk. A change needs a new Version and a reader that
// still understands the old values.

func TestOnDiskValues(t *testing.T) {
	got := map[string]int{
		"KindSyscall": KindSyscall, "KindLost": KindLost, "KindEnd": KindEnd,
		"KindExit": KindExit, "KindSignal": KindSignal,

		"MetaArch": MetaArch, "MetaKernel": MetaKernel, "MetaArgv": MetaArgv,
		"MetaOption": MetaOption, "MetaSyscall": MetaSyscall,

		"DataStr": DataStr, "DataBufIn": DataBufIn, "DataBufOut": DataBufOut, "DataStrTrunc": DataStrTrunc,
		"DataFd": DataFd, "event.Fd": int(event.Fd), "event.FdInfoSize": event.FdInfoSize,
		// The writer stores event.DataKind and event.Flags as they are.
		"event.Str": int(event.Str), "event.BufIn": int(event.BufIn),
		"event.BufOut": int(event.BufOut), "event.StrTrunc": int(event.StrTrunc),
		"event.NoReturn": int(event.NoReturn), "event.Unfinished": int(event.Unfinished),
		"event.Compat": int(event.Compat), "Version": Version,
		"event.Entered": int(event.Entered), "event.Netlink": int(event.Netlink),
		"event.NetlinkProtoShift": event.NetlinkProtoShift,
		"event.Injected":          int(event.Injected), "event.Delayed": int(event.Delayed), "event.Poked": int(event.Poked),
	}
	want := map[string]int{
		"KindSyscall": 1, "KindLost": 2, "KindEnd": 3, "KindExit": 4, "KindSignal": 5,

		"MetaArch": 1, "MetaKernel": 2, "MetaArgv": 3, "MetaOption": 4, "MetaSyscall": 5,

		"DataStr": 1, "DataBufIn": 2, "DataBufOut": 3, "DataStrTrunc": 4,
		"DataFd": 6, "event.Fd": 6, "event.FdInfoSize": 64,
		"event.Str": 1, "event.BufIn": 2, "event.BufOut": 3, "event.StrTrunc": 4,
		"event.NoReturn": 0x1, "event.Unfinished": 0x2,
		"event.Compat": 0x10, "Version": 3,
		"event.Entered": 0x4, "event.Netlink": 0x8, "event.NetlinkProtoShift": 8,
		"event.Injected": 0x20, "event.Delayed": 0x40, "event.Poked": 0x80,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recording format values (-want +got):\n%s", diff)
	}
}

// TestOnDiskBytes writes one record of each kind and reads the kind, flags
// and data kinds back from the bytes, at the offsets docs/binary-format.md
// gives.
func TestOnDiskBytes(t *testing.T) {
	data := encode(t, Header{Arch: "amd64"}, []event.Event{
		{Kind: event.Syscall, Nr: 59, Flags: event.NoReturn, Data: []event.Data{
			{Arg: 0, Kind: event.Str, Bytes: []byte("/bin/ls")},
			{Arg: 1, Kind: event.StrTrunc, Bytes: []byte("ab")},
		}},
		{Kind: event.Syscall, Nr: 0, Flags: event.Unfinished, Data: []event.Data{
			{Arg: 1, Kind: event.BufIn, Bytes: []byte("in")},
			{Arg: 1, Kind: event.BufOut, Bytes: []byte("out")},
		}},
		{Kind: event.Lost, LostN: 3},
		{Kind: event.Signal, Nr: 17},
		{Kind: event.Exit},
	}, true)
	type rec struct {
		Kind, Flags int
		DataKinds   []int
	}
	var got []rec
	for off := int(le.Uint32(data[12:])); off < len(data); {
		size := int(le.Uint32(data[off:]))
		if size <= 0 || off+size > len(data) {
			t.Fatalf("record of size %d at offset %d of %d bytes", size, off, len(data))
		}
		r := rec{Kind: int(le.Uint16(data[off+4:])), Flags: int(le.Uint16(data[off+6:]))}
		if r.Kind != 2 && r.Kind != 3 { // the trace_syscall layout
			n := int(le.Uint16(data[off+20:])) // ndata
			for d, i := off+syscallFixedSize, 0; i < n; i++ {
				r.DataKinds = append(r.DataKinds, int(data[d+1]))
				d += dataHeaderSize + pad8(int(le.Uint32(data[d+4:])))
			}
		}
		got = append(got, r)
		off += size
	}
	want := []rec{
		{Kind: 1, Flags: 0x1, DataKinds: []int{1, 4}},
		{Kind: 1, Flags: 0x2, DataKinds: []int{2, 3}},
		{Kind: 2},
		{Kind: 5},
		{Kind: 4},
		{Kind: 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records on disk (-want +got):\n%s", diff)
	}
}
