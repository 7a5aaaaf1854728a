package format

// strace's per-syscall presentation sets: -e raw=SET (the arguments and
// the result as hex numbers), -e verbose=SET (the calls outside it show
// structures and arrays as addresses), -e abbrev=SET (the calls outside it
// are shown as -v shows them).

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// CallSet is a set of syscalls by number, native and 32-bit.
type CallSet struct {
	Native, Compat map[int]bool
}

// Has says ev's call is in the set (false for a nil set).
func (s *CallSet) Has(ev *event.Event) bool {
	if s == nil {
		return false
	}
	if ev.Flags&event.Compat != 0 {
		return s.Compat[int(ev.Nr)]
	}
	return s.Native[int(ev.Nr)]
}

// CallSets are the per-syscall presentation sets; a nil set is not given.
type CallSets struct {
	Raw *CallSet // -e raw=: printed undecoded
	// Verbose is -e verbose=: the calls outside it print structures and
	// arrays as addresses (nil: every call is verbose).
	Verbose *CallSet
	// Abbrev is -e abbrev=: the calls in it are abbreviated, the others
	// printed as -v prints them (nil: by -v alone).
	Abbrev *CallSet
}

// raw says the call is printed undecoded.
func (c *call) raw() bool { return c.s.opts.Calls.Raw.Has(c.ev) }

// terse says the call is outside -e verbose=.
func (c *call) terse() bool {
	v := c.s.opts.Calls.Verbose
	return v != nil && !v.Has(c.ev)
}

// terseKinds are the argument kinds a call outside -e verbose= shows as
// addresses.
var terseKinds = map[syscalls.Kind]bool{
	syscalls.StructIn: true, syscalls.StructInOut: true, syscalls.StructDeref: true, syscalls.ArrayInOut: true,
	syscalls.IovIn: true, syscalls.MsghdrIn: true, syscalls.FdSets: true, syscalls.StrArray: true, syscalls.IoctlArg: true,
	syscalls.StructOut: true, syscalls.StructOutErr: true, syscalls.ArrayOut: true, syscalls.IovOut: true,
	syscalls.MsghdrOut: true, syscalls.PageVec: true,
}

// terseArgs says the call is outside -e verbose= and has an argument it
// then shows as an address; its other arguments print as usual.
func (c *call) terseArgs() bool {
	if c.sc == nil || !c.terse() {
		return false
	}
	for _, a := range c.sc.Args {
		if terseKinds[a.Kind] {
			return true
		}
	}
	return false
}

// unabbreviated says -v applies to the call.
func (c *call) unabbreviated() bool {
	if a := c.s.opts.Calls.Abbrev; a != nil {
		return !a.Has(c.ev)
	}
	return c.s.opts.Verbose
}

// renderRaw prints every argument as a hex number, as strace -e raw=.
func (c *call) renderRaw() {
	n := 6
	if c.sc != nil {
		n = len(c.sc.Args)
	}
	for i := 0; i < n; i++ {
		c.addf(false, func(d []byte) []byte { return appendHexNum(d, c.ev.Args[i]) })
	}
}

// renderTerse prints the arguments by their kinds, with structures,
// arrays, iovecs, messages and string arrays as their addresses, as strace
// prints a call outside -e verbose=.
func (c *call) renderTerse() {
	for i := range c.sc.Args {
		a := &c.sc.Args[i]
		raw := c.ev.Args[i]
		switch {
		case !terseKinds[a.Kind]:
			c.generic(i)
		case a.Kind == syscalls.StructOut || a.Kind == syscalls.StructOutErr || a.Kind == syscalls.ArrayOut ||
			a.Kind == syscalls.IovOut || a.Kind == syscalls.MsghdrOut || a.Kind == syscalls.PageVec:
			c.addf(true, func(d []byte) []byte { return appendPtr(d, raw) })
		default:
			c.addf(false, func(d []byte) []byte { return appendPtr(d, raw) })
		}
	}
}

// countStrings is the number of NUL-separated strings in b.
func countStrings(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	n := uint32(1)
	for _, c := range b {
		if c == 0 {
			n++
		}
	}
	return n
}

// appendVarCount appends strace's " /* N vars */".
func appendVarCount(d []byte, n uint32) []byte {
	d = append(d, " /* "...)
	d = strconv.AppendUint(d, uint64(n), 10)
	if n == 1 {
		return append(d, " var */"...)
	}
	return append(d, " vars */"...)
}
