package format

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// TestStraceEdgeArgs checks the argument rules of issue 21 on calls whose
// arguments are all numbers: the lines are what strace 6.1 printed for
// testdata/edgecases.c (with the results made -1 EINVAL).
func TestStraceEdgeArgs(t *testing.T) {
	const cwd = 0xffffff9c
	for _, tc := range []struct {
		name string
		args [6]uint64
		want string
	}{
		// Flags by name, unknown bits with strace's comment.
		{"pidfd_open", [6]uint64{0, 0x800}, "pidfd_open(0, PIDFD_NONBLOCK)"},
		{"pidfd_open", [6]uint64{0xffffffff, 0x1000}, "pidfd_open(-1, 0x1000 /* PIDFD_??? */)"},
		{"fspick", [6]uint64{0xffffffff, 0, 1}, "fspick(-1, NULL, FSPICK_CLOEXEC)"},
		{"fsmount", [6]uint64{0xffffffff, 1, 0x20}, "fsmount(-1, FSMOUNT_CLOEXEC, MOUNT_ATTR_STRICTATIME)"},
		{"open_tree", [6]uint64{0xffffffff, 0, 0x80001}, "open_tree(-1, NULL, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC)"},
		{"faccessat", [6]uint64{cwd, 0, 8}, "faccessat(AT_FDCWD, NULL, 0x8 /* ?_OK */)"},
		{"faccessat2", [6]uint64{cwd, 0, 4, 0x100}, "faccessat2(AT_FDCWD, NULL, R_OK, AT_SYMLINK_NOFOLLOW)"},
		{"unlinkat", [6]uint64{cwd, 0, 0x200}, "unlinkat(AT_FDCWD, NULL, AT_REMOVEDIR)"},
		{"openat", [6]uint64{cwd, 0, 0x40000241, 0o644}, "openat(AT_FDCWD, NULL, O_WRONLY|O_CREAT|O_TRUNC|0x40000000, 0644)"},
		{"fallocate", [6]uint64{0xffffffff, 3, 0, 1}, "fallocate(-1, FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE, 0, 1)"},
		{"mlock2", [6]uint64{0, 0, 2}, "mlock2(NULL, 0, 0x2 /* MLOCK_??? */)"},
		{"socket", [6]uint64{2, 0x101, 0}, "socket(AF_INET, SOCK_STREAM|0x100 /* SOCK_??? */, IPPROTO_IP)"},
		{"sendto", [6]uint64{0xffffffff, 0, 0, 0x80000000}, "sendto(-1, NULL, 0, MSG_CMSG_COMPAT, NULL, 0)"},
		{"timerfd_create", [6]uint64{1, 1}, "timerfd_create(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME)"},
		{"timer_settime", [6]uint64{0, 2}, "timer_settime(0, 0x2 /* TIMER_??? */, NULL, NULL)"},
		{"mmap", [6]uint64{0, 0, 0x10, 0x40000000, 0xffffffff, 0}, "mmap(NULL, 0, 0x10 /* PROT_??? */, MAP_FILE|16<<MAP_HUGE_SHIFT, -1, 0)"},
		{"fanotify_init", [6]uint64{0x99, 0}, "fanotify_init(FAN_CLASS_PRE_CONTENT|FAN_CLOEXEC|FAN_UNLIMITED_QUEUE|FAN_REPORT_PIDFD, O_RDONLY)"},
		{"pidfd_getfd", [6]uint64{0xffffffff, 3, 1}, "pidfd_getfd(-1, 3, 0x1)"},
		{"fcntl", [6]uint64{0xffffffff, 2, 3}, "fcntl(-1, F_SETFD, FD_CLOEXEC|0x2)"},
		{"fcntl", [6]uint64{0xffffffff, 1033, 0x40}, "fcntl(-1, F_ADD_SEALS, 0x40 /* F_SEAL_??? */)"},
		{"fcntl", [6]uint64{0xffffffff, 1024, 9}, "fcntl(-1, F_SETLEASE, 0x9 /* F_??? */)"},
		{"fcntl", [6]uint64{0xffffffff, 1026, 0x80000000}, "fcntl(-1, F_NOTIFY, DN_MULTISHOT)"},
		{"umask", [6]uint64{0o777777}, "umask(0177777)"},
		// Constants no table names.
		{"prctl", [6]uint64{0x43}, "prctl(0x43 /* PR_??? */, 0, 0, 0, 0)"},
		{"lseek", [6]uint64{0xffffffff, 0, 9}, "lseek(-1, 0, 0x9 /* SEEK_??? */)"},
		{"kcmp", [6]uint64{0, 0, 0x55}, "kcmp(0, 0, 0x55 /* KCMP_??? */, 0, 0)"},
		{"membarrier", [6]uint64{0x800, 0}, "membarrier(0x800 /* MEMBARRIER_CMD_??? */, 0)"},
		{"membarrier", [6]uint64{0, 1, 0}, "membarrier(MEMBARRIER_CMD_QUERY, MEMBARRIER_CMD_FLAG_CPU, 0)"},
		{"syslog", [6]uint64{0x99}, "syslog(153 /* SYSLOG_ACTION_??? */, NULL, 0)"},
		{"arch_prctl", [6]uint64{0x9999}, "arch_prctl(0x9999 /* ARCH_??? */, 0)"},
		{"reboot", [6]uint64{0, 0, 0}, "reboot(0 /* LINUX_REBOOT_MAGIC_??? */, 0 /* LINUX_REBOOT_MAGIC_??? */, LINUX_REBOOT_CMD_CAD_OFF)"},
		{"sched_setscheduler", [6]uint64{0, 0x99}, "sched_setscheduler(0, 0x99 /* SCHED_??? */, NULL)"},
		{"setsockopt", [6]uint64{0xffffffff, 0x99, 1}, "setsockopt(-1, 0x99 /* SOL_?? */, 1, NULL, 0)"},
		{"set_mempolicy", [6]uint64{0x99}, "set_mempolicy(0x99 /* MPOL_??? */, NULL, 0)"},
		{"futex", [6]uint64{0, 0x99}, "futex(NULL, 0x99 /* FUTEX_??? */, 0, NULL, NULL, 0)"},
		// ioctl requests by name, their argument as strace prints it.
		{"ioctl", [6]uint64{0xffffffff, 0x540b, 2}, "ioctl(-1, TCFLSH, TCIOFLUSH)"},
		{"ioctl", [6]uint64{0xffffffff, 0x5409, 1}, "ioctl(-1, TCSBRK, 1)"},
		{"ioctl", [6]uint64{0xffffffff, 0x5422, 0x1234}, "ioctl(-1, TIOCNOTTY)"},
		{"ioctl", [6]uint64{0xffffffff, 0x8912}, "ioctl(-1, SIOCGIFCONF, NULL)"},
		{"ioctl", [6]uint64{0xffffffff, 0x80081272}, "ioctl(-1, BLKGETSIZE64, NULL)"},
		{"ioctl", [6]uint64{0xffffffff, 0x1261}, "ioctl(-1, BLKFLSBUF)"},
		{"ioctl", [6]uint64{0xffffffff, 0x4c00, 3}, "ioctl(-1, LOOP_SET_FD, 3)"},
		{"ioctl", [6]uint64{0xffffffff, 0x80087601}, "ioctl(-1, FS_IOC_GETVERSION, 0)"},
		{"ioctl", [6]uint64{0xffffffff, 0xc0502100}, "ioctl(-1, SECCOMP_IOCTL_NOTIF_RECV, NULL)"},
		{"ioctl", [6]uint64{0xffffffff, 0x2400}, "ioctl(-1, PERF_EVENT_IOC_ENABLE, 0)"},
		{"ioctl", [6]uint64{0xffffffff, 0xdead}, "ioctl(-1, _IOC(_IOC_NONE, 0xde, 0xad, 0), 0)"},
	} {
		tab := fuzzTables[0]
		ev := &event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: int32(tab.ByName(tc.name).Nr), Args: tc.args, Ret: -22}
		want := tc.want + " = -1 EINVAL (Invalid argument)"
		if d := cmp.Diff(want, string(AppendStrace(nil, ev, tab, StraceOptions{Column: 1}))); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}
