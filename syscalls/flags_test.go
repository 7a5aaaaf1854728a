package syscalls

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFlagFormat(t *testing.T) {
	tests := []struct {
		arch, table string
		v           uint64
		want        string
	}{
		{"amd64", "open_flags", 0, "O_RDONLY"},
		{"amd64", "open_flags", 0x80000, "O_RDONLY|O_CLOEXEC"},
		{"amd64", "open_flags", 0x90800, "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY"},
		{"amd64", "open_flags", 0x241, "O_WRONLY|O_CREAT|O_TRUNC"},
		{"amd64", "open_flags", 0x101002, "O_RDWR|O_SYNC"},
		{"amd64", "open_flags", 0x410000, "O_RDONLY|O_TMPFILE"},
		{"amd64", "open_flags", 3, "0x3"},
		{"amd64", "open_flags", 0x80000000, "O_RDONLY|0x80000000"},
		{"arm64", "open_flags", 0x84000, "O_RDONLY|O_CLOEXEC|O_DIRECTORY"},
		{"arm64", "open_flags", 0x20000, "O_RDONLY|O_LARGEFILE"},
		{"amd64", "at_dirfd", 0xffffff9c, "AT_FDCWD"},
		{"amd64", "at_dirfd", 0xffffffffffffff9c, "AT_FDCWD"},
		{"amd64", "at_dirfd", 3, "3"},
		{"amd64", "at_flags", 0x1000, "AT_EMPTY_PATH"},
		{"amd64", "at_flags", 0x1100, "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH"},
		{"amd64", "at_flags", 0, "0"},
		{"amd64", "access_mode", 0, "F_OK"},
		{"amd64", "access_mode", 6, "R_OK|W_OK"},
		{"amd64", "mmap_prot", 0, "PROT_NONE"},
		{"amd64", "mmap_prot", 3, "PROT_READ|PROT_WRITE"},
		{"arm64", "mmap_prot", 0x15, "PROT_READ|PROT_EXEC|PROT_BTI"},
		{"amd64", "mmap_flags", 0x22, "MAP_PRIVATE|MAP_ANONYMOUS"},
		{"amd64", "mmap_flags", 0x812, "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE"},
		{"amd64", "mmap_flags", 0x42, "MAP_PRIVATE|MAP_32BIT"},
		{"arm64", "mmap_flags", 0x42, "MAP_PRIVATE|0x40"},
		{"amd64", "mode_t", 0o644, "0644"},
		{"amd64", "mode_t", 0, "000"},
		{"amd64", "whence", 1, "SEEK_CUR"},
		{"amd64", "whence", 9, "0x9 /* SEEK_??? */"},
		{"amd64", "fcntl_cmd", 1030, "F_DUPFD_CLOEXEC"},
		{"amd64", "ioctl_cmd", 0x5401, "TCGETS"},
		{"amd64", "ioctl_cmd", 0x5413, "TIOCGWINSZ"},
		{"amd64", "ioctl_cmd", 0x541b, "FIONREAD"},
		{"amd64", "address_family", 1, "AF_UNIX"},
		{"amd64", "address_family", 10, "AF_INET6"},
		{"amd64", "sock_flags", 0x80800, "SOCK_CLOEXEC|SOCK_NONBLOCK"}, // strace's order (xlat/sock_type_flags.in)
		{"amd64", "socket_type", 0x80801, "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK"},
		{"amd64", "socket_type", 2, "SOCK_DGRAM"},
		{"amd64", "clone_flags", 0x1200011, "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"},
		{"amd64", "clone_flags", 0x3d0f00, "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID"},
		{"amd64", "signal", 15, "SIGTERM"},
		{"amd64", "signal", 0, "0"},
		{"amd64", "sigprocmask_how", 2, "SIG_SETMASK"},
		{"amd64", "wait_options", 0x40000001, "WNOHANG|__WALL"},
		{"amd64", "futex_op", 0x80, "FUTEX_WAIT_PRIVATE"},
		{"amd64", "futex_op", 0x189, "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"},
		{"amd64", "clockid", 1, "CLOCK_MONOTONIC"},
		{"amd64", "rusage_who", 0xffffffff, "RUSAGE_CHILDREN"},
		{"amd64", "rlimit_resource", 7, "RLIMIT_NOFILE"},
		{"amd64", "statx_mask", 0xfff, "STATX_BASIC_STATS|STATX_BTIME"},
		{"amd64", "cloexec_flags", 0, "0"},
		{"amd64", "cloexec_flags", 0x80000, "O_CLOEXEC"},
		{"amd64", "mount_flags", 0xc0ed0000 | 0x1000 | 0x4000, "MS_MGC_VAL|MS_BIND|MS_REC"},
		{"amd64", "arch_prctl_code", 0x1002, "ARCH_SET_FS"},
		{"amd64", "prctl_option", 15, "PR_SET_NAME"},
		{"amd64", "sched_policy", 0, "SCHED_OTHER"},
		{"amd64", "flock_op", 6, "LOCK_EX|LOCK_NB"},
	}
	for _, tt := range tests {
		ft := FlagsForArch(tt.arch, tt.table)
		if ft == nil {
			t.Errorf("%s: no table %s", tt.arch, tt.table)
			continue
		}
		if got := ft.Format(tt.v); got != tt.want {
			t.Errorf("%s %s.Format(%#x) = %q, want %q", tt.arch, tt.table, tt.v, got, tt.want)
		}
	}
}

func TestFlagLookup(t *testing.T) {
	if FlagsForArch("amd64", "nope") != nil || FlagsForArch("mips", "open_flags") != nil {
		t.Error("unknown table or arch returned a table")
	}
	if LookupFlags("open_flags") == nil {
		t.Error("LookupFlags(open_flags) = nil")
	}
	arm := mustArch(t, "arm64")
	if v, ok := arm.Flags("open_flags").Lookup("O_DIRECTORY"); !ok || v != 0o40000 {
		t.Errorf("arm64 O_DIRECTORY = %#o, %v", v, ok)
	}
	if v, ok := mustArch(t, "amd64").Flags("open_flags").Lookup("O_DIRECTORY"); !ok || v != 0o200000 {
		t.Errorf("amd64 O_DIRECTORY = %#o, %v", v, ok)
	}
	if FlagsForArch("arm64", "mmap_flags") == nil {
		t.Fatal("no arm64 mmap_flags")
	}
	if _, ok := FlagsForArch("arm64", "mmap_flags").Lookup("MAP_32BIT"); ok {
		t.Error("arm64 has MAP_32BIT")
	}
}

// TestDecodersHaveTables checks that every Flags argument names a table on
// both architectures.
func TestDecodersHaveTables(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64"} {
		tb := mustArch(t, arch)
		var missing []string
		for _, s := range tb.All() {
			for _, a := range s.Args {
				if (a.Kind == Flags || a.Kind == Dirfd) && tb.Flags(a.Decoder) == nil {
					missing = append(missing, s.Name+":"+a.Name+":"+a.Decoder)
				}
			}
		}
		if diff := cmp.Diff([]string(nil), missing); diff != "" {
			t.Errorf("%s: decoders without tables (-want +got):\n%s", arch, diff)
		}
	}
}

func TestSigsetString(t *testing.T) {
	bit := func(sigs ...int) uint64 {
		var m uint64
		for _, s := range sigs {
			m |= 1 << (s - 1)
		}
		return m
	}
	tests := []struct {
		mask uint64
		want string
	}{
		{0, "[]"},
		{bit(2, 15), "[INT TERM]"},
		{bit(17, 32, 33), "[CHLD RTMIN RT_1]"},
		{^uint64(0), "~[]"},
		{^bit(9, 19), "~[KILL STOP]"},
	}
	for _, tt := range tests {
		if got := SigsetString(tt.mask); got != tt.want {
			t.Errorf("SigsetString(%#x) = %q, want %q", tt.mask, got, tt.want)
		}
	}
}
