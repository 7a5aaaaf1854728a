package script

import (
	"sort"

	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/format"
)

// builtins are the predeclared functions of every script, by name.
var builtins = map[string]*starlark.Builtin{
	"hex":        starlark.NewBuiltin("hex", hexBuiltin),
	"hex_header": starlark.NewBuiltin("hex_header", hexHeaderBuiltin),
	"hex_title":  starlark.NewBuiltin("hex_title", hexTitleBuiltin),
}

// Builtins is the sorted list of predeclared names.
func Builtins() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (p *Pipeline) predeclared() starlark.StringDict {
	d := make(starlark.StringDict, len(builtins))
	for n, b := range builtins {
		d[n] = b
	}
	return d
}

func pipelineOf(t *starlark.Thread) *Pipeline {
	return t.Local(pipelineKey).(*Pipeline)
}

// hex(ev) is one row of the hex format.
func hexBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var ev *Event
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &ev); err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	p.line = format.AppendHex(p.line[:0], ev.ev, p.opts.Table, p.opts.Hex)
	return starlark.String(p.line), nil
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


