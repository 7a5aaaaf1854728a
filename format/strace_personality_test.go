package format

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestStracePersonalityLines: a call made in 32-bit mode is decoded with
// the i386 table and the switches are marked per thread, as strace does;
// QuietPersonality (-q) leaves the marks out.
func TestStracePersonalityLines(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	path := []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("marker")}}
	evs := []event.Event{
		{Kind: event.Syscall, PID: 7, TID: 7, Nr: 5, Flags: event.Compat, Ret: -2, Data: path}, // i386 open
		{Kind: event.Syscall, PID: 7, TID: 7, Nr: 6, Flags: event.Compat, Ret: 0, Args: [6]uint64{3}},
		{Kind: event.Syscall, PID: 7, TID: 7, Nr: 3, Ret: 0, Args: [6]uint64{4}}, // x86_64 close
	}
	render := func(o StraceOptions) []string {
		s := NewStrace(tab, o)
		var out []string
		for i := range evs {
			out = append(out, strings.Split(string(s.Append(nil, &evs[i])), "\n")...)
		}
		return out
	}
	want := []string{
		"[ Process PID=7 runs in 32 bit mode. ]",
		`open("marker", O_RDONLY)                = -1 ENOENT (No such file or directory)`,
		"close(3)                                = 0",
		"[ Process PID=7 runs in 64 bit mode. ]",
		"close(4)                                = 0",
	}
	if diff := cmp.Diff(want, render(StraceOptions{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	quiet := []string{want[1], want[2], want[4]}
	if diff := cmp.Diff(quiet, render(StraceOptions{QuietPersonality: true})); diff != "" {
		t.Errorf("quiet (-want +got):\n%s", diff)
	}
	// ev.strace() renders one call, with no memory of the thread's mode.
	if got := string(AppendStrace(nil, &evs[0], tab, StraceOptions{})); got != want[1] {
		t.Errorf("AppendStrace = %q, want %q", got, want[1])
	}
}
