package script

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Event is the Starlark value of `ev`: a read-only view of one event whose
// fields are computed when a script reads them, so a field nobody reads
// costs nothing.
type Event struct {
	ev  *event.Event
	tab *syscalls.Table
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

func (e *Event) name() string { return e.tab.Name(int(e.ev.Nr)) }

func (e *Event) nargs() int {
	if sc := e.tab.ByNr(int(e.ev.Nr)); sc != nil {
		return len(sc.Args)
	}
	return len(e.ev.Args)
}

// eventAttrs lists every field of ev; docs and tests read it.
var eventAttrs = map[string]func(e *Event) starlark.Value{
	"pid":  func(e *Event) starlark.Value { return starlark.MakeInt(int(e.ev.PID)) },
	"tid":  func(e *Event) starlark.Value { return starlark.MakeInt(int(e.ev.TID)) },
	"comm": func(e *Event) starlark.Value { return starlark.String(e.ev.Comm) },
	"nr":   func(e *Event) starlark.Value { return starlark.MakeInt(int(e.ev.Nr)) },
	"name": func(e *Event) starlark.Value { return starlark.String(e.name()) },
	"args": func(e *Event) starlark.Value {
		n := e.nargs()
		t := make(starlark.Tuple, n)
		for i := range t {
			t[i] = starlark.MakeUint64(e.ev.Args[i])
		}
		return t
	},
	"ret": func(e *Event) starlark.Value {
		if e.ev.Flags&event.NoReturn != 0 {
			return starlark.None
		}
		return starlark.MakeInt64(e.ev.Ret)
	},
	"err":      func(e *Event) starlark.Value { return starlark.MakeInt(e.ev.Errno()) },
	"failed":   func(e *Event) starlark.Value { return starlark.Bool(e.ev.Failed()) },
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
}

// EventFields is the sorted list of ev's fields.
func EventFields() []string {
	names := make([]string, 0, len(eventAttrs))
	for n := range eventAttrs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (e *Event) Attr(name string) (starlark.Value, error) {
	if f, ok := eventAttrs[name]; ok {
		return f(e), nil
	}
	return nil, nil // starlark reports "no .name field or method"
}

func (e *Event) AttrNames() []string { return EventFields() }
