package script

import (
	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/format"
)

func init() {
	builtins["write_hex"] = starlark.NewBuiltin("write_hex", writeHexBuiltin)
}

// write_hex(ev) writes ev's hex row to the trace output and returns None:
// hex(ev) without making a string, for the stock format's hot path.
func writeHexBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ev, err := eventArg(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	p.line = format.AppendHex(p.line[:0], ev.ev, p.opts.Table, p.opts.Hex)
	if len(p.line) > 0 {
		p.line = append(p.line, '\n')
		p.out.Write(p.line)
	}
	return starlark.None, nil
}
