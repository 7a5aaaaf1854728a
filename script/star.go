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

// compileStar compiles a Starlark file; user files (not stdlib ones) have
// their growing operators and methods guarded (guard.go).
func compileStar(name string, src []byte, pre starlark.StringDict, std bool) (*starlark.Program, error) {
	file, err := fileOptions.Parse(name, src, 0)
	if err != nil {
		return nil, err
	}
	if !std {
		guardFile(file)
	}
	return starlark.FileProgram(file, pre.Has)
}

func (p *Pipeline) newStarStage(in *stageInfo, src []byte) (stage, error) {
	pre := p.starPredeclared()
	var prog *starlark.Program
	err := p.compileWithin(func() (err error) {
		prog, err = compileStar(in.name, src, pre, in.stdlb)
		return err
	})
	if err != nil {
		return nil, loadError(in.name, err, compileError)
	}
	st := &starStage{p: p, in: in, args: make(starlark.Tuple, 1)}
	st.thread = p.newThread(in)
	in.stop = &stageCancel{cancel: st.cancel}
	st.thread.SetLocal(loadTimeKey, true)
	p.budget(st.thread)
	p.enterCall(in.stop)
	g, err := prog.Init(st.thread, pre)
	p.leave()
	st.thread.SetLocal(loadTimeKey, nil)
	if err != nil {
		st.thread.Uncancel()
		return nil, p.starError(in.name, err)
	}
	st.globals = g
	for _, name := range g.Keys() {
		if _, ok := g[name].(*starlark.Function); ok {
			if h := misnamedHook(name); h != "" {
				return nil, hookNameError(in.name, name, h)
			}
		}
	}
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
	return st, nil
}

// loadTimeKey is set on a thread while a script's top level runs.
const loadTimeKey = "strace.loading"

// budget gives the thread a fresh step budget for one call.
func (p *Pipeline) budget(t *starlark.Thread) {
	t.SetMaxExecutionSteps(t.ExecutionSteps() + p.opts.MaxSteps)
	if t.OnMaxSteps == nil {
		t.OnMaxSteps = func(t *starlark.Thread) {
			p.stopWhy.CompareAndSwap(0, uint32(stopSteps))
			t.Cancel(p.stopMessage(stopSteps))
		}
	}
}

func (s *starStage) invoke(h hook, args starlark.Tuple) (starlark.Value, error) {
	s.p.budget(s.thread)
	v, err := starlark.Call(s.thread, s.fns[h], args, nil)
	if err != nil {
		s.thread.Uncancel()
		return nil, s.p.starError(s.in.name, err)
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
	v, err := s.invoke(hookSyscall, s.args)
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
	pre := p.starPredeclared()
	std := strings.HasPrefix(key, "stdlib/")
	var prog *starlark.Program
	err = p.compileWithin(func() (err error) {
		prog, err = compileStar(key, src, pre, std)
		return err
	})
	var be *compileBudgetError
	if errors.As(err, &be) {
		m.err = err
	} else if err != nil {
		m.err = fmt.Errorf("compiling %s", compileError(err))
	} else {
		mt := p.newThread(&stageInfo{name: key, dir: filepath.Dir(key), args: in.args, used: in.used, stdlb: std})
		p.budget(mt)
		// The budgets stop the module's top level, not the loading call.
		outer := p.current.Load()
		p.current.Store(&stageCancel{cancel: mt.Cancel})
		g, err := prog.Init(mt, pre)
		p.current.Store(outer)
		if err != nil {
			m.err = errors.New(starFailure(key, err).located())
			if k := stopKind(p.stopWhy.Load()); k != notStopped && outer != nil {
				outer.cancel(p.stopMessage(k)) // the loading call stops too
			}
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
