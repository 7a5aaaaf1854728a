package format

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// The fuzz targets drive every printer with arbitrary argument words and
// captured bytes: no event, however made up, may panic a format. A
// recording replayed with -i is such an event: its bytes come from a file.
//
//	go test ./format -run '^$' -fuzz FuzzStraceSyscall -fuzztime 200000x
//	go test ./format -run '^$' -fuzz FuzzStraceNetlink -fuzztime 1m
//	go test ./format -run '^$' -fuzz FuzzStraceSignal -fuzztime 30s
//	go test ./format -run '^$' -fuzz FuzzFormats -fuzztime 30s
//
// A fuzzed event is its header words and its Data items packed in one byte
// string (fuzzData): [arg][kind][len lo][len hi][bytes]... .

// fuzzTables are the tables a fuzzed event is decoded with: amd64 (and its
// i386 personality through event.Compat) and arm64.
var fuzzTables = func() []*syscalls.Table {
	var tabs []*syscalls.Table
	for _, arch := range []string{"amd64", "arm64"} {
		tab, err := syscalls.ForArch(arch)
		if err != nil {
			panic(err)
		}
		tabs = append(tabs, tab)
	}
	return tabs
}()

// fuzzData splits b into an event's Data items.
func fuzzData(b []byte) []event.Data {
	var out []event.Data
	for len(b) >= 4 && len(out) < 16 {
		n := int(binary.LittleEndian.Uint16(b[2:]))
		d := event.Data{Arg: b[0], Kind: event.DataKind(b[1])}
		b = b[4:]
		n = min(n, len(b))
		d.Bytes = b[:n:n]
		b = b[n:]
		out = append(out, d)
	}
	return out
}

// packData is fuzzData's inverse, for seeds.
func packData(ds []event.Data) []byte {
	var b []byte
	for _, d := range ds {
		n := min(len(d.Bytes), 0xffff)
		b = append(b, d.Arg, byte(d.Kind), byte(n), byte(n>>8))
		b = append(b, d.Bytes[:n]...)
	}
	return b
}

// fuzzOptions picks strace options from the bits of o.
func fuzzOptions(o uint16) StraceOptions {
	opts := StraceOptions{
		DecodeFds:     o&1 != 0,
		DecodeSockets: o&2 != 0,
		KernelFds:     o&4 != 0,
		Verbose:       o&8 != 0,
		HexStrings:    int(o>>4) & 3,
		SyscallTime:   o&64 != 0,
		StackTrace:    o&128 != 0,
		PIDPrefix:     PrefixStyle(o>>8) % 3,
	}
	if o&0x400 != 0 {
		opts.ReadDump = map[int]bool{-1: true}
		opts.WriteDump = map[int]bool{-1: true}
	}
	if o&0x800 != 0 {
		opts.StrSize = int(o>>12) + 1
	}
	return opts
}

// fuzzSeeds are the recorded events of testdata/*.jsonl.
func fuzzSeeds(f *testing.F) []event.Event {
	files, err := filepath.Glob("testdata/*.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	var evs []event.Event
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var ev event.Event
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				f.Fatal(err)
			}
			evs = append(evs, ev)
		}
		fh.Close()
	}
	return evs
}

// fuzzEvent builds a syscall event of table tab: sel picks the syscall
// among the table's (every call is reachable), flags its event.Flags.
func fuzzEvent(tab *syscalls.Table, sel uint16, flags uint16, args [6]uint64, ret int64, data []byte) *event.Event {
	ev := &event.Event{
		Kind: event.Syscall, Flags: event.Flags(flags), PID: 100, TID: 100,
		TS: 1000, Duration: 10, Args: args, Ret: ret, Data: fuzzData(data),
	}
	t := tab.Personality(ev.Flags&event.Compat != 0)
	all := t.All()
	if sel&0x8000 != 0 || len(all) == 0 {
		ev.Nr = int32(sel & 0x7fff) // any number, holes and out of range too
	} else {
		ev.Nr = int32(all[int(sel)%len(all)].Nr)
	}
	if flags&0x8000 != 0 {
		ev.Stack = []event.Frame{{Addr: args[0], Module: "/m", Offset: args[1], Symbol: "s", SymOff: args[2]}, {}}
	}
	return ev
}

// fuzzStrace formats ev alone and through a Strace with memory (entered
// halves, fds learned, several threads), with options o.
func fuzzStrace(tab *syscalls.Table, ev *event.Event, o uint16) {
	opts := fuzzOptions(o)
	AppendStrace(nil, ev, tab, opts)
	s := NewStrace(tab, opts)
	entered := *ev
	entered.Flags |= event.Entered
	entered.Flags &^= event.Unfinished | event.NoReturn
	s.Append(nil, &entered)
	other := *ev
	other.TID++
	other.TS++
	s.Append(nil, &other)
	s.Append(nil, ev)
	s.Append(nil, &event.Event{Kind: event.Exit, PID: ev.PID, TID: ev.TID, Nr: -1, Ret: ev.Ret})
	// A writer's Strace keeps ERESTART* calls back until the next event.
	w := NewStraceWriter(io.Discard, tab, opts)
	_ = w.Event(ev)
	_ = w.Event(&event.Event{Kind: event.Signal, PID: ev.PID, TID: ev.TID, Nr: 9})
	_ = w.Event(ev)
	_ = w.Idle()
	_ = w.Event(ev)
	_ = w.Finish()
}

func addSyscallSeeds(f *testing.F, evs []event.Event) {
	for _, ev := range evs {
		if ev.Kind != event.Syscall {
			continue
		}
		tab := fuzzTables[0]
		all := tab.Personality(ev.Flags&event.Compat != 0).All()
		sel := uint16(0x8000 | ev.Nr)
		for i, sc := range all {
			if sc.Nr == int(ev.Nr) {
				sel = uint16(i)
			}
		}
		f.Add(uint8(0), sel, uint16(ev.Flags), ev.Args[0], ev.Args[1], ev.Args[2], ev.Args[3], ev.Args[4], ev.Args[5], ev.Ret, packData(ev.Data), uint16(0x5))
	}
}

// FuzzStraceSyscall formats made-up syscall events of every call of the
// amd64, i386 and arm64 tables.
func FuzzStraceSyscall(f *testing.F) {
	addSyscallSeeds(f, fuzzSeeds(f))
	addStructSeeds(f)
	f.Fuzz(func(t *testing.T, arch uint8, sel, flags uint16, a0, a1, a2, a3, a4, a5 uint64, ret int64, data []byte, o uint16) {
		tab := fuzzTables[int(arch)%len(fuzzTables)]
		ev := fuzzEvent(tab, sel, flags, [6]uint64{a0, a1, a2, a3, a4, a5}, ret, data)
		fuzzStrace(tab, ev, o)
	})
}

// FuzzStraceNetlink formats made-up netlink messages, sent and received
// by every call that carries them, on every protocol. With raw, msg is the
// buffer of sendto or recvfrom; otherwise it is packed Data items
// (fuzzData), as the recorded sendmsg and recvmsg calls capture them.
func FuzzStraceNetlink(f *testing.F) {
	tab := fuzzTables[0]
	calls := []string{"sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg"}
	for _, ev := range fuzzSeeds(f) {
		if ev.Flags&event.Netlink == 0 {
			continue
		}
		for i, n := range calls {
			if tab.ByName(n).Nr == int(ev.Nr) {
				f.Add(uint8(i), uint8(ev.NetlinkProto()), false, packData(ev.Data), ev.Args[2], ev.Ret)
			}
		}
		for _, d := range ev.Data {
			f.Add(uint8(1), uint8(ev.NetlinkProto()), true, d.Bytes, uint64(len(d.Bytes)), ev.Ret)
		}
	}
	// NLMSG_ERRORs: without the request it answers, and with a request
	// header whose nlmsg_len is 0 (the crash of issue 21).
	f.Add(uint8(1), uint8(0), true, []byte{24, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xed, 0xff, 0xff, 0xff, 0, 0, 0, 0}, uint64(24), int64(24))
	f.Add(uint8(1), uint8(0), true, append([]byte{36, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xed, 0xff, 0xff, 0xff}, make([]byte, 16)...), uint64(36), int64(36))
	f.Fuzz(func(t *testing.T, which, proto uint8, raw bool, msg []byte, size uint64, ret int64) {
		sc := tab.ByName(calls[int(which)%len(calls)])
		if raw {
			sc = tab.ByName(calls[int(which)%2])
		}
		ev := &event.Event{
			Kind: event.Syscall, PID: 1, TID: 1, Nr: int32(sc.Nr), Ret: ret,
			Flags: event.Netlink | event.Flags(proto)<<event.NetlinkProtoShift,
			Args:  [6]uint64{3, 0x1000, size, 0, 0x2000, 12},
		}
		if raw {
			kind := event.BufIn
			if sc.Name[0] == 'r' {
				kind = event.BufOut
			}
			ev.Data = []event.Data{{Arg: 1, Kind: kind, Bytes: msg}}
		} else {
			ev.Data = fuzzData(msg)
		}
		for o := 0; o < 2; o++ {
			AppendStrace(nil, ev, tab, StraceOptions{StrSize: o * 4})
		}
	})
}

// FuzzStraceSignal formats made-up signal deliveries (siginfo_t) and
// exits.
func FuzzStraceSignal(f *testing.F) {
	for _, ev := range fuzzSeeds(f) {
		if ev.Kind == event.Signal && len(ev.Data) > 0 {
			f.Add(uint8(ev.Nr), ev.Data[0].Bytes, int64(0))
		}
	}
	f.Add(uint8(17), make([]byte, 48), int64(0x8b))
	tab := fuzzTables[0]
	f.Fuzz(func(t *testing.T, sig uint8, info []byte, status int64) {
		s := NewStrace(tab, StraceOptions{PIDPrefix: PrefixTerminal})
		s.Append(nil, &event.Event{Kind: event.Signal, PID: 1, TID: 1, Nr: int32(sig), Data: []event.Data{{Kind: event.BufOut, Bytes: info}}})
		s.Append(nil, &event.Event{Kind: event.Exit, PID: 1, TID: 1, Nr: int32(int8(sig)), Ret: status})
	})
}

// FuzzFormats writes made-up events in the hex, json and perfetto formats.
func FuzzFormats(f *testing.F) {
	addSyscallSeeds(f, fuzzSeeds(f))
	f.Fuzz(func(t *testing.T, arch uint8, sel, flags uint16, a0, a1, a2, a3, a4, a5 uint64, ret int64, data []byte, o uint16) {
		tab := fuzzTables[int(arch)%len(fuzzTables)]
		ev := fuzzEvent(tab, sel, flags, [6]uint64{a0, a1, a2, a3, a4, a5}, ret, data)
		ev.Kind = event.Kind(o%4) + event.Syscall
		AppendHex(nil, ev, tab, HexOptions{}, 0)
		AppendJSON(nil, ev, tab)
		p := NewPerfetto(tab)
		if err := p.Begin(io.Discard); err != nil {
			t.Fatal(err)
		}
		p.Event(ev)
		p.End()
		var b bytes.Buffer
		b.Write(AppendJSON(nil, ev, tab))
		if !json.Valid(b.Bytes()) {
			t.Fatalf("invalid json: %s", b.Bytes())
		}
	})
}

// TestFuzzDataRoundTrip checks that seeds survive packing.
func TestFuzzDataRoundTrip(t *testing.T) {
	ds := []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: []byte("abc")}, {Arg: 2, Kind: event.Fd, Bytes: []byte{}}}
	got := fuzzData(packData(ds))
	if len(got) != 2 || string(got[0].Bytes) != "abc" || got[1].Kind != event.Fd {
		t.Fatalf("round trip: %+v", got)
	}
}
