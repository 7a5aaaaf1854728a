package format

import (
	"encoding/binary"
	"testing"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

func TestStracePrctl(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	nr := int32(tab.ByName("prctl").Nr)
	le32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	for _, tt := range []struct {
		name string
		ev   event.Event
		want string
	}{
		{"set name, cut", event.Event{Args: [6]uint64{15, 0x1000}, Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("worker-thread-name")}}},
			`prctl(PR_SET_NAME, "worker-thread-n"...) = 0`},
		{"get name", event.Event{Args: [6]uint64{16, 0x1000}, Data: []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: []byte("cat\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")}}},
			`prctl(PR_GET_NAME, "cat")               = 0`},
		{"get dumpable", event.Event{Args: [6]uint64{3}, Ret: 1}, `prctl(PR_GET_DUMPABLE)                  = 1 (SUID_DUMP_USER)`},
		{"pdeathsig", event.Event{Args: [6]uint64{2, 0x1000}, Data: []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: le32(9)}}},
			`prctl(PR_GET_PDEATHSIG, [SIGKILL])      = 0`},
		{"capability unknown", event.Event{Args: [6]uint64{23, 60}, Ret: -22}, `prctl(PR_CAPBSET_READ, 0x3c /* CAP_??? */) = -1 EINVAL (Invalid argument)`},
		{"no new privs", event.Event{Args: [6]uint64{38, 1}}, `prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  = 0`},
		{"seccomp filter", event.Event{Args: [6]uint64{22, 2, 0x7ffd1000}}, `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, 0x7ffd1000) = 0`},
		{"other option", event.Event{Args: [6]uint64{0x53564d41, 1, 2, 3, 4}, Ret: -22}, `prctl(PR_SET_VMA, 0x1 /* PR_SET_VMA_??? */, 0x2, 0x3, 0x4) = -1 EINVAL (Invalid argument)`},
		{"get name failed", event.Event{Args: [6]uint64{16, 0x1000}, Ret: -14}, `prctl(PR_GET_NAME, 0x1000)              = -1 EFAULT (Bad address)`},
	} {
		ev := tt.ev
		ev.Kind, ev.PID, ev.TID, ev.Nr = event.Syscall, 1, 1, nr
		if got := string(AppendStrace(nil, &ev, tab, StraceOptions{})); got != tt.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.name, got, tt.want)
		}
	}
}
