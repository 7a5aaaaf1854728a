package format

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// le64 lays out 64-bit little-endian words, as the kernel captures structs.
func le64(words ...uint64) []byte {
	b := make([]byte, 8*len(words))
	for i, w := range words {
		binary.LittleEndian.PutUint64(b[8*i:], w)
	}
	return b
}

func le32(words ...uint32) []byte {
	b := make([]byte, 4*len(words))
	for i, w := range words {
		binary.LittleEndian.PutUint32(b[4*i:], w)
	}
	return b
}

// cloneArgs is glibc's pthread_create struct clone_args (88 bytes):
// flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size,
// tls, set_tid, set_tid_size, cgroup.
func cloneArgs(flags, sig uint64) []byte {
	return le64(flags, 0, 0x7f1c2a5ff990, 0x7f1c2a5ff990, sig, 0x7f1c29dff000, 0x7fff80, 0x7f1c2a5ff6c0, 0, 0, 0)
}

// TestStraceProcessCalls renders calls the fidelity workloads showed
// differing from strace 6.1, with the lines strace printed for them.
func TestStraceProcessCalls(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	nr := func(name string) int32 { return int32(tab.ByName(name).Nr) }
	const threadFlags = 0x3d0f00 // CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID
	statfs := le64(0xef53, 4096, 66053021, 61594552, 19416847, 16777216, 16345292, 0xb4e3e920a908cd57, 255, 4096, 0x1020, 0, 0, 0, 0)
	for _, tc := range []struct {
		name string
		ev   event.Event
		want string
	}{
		{"clone3 thread", event.Event{Nr: nr("clone3"), Args: [6]uint64{0x7ffd5a3e2a40, 88}, Ret: 2145,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: cloneArgs(threadFlags, 0)}}},
			`clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f1c2a5ff990, parent_tid=0x7f1c2a5ff990, exit_signal=0, stack=0x7f1c29dff000, stack_size=0x7fff80, tls=0x7f1c2a5ff6c0} => {parent_tid=[2145]}, 88) = 2145`},
		{"clone3 fork", event.Event{Nr: nr("clone3"), Args: [6]uint64{0x7ffd5a3e2a40, 88}, Ret: 3621,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: le64(0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0)}}},
			`clone3({flags=0, exit_signal=SIGCHLD, stack=NULL, stack_size=0}, 88) = 3621`},
		{"clone3 cgroup failed", event.Event{Nr: nr("clone3"), Args: [6]uint64{0x7ffd5a3e2a40, 88}, Ret: -22,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: le64(0x10000000|0x20000000|1<<33, 0, 0, 0, 0x12345, 0, 0, 0, 0, 0, 1234)}}},
			`clone3({flags=CLONE_NEWUSER|CLONE_NEWPID|CLONE_INTO_CGROUP, exit_signal=74565, stack=NULL, stack_size=0, cgroup=1234}, 88) = -1 EINVAL (Invalid argument)`},
		{"clone3 v0 size", event.Event{Nr: nr("clone3"), Args: [6]uint64{0x7ffd5a3e2a40, 64}, Ret: -22,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: le64(1<<33, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1234)}}},
			`clone3({flags=CLONE_INTO_CGROUP, exit_signal=0, stack=NULL, stack_size=0}, 64) = -1 EINVAL (Invalid argument)`},
		{"clone3 pidfd", event.Event{Nr: nr("clone3"), Args: [6]uint64{0x7ffd5a3e2a40, 88}, Ret: 4017,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: le64(0x1000, 0x7fffff3f6e6c, 0, 0, 17, 0, 0, 0, 0, 0, 0)},
				{Arg: 0, Kind: event.BufOut, Bytes: le32(3)}}},
			`clone3({flags=CLONE_PIDFD, pidfd=0x7fffff3f6e6c, exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {pidfd=[3]}, 88) = 4017`},
		{"clone3 pidfd parent_tid", event.Event{Nr: nr("clone3"), Args: [6]uint64{0x7ffd5a3e2a40, 88}, Ret: 4018,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: le64(0x1000|0x100000, 0x7fffff3f6e6c, 0, 0x7fffff3f6e70, 17, 0, 0, 0, 0, 0, 0)},
				{Arg: 0, Kind: event.BufOut, Bytes: le32(4)}}},
			`clone3({flags=CLONE_PIDFD|CLONE_PARENT_SETTID, pidfd=0x7fffff3f6e6c, parent_tid=0x7fffff3f6e70, exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {pidfd=[4], parent_tid=[4018]}, 88) = 4018`},
		{"clone3 set_tid", event.Event{Nr: nr("clone3"), Args: [6]uint64{0x7ffd5a3e2a40, 88}, Ret: -22,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: append(le64(0, 0, 0, 0, 17, 0, 0, 0, 0x7ffd5a3e2a00, 2, 0), le32(999999, 1)...)}}},
			`clone3({flags=0, exit_signal=SIGCHLD, stack=NULL, stack_size=0, set_tid=[999999, 1], set_tid_size=2}, 88) = -1 EINVAL (Invalid argument)`},
		{"clone3 set_tid unread", event.Event{Nr: nr("clone3"), Args: [6]uint64{0x7ffd5a3e2a40, 88}, Ret: -14,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: le64(0, 0, 0, 0, 17, 0, 0, 0, 0x10, 1, 0)}}},
			`clone3({flags=0, exit_signal=SIGCHLD, stack=NULL, stack_size=0, set_tid=0x10, set_tid_size=1}, 88) = -1 EFAULT (Bad address)`},
		{"mincore", event.Event{Nr: nr("mincore"), Args: [6]uint64{0x7fcba3b0b000, 20480, 0x7ffd5a3e2a00},
			Data: []event.Data{{Arg: 2, Kind: event.BufOut, Bytes: []byte{1, 0, 1, 0, 0}}}},
			`mincore(0x7fcba3b0b000, 20480, [1, 0, 1, 0, 0]) = 0`},
		{"mincore many", event.Event{Nr: nr("mincore"), Args: [6]uint64{0x7fcba3b0b000, 40 * 4096, 0x7ffd5a3e2a00},
			Data: []event.Data{{Arg: 2, Kind: event.BufOut, Bytes: make([]byte, 32)}}},
			`mincore(0x7fcba3b0b000, 163840, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...]) = 0`},
		{"mincore failed", event.Event{Nr: nr("mincore"), Args: [6]uint64{0x7fcba3b0b001, 4096, 0x7ffd5a3e2a00}, Ret: -22},
			`mincore(0x7fcba3b0b001, 4096, 0x7ffd5a3e2a00) = -1 EINVAL (Invalid argument)`},
		{"clone3 efault", event.Event{Nr: nr("clone3"), Args: [6]uint64{8, 88}, Ret: -14},
			`clone3(0x8, 88)                         = -1 EFAULT (Bad address)`},
		{"clone parent_tid", event.Event{Nr: nr("clone"), Args: [6]uint64{0x100011 | 0x200000, 0, 0x7ffc1000, 0x7f00a10, 0}, Ret: 1288},
			`clone(child_stack=NULL, flags=CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD, parent_tid=[1288], child_tidptr=0x7f00a10) = 1288`},
		{"futex wait bitset", event.Event{Nr: nr("futex"), Args: [6]uint64{0x7f1c2a5ff990, 0x189, 2145, 0, 0, 0xffffffff}},
			`futex(0x7f1c2a5ff990, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 2145, NULL, FUTEX_BITSET_MATCH_ANY) = 0`},
		{"futex wait bitset timeout", event.Event{Nr: nr("futex"), Args: [6]uint64{0x5638de6f2018, 0x89, 1, 0x7ffc0, 0, 7}, Ret: -11,
			Data: []event.Data{{Arg: 3, Kind: event.BufIn, Bytes: le64(1, 2)}}},
			`futex(0x5638de6f2018, FUTEX_WAIT_BITSET_PRIVATE, 1, {tv_sec=1, tv_nsec=2}, 0x7) = -1 EAGAIN (Resource temporarily unavailable)`},
		{"futex wake bitset", event.Event{Nr: nr("futex"), Args: [6]uint64{0x5638de6f2018, 0x8a, 1, 0, 0x5638de6f2020, 0xffffffff}},
			`futex(0x5638de6f2018, FUTEX_WAKE_BITSET_PRIVATE, 1, FUTEX_BITSET_MATCH_ANY) = 0`},
		{"futex wake", event.Event{Nr: nr("futex"), Args: [6]uint64{0x5638de6f2018, 0x81, 1, 0, 0, 3}, Ret: 1},
			`futex(0x5638de6f2018, FUTEX_WAKE_PRIVATE, 1) = 1`},
		{"futex requeue", event.Event{Nr: nr("futex"), Args: [6]uint64{0x5638de6f2018, 0x83, 1, 2, 0x5638de6f2020, 3}},
			`futex(0x5638de6f2018, FUTEX_REQUEUE_PRIVATE, 1, 2, 0x5638de6f2020) = 0`},
		{"futex cmp requeue", event.Event{Nr: nr("futex"), Args: [6]uint64{0x5638de6f2018, 0x84, 1, 2, 0x5638de6f2020, 5}},
			`futex(0x5638de6f2018, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, 0x5638de6f2020, 5) = 0`},
		{"futex wake op", event.Event{Nr: nr("futex"), Args: [6]uint64{0x5638de6f2018, 0x85, 1, 1, 0x5638de6f2020, 0x04000001}},
			`futex(0x5638de6f2018, FUTEX_WAKE_OP_PRIVATE, 1, 1, 0x5638de6f2020, FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1) = 0`},
		{"futex unlock pi", event.Event{Nr: nr("futex"), Args: [6]uint64{0x5638de6f2018, 0x87, 1, 1, 0x5638de6f2020, 3}, Ret: -1},
			`futex(0x5638de6f2018, FUTEX_UNLOCK_PI_PRIVATE) = -1 EPERM (Operation not permitted)`},
		{"rt_sigaction flags", event.Event{Nr: nr("rt_sigaction"), Args: [6]uint64{33, 0x7ffc10, 0, 8},
			Data: []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: le64(0x7f1c2a694870, 0x1c000004, 0x7f1c2a642520, 0)}}},
			`rt_sigaction(SIGRT_1, {sa_handler=0x7f1c2a694870, sa_mask=[], sa_flags=SA_RESTORER|SA_ONSTACK|SA_RESTART|SA_SIGINFO, sa_restorer=0x7f1c2a642520}, NULL, 8) = 0`},
		{"rt_sigaction NULL restorer", event.Event{Nr: nr("rt_sigaction"), Args: [6]uint64{10, 0x7ffc10, 0, 8},
			Data: []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: le64(0, 0x04000001, 0, 0)}}},
			`rt_sigaction(SIGUSR1, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER|SA_NOCLDSTOP, sa_restorer=NULL}, NULL, 8) = 0`},
		{"socket flags", event.Event{Nr: nr("socket"), Args: [6]uint64{1, 0x80801, 0}, Ret: 3},
			`socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3`},
		{"getgroups none", event.Event{Nr: nr("getgroups"), Args: [6]uint64{0, 0}},
			`getgroups(0, NULL)                      = 0`},
		{"getgroups empty", event.Event{Nr: nr("getgroups"), Args: [6]uint64{4, 0x7ffe635c1dd0}},
			`getgroups(4, [])                        = 0`},
		{"getgroups two", event.Event{Nr: nr("getgroups"), Args: [6]uint64{4, 0x7ffe635c1dd0}, Ret: 2,
			Data: []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: le32(0, 1)}}},
			`getgroups(4, [0, 1])                    = 2`},
		{"getgroups einval", event.Event{Nr: nr("getgroups"), Args: [6]uint64{0xffffffff, 0x7ffe635c1dd0}, Ret: -22},
			`getgroups(-1, 0x7ffe635c1dd0)           = -1 EINVAL (Invalid argument)`},
		{"setgroups", event.Event{Nr: nr("setgroups"), Args: [6]uint64{2, 0x7ffe635c1dd0},
			Data: []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: le32(0, 1)}}},
			`setgroups(2, [0, 1])                    = 0`},
		{"setgroups efault", event.Event{Nr: nr("setgroups"), Args: [6]uint64{1, 8}, Ret: -14},
			`setgroups(1, 0x8)                       = -1 EFAULT (Bad address)`},
		{"sched_getaffinity", event.Event{Nr: nr("sched_getaffinity"), Args: [6]uint64{0, 128, 0x7ffe635c1dd0}, Ret: 32,
			Data: []event.Data{{Arg: 2, Kind: event.BufOut, Bytes: append(le64(3, 0, 0), 0, 0, 0, 0, 0, 0, 0, 0x80)}}},
			`sched_getaffinity(0, 128, [0 1 255])    = 32`},
		{"sched_getaffinity efault", event.Event{Nr: nr("sched_getaffinity"), Args: [6]uint64{0, 8, 8}, Ret: -14},
			`sched_getaffinity(0, 8, 0x8)            = -1 EFAULT (Bad address)`},
		{"sched_setaffinity", event.Event{Nr: nr("sched_setaffinity"), Args: [6]uint64{0, 8, 0x7ffe635c1dd0},
			Data: []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: le64(2)}}},
			`sched_setaffinity(0, 8, [1])            = 0`},
		{"fstatfs", event.Event{Nr: nr("fstatfs"), Args: [6]uint64{6, 0x7ffe635c1dd0},
			Data: []event.Data{{Arg: 1, Kind: event.BufOut, Bytes: statfs}}},
			`fstatfs(6, {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=66053021, f_bfree=61594552, f_bavail=19416847, f_files=16777216, f_ffree=16345292, f_fsid={val=[0xa908cd57, 0xb4e3e920]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0`},
		{"statfs proc", event.Event{Nr: nr("statfs"), Args: [6]uint64{0x55, 0x7ffe635c1dd0},
			Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("/proc")},
				{Arg: 1, Kind: event.BufOut, Bytes: le64(0x9fa0, 4096, 0, 0, 0, 0, 0, 0x15, 255, 4096, 0x1020, 0, 0, 0, 0)}}},
			`statfs("/proc", {f_type=PROC_SUPER_MAGIC, f_bsize=4096, f_blocks=0, f_bfree=0, f_bavail=0, f_files=0, f_ffree=0, f_fsid={val=[0x15, 0]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0`},
		{"statfs enoent", event.Event{Nr: nr("statfs"), Args: [6]uint64{0x55, 0x7ffe635c1d50}, Ret: -2,
			Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("/nonexist")}}},
			`statfs("/nonexist", 0x7ffe635c1d50)     = -1 ENOENT (No such file or directory)`},
		{"pselect6 NULL sigmask", event.Event{Nr: nr("pselect6"), Args: [6]uint64{0, 0, 0, 0, 0, 0x7ffe635c1d50},
			Data: []event.Data{{Arg: 5, Kind: event.BufIn, Bytes: le64(0, 8)}}},
			`pselect6(0, NULL, NULL, NULL, NULL, {sigmask=NULL, sigsetsize=8}) = 0 (Timeout)`},
		{"pselect6 sigmask read", event.Event{Nr: nr("pselect6"), Args: [6]uint64{0, 0, 0, 0, 0, 0x7ffe635c1d50},
			Data: []event.Data{{Arg: 5, Kind: event.BufIn, Bytes: le64(0x7ffe635c1d70, 8, 1<<1|1<<9)}}},
			`pselect6(0, NULL, NULL, NULL, NULL, {sigmask=[INT USR1], sigsetsize=8}) = 0 (Timeout)`},
		{"pselect6 sigmask unread", event.Event{Nr: nr("pselect6"), Args: [6]uint64{0, 0, 0, 0, 0, 0x7ffe635c1d50},
			Data: []event.Data{{Arg: 5, Kind: event.BufIn, Bytes: le64(0x7ffe635c1d70, 8)}}},
			`pselect6(0, NULL, NULL, NULL, NULL, {sigmask=0x7ffe635c1d70, sigsetsize=8}) = 0 (Timeout)`},
		{"rt_sigaction sign-extended flags", event.Event{Nr: nr("rt_sigaction"), Args: [6]uint64{2, 0x7ffc10, 0, 8},
			Data: []event.Data{{Arg: 1, Kind: event.BufIn, Bytes: le64(0x5638d3bad6a0, 0xffffffffc4000000, 0x7f77d2aa6050, 0x202)}}},
			`rt_sigaction(SIGINT, {sa_handler=0x5638d3bad6a0, sa_mask=[INT USR1], sa_flags=SA_RESTORER|SA_NODEFER|SA_RESETHAND|0xffffffff00000000, sa_restorer=0x7f77d2aa6050}, NULL, 8) = 0`},
		{"umask 022", event.Event{Nr: nr("umask"), Args: [6]uint64{0o22}, Ret: 0o22},
			`umask(022)                              = 022`},
		{"umask 000", event.Event{Nr: nr("umask"), Args: [6]uint64{0}, Ret: 0o22},
			`umask(000)                              = 022`},
		{"umask 007", event.Event{Nr: nr("umask"), Args: [6]uint64{0o7}},
			`umask(007)                              = 000`},
		{"mkdir 007", event.Event{Nr: nr("mkdir"), Args: [6]uint64{0x55, 0o7},
			Data: []event.Data{{Arg: 0, Kind: event.Str, Bytes: []byte("/tmp/um.d")}}},
			`mkdir("/tmp/um.d", 007)                 = 0`},
		{"openat 0644", event.Event{Nr: nr("openat"), Args: [6]uint64{0xffffff9c, 0x55, 0o101, 0o644}, Ret: 3,
			Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/tmp/um.x")}}},
			`openat(AT_FDCWD, "/tmp/um.x", O_WRONLY|O_CREAT, 0644) = 3`},
		{"statx all", event.Event{Nr: nr("statx"), Args: [6]uint64{0xffffff9c, 0x55, 0x900, 0xfff, 0x7ffc},
			Data: []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("d/f")},
				{Arg: 4, Kind: event.BufOut, Bytes: append(le32(0x1fff, 4096, 0, 0, 0, 1, 0, 0x8180), make([]byte, 256-32)...)}}},
			`statx(AT_FDCWD, "d/f", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0600, stx_size=0, ...}) = 0`},
		{"clock_nanosleep rem", event.Event{Nr: nr("clock_nanosleep"), Args: [6]uint64{0, 0, 0x7fff66ca8130, 0x7fff66ca8120},
			Data: []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: le64(0, 10000000)}}},
			`clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=10000000}, 0x7fff66ca8120) = 0`},
		{"clock_nanosleep interrupted", event.Event{Nr: nr("clock_nanosleep"), Args: [6]uint64{0, 0, 0x7fff66ca8130, 0x7fff66ca8120}, Ret: -516,
			Data: []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: le64(1, 0)}, {Arg: 3, Kind: event.BufOut, Bytes: le64(0, 950049953)}}},
			`clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=1, tv_nsec=0}, {tv_sec=0, tv_nsec=950049953}) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)`},
		{"ioctl FICLONE", event.Event{Nr: nr("ioctl"), Args: [6]uint64{3, 0x40049409, 4}, Ret: -22},
			`ioctl(3, BTRFS_IOC_CLONE or FICLONE, 4) = -1 EINVAL (Invalid argument)`},
		{"ioctl TIOCGPTN", event.Event{Nr: nr("ioctl"), Args: [6]uint64{3, 0x80045430, 0x7ffc}, Data: []event.Data{{Arg: 2, Kind: event.BufOut, Bytes: le32(5)}}},
			`ioctl(3, TIOCGPTN, [5])                 = 0`},
		{"ioctl TIOCSPTLCK", event.Event{Nr: nr("ioctl"), Args: [6]uint64{3, 0x40045431, 0x7ffc}, Data: []event.Data{{Arg: 2, Kind: event.BufIn, Bytes: le32(0)}}},
			`ioctl(3, TIOCSPTLCK, [0])               = 0`},
		{"setsockopt int", event.Event{Nr: nr("setsockopt"), Args: [6]uint64{3, 1, 2, 0x7ffd85acd254, 4},
			Data: []event.Data{{Arg: 3, Kind: event.BufIn, Bytes: le32(1)}}},
			`setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0`},
		{"setsockopt tcp", event.Event{Nr: nr("setsockopt"), Args: [6]uint64{3, 6, 1, 0x7ffd85acd254, 4},
			Data: []event.Data{{Arg: 3, Kind: event.BufIn, Bytes: le32(1)}}},
			`setsockopt(3, SOL_TCP, TCP_NODELAY, [1], 4) = 0`},
		{"setsockopt ip", event.Event{Nr: nr("setsockopt"), Args: [6]uint64{3, 0, 11, 0x7ffd85acd254, 4},
			Data: []event.Data{{Arg: 3, Kind: event.BufIn, Bytes: le32(1)}}},
			`setsockopt(3, SOL_IP, IP_RECVERR, [1], 4) = 0`},
		{"setsockopt linger", event.Event{Nr: nr("setsockopt"), Args: [6]uint64{3, 1, 13, 0x7ffd85acd254, 8},
			Data: []event.Data{{Arg: 3, Kind: event.BufIn, Bytes: le32(1, 5)}}},
			`setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8) = 0`},
		{"setsockopt unknown", event.Event{Nr: nr("setsockopt"), Args: [6]uint64{3, 1, 999, 0x7ffd85acd254, 4}, Ret: -92,
			Data: []event.Data{{Arg: 3, Kind: event.BufIn, Bytes: le32(1)}}},
			`setsockopt(3, SOL_SOCKET, 0x3e7 /* SO_??? */, [1], 4) = -1 ENOPROTOOPT (Protocol not available)`},
		{"setsockopt device", event.Event{Nr: nr("setsockopt"), Args: [6]uint64{3, 1, 25, 0x55, 3},
			Data: []event.Data{{Arg: 3, Kind: event.BufIn, Bytes: []byte("lo\x00")}}},
			`setsockopt(3, SOL_SOCKET, SO_BINDTODEVICE, "lo\0", 3) = 0`},
		{"setsockopt short", event.Event{Nr: nr("setsockopt"), Args: [6]uint64{3, 1, 2, 0x7ffd85acd254, 2}, Ret: -22,
			Data: []event.Data{{Arg: 3, Kind: event.BufIn, Bytes: []byte{1, 0}}}},
			`setsockopt(3, SOL_SOCKET, SO_REUSEADDR, 0x7ffd85acd254, 2) = -1 EINVAL (Invalid argument)`},
		{"setsockopt ipv6", event.Event{Nr: nr("setsockopt"), Args: [6]uint64{4, 41, 26, 0x7ffd85acd254, 4},
			Data: []event.Data{{Arg: 3, Kind: event.BufIn, Bytes: le32(1)}}},
			`setsockopt(4, SOL_IPV6, IPV6_V6ONLY, [1], 4) = 0`},
		{"getsockopt int", event.Event{Nr: nr("getsockopt"), Args: [6]uint64{3, 1, 8, 0x7ffd85acd250, 0x7ffd85acd24c},
			Data: []event.Data{{Arg: 4, Kind: event.BufIn, Bytes: le32(4)}, {Arg: 4, Kind: event.BufOut, Bytes: le32(4)}, {Arg: 3, Kind: event.BufOut, Bytes: le32(131072)}}},
			`getsockopt(3, SOL_SOCKET, SO_RCVBUF, [131072], [4]) = 0`},
		{"getsockopt string", event.Event{Nr: nr("getsockopt"), Args: [6]uint64{3, 6, 13, 0x7ffd85acd250, 0x7ffd85acd24c},
			Data: []event.Data{{Arg: 4, Kind: event.BufIn, Bytes: le32(64)}, {Arg: 4, Kind: event.BufOut, Bytes: le32(16)}, {Arg: 3, Kind: event.BufOut, Bytes: []byte("bbr\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")}}},
			`getsockopt(3, SOL_TCP, TCP_CONGESTION, "bbr\0\0\0\0\0\0\0\0\0\0\0\0\0", [64 => 16]) = 0`},
		{"getsockopt linger short", event.Event{Nr: nr("getsockopt"), Args: [6]uint64{3, 1, 13, 0x7ffd85acd250, 0x7ffd85acd24c},
			Data: []event.Data{{Arg: 4, Kind: event.BufIn, Bytes: le32(4)}, {Arg: 4, Kind: event.BufOut, Bytes: le32(4)}, {Arg: 3, Kind: event.BufOut, Bytes: le32(1)}}},
			`getsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1}, [4]) = 0`},
		{"getsockopt peercred", event.Event{Nr: nr("getsockopt"), Args: [6]uint64{3, 1, 17, 0x7ffd85acd250, 0x7ffd85acd24c},
			Data: []event.Data{{Arg: 4, Kind: event.BufIn, Bytes: le32(12)}, {Arg: 4, Kind: event.BufOut, Bytes: le32(12)}, {Arg: 3, Kind: event.BufOut, Bytes: le32(1, 0, 0)}}},
			`getsockopt(3, SOL_SOCKET, SO_PEERCRED, {pid=1, uid=0, gid=0}, [12]) = 0`},
		{"getsockopt efault", event.Event{Nr: nr("getsockopt"), Args: [6]uint64{3, 1, 4, 0x7ffd85acd250, 8}, Ret: -14},
			`getsockopt(3, SOL_SOCKET, SO_ERROR, 0x7ffd85acd250, 0x8) = -1 EFAULT (Bad address)`},
		{"sigaltstack", event.Event{Nr: nr("sigaltstack"), Args: [6]uint64{0x7ffc10, 0x7ffc40},
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: le64(0x556e3873f2a0, 0, 65536)}, {Arg: 1, Kind: event.BufOut, Bytes: le64(0, 2, 0)}}},
			`sigaltstack({ss_sp=0x556e3873f2a0, ss_flags=0, ss_size=65536}, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0`},
		{"poll more ready than captured", event.Event{Nr: nr("poll"), Args: [6]uint64{0x7ffc10, 3, 0}, Ret: 3,
			Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: append(le32(0, 5), le32(1, 5)...)}, {Arg: 0, Kind: event.BufOut, Bytes: append(le32(0, 0x110005), le32(1, 0x40005)...)}}},
			`poll([{fd=0, events=POLLIN|POLLOUT}, {fd=1, events=POLLIN|POLLOUT}, ...], 3, 0) = 3 ([{fd=0, revents=POLLIN|POLLHUP}, {fd=1, revents=POLLOUT}, ...])`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.ev.Kind = event.Syscall
			got := string(AppendStrace(nil, &tc.ev, tab, StraceOptions{}))
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestClone3Split checks where strace splits clone3 when another thread's
// line comes in between: the struct before "<unfinished ...>", " =>
// {parent_tid=[N]}" and the size after "<... clone3 resumed>".
func TestClone3Split(t *testing.T) {
	tab, _ := syscalls.ForArch("amd64")
	ev := event.Event{Kind: event.Syscall, Nr: int32(tab.ByName("clone3").Nr), Args: [6]uint64{0x7ffd5a3e2a40, 88}, Ret: 2145,
		Data: []event.Data{{Arg: 0, Kind: event.BufIn, Bytes: cloneArgs(0x3d0f00, 0)}}}
	c := &call{s: NewStrace(tab, StraceOptions{}), ev: &ev, sc: tab.ByName("clone3")}
	const args = `{flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f1c2a5ff990, parent_tid=0x7f1c2a5ff990, exit_signal=0, stack=0x7f1c29dff000, stack_size=0x7fff80, tls=0x7f1c2a5ff6c0}`
	for _, tc := range []struct {
		ph   phase
		want string
	}{
		{phaseAll, args + ` => {parent_tid=[2145]}, 88`},
		{phaseEnter, args},
		{phaseExit, ` => {parent_tid=[2145]}, 88`},
	} {
		if d := cmp.Diff(tc.want, string(c.appendArgs(nil, tc.ph))); d != "" {
			t.Errorf("phase %d (-want +got):\n%s", tc.ph, d)
		}
	}
}
