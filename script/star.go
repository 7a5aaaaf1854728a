package script

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// fileOptions are the Starlark dialect of every script: while loops,
// top-level control flow, sets and recursion are allowed, as scripts are
// small programs.
var fileOptions = &syntax.FileOptions{
	Set:             true,
	While:           true,
	TopLevelControl: true,
	GlobalReassign:  true,
	Recursion:       true,
}

var processStart = time.Now()

// monotonicNow is a monotonic clock reading in ns; only differences mean
// anything.
func monotonicNow() uint64 { return uint64(time.Since(processStart)) + 1 }

// starStage is a Starlark script.
type starStage struct {
	p       *Pipeline
	in      *stageInfo
	thread  *starlark.Thread
	globals starlark.StringDict
	fns     [numHooks]starlark.Callable
	args    starlark.Tuple // reused argument tuple of one-parameter hooks

	// direct is the builtin on_syscall only forwards to, called without a
	// Starlark frame (see directHook); directReturns: it returns its result.
	direct        *starlark.Builtin
	directReturns bool
}

func (s *starStage) info() *stageInfo     { return s.in }
func (s *starStage) cancel(reason string) { s.thread.Cancel(reason) }

func (p *Pipeline) newThread(in *stageInfo) *starlark.Thread {
	t := &starlark.Thread{
		Name:  in.name,
		Print: func(_ *starlark.Thread, msg string) { p.out.WriteString(msg); p.out.WriteByte('\n') },
	}
	t.Load = func(t *starlark.Thread, module string) (starlark.StringDict, error) {
		return p.loadStar(t, in, module)
	}
	t.SetLocal(pipelineKey, p)
	t.SetLocal(stageKey, in)
	return t
}

func (p *Pipeline) newStarStage(in *stageInfo, src []byte) (stage, error) {
	pre := p.predeclared()
	file, prog, err := starlark.SourceProgramOptions(fileOptions, in.name, src, pre.Has)
	if err != nil {
		return nil, fmt.Errorf("compiling script: %s", compileError(err))
	}
	st := &starStage{p: p, in: in, args: make(starlark.Tuple, 1)}
	st.thread = p.newThread(in)
	st.thread.SetLocal(loadTimeKey, true)
	p.budget(st.thread)
	g, err := prog.Init(st.thread, pre)
	st.thread.SetLocal(loadTimeKey, nil)
	if err != nil {
		return nil, fmt.Errorf("running script %s: %s", in.name, runError(err))
	}
	st.globals = g
	for h, spec := range hookSpecs {
		v, ok := g[spec.name]
		if !ok {
			continue
		}
		fn, ok := v.(*starlark.Function)
		if !ok {
			return nil, fmt.Errorf("loading script %s: %s is a %s, want a function", in.name, spec.name, v.Type())
		}
		if fn.NumParams() != spec.arity {
			return nil, fmt.Errorf("loading script %s: %s takes %d parameters, want %d", in.name, spec.name, fn.NumParams(), spec.arity)
		}
		st.fns[h] = fn
		in.has[h] = true
	}
	if fn, ok := st.fns[hookSyscall].(*starlark.Function); ok {
		st.direct, st.directReturns = directHook(file, fn, pre)
	}
	return st, nil
}

// loadTimeKey is set on a thread while a script's top level runs.
const loadTimeKey = "strace.loading"

// budget gives the thread a fresh step budget for one call.
func (p *Pipeline) budget(t *starlark.Thread) {
	t.SetMaxExecutionSteps(t.ExecutionSteps() + p.opts.MaxSteps)
}

func (s *starStage) invoke(h hook, args starlark.Tuple) (starlark.Value, error) {
	s.p.budget(s.thread)
	v, err := starlark.Call(s.thread, s.fns[h], args, nil)
	if err != nil {
		s.thread.Uncancel()
		return nil, fmt.Errorf("running script %s: %s", s.in.name, runError(err))
	}
	return v, nil
}

func (s *starStage) call(h hook, arg starlark.Value) error {
	var args starlark.Tuple
	if arg != nil {
		s.args[0] = arg
		args = s.args
	}
	_, err := s.invoke(h, args)
	s.args[0] = nil
	return err
}

func (s *starStage) syscall(ev *Event) (verdict, string, error) {
	s.args[0] = ev
	var v starlark.Value
	var err error
	if s.direct != nil {
		v, err = s.direct.CallInternal(s.thread, s.args, nil)
		if err != nil {
			err = fmt.Errorf("running script %s: %s", s.in.name, err)
		} else if !s.directReturns {
			v = starlark.None
		}
	} else {
		v, err = s.invoke(hookSyscall, s.args)
	}
	s.args[0] = nil
	if err != nil {
		return drop, "", err
	}
	switch v := v.(type) {
	case starlark.String:
		return printLine, string(v), nil
	case starlark.Bool:
		if v {
			return keep, "", nil
		}
		return drop, "", nil
	case starlark.NoneType:
		return drop, "", nil
	}
	return drop, "", hookError(s.in, hookSyscall, v.Type())
}

// loadedModule is a module loaded once per pipeline.
type loadedModule struct {
	globals starlark.StringDict
	err     error
	loading bool
}

// resolveModule finds the source of load(module) from a script in dir:
// "stdlib/NAME" is a stock script, anything else a file next to the script.
func (p *Pipeline) resolveModule(in *stageInfo, module string) (key string, src []byte, err error) {
	if name, ok := strings.CutPrefix(module, "stdlib/"); ok {
		src, err := readStdlib(name)
		if err != nil {
			return "", nil, err
		}
		return module, src, nil
	}
	if filepath.IsAbs(module) || strings.Contains(module, "..") || path.Clean(module) != module {
		return "", nil, errors.New("only files next to the script (no absolute paths, no ..) and stdlib/ modules can be loaded")
	}
	if in.stdlb {
		return "", nil, errors.New("stock scripts load only stdlib/ modules")
	}
	full := filepath.Join(in.dir, module)
	src, err = readFile(full)
	if err != nil {
		return "", nil, err
	}
	return full, src, nil
}

func (p *Pipeline) loadStar(t *starlark.Thread, in *stageInfo, module string) (starlark.StringDict, error) {
	key, src, err := p.resolveModule(in, module)
	if err != nil {
		return nil, err
	}
	if m, ok := p.modules[key]; ok {
		if m.loading {
			return nil, fmt.Errorf("cycle in load graph")
		}
		return m.globals, m.err
	}
	m := &loadedModule{loading: true}
	p.modules[key] = m
	pre := p.predeclared()
	_, prog, err := starlark.SourceProgramOptions(fileOptions, key, src, pre.Has)
	if err != nil {
		m.err = fmt.Errorf("compiling %s", compileError(err))
	} else {
		mt := p.newThread(&stageInfo{name: key, dir: filepath.Dir(key), args: in.args, used: in.used, stdlb: strings.HasPrefix(key, "stdlib/")})
		p.budget(mt)
		g, err := prog.Init(mt, pre)
		if err != nil {
			m.err = errors.New(runError(err))
		}
		g.Freeze()
		m.globals = g
	}
	m.loading = false
	return m.globals, m.err
}

func compileError(err error) string {
	var se syntax.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%s: %s", se.Pos, se.Msg)
	}
	var el resolve.ErrorList
	if errors.As(err, &el) && len(el) > 0 {
		return fmt.Sprintf("%s: %s", el[0].Pos, el[0].Msg)
	}
	return err.Error()
}

// runError renders a script failure: the innermost file:line:col and message
// on the first line, then the backtrace when it has more than one frame.
func runError(err error) string {
	var ee *starlark.EvalError
	if !errors.As(err, &ee) {
		return err.Error()
	}
	stack := ee.CallStack
	msg := ee.Msg
	if len(stack) == 0 {
		return msg
	}
	top := stack[len(stack)-1]
	if top.Pos.Filename() == "<builtin>" && len(stack) > 1 {
		top = stack[len(stack)-2]
	}
	s := fmt.Sprintf("%s: in %s: %s", top.Pos, top.Name, msg)
	if len(stack) > 1 {
		s += "\n" + strings.TrimRight(ee.Backtrace(), "\n")
	}
	return s
}
