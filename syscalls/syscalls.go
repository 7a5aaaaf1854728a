package syscalls

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// Kind says how an argument is shown and whether, and when, the kernel side
// captures the memory it points to.
type Kind uint8

const (
	// Int is a plain integer (the default).
	Int Kind = iota
	// Fd is a file descriptor. Print it as a C int whatever its declared
	// type (mmap's fd is an unsigned long, and strace prints -1).
	Fd
	// Dirfd is a directory file descriptor for *at calls (AT_FDCWD).
	Dirfd
	// Path is a NUL-terminated path name, captured as a string at enter.
	Path
	// Str is another NUL-terminated input string (xattr names, fs types),
	// captured at enter.
	Str
	// BufIn is an input buffer whose length is argument SizeArg, captured at
	// enter.
	BufIn
	// BufOut is an output buffer filled by the kernel; its length is the
	// return value. Captured at exit.
	BufOut
	// StructIn points to a struct of Size bytes read by the kernel, captured
	// at enter.
	StructIn
	// StructOut points to a struct of Size bytes written by the kernel,
	// captured at exit.
	StructOut
	// Ptr is any other pointer, printed as an address.
	Ptr
	// Flags is a flag set or an enum; Decoder names its FlagTable.
	Flags
	// StrArray is a NULL-terminated array of string pointers (execve's argv
	// and envp). A kernel side that does not capture arrays treats it as Ptr.
	StrArray
	// ArrayInOut is an array of argument SizeArg elements of Size bytes,
	// read by the kernel and written back (poll's pollfds): captured at
	// enter and at exit.
	ArrayInOut
	// ArrayOut is an array of Size-byte elements the kernel fills, as many
	// as the return value (epoll_wait's events): captured at exit.
	ArrayOut
	// IovIn is an iovec array of argument SizeArg elements whose buffers
	// the kernel reads (writev): captured at enter with the start of each
	// buffer.
	IovIn
	// IovOut is an iovec array whose buffers the kernel fills (readv):
	// captured at exit, the buffers up to the return value.
	IovOut
	// IoctlArg is ioctl's argument, whose type depends on the command in
	// argument SizeArg: captured for the commands the engine knows.
	IoctlArg
	// StructInOut points to a struct of Size bytes the kernel reads and
	// updates (ppoll's timeout): captured at enter and at exit.
	StructInOut
	// MsghdrIn is a msghdr whose buffers the kernel reads (sendmsg):
	// captured at enter with its iovecs and their buffers' start.
	MsghdrIn
	// MsghdrOut is a msghdr the kernel fills (recvmsg): captured at exit,
	// the buffers up to the return value.
	MsghdrOut
	// FdSets is select's first fd_set, followed by the two others:
	// captured together, sized by argument SizeArg (the number of fds), at
	// enter and at exit.
	FdSets
	// MmsgOut is sendmmsg's or recvmmsg's vector of mmsghdrs: captured at
	// exit, as many as the return value (the kernel side keeps seven), each
	// as a msghdr with its msg_len.
	MmsgOut
	// StructOutErr points to a struct of Size bytes the kernel writes when
	// the call fails (nanosleep's time left when interrupted): captured at
	// exit of a failed call only.
	StructOutErr
	// StructDeref points to a struct of Size bytes whose first word points
	// to 8 more (pselect6's sigmask argument): both captured at enter.
	StructDeref
	// PrctlArg is prctl's second argument, a string, a buffer or a number
	// by option: captured for the options the kernel side knows.
	PrctlArg
	// CloneArgs is clone3's struct clone_args (Size bytes at most, as
	// argument SizeArg says): captured at enter with its set_tid array, and
	// at exit the pidfd the kernel wrote (CLONE_PIDFD).
	CloneArgs
	// PageVec is mincore's vector, a byte per page of the length in
	// argument SizeArg: captured at exit of a successful call.
	PageVec
)

var kindNames = [...]string{"Int", "Fd", "Dirfd", "Path", "Str", "BufIn", "BufOut", "StructIn", "StructOut", "Ptr", "Flags", "StrArray", "ArrayInOut", "ArrayOut", "IovIn", "IovOut", "IoctlArg", "StructInOut", "MsghdrIn", "MsghdrOut", "FdSets", "MmsgOut", "StructOutErr", "StructDeref", "PrctlArg", "CloneArgs", "PageVec"}

// String returns the constant's name, such as "Path".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Arg describes one syscall argument.
type Arg struct {
	Name    string // name from the kernel's syscall metadata, e.g. "pathname"
	Type    string // C type, e.g. "const char *"
	Kind    Kind
	SizeArg int8    // for BufIn (and BufIn-like sized structs): index of the length argument; -1 otherwise
	Size    uint16  // for StructIn/StructOut/StructInOut: struct size in bytes on this arch; for ArrayInOut/ArrayOut: element size
	Decoder string  // the flag table of a Flags or Dirfd argument ("open_flags", "at_dirfd"); the C type pointed to otherwise ("struct stat")
	Printer Printer // how format prints what the kernel captured for it (PrintStat); PrintNone for none
	Capture Capture // how much of it the kernel reads where its Kind alone does not say
	Width   uint8   // size in bytes of the C type (2, 4 or 8; 8 for pointers)
	Signed  bool    // the C type is a signed integer
}

// Capture says how much of an argument the kernel reads, where its Kind
// alone does not say: the generator derives it from the table's columns,
// so that the engine's capture plan switches on it, not on names.
type Capture uint8

const (
	CaptureDefault         Capture = iota // as the Kind says; buffers up to --strsize
	CaptureSockaddr                       // a struct sockaddr, whole (its own limit, not --strsize)
	CaptureCpuSet                         // a CPU bitmask (sched_*affinity), whole
	CapturePath                           // a path the kernel writes (getcwd), whole
	CaptureDirents                        // getdents' records: only their number (strace's /* N entries */)
	CaptureSockopt                        // getsockopt's value, sized by the next argument like a sockaddr
	CaptureEnvCount                       // execve's envp: only the number of strings (strace's /* N vars */)
	CaptureSeccomp                        // seccomp's uargs: SECCOMP_SET_MODE_FILTER's sock_fprog and its instructions
	CaptureQuota                          // quotactl's addr: the struct of the command (engine's opCaps)
	CaptureIoUringRegister                // io_uring_register's arg: the struct or array of the opcode (engine's opCaps)
)

// Normalize returns the raw register value of the argument truncated to
// its C type and, for signed types, sign-extended: an int argument of -1
// comes back as 0xffffffffffffffff whether the caller's register held
// 0xffffffff or not, so int64(a.Normalize(raw)) prints as strace does.
func (a *Arg) Normalize(raw uint64) uint64 {
	switch a.Width {
	case 2:
		if a.Signed {
			return uint64(int64(int16(raw)))
		}
		return uint64(uint16(raw))
	case 4:
		if a.Signed {
			return uint64(int64(int32(raw)))
		}
		return uint64(uint32(raw))
	}
	return raw
}

// Syscall describes one system call of one architecture.
type Syscall struct {
	Nr       int
	Name     string
	Args     []Arg // exactly as many as the syscall takes
	Classes  Class
	NoReturn bool // never returns to the caller (exit, exit_group)
	// Printer prints the whole call when its arguments depend on each
	// other (execve, ioctl, futex), as strace's SEN(name); CallNone
	// prints each argument by its Kind and Printer.
	Printer CallPrinter
	Ret     RetKind // how the return value is shown
	// RetFlags is the flag table naming a RetNamed result.
	RetFlags string
	// Capture is what the kernel reads for the call as a whole, besides
	// its arguments' captures.
	Capture CallCapture
}

// CallCapture is what the kernel reads for a call as a whole (generated
// from the table, like Arg.Capture).
type CallCapture uint8

const (
	CallCaptureNone     CallCapture = iota
	CallCaptureSigframe             // rt_sigreturn: the signal mask it restores, from the frame on the stack
	CallCaptureNetlink              // messages on the socket args[0]: an AF_NETLINK one's are read whole
)

// Printer identifies how an argument's captured memory is printed
// (printers.tsv, level arg). The constants are generated.
type Printer uint8

// String returns the printer's id in printers.tsv, such as "stat".
func (p Printer) String() string {
	if int(p) < len(printerNames) {
		return printerNames[p]
	}
	return fmt.Sprintf("Printer(%d)", uint8(p))
}

// CallPrinter identifies how a whole call is printed (printers.tsv, level
// call). The constants are generated.
type CallPrinter uint8

// String returns the printer's id in printers.tsv, such as "execve".
func (p CallPrinter) String() string {
	if int(p) < len(callPrinterNames) {
		return callPrinterNames[p]
	}
	return fmt.Sprintf("CallPrinter(%d)", uint8(p))
}

// RetKind says how a successful call's return value is shown, as strace's
// RVAL_* flags.
type RetKind uint8

const (
	// RetDec is a signed decimal (the default).
	RetDec RetKind = iota
	// RetFd is a new file descriptor (RVAL_FD): -y shows its path.
	RetFd
	// RetHex is an address or a mask (RVAL_HEX): mmap, brk.
	RetHex
	// RetOctal is a mode (RVAL_OCTAL): umask.
	RetOctal
	// RetPrinter is rendered by the call's Printer (fcntl's F_GETFL
	// flags, poll's revents).
	RetPrinter
	// RetNamed is the number followed by its name in flag table
	// RetFlags: "0 (SCHED_OTHER)".
	RetNamed
)

// Table is the syscall table of one architecture. It is read-only and safe
// for concurrent use.
type Table struct {
	arch   string
	byNr   []*Syscall // indexed by number; nil for holes
	byName map[string]*Syscall
	all    []*Syscall
}

// ErrUnknownArch is returned, wrapped, by ForArch for an unsupported arch.
var ErrUnknownArch = errors.New("unknown architecture")

// tables builds each architecture's Table once, on first use.
var tables = map[string]func() *Table{
	"amd64": sync.OnceValue(func() *Table { return newTable("amd64", syscallsAMD64) }),
	"arm64": sync.OnceValue(func() *Table { return newTable("arm64", syscallsARM64) }),
	"i386":  sync.OnceValue(func() *Table { return newTable("i386", syscallsI386) }),
}

// compat names the table of the 32-bit calls an architecture's processes
// can make (x86_64's int 0x80, sysenter and -m32 programs).
var compat = map[string]string{"amd64": "i386"}

// emptyTable decodes the 32-bit calls of an architecture without them: it
// knows no syscall, so no call is ever shown with another table's names.
var emptyTable = sync.OnceValue(func() *Table { return newTable("none", nil) })

// ForArch returns the table for a GOARCH name: "amd64" or "arm64". The
// table of amd64's 32-bit calls is its Compat().
func ForArch(goarch string) (*Table, error) {
	t, ok := tables[goarch]
	if !ok || compatOnly[goarch] {
		return nil, fmt.Errorf("loading syscall table for %q: %w (want amd64 or arm64)", goarch, ErrUnknownArch)
	}
	return t(), nil
}

// compatOnly are the tables reached only through Table.Compat: no trace
// or recording is of that architecture.
var compatOnly = map[string]bool{"i386": true}

// Compat returns the table of the calls made in 32-bit mode on t's
// architecture (i386's for amd64), and a table that knows no syscall where
// there is no such mode.
func (t *Table) Compat() *Table {
	if c, ok := compat[t.arch]; ok {
		return tables[c]()
	}
	return emptyTable()
}

// Personality returns t for a call made in the native mode and t.Compat()
// for one made in 32-bit mode (event.Compat).
func (t *Table) Personality(compat bool) *Table {
	if compat {
		return t.Compat()
	}
	return t
}

// Native returns the table for runtime.GOARCH. It panics on an architecture
// other than amd64 and arm64, which strace.ebpf does not build for.
func Native() *Table {
	t, err := ForArch(runtime.GOARCH)
	if err != nil {
		panic(err)
	}
	return t
}

func newTable(arch string, src []Syscall) *Table {
	t := &Table{arch: arch, byName: make(map[string]*Syscall, len(src))}
	maxNr := -1
	for i := range src {
		maxNr = max(maxNr, src[i].Nr)
	}
	t.byNr = make([]*Syscall, maxNr+1)
	for i := range src {
		s := &src[i]
		t.byNr[s.Nr] = s
		t.byName[s.Name] = s
		t.all = append(t.all, s)
	}
	return t
}

// Arch returns the GOARCH name of the table, such as "amd64".
func (t *Table) Arch() string { return t.arch }

// ByNr returns the syscall with number nr, or nil when there is none.
func (t *Table) ByNr(nr int) *Syscall {
	if nr < 0 || nr >= len(t.byNr) {
		return nil
	}
	return t.byNr[nr]
}

// ByName returns the syscall called name, or nil when there is none.
func (t *Table) ByName(name string) *Syscall { return t.byName[name] }

// All returns every syscall of the table, sorted by number. The caller must
// not modify the slice or the syscalls.
func (t *Table) All() []*Syscall { return t.all }

// MaxNr returns the highest syscall number in the table.
func (t *Table) MaxNr() int { return len(t.byNr) - 1 }

// Name returns the name of syscall nr, or strace's name for an unknown
// number, "syscall_0x1c2".
func (t *Table) Name(nr int) string {
	if s := t.ByNr(nr); s != nil {
		return s.Name
	}
	return fmt.Sprintf("syscall_%#x", nr)
}
