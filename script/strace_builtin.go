package script

import (
	"sync"

	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/format"
)

// straceOptions holds each pipeline's strace presentation options (set by
// SetStraceOptions before the pipeline starts).
var straceOptions sync.Map // *Pipeline -> format.StraceOptions

// SetStraceOptions sets the options of the strace(ev) builtin: --strsize,
// -f prefixes, -t/-tt/-ttt/-r, -T, -y, -z/-Z.
func (p *Pipeline) SetStraceOptions(o format.StraceOptions) { straceOptions.Store(p, o) }

const straceKey = "strace.strace"

// strace(ev) is the event as strace prints it: one line, or two for a call
// another thread interrupted ("<unfinished ...>" then "<... resumed>"), or
// None when -z/-Z filter it out. It remembers what strace's output depends
// on across events (the last thread printed, fd paths), per script thread.
func straceBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var ev *Event
	if len(args) == 1 && len(kwargs) == 0 {
		ev, _ = args[0].(*Event)
	}
	if ev == nil {
		return nil, argError(b, args, kwargs, "an event")
	}
	p := pipelineOf(t)
	st, _ := t.Local(straceKey).(*format.Strace)
	if st == nil {
		o, _ := straceOptions.Load(p)
		so, _ := o.(format.StraceOptions)
		st = format.NewStrace(p.opts.Table, so)
		t.SetLocal(straceKey, st)
	}
	p.line = st.Append(p.line[:0], ev.ev)
	if len(p.line) == 0 {
		return starlark.None, nil
	}
	return starlark.String(p.line), nil
}
