package session

import (
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/testutil"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// A replay says what the recording lacks for what it is asked to show:
// buffers and structs (made without -S: they print as addresses), a
// larger -S than was recorded, stacks (made without -k).
func TestReplayNotesWhatIsMissing(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	read := tab.ByName("read").Nr
	evs := []event.Event{
		{Kind: event.Syscall, PID: 7, TID: 7, Nr: int32(read), Comm: "cat", Args: [6]uint64{3, 0x7ffe0000, 832}, Ret: 832},
	}
	noBuffers := "strace.ebpf: the recording holds no buffer or struct contents (it was made without -S, or in a format that shows none); they print as addresses\n"
	noStacks := "strace.ebpf: -k: the recording holds no stacks (it was made without -k); none is shown\n"
	for _, tc := range []struct {
		name string
		opts map[string]string // the recording's options
		plan Plan
		want string // the notes, in order
	}{
		{"strace, no buffers", nil, Plan{Format: "strace"}, noBuffers},
		{"json -S, no buffers", nil, Plan{Format: "json", Show: Presentation{StrSize: 32, StrSizeSet: true}}, noBuffers},
		{"json shows none without -S", nil, Plan{Format: "json"}, ""},
		{"hex shows none", nil, Plan{Format: "hex"}, ""},
		{"strace, buffers", map[string]string{"buffers": "32"}, Plan{Format: "strace"}, ""},
		{"-S above the recorded", map[string]string{"buffers": "16"}, Plan{Format: "strace", Show: Presentation{StrSize: 64, StrSizeSet: true}},
			"strace.ebpf: -S 64: the recording holds at most 16 bytes of each buffer (it was made with -S 16)\n"},
		{"-k, no stacks", map[string]string{"buffers": "32"}, Plan{Format: "strace", Show: Presentation{StackTrace: true, StrSize: 32}}, noStacks},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := record.Header{Arch: "amd64", Argv: []string{"strace.ebpf"}, Options: tc.opts}
			rec := testutil.WriteRecording(t, hdr, evs, true)
			if tc.plan.Show.StrSize == 0 {
				tc.plan.Show.StrSize = 32
			}
			out, se, err := replay(t, rec, tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			if se != tc.want {
				t.Errorf("stderr %q, want %q\n%s", se, tc.want, out)
			}
		})
	}
}
