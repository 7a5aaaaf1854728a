package format

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// TestStraceCalls3 checks issue 21's third-round printers on calls whose
// arguments are numbers: the lines are what strace 6.1 printed for
// testdata/edgecases.c's real mode.
func TestStraceCalls3(t *testing.T) {
	for _, tc := range []struct {
		name string
		args [6]uint64
		ret  int64
		want string
	}{
		{"ioprio_get", [6]uint64{1, 0}, 0, "ioprio_get(IOPRIO_WHO_PROCESS, 0) = 0 (IOPRIO_PRIO_VALUE(IOPRIO_CLASS_NONE, 0))"},
		{"ioprio_get", [6]uint64{3, 0}, 8196, "ioprio_get(IOPRIO_WHO_USER, 0) = 8196 (IOPRIO_PRIO_VALUE(IOPRIO_CLASS_RT, 4))"},
		{"ioprio_get", [6]uint64{9, 0}, -22, "ioprio_get(0x9 /* IOPRIO_WHO_??? */, 0) = -1 EINVAL (Invalid argument)"},
		{"ioprio_set", [6]uint64{1, 0, 2<<13 | 4}, 0, "ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)) = 0"},
		{"ioprio_set", [6]uint64{1, 0, 7<<13 | 1}, -22, "ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(0x7 /* IOPRIO_CLASS_??? */, 1)) = -1 EINVAL (Invalid argument)"},
		{"membarrier", [6]uint64{0, 0}, 0x3ff, "membarrier(MEMBARRIER_CMD_QUERY, 0) = 0x3ff (MEMBARRIER_CMD_GLOBAL|MEMBARRIER_CMD_GLOBAL_EXPEDITED|MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED|MEMBARRIER_CMD_PRIVATE_EXPEDITED|MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED|MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE|MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE|MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ|MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ|0x200)"},
		{"membarrier", [6]uint64{16, 0}, 0, "membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) = 0"},
		{"personality", [6]uint64{0xffffffff}, 0, "personality(0xffffffff) = 0 (PER_LINUX)"},
		{"personality", [6]uint64{0x40008}, 0x40000, "personality(PER_LINUX32|ADDR_NO_RANDOMIZE) = 0x40000 (PER_LINUX|ADDR_NO_RANDOMIZE)"},
		{"personality", [6]uint64{0x99}, -22, "personality(0x99 /* PER_??? */) = -1 EINVAL (Invalid argument)"},
		{"swapon", [6]uint64{0, 0x18000}, -22, "swapon(NULL, SWAP_FLAG_PREFER|SWAP_FLAG_DISCARD|0) = -1 EINVAL (Invalid argument)"},
		{"swapon", [6]uint64{0, 0x100005}, -22, "swapon(NULL, 0x100000 /* SWAP_FLAG_??? */|5) = -1 EINVAL (Invalid argument)"},
		{"ptrace", [6]uint64{0x9999, 0, 0, 0}, -3, "ptrace(0x9999 /* PTRACE_??? */, 0, NULL, NULL) = -1 ESRCH (No such process)"},
		{"prctl", [6]uint64{35, 0x99}, -1, "prctl(PR_SET_MM, 0x99 /* PR_SET_MM_??? */, 0, 0, 0) = -1 EPERM (Operation not permitted)"},
		{"quotactl", [6]uint64{0x99, 0, 0, 0}, -22, "quotactl(QCMD(0 /* Q_??? */, 0x99 /* ???QUOTA */), NULL, 0, NULL) = -1 EINVAL (Invalid argument)"},
		{"quotactl", [6]uint64{0x80000100, 0, 5, 0}, 0, "quotactl(QCMD(Q_SYNC, USRQUOTA), NULL) = 0"},
		{"quotactl", [6]uint64{0x80000401, 0, 5, 0}, 0, "quotactl(QCMD(Q_GETFMT, GRPQUOTA), NULL, NULL) = 0"},
		{"quotactl", [6]uint64{0x80000700, 0, 0xffffffff, 0}, 0, "quotactl(QCMD(Q_GETQUOTA, USRQUOTA), NULL, -1, NULL) = 0"},
		{"mount", [6]uint64{0, 0, 0x10, 0x1000, 0x20}, -22, "mount(NULL, NULL, 0x10, MS_BIND, 0x20) = -1 EINVAL (Invalid argument)"},
		{"mount", [6]uint64{0, 0, 0x10, 0x20, 0}, -22, "mount(NULL, NULL, 0x10, MS_REMOUNT, NULL) = -1 EINVAL (Invalid argument)"},
	} {
		tab := fuzzTables[0]
		ev := &event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: int32(tab.ByName(tc.name).Nr), Args: tc.args, Ret: tc.ret}
		if d := cmp.Diff(tc.want, string(AppendStrace(nil, ev, tab, StraceOptions{Column: 1}))); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}

// TestSiginfoTimer checks a POSIX timer's siginfo (SI_TIMER): the timer's
// id and overrun count, not a sender's pid and uid.
func TestSiginfoTimer(t *testing.T) {
	b := make([]byte, 128)
	le.PutUint32(b[0:], 10)                 // si_signo: SIGUSR1
	le.PutUint32(b[8:], uint32(0xfffffffe)) // si_code: SI_TIMER
	le.PutUint32(b[16:], 3)                 // si_tid
	le.PutUint32(b[20:], 2)                 // si_overrun
	le.PutUint64(b[24:], 42)                // si_value
	want := "{si_signo=SIGUSR1, si_code=SI_TIMER, si_timerid=3, si_overrun=2, si_int=42, si_ptr=0x2a}"
	if d := cmp.Diff(want, string(appendSiginfo(nil, 10, b))); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestStraceSeccompMempolicy checks the memory seccomp and get_mempolicy
// read: seccomp's args by operation, get_mempolicy's mode.
func TestStraceSeccompMempolicy(t *testing.T) {
	u32 := func(v uint32) []byte { b := make([]byte, 16); le.PutUint32(b, v); return b }
	sizes := []byte{80, 0, 24, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for _, tc := range []struct {
		name string
		args [6]uint64
		data []event.Data
		want string
	}{
		{"seccomp", [6]uint64{2, 0, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: u32(0x80000000)}}, "seccomp(SECCOMP_GET_ACTION_AVAIL, 0, [SECCOMP_RET_KILL_PROCESS]) = 0"},
		{"seccomp", [6]uint64{2, 1, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: u32(0x1234)}}, "seccomp(SECCOMP_GET_ACTION_AVAIL, 0x1, [0x1234 /* SECCOMP_RET_??? */]) = 0"},
		{"seccomp", [6]uint64{3, 0, 0x1000}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: u32(0)}, {Arg: 2, Kind: event.BufOut, Bytes: sizes}}, "seccomp(SECCOMP_GET_NOTIF_SIZES, 0, {seccomp_notif=80, seccomp_notif_resp=24, seccomp_data=64}) = 0"},
		{"seccomp", [6]uint64{1, 1, 0}, nil, "seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, NULL) = 0"},
		{"seccomp", [6]uint64{0, 4, 0x1000}, nil, "seccomp(SECCOMP_SET_MODE_STRICT, 0x4, 0x1000) = 0"},
		{"io_uring_register", [6]uint64{3, 2, 0x1000, 2}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: []byte{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}}}, "io_uring_register(3, IORING_REGISTER_FILES, [0, -1], 2) = 0"},
		{"io_uring_register", [6]uint64{3, 2, 0, 2}, nil, "io_uring_register(3, IORING_REGISTER_FILES, NULL, 2) = 0"},
		{"io_uring_register", [6]uint64{3, 0, 0x1000, 1}, []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: make([]byte, 4)}}, "io_uring_register(3, IORING_REGISTER_BUFFERS, 0x1000, 1) = 0"},
		{"mbind", [6]uint64{0x1000, 4096, 2, 0x2000, 130, 0}, []event.Data{{Arg: 3, Kind: event.BufIn, Bytes: []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}}}, "mbind(0x1000, 4096, MPOL_BIND, [0x00000000000001, 0000000000000000, 0x00000000000002], 130, 0) = 0"},
		{"get_mempolicy", [6]uint64{0x1000, 0, 0, 0, 0}, []event.Data{{Arg: 0, Kind: event.BufOut, Bytes: u32(2)[:4]}}, "get_mempolicy([MPOL_BIND], NULL, 0, NULL, 0) = 0"},
	} {
		tab := fuzzTables[0]
		ev := &event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: int32(tab.ByName(tc.name).Nr), Args: tc.args, Data: tc.data}
		if d := cmp.Diff(tc.want, string(AppendStrace(nil, ev, tab, StraceOptions{Column: 1}))); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}
