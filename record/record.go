// Package record reads and writes the bin recording format: a
// self-describing header (magic, version, architecture, kernel release, time
// base, the syscall table, the command line and options of the recording)
// followed by length-prefixed records carrying every event.Event field the
// live pipeline sees, including captured strings and buffers and lost-event
// markers, and an end record.
//
// All integers are little-endian. Every record and header item is padded to
// a multiple of 8 bytes so that a C reader can overlay the structs of the
// header returned by TraceH on a mapped file. docs/binary-format.md specifies
// the format byte by byte.
package record

import (
	"errors"
	"fmt"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// Magic opens every recording.
const Magic = "SEBPFREC"

// Version is the newest format version this package reads and writes.
// Any change that an older reader would misread bumps it. Version 2 adds
// stack traces (DataStack items); version 3 descriptors' descriptions
// (DataFd items, -y) and the COMPAT flag of syscall records (a call made in
// 32-bit mode, whose nr and args are i386's; such a recording is raised to
// version 3 at its first one, see Writer). A recording is written with the
// lowest version it needs (without any of these it is version 1, which
// every reader reads).
const Version = 3

// Record kinds (the kind field of every record).
const (
	KindSyscall = 1 // one system call: struct trace_syscall
	KindLost    = 2 // events dropped by the kernel: struct trace_lost
	KindEnd     = 3 // end of the recording: struct trace_end
	KindExit    = 4 // a traced thread exited: struct trace_syscall layout
	KindSignal  = 5 // a signal was delivered: struct trace_syscall layout
)

// eventKinds maps the record kinds with the trace_syscall layout to event
// kinds, and back.
var (
	eventKinds  = [...]event.Kind{KindSyscall: event.Syscall, KindExit: event.Exit, KindSignal: event.Signal}
	recordKinds = [...]uint16{event.Syscall: KindSyscall, event.Exit: KindExit, event.Signal: KindSignal}
)

// Header item types (the type field of struct trace_meta).
const (
	MetaArch    = 1 // architecture name, GOARCH spelling ("amd64")
	MetaKernel  = 2 // kernel release (uname -r)
	MetaArgv    = 3 // command line of the recording, NUL-terminated words
	MetaOption  = 4 // one option: key NUL value NUL
	MetaSyscall = 5 // one syscall table entry
)

// Data kinds as stored in struct trace_data, equal to event.DataKind.
const (
	DataStr      = 1
	DataBufIn    = 2
	DataBufOut   = 3
	DataStrTrunc = 4
	DataStack    = 5 // version 2: the call's stack (-k), arg 0, struct trace_stack
	DataFd       = 6 // version 3: what a descriptor referred to at the call (-y), struct trace_fd
)

// Sizes of the fixed parts, in bytes.
const (
	fileHeaderSize   = 32  // struct trace_file_header
	metaHeaderSize   = 8   // struct trace_meta
	metaSyscallSize  = 8   // struct trace_meta_syscall
	syscallFixedSize = 112 // struct trace_syscall
	dataHeaderSize   = 8   // struct trace_data
	lostSize         = 32  // struct trace_lost
	stackHeaderSize  = 8   // struct trace_stack
	frameHeaderSize  = 32  // struct trace_frame
	endSize          = 16  // struct trace_end
	commSize         = 16  // TASK_COMM_LEN
)

// Limits that bound what a reader allocates for one record or for the header,
// whatever a corrupt length field says.
const (
	MaxRecordSize = 16 << 20 // largest record, all captured data included
	MaxHeaderSize = 16 << 20 // largest header, syscall table included
)

// Audit architecture numbers (linux/audit.h) stored in the fixed header for C
// readers; 0 for an architecture without one here.
var auditArch = map[string]uint32{
	"amd64": 0xC000003E, // AUDIT_ARCH_X86_64
	"arm64": 0xC00000B7, // AUDIT_ARCH_AARCH64
}

// Header describes a recording.
type Header struct {
	// Version is the format version of the file; set by NewReader, ignored by
	// NewWriter (which writes 2 when Stacks is set, else 1, and 3 once a
	// call made in 32-bit mode is written).
	Version uint32
	// Stacks says that events carry stack traces (-k): their frames,
	// symbolized when they were recorded, so that a replay shows them
	// without the traced binaries. Such a recording is format version 2.
	Stacks bool
	// Compat says that events may be calls made in 32-bit mode (amd64's
	// -m32 programs and int 0x80): syscall records with the COMPAT flag
	// (event.Compat), a version-3 recording once one is written. Set by
	// NewReader from the version.
	Compat bool
	// Arch is the traced architecture in GOARCH spelling ("amd64", "arm64").
	Arch string
	// KernelRelease is the release of the kernel that was traced (uname -r).
	KernelRelease string
	// BootOffset is the number of nanoseconds to add to an event's TS to get
	// wall-clock time in nanoseconds since the Unix epoch.
	BootOffset uint64
	// Syscalls is the syscall table the recording was made with, so that a
	// replay on another machine names calls and arguments as the recording
	// machine did.
	Syscalls []Syscall
	// Argv is the command line of the recording, program name first.
	Argv []string
	// Options are the settings of the recording that a replay may want to
	// reproduce (see docs/binary-format.md for the keys), written in key
	// order.
	Options map[string]string
}

// Syscall is one entry of the recorded syscall table.
type Syscall struct {
	Nr   int32
	Name string
	Args []Arg
}

// Arg names one argument of a recorded syscall.
type Arg struct {
	Name string
	Type string // C type as the table spells it, "" when unknown
}

// Sentinel errors wrapped by *FormatError, for callers that branch.
var (
	// ErrNotRecording: the input does not start with Magic.
	ErrNotRecording = errors.New("not a strace.ebpf recording")
	// ErrVersion: the input was written by a newer format version.
	ErrVersion = errors.New("unsupported format version")
	// ErrTruncated: the input ends inside the header or a record, or
	// before the end record.
	ErrTruncated = errors.New("truncated recording")
	// ErrCorrupt: a field holds a value the format does not allow.
	ErrCorrupt = errors.New("corrupt recording")
)

// FormatError reports bad input at a byte offset of the recording.
type FormatError struct {
	Offset int64  // byte offset of the record or field at fault
	Detail string // what was expected, e.g. "truncated record: want 96 bytes, have 10"
	Err    error  // one of the sentinel errors above
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("record: offset %d: %s", e.Offset, e.Detail)
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(off int64, sentinel error, format string, args ...any) error {
	return &FormatError{Offset: off, Detail: fmt.Sprintf(format, args...), Err: sentinel}
}

func pad8(n int) int { return (n + 7) &^ 7 }
