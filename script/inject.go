package script

import (
	"fmt"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// Fault injection from scripts (docs/injection.md):
//
//	inject(syscalls = ["openat"])                  # these calls reach on_inject(ev)
//	inject(syscalls = ["write"], fault = "error=EIO:when=3+")   # a fixed fault, as -e inject=
//
//	def on_inject(ev):
//	    if ev.path.startswith("/var/lib/"):
//	        return "error=EACCES"
//	    return None                                  # the call runs
//
// A fault is strace's inject tokens, without the syscall set: error=,
// retval=, signal=, delay_enter= (and when= in a declaration). The session
// parses them (session/inject.go); the seccomp filter sends only the
// declared calls to the tracer, so no other call reaches the script.

// InjectDecl is one inject() declaration.
type InjectDecl struct {
	Script   string   // the declaring script, for messages
	Syscalls []string // names, %classes
	// Fault is the fixed fault in strace's tokens; "" sends the calls to
	// the script's on_inject.
	Fault string
}

// injectState is the pipeline's fault injection: the declarations, and
// the lock that keeps on_inject (called from the tracer's injecting
// goroutine) off the stages while they run on_syscall or on_tick.
type injectState struct {
	decls  []InjectDecl
	hooked bool       // some stage has on_inject: Event and Idle take mu
	mu     sync.Mutex // held around every hook call while hooked
}

// inject(syscalls, fault=None) declares, at load time, the calls the
// tracer stops for this script: with fault, the fault they get (strace's
// tokens: "error=ENOSPC:when=3"); without, on_inject(ev) decides each.
func injectBuiltin(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var sys starlark.Value
	var fault starlark.Value = starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "syscalls", &sys, "fault?", &fault); err != nil {
		return nil, err
	}
	if t.Local(loadTimeKey) == nil {
		return nil, fmt.Errorf("%s: call it at the top level of the script, when it loads", b.Name())
	}
	in, _ := t.Local(stageKey).(*stageInfo)
	if in == nil {
		return nil, fmt.Errorf("%s: not in a script", b.Name())
	}
	names, err := stringList(b.Name(), "syscalls", sys)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: syscalls: name at least one call", b.Name())
	}
	d := InjectDecl{Script: in.name, Syscalls: names}
	switch f := fault.(type) {
	case starlark.NoneType:
	case starlark.String:
		if f == "" {
			return nil, fmt.Errorf("%s: fault: empty", b.Name())
		}
		d.Fault = string(f)
	default:
		return nil, fmt.Errorf("%s: fault: got %s, want a string such as \"error=ENOSPC\"", b.Name(), fault.Type())
	}
	p := pipelineOf(t)
	p.inj.decls = append(p.inj.decls, d)
	return starlark.None, nil
}

// Injects returns the scripts' inject() declarations, in order. A
// declaration without a fault needs its script's on_inject: it is an error
// otherwise.
func (p *Pipeline) Injects() ([]InjectDecl, error) {
	hooked := map[string]bool{}
	for _, st := range p.stages {
		if st.info().has[hookInject] {
			hooked[st.info().name] = true
		}
	}
	for _, d := range p.inj.decls {
		if d.Fault == "" && !hooked[d.Script] {
			return nil, fmt.Errorf("loading script %s: inject(syscalls = [%s]) without fault: the script needs on_inject(ev)", d.Script, strings.Join(d.Syscalls, ", "))
		}
	}
	for name := range hooked {
		found := false
		for _, d := range p.inj.decls {
			found = found || d.Script == name && d.Fault == ""
		}
		if !found {
			return nil, fmt.Errorf("loading script %s: on_inject(ev) sees no call: declare them with inject(syscalls = [...])", name)
		}
	}
	p.inj.hooked = len(hooked) > 0
	return p.inj.decls, nil
}

// Inject asks the scripts with on_inject, in order, for the fault of the
// call ev (its number, arguments and strings; no result yet): the first
// that returns one decides. It returns the fault's tokens ("error=EACCES"),
// or "" for none. Safe to call from another goroutine than Event's.
func (p *Pipeline) Inject(raw *event.Event) (string, error) {
	p.inj.mu.Lock()
	defer p.inj.mu.Unlock()
	ev := &Event{ev: raw, tab: p.opts.Table, p: p}
	for _, st := range p.stages {
		in := st.info()
		if !in.has[hookInject] || in.fail.stopped {
			continue
		}
		p.enter(st)
		f, err := injectCall(st, ev)
		p.leave()
		if err != nil {
			if p.failed(st, hookInject, err) {
				continue // no fault from this stage
			}
			return "", err
		}
		if f != "" {
			return f, nil
		}
	}
	return "", nil
}

// injectCall runs one stage's on_inject(ev): None or False is no fault, a
// string is the fault.
func injectCall(st stage, ev *Event) (string, error) {
	var got string
	switch s := st.(type) {
	case *starStage:
		v, err := s.invoke(hookInject, starlark.Tuple{ev})
		if err != nil {
			return "", err
		}
		switch v := v.(type) {
		case starlark.String:
			return string(v), nil
		case starlark.NoneType:
			return "", nil
		case starlark.Bool:
			if !v {
				return "", nil
			}
		}
		got = v.Type()
	case *luaStage:
		ud := s.L.NewUserData()
		ud.Value = starlark.Value(ev)
		ud.Metatable = s.meta
		if err := s.pcall(s.fns[hookInject], 1, ud); err != nil {
			return "", err
		}
		v := s.L.Get(-1)
		s.L.Pop(1)
		switch v := v.(type) {
		case lua.LString:
			return string(v), nil
		case *lua.LNilType:
			return "", nil
		case lua.LBool:
			if !v {
				return "", nil
			}
		}
		got = v.Type().String()
	}
	return "", &Error{Script: st.info().name, Msg: fmt.Sprintf("on_inject returned %s, want None or a fault string such as \"error=EIO\"", got)}
}
