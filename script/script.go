// Package script hosts user code: a pipeline of Starlark stages that see
// every event through on_syscall(ev), in front of a stock format.
//
// Each stage is compiled once and initialised with prog.Init, so its module
// globals stay writable. on_syscall returns True to pass the event on, False
// or None to drop it, or a string: the event's output line, which ends the
// pipeline for that event.
package script

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/stdlib"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
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

// DefaultMaxSteps is the step budget of one hook call.
const DefaultMaxSteps = 50_000_000

// Options configure a pipeline.
type Options struct {
	Table    *syscalls.Table // nil means syscalls.Native()
	Hex      format.HexOptions
	Argv     []string // the tracer's command line, for format titles
	MaxSteps uint64   // per hook call; 0 means DefaultMaxSteps
}

// Pipeline is the chain of stages events go through, the last one usually a
// stock format. It implements engine.Handler.
type Pipeline struct {
	opts   Options
	out    *bufio.Writer
	stages []*stage
	line   []byte // scratch for native formatting
}

// NewPipeline returns an empty pipeline writing to out.
func NewPipeline(out io.Writer, opts Options) *Pipeline {
	if opts.Table == nil {
		opts.Table = syscalls.Native()
	}
	if opts.MaxSteps == 0 {
		opts.MaxSteps = DefaultMaxSteps
	}
	return &Pipeline{opts: opts, out: bufio.NewWriterSize(out, 256<<10)}
}

type stage struct {
	name      string // file name as given, for messages
	thread    *starlark.Thread
	globals   starlark.StringDict
	onStart   starlark.Callable
	onSyscall starlark.Callable
	onExit    starlark.Callable
	onLost    starlark.Callable
	args      starlark.Tuple // reused argument tuple
}

// AddFile compiles the script at path and appends it as a stage.
func (p *Pipeline) AddFile(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("loading script %s: %w", path, errors.Unwrap(err))
	}
	return p.AddSource(path, src)
}

// AddStdlib appends the stock script stdlib/<name>.
func (p *Pipeline) AddStdlib(name string) error {
	src, err := stdlib.Files.ReadFile(name)
	if err != nil {
		return fmt.Errorf("loading stock script %s: no such script", name)
	}
	return p.AddSource("stdlib/"+name, src)
}

// AddSource compiles src, named name in messages, and appends it as a stage.
// Its top level runs now, once.
func (p *Pipeline) AddSource(name string, src []byte) error {
	if ext := filepath.Ext(name); ext != ".star" && ext != "" {
		return fmt.Errorf("loading script %s: unknown script language %q (want .star)", name, ext)
	}
	pre := p.predeclared()
	_, prog, err := starlark.SourceProgramOptions(fileOptions, name, src, pre.Has)
	if err != nil {
		return fmt.Errorf("compiling script: %s", compileError(err))
	}
	st := &stage{name: name, args: make(starlark.Tuple, 1)}
	st.thread = &starlark.Thread{
		Name:  name,
		Print: func(_ *starlark.Thread, msg string) { p.out.WriteString(msg); p.out.WriteByte('\n') },
		Load: func(_ *starlark.Thread, module string) (starlark.StringDict, error) {
			return nil, fmt.Errorf("load(%q): loading modules is not supported", module)
		},
	}
	st.thread.SetLocal(pipelineKey, p)
	p.budget(st.thread)
	g, err := prog.Init(st.thread, pre)
	if err != nil {
		return fmt.Errorf("running script %s: %s", name, runError(err))
	}
	st.globals = g
	hook := func(name string, arity int) (starlark.Callable, error) {
		v, ok := g[name]
		if !ok {
			return nil, nil
		}
		fn, ok := v.(*starlark.Function)
		if !ok {
			return nil, fmt.Errorf("loading script %s: %s is a %s, want a function", st.name, name, v.Type())
		}
		if fn.NumParams() != arity {
			return nil, fmt.Errorf("loading script %s: %s takes %d parameters, want %d", st.name, name, fn.NumParams(), arity)
		}
		return fn, nil
	}
	for _, h := range []struct {
		name  string
		arity int
		dst   *starlark.Callable
	}{
		{"on_start", 0, &st.onStart},
		{"on_syscall", 1, &st.onSyscall},
		{"on_exit", 0, &st.onExit},
		{"on_lost", 1, &st.onLost},
	} {
		fn, err := hook(h.name, h.arity)
		if err != nil {
			return err
		}
		*h.dst = fn
	}
	p.stages = append(p.stages, st)
	return nil
}

// pipelineKey is the thread-local under which builtins find their pipeline.
const pipelineKey = "strace.pipeline"

// budget gives the thread a fresh step budget for one call.
func (p *Pipeline) budget(t *starlark.Thread) {
	t.SetMaxExecutionSteps(t.ExecutionSteps() + p.opts.MaxSteps)
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

func (p *Pipeline) call(st *stage, hookName string, fn starlark.Callable, args starlark.Tuple) (starlark.Value, error) {
	p.budget(st.thread)
	v, err := starlark.Call(st.thread, fn, args, nil)
	if err != nil {
		return nil, fmt.Errorf("running script %s: %s", st.name, runError(err))
	}
	return v, nil
}

// Start runs every stage's on_start, in order.
func (p *Pipeline) Start() error {
	for _, st := range p.stages {
		if st.onStart != nil {
			if _, err := p.call(st, "on_start", st.onStart, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// Event sends ev through the stages.
func (p *Pipeline) Event(raw *event.Event) error {
	if raw.Kind == event.Lost {
		return p.lost(raw.LostN)
	}
	ev := &Event{ev: raw, tab: p.opts.Table}
	for _, st := range p.stages {
		if st.onSyscall == nil {
			continue
		}
		st.args[0] = ev
		v, err := p.call(st, "on_syscall", st.onSyscall, st.args)
		st.args[0] = nil
		if err != nil {
			return err
		}
		switch v := v.(type) {
		case starlark.String:
			p.out.WriteString(string(v))
			p.out.WriteByte('\n')
			return nil
		case starlark.Bool:
			if !v {
				return nil
			}
		case starlark.NoneType:
			return nil
		default:
			return fmt.Errorf("running script %s: on_syscall returned %s, want bool, None or string", st.name, v.Type())
		}
	}
	return nil
}

func (p *Pipeline) lost(n uint64) error {
	for _, st := range p.stages {
		if st.onLost != nil {
			if _, err := p.call(st, "on_lost", st.onLost, starlark.Tuple{starlark.MakeUint64(n)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Idle flushes buffered output.
func (p *Pipeline) Idle() error { return p.out.Flush() }

// Finish runs every stage's on_exit, in order, and flushes the output. The
// output is flushed even when a hook fails.
func (p *Pipeline) Finish() error {
	var first error
	for _, st := range p.stages {
		if st.onExit != nil {
			if _, err := p.call(st, "on_exit", st.onExit, nil); err != nil && first == nil {
				first = err
			}
		}
	}
	if err := p.out.Flush(); err != nil && first == nil {
		first = fmt.Errorf("writing trace: %w", err)
	}
	return first
}

// Flush writes buffered output.
func (p *Pipeline) Flush() error { return p.out.Flush() }
