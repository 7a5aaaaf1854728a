package record

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// FuzzReader feeds arbitrary bytes to the reader: it must never panic, must
// end every input with io.EOF or a *FormatError, and whatever it reads
// completely must survive a write and a second read unchanged.
//
//	go test ./record -run '^$' -fuzz FuzzReader -fuzztime 30s
func FuzzReader(f *testing.F) {
	evs := sampleEvents()[:5]
	good := encode(f, sampleHeader(), evs, true)
	f.Add(good)
	if v1, err := os.ReadFile("testdata/v1.bin"); err == nil {
		f.Add(v1)
	}
	f.Add(encode(f, Header{Arch: "arm64"}, nil, true))
	f.Add(encode(f, Header{Arch: "amd64"}, evs[3:4], true))
	f.Add(encode(f, sampleHeader(), evs, false))
	f.Add(good[:len(good)/2])
	f.Add(patch(good, 8, 3))
	stacked := sampleHeader()
	stacked.Stacks = true
	sevs := sampleEvents()[:2]
	sevs[1].Stack = []event.Frame{{Addr: 1, Module: "/m", Offset: 2, Symbol: "s", SymOff: 3}, {Addr: 4}}
	f.Add(encode(f, stacked, sevs, true))
	f.Add([]byte(Magic))
	f.Add([]byte("not a recording at all"))
	f.Fuzz(func(t *testing.T, data []byte) {
		hdr, got, err := readAll(data)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FormatError", err, err)
			}
			if errors.Is(err, io.EOF) {
				t.Fatalf("bad input error %v wraps io.EOF", err)
			}
			return
		}
		again := encode(t, *hdr, got, true)
		hdr2, got2, err := readAll(again)
		if err != nil {
			t.Fatalf("re-reading what was read: %v", err)
		}
		// The writer picks the lowest version the content needs.
		hdr.Version, hdr2.Version = 0, 0
		if diff := cmp.Diff(hdr, hdr2); diff != "" {
			t.Fatalf("header changed by a round trip (-first +second):\n%s", diff)
		}
		if diff := cmp.Diff(normalize(got), got2, eventOpts); diff != "" {
			t.Fatalf("events changed by a round trip (-first +second):\n%s", diff)
		}
	})
}

// normalize drops what the format does not keep, so that round trips of
// fuzzed events compare equal.
func normalize(evs []event.Event) []event.Event {
	out := make([]event.Event, len(evs))
	for i, ev := range evs {
		if ev.Kind == event.Lost {
			ev = event.Event{Kind: ev.Kind, Flags: ev.Flags, PID: ev.PID, TID: ev.TID, TS: ev.TS, LostN: ev.LostN}
		}
		out[i] = ev
	}
	return out
}

func TestFuzzSeedsRead(t *testing.T) {
	// The valid seeds must read cleanly, or the fuzzer starts from nothing.
	_, got, err := readAll(encode(t, sampleHeader(), sampleEvents()[:5], true))
	if err != nil || len(got) != 5 {
		t.Fatalf("read %d events, err %v", len(got), err)
	}
	if !bytes.HasPrefix(encode(t, Header{Arch: "x"}, nil, true), []byte(Magic)) {
		t.Fatal("no magic")
	}
}
