package script

import (
	"fmt"
	"strings"

	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// Frame is the Starlark value of one entry of ev.stack.
type Frame struct{ f *event.Frame }

var _ starlark.HasAttrs = Frame{}

// String is the frame as strace -k prints it, without the leading " > ".
func (f Frame) String() string {
	return strings.TrimPrefix(string(format.AppendFrame(nil, f.f)), " > ")
}
func (f Frame) Type() string          { return "strace.frame" }
func (f Frame) Freeze()               {}
func (f Frame) Truth() starlark.Bool  { return true }
func (f Frame) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: strace.frame") }

// frameAttrs lists the fields of a frame; docs and tests read it.
var frameAttrs = map[string]func(f *event.Frame) starlark.Value{
	"addr":   func(f *event.Frame) starlark.Value { return starlark.MakeUint64(f.Addr) },
	"module": func(f *event.Frame) starlark.Value { return noneIfEmpty(f.Module) },
	"offset": func(f *event.Frame) starlark.Value { return starlark.MakeUint64(f.Offset) },
	"symbol": func(f *event.Frame) starlark.Value { return noneIfEmpty(f.Symbol) },
	"symoff": func(f *event.Frame) starlark.Value { return starlark.MakeUint64(f.SymOff) },
}

// FrameFields is the sorted list of a frame's fields.
func FrameFields() []string { return sortedKeys(frameAttrs) }

func (f Frame) Attr(name string) (starlark.Value, error) {
	if g, ok := frameAttrs[name]; ok {
		return g(f.f), nil
	}
	return nil, nil
}

func (f Frame) AttrNames() []string { return FrameFields() }

// stackValue is ev.stack: the frames, innermost first; empty without -k.
func stackValue(ev *event.Event) starlark.Value {
	t := make(starlark.Tuple, len(ev.Stack))
	for i := range ev.Stack {
		t[i] = Frame{&ev.Stack[i]}
	}
	return t
}
