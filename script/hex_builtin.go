package script

import (
	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/format"
)

func init() {
	builtins["write_hex"] = starlark.NewBuiltin("write_hex", writeHexBuiltin)
}

// write_hex(ev) writes ev's hex row to the trace output and returns None:
// hex(ev) without making a string, for the stock format's hot path. Before
// the first row it writes the log's title and header lines.
func writeHexBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ev, err := eventArg(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	p.line = format.AppendHex(p.line[:0], ev.ev, p.opts.Table, p.opts.Hex)
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
