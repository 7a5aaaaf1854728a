// Package event defines the records that flow from the engine through the
// script pipeline to the writers. It has no dependencies so that every other
// package (engine, script, the recording formats) can share it.
package event

// Kind tells what an Event describes.
type Kind uint8

const (
	// Syscall is one system call, entered and (unless Flags has NoReturn)
	// returned.
	Syscall Kind = iota + 1
	// Lost reports Lost records dropped by the kernel since the previous
	// Lost event.
	Lost
	// Exit is the end of a traced thread (strace's "+++ exited with N +++").
	// TID and PID name it; Ret holds the kernel's wait status (exit code
	// in bits 8-15, or the killing signal in bits 0-6 with 0x80 for a core
	// dump); TS is when it exited. Nr is -1, or for a group leader killed
	// because another thread called execve the id of that thread, which
	// lives on with the leader's id (Superseded). Args are unused.
	Exit
	// Signal is the delivery of a signal to a traced thread (strace's
	// "--- SIGCHLD {...} ---"): Nr is the signal number, Data[0] (Kind
	// BufOut, Arg 0) the first 48 bytes of the kernel's siginfo, TS the
	// delivery time. Args and Ret are unused.
	Signal
)

// Flags qualify a Syscall event.
type Flags uint16

const (
	// NoReturn marks a call that never returns (exit, exit_group, a
	// successful execve seen from the old image); Ret is meaningless.
	NoReturn Flags = 1 << iota
	// Unfinished marks a call still blocked when tracing ended.
	Unfinished
	// Entered is the enter half of a call that went to sleep: its
	// arguments and what was read at enter; the whole call follows when it
	// returns. Only the stock strace format asks for these
	// (engine.Config.EnterMarks), to print "<unfinished ...>" where strace
	// does.
	Entered
	// Netlink marks a call on an AF_NETLINK socket (sendto, recvfrom,
	// sendmsg, recvmsg): its messages were captured whole, and the strace
	// format decodes them. The socket's protocol (NETLINK_ROUTE ...) is
	// in the bits from NetlinkProtoShift (NetlinkProto).
	Netlink
	// Compat marks a call made in 32-bit mode on a 64-bit kernel (a -m32
	// program on x86_64, or int 0x80 from 64-bit code): Nr and Args are
	// i386's, decoded with the architecture's compat table
	// (syscalls.Table.Personality), never the native one.
	Compat
	// Injected marks a call whose result the tracer gave (-e inject=
	// error= or retval=, a script's fault): it never ran; Ret is the
	// injected result (strace's "(INJECTED)").
	Injected
	// Delayed marks a call the tracer held before it ran (delay_enter=,
	// strace's "(DELAYED)").
	Delayed
	// Poked marks a call whose argument memory the tracer overwrote
	// before it ran (poke_enter=, strace's "(INJECTED: args)").
	Poked
)

// NetlinkProtoShift is where Flags holds a netlink socket's protocol.
const NetlinkProtoShift = 8

// NetlinkProto returns the protocol of the netlink socket a call used, or
// -1 when the call was not on a netlink socket.
func (e *Event) NetlinkProto() int {
	if e.Flags&Netlink == 0 {
		return -1
	}
	return int(e.Flags >> NetlinkProtoShift)
}

// Personality is strace's name of the mode a call was made in: "32" for a
// Compat call, "64" otherwise.
func (e *Event) Personality() string {
	if e.Flags&Compat != 0 {
		return "32"
	}
	return "64"
}

// DataKind says how a captured argument was read.
type DataKind uint8

const (
	// Str is a NUL-terminated string read at enter (paths and other
	// strings); the terminator is not part of Bytes.
	Str DataKind = iota + 1
	// BufIn is an input buffer read at enter.
	BufIn
	// BufOut is an output buffer or struct read at exit.
	BufOut
	// StrTrunc is a string that filled the capture limit without a NUL.
	StrTrunc
)

// Data is one piece of user memory captured for an argument.
type Data struct {
	Arg   uint8    // argument position, 0-based
	Kind  DataKind // how it was read
	Bytes []byte
}

// Event is one record of the trace. Times are nanoseconds since the start of
// the trace (monotonic clock).
type Event struct {
	Kind     Kind
	Flags    Flags
	PID      uint32 // thread group id, what users call the pid
	TID      uint32
	Nr       int32 // syscall number for the traced architecture
	Comm     string
	TS       uint64 // enter time, ns since trace start
	Duration uint64 // ns between enter and exit; 0 for NoReturn
	Args     [6]uint64
	Ret      int64
	Data     []Data
	LostN    uint64  // for Kind == Lost
	Stack    []Frame // the call's user stack, innermost first (-k); nil when not captured
	// Cgroup is the id of the target cgroup (--cgroup, --container,
	// --unit) the process is in, and Container the name of the container
	// or unit it stands for ("" for a plain --cgroup); 0 and "" when the
	// trace is not by cgroup, or the process was gone before it was
	// placed among several targets.
	Cgroup    uint64
	Container string
}

// Frame is one entry of a call's user stack, as strace -k prints it:
// "Module(Symbol+SymOff) [Offset]".
type Frame struct {
	Addr   uint64 // the address in the process: the syscall's return point, then return addresses
	Module string // the mapped file, as /proc/PID/maps names it; "" when unknown
	Offset uint64 // Addr's offset in Module's file
	Symbol string // the function, "" when unknown
	SymOff uint64 // Addr's offset from Symbol's start
}

// Superseded reports whether an Exit event is a group leader's that another
// thread's execve replaced (strace's "+++ superseded by execve in pid N
// +++", N being Nr): the process lives on, under the same id.
func (e *Event) Superseded() bool {
	return e.Kind == Exit && e.TID == e.PID && e.Nr > 0
}

// Failed reports whether the call returned an error (-4095..-1).
func (e *Event) Failed() bool {
	return e.Kind == Syscall && e.Flags&(NoReturn|Unfinished) == 0 && e.Ret < 0 && e.Ret >= -4095
}

// Errno is the error number of a failed call, 0 otherwise.
func (e *Event) Errno() int {
	if e.Failed() {
		return int(-e.Ret)
	}
	return 0
}

// String returns the first captured string of argument arg, if any.
func (e *Event) String(arg int) (string, bool) {
	for i := range e.Data {
		d := &e.Data[i]
		if int(d.Arg) == arg && (d.Kind == Str || d.Kind == StrTrunc) {
			return string(d.Bytes), true
		}
	}
	return "", false
}

// FirstString returns the first captured string of any argument.
func (e *Event) FirstString() (string, bool) {
	for i := range e.Data {
		d := &e.Data[i]
		if d.Kind == Str || d.Kind == StrTrunc {
			return string(d.Bytes), true
		}
	}
	return "", false
}
