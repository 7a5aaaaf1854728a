package record

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// open32 is i386's open(2), made in 32-bit mode.
var open32 = event.Event{Kind: event.Syscall, Flags: event.Compat, PID: 7, TID: 7, Nr: 5, Comm: "m32", Ret: -2,
	Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("marker")}}}

// writeFile records evs into a regular file and returns its bytes.
func writeFile(t *testing.T, hdr Header, evs []event.Event) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rec.bin")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := NewWriter(f, hdr)
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if err := w.Write(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCompatVersion: a recording is version 3 only once it holds a call
// made in 32-bit mode (raised in place in a file, from the start in a
// pipe), and that call reads back with its flag.
func TestCompatVersion(t *testing.T) {
	native := event.Event{Kind: event.Syscall, PID: 7, TID: 7, Nr: 2, Comm: "x"}
	hdr := Header{Arch: "amd64", Compat: true}
	for _, tc := range []struct {
		name    string
		data    []byte
		version uint32
		want    []event.Event
	}{
		{"file without 32-bit calls", writeFile(t, hdr, []event.Event{native}), 1, []event.Event{native}},
		{"file with one", writeFile(t, hdr, []event.Event{native, open32}), 3, []event.Event{native, open32}},
		{"stacks file with one", writeFile(t, Header{Arch: "amd64", Compat: true, Stacks: true}, []event.Event{open32}), 3, []event.Event{open32}},
		{"stream", encode(t, hdr, []event.Event{native}, true), 3, []event.Event{native}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v := le.Uint32(tc.data[8:]); v != tc.version {
				t.Errorf("version %d, want %d", v, tc.version)
			}
			r, err := NewReader(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if r.Header().Compat != (tc.version == 3) {
				t.Errorf("Header().Compat = %v for version %d", r.Header().Compat, tc.version)
			}
			var got []event.Event
			for {
				var ev event.Event
				if err := r.Next(&ev); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				if len(ev.Data) == 0 {
					ev.Data = nil
				}
				got = append(got, ev)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCompatRefused: a header without Compat takes no 32-bit call, and a
// version 1 or 2 recording with the COMPAT flag is corrupt.
func TestCompatRefused(t *testing.T) {
	w, err := NewWriter(io.Discard, Header{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&open32); err == nil {
		t.Error("a 32-bit call written into a recording without Compat")
	}
	data := writeFile(t, Header{Arch: "amd64", Compat: true}, []event.Event{open32})
	copy(data[8:], le.AppendUint32(nil, 2))
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var ev event.Event
	if err := r.Next(&ev); !errors.Is(err, ErrCorrupt) {
		t.Errorf("version 2 with COMPAT: %v, want %v", err, ErrCorrupt)
	}
}
