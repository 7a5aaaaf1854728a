package script

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Event is the Starlark value of `ev`: a read-only view of one event whose
// fields are computed when a script reads them, so a field nobody reads
// costs nothing.
type Event struct {
	ev  *event.Event
	tab *syscalls.Table
	p   *Pipeline // nil outside a pipeline: process fields are then None
}

var (
	_ starlark.HasAttrs = (*Event)(nil)
)

// NewEvent wraps ev for scripts.
func NewEvent(ev *event.Event, tab *syscalls.Table) *Event { return &Event{ev: ev, tab: tab} }

// Raw is the wrapped event.
func (e *Event) Raw() *event.Event { return e.ev }

func (e *Event) String() string {
	return fmt.Sprintf("<strace.event %s pid=%d>", e.name(), e.ev.PID)
}
func (e *Event) Type() string          { return "strace.event" }
func (e *Event) Freeze()               {}
func (e *Event) Truth() starlark.Bool  { return true }
func (e *Event) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: strace.event") }

func (e *Event) name() string {
	if e.ev.Kind != event.Syscall {
		return kindName(e.ev.Kind)
	}
	return e.stab().Name(int(e.ev.Nr))
}

// stab is the table of the call's personality: i386's for a call made in
// 32-bit mode on amd64.
func (e *Event) stab() *syscalls.Table {
	return e.tab.Personality(e.ev.Flags&event.Compat != 0)
}

// kindName is ev.kind: "syscall", "exit" (a thread ended), "signal" (a
// signal was delivered) or "lost".
func kindName(k event.Kind) string {
	switch k {
	case event.Syscall:
		return "syscall"
	case event.Exit:
		return "exit"
	case event.Signal:
		return "signal"
	case event.Lost:
		return "lost"
	}
	return fmt.Sprintf("kind%d", k)
}

func (e *Event) sc() *syscalls.Syscall {
	if e.ev.Kind != event.Syscall {
		return nil
	}
	return e.stab().ByNr(int(e.ev.Nr))
}

func (e *Event) nargs() int {
	if sc := e.sc(); sc != nil {
		return len(sc.Args)
	}
	if e.ev.Kind != event.Syscall {
		return 0
	}
	return len(e.ev.Args)
}

// argValue is argument i as a script sees it by name: the captured string
// of a path or string argument, else the integer truncated to its C type
// (signed types negative when they are).
func (e *Event) argValue(i int) starlark.Value {
	if s, ok := e.ev.String(i); ok {
		return starlark.String(s)
	}
	raw := e.ev.Args[i]
	if sc := e.sc(); sc != nil && i < len(sc.Args) {
		a := &sc.Args[i]
		v := a.Normalize(raw)
		if a.Signed {
			return starlark.MakeInt64(int64(v))
		}
		return starlark.MakeUint64(v)
	}
	return starlark.MakeUint64(raw)
}

func (e *Event) argIndex(name string) int {
	if sc := e.sc(); sc != nil {
		for i := range sc.Args {
			if sc.Args[i].Name == name {
				return i
			}
		}
	}
	return -1
}

var eventArgMethod = starlark.NewBuiltin("arg", func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	e := b.Receiver().(*Event)
	var key, def starlark.Value = nil, starlark.None
	if err := starlark.UnpackPositionalArgs("arg", args, kwargs, 1, &key, &def); err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case starlark.String:
		if i := e.argIndex(string(k)); i >= 0 {
			return e.argValue(i), nil
		}
		if len(args) == 2 {
			return def, nil
		}
		return nil, fmt.Errorf("arg: %s has no argument %q (it has: %s)", e.name(), string(k), orNone(e.argNames()))
	case starlark.Int:
		i, ok := k.Int64()
		if ok && i >= 0 && int(i) < e.nargs() {
			return e.argValue(int(i)), nil
		}
		if len(args) == 2 {
			return def, nil
		}
		return nil, fmt.Errorf("arg: %s has no argument %s (it has %d)", e.name(), k, e.nargs())
	}
	return nil, fmt.Errorf("arg: got %s, want an argument name or index", key.Type())
})

// ev.strace() is the call as strace prints it, on one line, without
// memory of other events (no "<unfinished ...>" split, no -y paths); -S
// sets the string size as for -l strace.
// The personalities as values made once: ev.personality allocates nothing.
var personality64, personality32 starlark.Value = starlark.String("64"), starlark.String("32")

var eventStraceMethod = starlark.NewBuiltin("strace", func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	e := b.Receiver().(*Event)
	if err := starlark.UnpackPositionalArgs("strace", args, kwargs, 0); err != nil {
		return nil, err
	}
	var so format.StraceOptions
	if p := e.p; p != nil {
		so.StrSize = p.fmts.straceOpts.StrSize
	}
	line := format.AppendStrace(nil, e.ev, e.tab, so)
	return starlark.String(strings.TrimRight(string(line), "\n")), nil
})

// ev.buf(arg) is the buffer or struct captured for argument arg (a name
// or an index) as bytes, or None.
var eventBufMethod = starlark.NewBuiltin("buf", func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	e := b.Receiver().(*Event)
	var key starlark.Value
	if err := starlark.UnpackPositionalArgs("buf", args, kwargs, 1, &key); err != nil {
		return nil, err
	}
	i := -1
	switch k := key.(type) {
	case starlark.String:
		if i = e.argIndex(string(k)); i < 0 {
			return nil, fmt.Errorf("buf: %s has no argument %q (it has: %s)", e.name(), string(k), orNone(e.argNames()))
		}
	case starlark.Int:
		n, _ := k.Int64()
		i = int(n)
	default:
		return nil, fmt.Errorf("buf: got %s, want an argument name or index", key.Type())
	}
	for _, d := range e.ev.Data {
		if int(d.Arg) == i && (d.Kind == event.BufIn || d.Kind == event.BufOut) {
			return starlark.Bytes(d.Bytes), nil
		}
	}
	return starlark.None, nil
})

// fds is ev.fds: what each descriptor of the call referred to, by
// argument name, and "ret" for a descriptor the call returned; empty when
// the kernel described none (no trace(fds = True), -y or -P).
func (e *Event) fds() starlark.Value {
	names := e.argNames()
	d := starlark.NewDict(2)
	for i := range e.ev.Data {
		it := &e.ev.Data[i]
		if it.Kind != event.Fd {
			continue
		}
		f, ok := event.ParseFd(it.Bytes)
		if !ok {
			continue
		}
		key := "ret"
		if f.Flags&event.FdAtExit == 0 {
			key = strconv.Itoa(int(it.Arg))
			if int(it.Arg) < len(names) {
				key = names[it.Arg]
			}
		}
		d.SetKey(starlark.String(key), starlark.String(format.FdDescription(&f)))
	}
	d.Freeze()
	return d
}

// ev.fd_path(arg) is what the descriptor in argument arg (a name or an
// index; "ret" for the returned one) referred to at the call, or None.
var eventFdPathMethod = starlark.NewBuiltin("fd_path", func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	e := b.Receiver().(*Event)
	var key starlark.Value
	if err := starlark.UnpackPositionalArgs("fd_path", args, kwargs, 1, &key); err != nil {
		return nil, err
	}
	atExit, i := false, -1
	switch k := key.(type) {
	case starlark.String:
		if k == "ret" {
			atExit = true
		} else if i = e.argIndex(string(k)); i < 0 {
			return nil, fmt.Errorf("fd_path: %s has no argument %q (it has: %s, and ret)", e.name(), string(k), orNone(e.argNames()))
		}
	case starlark.Int:
		n, _ := k.Int64()
		i = int(n)
	default:
		return nil, fmt.Errorf("fd_path: got %s, want an argument name or index, or \"ret\"", key.Type())
	}
	for j := range e.ev.Data {
		d := &e.ev.Data[j]
		if d.Kind != event.Fd {
			continue
		}
		f, ok := event.ParseFd(d.Bytes)
		if ok && (f.Flags&event.FdAtExit != 0) == atExit && (atExit || int(d.Arg) == i) {
			return starlark.String(format.FdDescription(&f)), nil
		}
	}
	return starlark.None, nil
})

func (e *Event) argNames() []string {
	sc := e.sc()
	if sc == nil {
		return nil
	}
	names := make([]string, len(sc.Args))
	for i := range sc.Args {
		names[i] = sc.Args[i].Name
	}
	return names
}

func noneIfEmpty(s string) starlark.Value {
	if s == "" {
		return starlark.None
	}
	return starlark.String(s)
}

// eventAttrs lists every field of ev; docs and tests read it.
var eventAttrs = map[string]func(e *Event) starlark.Value{
	"pid":  func(e *Event) starlark.Value { return starlark.MakeInt(int(e.ev.PID)) },
	"tid":  func(e *Event) starlark.Value { return starlark.MakeInt(int(e.ev.TID)) },
	"comm": func(e *Event) starlark.Value { return starlark.String(e.ev.Comm) },
	"cgroup_id": func(e *Event) starlark.Value {
		if e.ev.Cgroup == 0 {
			return starlark.None
		}
		return starlark.MakeUint64(e.ev.Cgroup)
	},
	"container": func(e *Event) starlark.Value { return noneIfEmpty(e.ev.Container) },
	"nr":        func(e *Event) starlark.Value { return starlark.MakeInt(int(e.ev.Nr)) },
	"name": func(e *Event) starlark.Value {
		if e.p != nil && e.ev.Kind == event.Syscall && e.ev.Flags&event.Compat == 0 && e.tab == e.p.opts.Table {
			return e.p.syscallName(e.ev.Nr)
		}
		return starlark.String(e.name())
	},
	"args": func(e *Event) starlark.Value {
		n := e.nargs()
		t := make(starlark.Tuple, n)
		for i := range t {
			t[i] = starlark.MakeUint64(e.ev.Args[i])
		}
		return t
	},
	"ret": func(e *Event) starlark.Value {
		if e.ev.Flags&(event.NoReturn|event.Unfinished) != 0 {
			return starlark.None
		}
		return starlark.MakeInt64(e.ev.Ret)
	},
	"err":      func(e *Event) starlark.Value { return starlark.MakeInt(e.ev.Errno()) },
	"failed":   func(e *Event) starlark.Value { return starlark.Bool(e.ev.Failed()) },
	"injected": func(e *Event) starlark.Value { return starlark.Bool(e.ev.Flags&event.Injected != 0) },
	"delayed":  func(e *Event) starlark.Value { return starlark.Bool(e.ev.Flags&event.Delayed != 0) },
	"poked":    func(e *Event) starlark.Value { return starlark.Bool(e.ev.Flags&event.Poked != 0) },
	"ts":       func(e *Event) starlark.Value { return starlark.MakeUint64(e.ev.TS) },
	"duration": func(e *Event) starlark.Value { return starlark.MakeUint64(e.ev.Duration) },
	"path": func(e *Event) starlark.Value {
		if s, ok := e.ev.FirstString(); ok {
			return starlark.String(s)
		}
		return starlark.None
	},
	"strings": func(e *Event) starlark.Value {
		t := make(starlark.Tuple, e.nargs())
		for i := range t {
			if s, ok := e.ev.String(i); ok {
				t[i] = starlark.String(s)
			} else {
				t[i] = starlark.None
			}
		}
		return t
	},
	"errname": func(e *Event) starlark.Value {
		if n := e.ev.Errno(); n != 0 {
			if s := syscalls.ErrnoName(n); s != "" {
				return starlark.String(s)
			}
			return starlark.String(fmt.Sprintf("E%d", n))
		}
		return starlark.None
	},
	"errmsg": func(e *Event) starlark.Value {
		if n := e.ev.Errno(); n != 0 {
			if s := syscalls.ErrnoMessage(n); s != "" {
				return starlark.String(s)
			}
			return starlark.String(fmt.Sprintf("Unknown error %d", n))
		}
		return starlark.None
	},
	"classes": func(e *Event) starlark.Value {
		var l []starlark.Value
		if sc := e.sc(); sc != nil {
			for _, n := range sc.Classes.Names() {
				l = append(l, starlark.String(n))
			}
		}
		return starlark.Tuple(l)
	},
	"arg_names": func(e *Event) starlark.Value {
		names := e.argNames()
		t := make(starlark.Tuple, len(names))
		for i, n := range names {
			t[i] = starlark.String(n)
		}
		return t
	},
	"args_by_name": func(e *Event) starlark.Value {
		names := e.argNames()
		d := starlark.NewDict(len(names))
		for i, n := range names {
			d.SetKey(starlark.String(n), e.argValue(i))
		}
		return d
	},
	"fds":     func(e *Event) starlark.Value { return e.fds() },
	"fd_path": func(e *Event) starlark.Value { return eventFdPathMethod.BindReceiver(e) },
	"arg":     func(e *Event) starlark.Value { return eventArgMethod.BindReceiver(e) },
	"buf":     func(e *Event) starlark.Value { return eventBufMethod.BindReceiver(e) },
	"strace":  func(e *Event) starlark.Value { return eventStraceMethod.BindReceiver(e) },
	"kind":    func(e *Event) starlark.Value { return starlark.String(kindName(e.ev.Kind)) },
	"signal": func(e *Event) starlark.Value {
		if e.ev.Kind != event.Signal {
			return starlark.None
		}
		return noneIfEmpty(syscalls.SignalName(int(e.ev.Nr)))
	},
	"stack": func(e *Event) starlark.Value { return stackValue(e.ev) },
	"personality": func(e *Event) starlark.Value {
		switch {
		case e.ev.Kind != event.Syscall:
			return starlark.None
		case e.ev.Flags&event.Compat != 0:
			return personality32
		}
		return personality64
	},
	"unfinished": func(e *Event) starlark.Value { return starlark.Bool(e.ev.Flags&event.Unfinished != 0) },
	"noreturn":   func(e *Event) starlark.Value { return starlark.Bool(e.ev.Flags&event.NoReturn != 0) },
	"ppid": func(e *Event) starlark.Value {
		if e.p == nil {
			return starlark.None
		}
		return intOrNone(e.p.procs.ppid(e.ev.PID))
	},
	"uid": func(e *Event) starlark.Value {
		if e.p == nil {
			return starlark.None
		}
		return intOrNone(e.p.procs.uid(e.ev.PID))
	},
	"cgroup": func(e *Event) starlark.Value {
		if e.p == nil {
			return starlark.None
		}
		if s, ok := e.p.procs.cgroup(e.ev.PID); ok {
			return starlark.String(s)
		}
		return starlark.None
	},
}

func sortedKeys[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// EventFields is the sorted list of ev's fields and methods.
func EventFields() []string { return sortedKeys(eventAttrs) }

func (e *Event) Attr(name string) (starlark.Value, error) {
	if f, ok := eventAttrs[name]; ok {
		return f(e), nil
	}
	return nil, nil // starlark reports "no .name field or method"
}

func (e *Event) AttrNames() []string { return EventFields() }
