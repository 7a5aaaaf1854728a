package syscalls

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustArch(t *testing.T, arch string) *Table {
	t.Helper()
	tb, err := ForArch(arch)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		arch string
		name string
		nr   int
	}{
		{"amd64", "read", 0},
		{"amd64", "openat", 257},
		{"amd64", "execve", 59},
		{"amd64", "exit_group", 231},
		{"amd64", "newfstatat", 262},
		{"amd64", "open", 2},
		{"amd64", "statx", 332},
		{"amd64", "clone3", 435},
		{"amd64", "fchmodat2", 452},
		{"arm64", "openat", 56},
		{"arm64", "execve", 221},
		{"arm64", "exit_group", 94},
		{"arm64", "newfstatat", 79},
		{"arm64", "fstat", 80},
		{"arm64", "mmap", 222},
		{"arm64", "renameat", 38},
		{"arm64", "clone3", 435},
		{"arm64", "memfd_secret", 447},
		{"arm64", "fchmodat2", 452},
	}
	for _, tt := range tests {
		tb := mustArch(t, tt.arch)
		s := tb.ByName(tt.name)
		if s == nil {
			t.Errorf("%s: ByName(%q) = nil", tt.arch, tt.name)
			continue
		}
		if s.Nr != tt.nr {
			t.Errorf("%s: %s number = %d, want %d", tt.arch, tt.name, s.Nr, tt.nr)
		}
		if got := tb.ByNr(tt.nr); got != s {
			t.Errorf("%s: ByNr(%d) = %v, want %s", tt.arch, tt.nr, got, tt.name)
		}
		if got := tb.Name(tt.nr); got != tt.name {
			t.Errorf("%s: Name(%d) = %q, want %q", tt.arch, tt.nr, got, tt.name)
		}
	}
}

func TestMissingOnArm64(t *testing.T) {
	tb := mustArch(t, "arm64")
	for _, name := range []string{"open", "stat", "lstat", "fork", "vfork", "access", "pipe", "dup2", "rename", "unlink"} {
		if s := tb.ByName(name); s != nil {
			t.Errorf("arm64 has %s (nr %d); the generic table has not", name, s.Nr)
		}
	}
}

func TestUnknown(t *testing.T) {
	tb := mustArch(t, "amd64")
	if got := tb.Name(0x1c2 + 1000); got != "syscall_0x5aa" {
		t.Errorf("Name(0x5aa) = %q", got)
	}
	for _, nr := range []int{-1, 337, 10000} {
		if s := tb.ByNr(nr); s != nil {
			t.Errorf("ByNr(%d) = %s, want nil", nr, s.Name)
		}
	}
	if got := tb.Name(337); got != "syscall_0x151" {
		t.Errorf("Name(337) = %q, want syscall_0x151", got)
	}
	if tb.ByName("no_such_call") != nil {
		t.Error("ByName(no_such_call) != nil")
	}
	_, err := ForArch("riscv64")
	if !errors.Is(err, ErrUnknownArch) {
		t.Errorf("ForArch(riscv64) error = %v, want ErrUnknownArch", err)
	}
}

func TestTables(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64"} {
		tb := mustArch(t, arch)
		if tb.Arch() != arch {
			t.Errorf("Arch() = %q, want %q", tb.Arch(), arch)
		}
		all := tb.All()
		if len(all) < 300 {
			t.Errorf("%s: only %d syscalls", arch, len(all))
		}
		for i, s := range all {
			if i > 0 && all[i-1].Nr >= s.Nr {
				t.Errorf("%s: All not sorted at %s", arch, s.Name)
			}
			if s.Nr > tb.MaxNr() {
				t.Errorf("%s: %s nr %d > MaxNr %d", arch, s.Name, s.Nr, tb.MaxNr())
			}
			if len(s.Args) > 6 {
				t.Errorf("%s: %s has %d args", arch, s.Name, len(s.Args))
			}
			for _, a := range s.Args {
				switch a.Kind {
				case BufIn:
					if a.SizeArg < 0 || int(a.SizeArg) >= len(s.Args) {
						t.Errorf("%s: %s %s: BufIn size arg %d", arch, s.Name, a.Name, a.SizeArg)
					}
				case StructIn, StructOut:
					if a.Size == 0 {
						t.Errorf("%s: %s %s: %s without size", arch, s.Name, a.Name, a.Kind)
					}
				}
			}
		}
	}
}

// kinds returns the kinds of a syscall's arguments, for comparing.
func kinds(s *Syscall) []string {
	var ks []string
	for _, a := range s.Args {
		ks = append(ks, a.Name+":"+a.Kind.String())
	}
	return ks
}

func TestArgKinds(t *testing.T) {
	tests := []struct {
		name  string
		kinds []string
	}{
		{"openat", []string{"dfd:Dirfd", "filename:Path", "flags:Flags", "mode:Flags"}},
		{"execve", []string{"filename:Path", "argv:StrArray", "envp:StrArray"}},
		{"newfstatat", []string{"dfd:Dirfd", "filename:Path", "statbuf:StructOut", "flag:Flags"}},
		{"statx", []string{"dfd:Dirfd", "filename:Path", "flags:Flags", "mask:Flags", "buffer:StructOut"}},
		{"faccessat", []string{"dfd:Dirfd", "filename:Path", "mode:Flags"}},
		{"unlinkat", []string{"dfd:Dirfd", "pathname:Path", "flag:Flags"}},
		{"renameat2", []string{"olddfd:Dirfd", "oldname:Path", "newdfd:Dirfd", "newname:Path", "flags:Flags"}},
		{"linkat", []string{"olddfd:Dirfd", "oldname:Path", "newdfd:Dirfd", "newname:Path", "flags:Flags"}},
		{"symlinkat", []string{"oldname:Path", "newdfd:Dirfd", "newname:Path"}},
		{"mkdirat", []string{"dfd:Dirfd", "pathname:Path", "mode:Flags"}},
		{"chdir", []string{"filename:Path"}},
		{"fchownat", []string{"dfd:Dirfd", "filename:Path", "user:Int", "group:Int", "flag:Flags"}},
		{"truncate", []string{"path:Path", "length:Int"}},
		{"mount", []string{"dev_name:Path", "dir_name:Path", "type:Str", "flags:Flags", "data:Str"}},
		{"umount2", []string{"name:Path", "flags:Flags"}},
		{"readlinkat", []string{"dfd:Dirfd", "pathname:Path", "buf:BufOut", "bufsiz:Int"}},
		{"read", []string{"fd:Fd", "buf:BufOut", "count:Int"}},
		{"write", []string{"fd:Fd", "buf:BufIn", "count:Int"}},
		{"pread64", []string{"fd:Fd", "buf:BufOut", "count:Int", "pos:Int"}},
		{"pwrite64", []string{"fd:Fd", "buf:BufIn", "count:Int", "pos:Int"}},
		{"recvfrom", []string{"fd:Fd", "ubuf:BufOut", "size:Int", "flags:Flags", "addr:Ptr", "addr_len:Ptr"}},
		{"sendto", []string{"fd:Fd", "buff:BufIn", "len:Int", "flags:Flags", "addr:BufIn", "addr_len:Int"}},
		{"getdents64", []string{"fd:Fd", "dirent:BufOut", "count:Int"}},
		{"clock_gettime", []string{"which_clock:Flags", "tp:StructOut"}},
		{"exit_group", []string{"error_code:Int"}},
		{"getpid", nil},
		{"lgetxattr", []string{"pathname:Path", "name:Str", "value:BufOut", "size:Int"}},
	}
	tb := mustArch(t, "amd64")
	arm := mustArch(t, "arm64")
	for _, tt := range tests {
		s := tb.ByName(tt.name)
		if s == nil {
			t.Errorf("no %s", tt.name)
			continue
		}
		if diff := cmp.Diff(tt.kinds, kinds(s)); diff != "" {
			t.Errorf("%s kinds (-want +got):\n%s", tt.name, diff)
		}
		if a := arm.ByName(tt.name); a != nil {
			if diff := cmp.Diff(kinds(s), kinds(a)); diff != "" {
				t.Errorf("%s kinds differ between amd64 and arm64 (-amd64 +arm64):\n%s", tt.name, diff)
			}
		}
	}
	for _, name := range []string{"open", "stat", "lstat", "access", "unlink", "rename", "link", "symlink", "mkdir", "rmdir", "chmod", "chown", "lchown", "readlink", "creat", "utimes"} {
		s := tb.ByName(name)
		if s == nil || s.Args[0].Kind != Path {
			t.Errorf("%s: first argument is not a Path", name)
		}
	}
}

func TestCloneOrder(t *testing.T) {
	want := map[string][]string{
		"amd64": {"clone_flags", "newsp", "parent_tidptr", "child_tidptr", "tls"},
		"arm64": {"clone_flags", "newsp", "parent_tidptr", "tls", "child_tidptr"},
	}
	for arch, names := range want {
		var got []string
		for _, a := range mustArch(t, arch).ByName("clone").Args {
			got = append(got, a.Name)
		}
		if diff := cmp.Diff(names, got); diff != "" {
			t.Errorf("%s clone arguments (-want +got):\n%s", arch, diff)
		}
	}
}

func TestSizes(t *testing.T) {
	tests := []struct {
		arch, name string
		arg        int
		size       uint16
		decoder    string
	}{
		{"amd64", "fstat", 1, 144, "struct stat"},
		{"arm64", "fstat", 1, 128, "struct stat"},
		{"amd64", "newfstatat", 2, 144, "struct stat"},
		{"arm64", "newfstatat", 2, 128, "struct stat"},
		{"amd64", "stat", 1, 144, "struct stat"},
		{"amd64", "statx", 4, 256, "struct statx"},
		{"arm64", "statx", 4, 256, "struct statx"},
		{"amd64", "clock_gettime", 1, 16, "struct timespec"},
		{"arm64", "clock_gettime", 1, 16, "struct timespec"},
		{"amd64", "uname", 0, 390, "struct utsname"},
		{"arm64", "uname", 0, 390, "struct utsname"},
		{"amd64", "epoll_ctl", 3, 12, "struct epoll_event"},
		{"arm64", "epoll_ctl", 3, 16, "struct epoll_event"},
		{"amd64", "pipe2", 0, 8, "int[2]"},
	}
	for _, tt := range tests {
		s := mustArch(t, tt.arch).ByName(tt.name)
		if s == nil {
			t.Errorf("%s: no %s", tt.arch, tt.name)
			continue
		}
		a := s.Args[tt.arg]
		if a.Size != tt.size || a.Decoder != tt.decoder {
			t.Errorf("%s: %s arg %d: size %d decoder %q, want %d %q", tt.arch, tt.name, tt.arg, a.Size, a.Decoder, tt.size, tt.decoder)
		}
	}
	if got := mustArch(t, "amd64").ByName("write").Args[1].SizeArg; got != 2 {
		t.Errorf("write buf SizeArg = %d, want 2", got)
	}
}

func TestNoReturn(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64"} {
		var got []string
		for _, s := range mustArch(t, arch).All() {
			if s.NoReturn {
				got = append(got, s.Name)
			}
		}
		if diff := cmp.Diff([]string{"exit", "exit_group"}, got); diff != "" {
			t.Errorf("%s NoReturn (-want +got):\n%s", arch, diff)
		}
	}
}

func TestClasses(t *testing.T) {
	tb := mustArch(t, "amd64")
	tests := []struct {
		name string
		want []string
	}{
		{"openat", []string{"%file", "%desc"}},
		{"execve", []string{"%file", "%process"}},
		{"socket", []string{"%network"}},
		{"newfstatat", []string{"%file", "%desc", "%fstat", "%%stat"}},
		{"getpid", []string{"%pure"}},
		{"mmap", []string{"%desc", "%memory"}},
		{"kill", []string{"%process", "%signal"}},
		{"clock_gettime", []string{"%clock"}},
		{"sched_yield", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tb.ByName(tt.name).Classes.Names()); diff != "" {
			t.Errorf("%s classes (-want +got):\n%s", tt.name, diff)
		}
	}
	names := []struct {
		in   string
		want Class
		ok   bool
	}{
		{"file", File, true}, {"%file", File, true}, {"net", Network, true},
		{"%net", Network, true}, {"network", Network, true}, {"%network", Network, true},
		{"%%stat", StatLike, true}, {"%stat", Stat, true}, {"creds", Creds, true},
		{"%pure", Pure, true}, {"bogus", 0, false},
	}
	for _, tt := range names {
		c, ok := ClassByName(tt.in)
		if c != tt.want || ok != tt.ok {
			t.Errorf("ClassByName(%q) = %v, %v; want %v, %v", tt.in, c, ok, tt.want, tt.ok)
		}
	}
	if got := (File | Desc).String(); got != "%file|%desc" {
		t.Errorf("String() = %q", got)
	}
}

func TestErrno(t *testing.T) {
	tests := []struct {
		nr            int
		name, message string
	}{
		{1, "EPERM", "Operation not permitted"},
		{2, "ENOENT", "No such file or directory"},
		{11, "EAGAIN", "Resource temporarily unavailable"},
		{13, "EACCES", "Permission denied"},
		{38, "ENOSYS", "Function not implemented"},
		{95, "EOPNOTSUPP", "Operation not supported"},
		{512, "ERESTARTSYS", "To be restarted if SA_RESTART is set"},
		{4000, "", ""},
	}
	for _, tt := range tests {
		if got := ErrnoName(tt.nr); got != tt.name {
			t.Errorf("ErrnoName(%d) = %q, want %q", tt.nr, got, tt.name)
		}
		if got := ErrnoMessage(tt.nr); got != tt.message {
			t.Errorf("ErrnoMessage(%d) = %q, want %q", tt.nr, got, tt.message)
		}
		if tt.name != "" {
			if n, ok := ErrnoByName(tt.name); !ok || n != tt.nr {
				t.Errorf("ErrnoByName(%q) = %d, %v", tt.name, n, ok)
			}
		}
	}
	if n, ok := ErrnoByName("EWOULDBLOCK"); !ok || n != 11 {
		t.Errorf("ErrnoByName(EWOULDBLOCK) = %d, %v", n, ok)
	}
	if _, ok := ErrnoByName("ENOPE"); ok {
		t.Error("ErrnoByName(ENOPE) ok")
	}
}

func TestSignals(t *testing.T) {
	names := []struct {
		nr   int
		name string
	}{
		{1, "SIGHUP"}, {6, "SIGABRT"}, {9, "SIGKILL"}, {11, "SIGSEGV"}, {17, "SIGCHLD"},
		{29, "SIGIO"}, {31, "SIGSYS"}, {32, "SIGRTMIN"}, {35, "SIGRT_3"}, {64, "SIGRT_32"},
		{0, ""}, {65, ""},
	}
	for _, tt := range names {
		if got := SignalName(tt.nr); got != tt.name {
			t.Errorf("SignalName(%d) = %q, want %q", tt.nr, got, tt.name)
		}
	}
	parse := []struct {
		in string
		nr int
		ok bool
	}{
		{"KILL", 9, true}, {"SIGKILL", 9, true}, {"9", 9, true}, {"sigterm", 15, true},
		{"SIGRTMIN+3", 35, true}, {"RTMIN", 32, true}, {"SIGRT_3", 35, true}, {"IOT", 6, true},
		{"SIGRTMAX", 64, true}, {"NOPE", 0, false}, {"0", 0, false}, {"SIGRTMIN+40", 0, false},
	}
	for _, tt := range parse {
		nr, ok := SignalByName(tt.in)
		if nr != tt.nr || ok != tt.ok {
			t.Errorf("SignalByName(%q) = %d, %v; want %d, %v", tt.in, nr, ok, tt.nr, tt.ok)
		}
	}
}

// TestGeneratedUpToDate re-runs the generator and checks that the committed
// files are exactly what it writes.
func TestGeneratedUpToDate(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	dir := t.TempDir()
	cmd := exec.Command(goBin, "run", "./internal/gen", "-in", "input", "-out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("running generator: %v\n%s", err, out)
	}
	gen, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(gen) == 0 {
		t.Fatalf("generator wrote no files (%v)", err)
	}
	committed, _ := filepath.Glob("zz_generated_*.go")
	if len(committed) != len(gen) {
		t.Errorf("%d committed zz_generated files, generator writes %d", len(committed), len(gen))
	}
	for _, path := range gen {
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Base(path))
		if err != nil {
			t.Errorf("reading committed file: %v", err)
			continue
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s is stale; run go generate ./syscalls (-want +got):\n%s", filepath.Base(path), diff)
		}
	}
}

func TestNormalize(t *testing.T) {
	tb := mustArch(t, "amd64")
	tests := []struct {
		call string
		arg  int
		raw  uint64
		want int64
	}{
		{"openat", 0, 0xffffff9c, -100},         // int dfd, zero-extended
		{"openat", 0, 0xffffffffffffff9c, -100}, // int dfd, sign-extended
		{"close", 0, 0xffffffff, 4294967295},    // unsigned int fd
		{"lseek", 1, 0xffffffffffffffff, -1},    // off_t
		{"read", 2, 1 << 40, 1 << 40},           // size_t
		{"kill", 0, 0xffffffff, -1},             // pid_t
	}
	for _, tt := range tests {
		a := tb.ByName(tt.call).Args[tt.arg]
		if got := int64(a.Normalize(tt.raw)); got != tt.want {
			t.Errorf("%s %s (%s).Normalize(%#x) = %d, want %d", tt.call, a.Name, a.Type, tt.raw, got, tt.want)
		}
	}
	if w := tb.ByName("read").Args[1].Width; w != 8 {
		t.Errorf("read buf Width = %d, want 8", w)
	}
}
