package script

import (
	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/format"
)

// SetStraceOptions sets the options of the strace(ev) builtin: --strsize,
// -f prefixes, -t/-tt/-ttt/-r, -T, -y, -z/-Z. Call it before Start.
func (p *Pipeline) SetStraceOptions(o format.StraceOptions) { p.straceOpts = o }

const straceKey = "strace.strace"

// straceOf is the strace formatter of t's stage: strace's output depends on
// the events printed before (the last thread, fd paths), per script thread.
func straceOf(t *starlark.Thread, p *Pipeline) *format.Strace {
	st, _ := t.Local(straceKey).(*format.Strace)
	if st == nil {
		st = format.NewStrace(p.opts.Table, p.straceOpts)
		t.SetLocal(straceKey, st)
	}
	return st
}

// write_strace(ev) prints what strace(ev) returns, without making a string:
// what stdlib/strace.star does for every event.
func writeStraceBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ev, err := eventArg(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	p.line = straceOf(t, p).Append(p.line[:0], ev.ev)
	if len(p.line) > 0 {
		p.out.Write(p.line)
		p.out.WriteByte('\n')
	}
	return starlark.None, nil
}

// strace(ev) is the event as strace prints it: one line, or two for a call
// another thread interrupted ("<unfinished ...>" then "<... resumed>"), or
// None when -z/-Z filter it out. It remembers what strace's output depends
// on across events (the last thread printed, fd paths), per script thread.
func straceBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ev, err := eventArg(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	p := pipelineOf(t)
	p.line = straceOf(t, p).Append(p.line[:0], ev.ev)
	if len(p.line) == 0 {
		return starlark.None, nil
	}
	return starlark.String(p.line), nil
}
