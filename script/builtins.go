package script

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// builtins are the predeclared functions of every script, by name.
var builtins = map[string]*starlark.Builtin{
	"hex":          starlark.NewBuiltin("hex", hexBuiltin),
	"write_hex":    starlark.NewBuiltin("write_hex", writeHexBuiltin),
	"hex_header":   starlark.NewBuiltin("hex_header", hexHeaderBuiltin),
	"hex_title":    starlark.NewBuiltin("hex_title", hexTitleBuiltin),
	"strace":       starlark.NewBuiltin("strace", straceBuiltin),
	"write_strace": starlark.NewBuiltin("write_strace", writeStraceBuiltin),
}

// Builtins is the sorted list of predeclared names.
// Module members are listed as "module.member".
func Builtins() []string {
	names := make([]string, 0, len(builtins)+len(hostBuiltins))
	for n := range builtins {
		names = append(names, n)
	}
	for n := range hostBuiltins {
		names = append(names, n)
	}
	for n, m := range modules {
		for member := range m.Members {
			names = append(names, n+"."+member)
		}
	}
	sort.Strings(names)
	return names
}

func (p *Pipeline) predeclared() starlark.StringDict {
	d := make(starlark.StringDict, len(builtins)+len(hostBuiltins)+len(modules))
	for n, b := range builtins {
		d[n] = b
	}
	for n, b := range hostBuiltins {
		d[n] = b
	}
	for n, m := range modules {
		d[n] = m
	}
	return d
}

func pipelineOf(t *starlark.Thread) *Pipeline {
	return t.Local(pipelineKey).(*Pipeline)
}

// hexRow renders the hex row of the one event argument into p.line;
// empty for events that are not syscalls.
func hexRow(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (*Pipeline, error) {
	ev, err := eventArg(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	if !p.hexRow && ev.ev.Kind == event.Syscall {
		// -r: the first row is 0, as strace's first line.
		p.hexRow, p.hexPrevTS = true, ev.ev.TS
	}
	p.line = format.AppendHex(p.line[:0], ev.ev, p.opts.Table, p.opts.Hex, p.hexPrevTS)
	if len(p.line) > 0 && ev.ev.Kind == event.Syscall {
		p.hexPrevTS = ev.ev.TS
	}
	return p, nil
}

// hex(ev) is one row of the hex format.
func hexBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	p, err := hexRow(t, b, args, kwargs)
	if err != nil {
		return nil, err
	}
	if len(p.line) == 0 {
		return starlark.None, nil // not a syscall: no row
	}
	return starlark.String(p.line), nil
}

// write_hex(ev) writes ev's hex row to the trace output and returns None:
// hex(ev) without making a string, for the stock format's hot path. Before
// the first row it writes the log's title and header lines.
func writeHexBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	p, err := hexRow(t, b, args, kwargs)
	if err != nil {
		return nil, err
	}
	if len(p.line) == 0 {
		return starlark.None, nil
	}
	if !p.hexStarted {
		// The log's first two lines come with its first row: a trace
		// that no event reaches (a script that only counts) prints none.
		p.hexStarted = true
		p.out.WriteString(format.HexTitle(p.opts.Argv, p.opts.Hex))
		p.out.WriteByte('\n')
		p.out.WriteString(format.HexHeader(p.opts.Hex))
		p.out.WriteByte('\n')
	}
	p.line = append(p.line, '\n')
	p.out.Write(p.line)
	return starlark.None, nil
}

// hex_header() is the column header line of the hex format.
func hexHeaderBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	return starlark.String(format.HexHeader(pipelineOf(t).opts.Hex)), nil
}

// hex_title() is the first line of the hex format: the tracer's command line.
func hexTitleBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	return starlark.String(format.HexTitle(p.opts.Argv, p.opts.Hex)), nil
}

// eventArg is the one event argument of a per-event builtin, read without
// reflective unpacking: these builtins run for every event.
func eventArg(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (*Event, error) {
	if len(args) == 1 && len(kwargs) == 0 {
		if ev, ok := args[0].(*Event); ok {
			return ev, nil
		}
	}
	return nil, argError(b, args, kwargs, "an event")
}

// argError is the error of a builtin that takes exactly one argument, want.
func argError(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, want string) error {
	if len(kwargs) > 0 {
		return fmt.Errorf("%s: unexpected keyword argument %s", b.Name(), kwargs[0][0])
	}
	if len(args) != 1 {
		return fmt.Errorf("%s: got %d arguments, want 1", b.Name(), len(args))
	}
	return fmt.Errorf("%s: got %s, want %s", b.Name(), args[0].Type(), want)
}
