package script

import (
	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/format"
)

// The stock formats as scripts reach them: hex(ev), write_hex(ev),
// hex_title(), hex_header(), strace(ev), write_strace(ev) and ev.strace().
// The formats themselves are format's writers, after the pipeline; these
// builtins render with the same code and the session's options, into what
// the script returns or prints.

// formats is the pipeline's state of the stock formats' builtins.
type formats struct {
	hexOpts    format.HexOptions
	argv       []string
	straceOpts format.StraceOptions
	hex        *format.Hex // write_hex and hex's rows, made at first use
	line       []byte      // scratch
}

// SetStraceOptions sets the options of the strace(ev) builtin: --strsize,
// -f prefixes, -t/-tt/-ttt/-r, -T, -y. Call it before Start.
func (p *Pipeline) SetStraceOptions(o format.StraceOptions) { p.fmts.straceOpts = o }

func (p *Pipeline) hexOf() *format.Hex {
	if p.fmts.hex == nil {
		p.fmts.hex = format.NewHex(p.opts.Table, p.fmts.argv, p.fmts.hexOpts)
	}
	return p.fmts.hex
}

const straceKey = "strace.strace"

// straceOf is the strace renderer of t's stage: strace's output depends on
// the events printed before (the last thread, fd paths), per script thread.
func straceOf(t *starlark.Thread, p *Pipeline) *format.Strace {
	st, _ := t.Local(straceKey).(*format.Strace)
	if st == nil {
		st = format.NewStrace(p.opts.Table, p.fmts.straceOpts)
		t.SetLocal(straceKey, st)
	}
	return st
}

// hex(ev) is one row of the hex format; None for events that have none.
func hexBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ev, err := eventArg(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	p.fmts.line = p.hexOf().AppendRow(p.fmts.line[:0], ev.ev)
	if len(p.fmts.line) == 0 {
		return starlark.None, nil // not a syscall: no row
	}
	return starlark.String(p.fmts.line), nil
}

// write_hex(ev) writes ev's hex row to the output and returns None; before
// the first row, the log's title and header lines.
func writeHexBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ev, err := eventArg(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	p.fmts.line = p.hexOf().Append(p.fmts.line[:0], ev.ev)
	p.out.Write(p.fmts.line)
	return starlark.None, nil
}

// hex_header() is the column header line of the hex format.
func hexHeaderBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	return starlark.String(format.HexHeader(pipelineOf(t).fmts.hexOpts)), nil
}

// hex_title() is the first line of the hex format: the tracer's command line.
func hexTitleBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	return starlark.String(format.HexTitle(p.fmts.argv, p.fmts.hexOpts)), nil
}

// write_strace(ev) prints what strace(ev) returns, without making a string.
func writeStraceBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ev, err := eventArg(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	p.fmts.line = straceOf(t, p).Append(p.fmts.line[:0], ev.ev)
	if len(p.fmts.line) > 0 {
		p.out.Write(p.fmts.line)
		p.out.WriteByte('\n')
	}
	return starlark.None, nil
}

// strace(ev) is the event as strace prints it: one line, or two for a call
// another thread interrupted ("<unfinished ...>" then "<... resumed>"), or
// None for an event that makes no line. It remembers what strace's output
// depends on across events (the last thread printed, fd paths), per script
// thread.
func straceBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ev, err := eventArg(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	p.fmts.line = straceOf(t, p).Append(p.fmts.line[:0], ev.ev)
	if len(p.fmts.line) == 0 {
		return starlark.None, nil
	}
	return starlark.String(p.fmts.line), nil
}
