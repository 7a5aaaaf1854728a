// Package script hosts user code: a pipeline of stages, written in Starlark
// or Lua, that see every event through on_syscall(ev), in front of a stock
// format.
//
// Each Starlark stage is compiled once and initialised with prog.Init, so
// its module globals stay writable; a Lua stage runs its chunk once in its
// own sandboxed state. on_syscall returns True to pass the event on, False
// or None to drop it, or a string: the event's output line, which ends the
// pipeline for that event.
//
// There is one host interface: the hooks, the fields of ev and the builtins
// are defined once, as Starlark values; the Lua front end reaches them
// through a value bridge (lua.go).
package script

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/stdlib"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// DefaultMaxSteps is the step budget of one hook call.
const DefaultMaxSteps = 50_000_000

// Options configure a pipeline.
type Options struct {
	Table    *syscalls.Table   // nil means syscalls.Native()
	Hex      format.HexOptions // hex(ev), write_hex(ev)
	Argv     []string          // the tracer's command line, for hex_title()
	MaxSteps uint64            // per hook call; 0 means DefaultMaxSteps

	// Args are the script arguments given with --arg key=value; every
	// stage sees them, under its own -s FILE:key=value ones.
	Args map[string]string
	// Interval is the period of on_tick, in trace time; 0 means 1s.
	Interval time.Duration
	// Live says events come from a running trace, so /proc describes
	// their processes (ev.uid, ev.cgroup, the fallback of ev.ppid).
	Live bool
	// Start is the wall-clock time of trace time 0, for time.format; zero
	// means the time the first script asks.
	Start time.Time
	// CallTimeout is the time budget of one Lua call (a hook, or the
	// top-level code); 0 means DefaultCallTimeout. (Starlark calls have
	// MaxSteps.)
	CallTimeout time.Duration
	// MemoryLimit is the memory budget of all the user scripts together,
	// in bytes: how far they may grow the Go heap; 0 means half the room
	// the tracer has (its memory cgroups' limits, the free memory), at
	// most DefaultMemoryLimit (memroom.go); a negative value no limit.
	MemoryLimit int64
	// OnError is what a script's runtime error stops (errpolicy.go).
	OnError ErrorPolicy
	// Warn receives one line for each error that OnError lets the trace
	// survive; nil discards them.
	Warn func(msg string)
}

// Pipeline is the chain of stages events go through, in front of a stock
// format's writer (SetSink). It implements engine.Handler.
//
// Each concern has its type and file: hosting the stages (this file,
// star.go, lua.go), the budgets' watchdog (watchdog.go), on_tick's clock
// (ticker, tick.go), the host-side emulation of the kernel's counts
// (hostCounts, kernel.go), the stock formats' builtins (formats, formats.go)
// and the processes seen (procTable, proc.go).
type Pipeline struct {
	opts   Options
	out    *bufio.Writer
	stages []stage

	// What the stages use, settled when each is added: the hot path
	// checks these flags, not the stages.
	filtering bool // some stage has a declaration
	procHooks bool // some stage has on_exec or on_exit_process

	procs   *procTable
	modules map[string]*loadedModule // load() cache, by resolved name

	names []starlark.Value // syscall names as Starlark values, by number: ev.name allocates nothing

	sink func(*event.Event) error // receives the events every stage keeps; see SetSink

	inj injectState // inject() declarations and on_inject (inject.go)

	// userStages: a user script is in the pipeline, which may keep an ev;
	// without (the summary alone), one wrapper (scratch) serves every event.
	userStages bool
	scratch    Event

	watchdog   // stopping a runaway call: Interrupt, the budgets
	ticker     // when on_tick runs
	hostCounts // kernel_counts() and the rest, from the kernel or counted here
	fmts       formats

	memDefault int64  // the default memory budget, from the room the tracer has
	memWhy     string // what it was derived from; "" for DefaultMemoryLimit
}

// SetSink makes the events that every stage keeps (each on_syscall returned
// True, or the stage has none) go to fn, a native format, instead of ending
// the pipeline unprinted. Call it before Start.
func (p *Pipeline) SetSink(fn func(*event.Event) error) { p.sink = fn }

// syscallName is the name of syscall nr as a Starlark value, made once.
func (p *Pipeline) syscallName(nr int32) starlark.Value {
	if p.names == nil {
		p.names = make([]starlark.Value, p.opts.Table.MaxNr()+1)
	}
	if nr < 0 || int(nr) >= len(p.names) {
		return starlark.String(p.opts.Table.Name(int(nr)))
	}
	v := p.names[nr]
	if v == nil {
		v = starlark.String(p.opts.Table.Name(int(nr)))
		p.names[nr] = v
	}
	return v
}

// NewPipeline returns an empty pipeline writing to out.
func NewPipeline(out io.Writer, opts Options) *Pipeline {
	if opts.Table == nil {
		opts.Table = syscalls.Native()
	}
	if opts.MaxSteps == 0 {
		opts.MaxSteps = DefaultMaxSteps
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	p := &Pipeline{
		opts:    opts,
		out:     bufio.NewWriterSize(out, 256<<10),
		ticker:  ticker{interval: uint64(opts.Interval)},
		procs:   newProcTable(opts.Live),
		modules: map[string]*loadedModule{},
		fmts:    formats{hexOpts: opts.Hex, argv: opts.Argv},
	}
	if opts.MemoryLimit == 0 {
		p.memDefault, p.memWhy = defaultMemoryBudget()
	}
	p.watchdog = watchdog{timeout: p.callTimeout(), limit: p.memoryLimit(), message: p.stopMessage}
	return p
}

// hook names a script entry point.
type hook uint8

const (
	hookStart hook = iota
	hookSyscall
	hookExit
	hookTick
	hookLost
	hookExec
	hookExitProcess
	hookInject
	numHooks
)

// hookSpecs are the hooks a script may define, with their parameters.
var hookSpecs = [numHooks]struct {
	name  string
	arity int
}{
	hookStart:       {"on_start", 0},
	hookSyscall:     {"on_syscall", 1},
	hookExit:        {"on_exit", 0},
	hookTick:        {"on_tick", 0},
	hookLost:        {"on_lost", 1},
	hookExec:        {"on_exec", 1},
	hookExitProcess: {"on_exit_process", 1},
	hookInject:      {"on_inject", 1},
}

// Hooks is the list of hook names, in lifecycle order.
func Hooks() []string {
	var names []string
	for _, h := range hookSpecs {
		names = append(names, h.name)
	}
	return names
}

// verdict is what on_syscall decided.
type verdict uint8

const (
	drop verdict = iota
	keep
	printLine
)

// stage is one script of the pipeline, in either language.
type stage interface {
	info() *stageInfo
	// call runs hook h with arg (nil, an *Event, a *Process or a count).
	call(h hook, arg starlark.Value) error
	// syscall runs on_syscall(ev).
	syscall(ev *Event) (verdict, string, error)
	// cancel stops the call running now.
	cancel(reason string)
}

// stageInfo is what the pipeline knows about a stage.
type stageInfo struct {
	name  string // file name as given, for messages
	lang  string // "starlark" or "lua"
	has   [numHooks]bool
	decl  *Decl             // from trace(); nil when the stage declared nothing
	args  map[string]string // script arguments
	dir   string            // directory of the script, for load()
	used  map[string]bool   // script arguments read with arg()
	stdlb bool              // a stock script
	stop  *stageCancel      // cancels this stage's running call; set once, read per call
	fail  stageFailures     // its runtime errors so far (errpolicy.go)
}

// AddFile compiles the script at path and appends it as a stage. The path
// may carry script arguments: FILE:key=value[,key=value...].
func (p *Pipeline) AddFile(path string) error {
	path, args, err := splitScriptArgs(path)
	if err != nil {
		return err
	}
	src, err := readScript(path)
	if err != nil {
		return fmt.Errorf("loading script %s: %w", path, err)
	}
	return p.addStage(path, src, args, filepath.Dir(path), false)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// splitScriptArgs splits "FILE:key=value,key=value" into the file and its
// arguments. A path that exists as given is never split.
func splitScriptArgs(spec string) (string, map[string]string, error) {
	if _, err := os.Stat(spec); err == nil {
		return spec, nil, nil
	}
	file, rest, ok := strings.Cut(spec, ":")
	if !ok || !strings.Contains(rest, "=") {
		return spec, nil, nil
	}
	args := map[string]string{}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return "", nil, fmt.Errorf("loading script %s: script argument %q is not key=value", file, kv)
		}
		args[k] = v
	}
	return file, args, nil
}

// AddStdlib appends the stock script stdlib/<name>.
func (p *Pipeline) AddStdlib(name string) error {
	return p.AddStdlibArgs(name, nil)
}

// AddStdlibArgs is AddStdlib with arguments of the stock script's own
// (arg(key) in it), on top of --arg's.
func (p *Pipeline) AddStdlibArgs(name string, args map[string]string) error {
	src, err := stdlib.Files.ReadFile(name)
	if err != nil {
		return fmt.Errorf("loading stock script %s: no such script", name)
	}
	return p.addStage("stdlib/"+name, src, args, "", true)
}

// AddSource compiles src, named name in messages, and appends it as a stage.
// Its top level runs now, once. The language follows the extension: .lua
// is Lua, anything else Starlark.
func (p *Pipeline) AddSource(name string, src []byte) error {
	return p.addStage(name, src, nil, filepath.Dir(name), false)
}

func (p *Pipeline) addStage(name string, src []byte, args map[string]string, dir string, std bool) error {
	if !std && len(src) > MaxScriptSize {
		return fmt.Errorf("loading script %s: %w", name, errTooBig(int64(len(src))))
	}
	info := &stageInfo{name: name, args: map[string]string{}, dir: dir, used: map[string]bool{}, stdlb: std}
	if bytes.Contains(src, []byte("kernel_hist")) || bytes.Contains(src, []byte("kernel_procs")) ||
		bytes.Contains(src, []byte("kernel_errors")) || bytes.Contains(src, []byte("kernel_fds")) {
		p.readsAggs = true
	}
	if !std {
		p.userStages = true
		p.readsTimes = p.readsTimes || namesTimes(src)
	}
	for k, v := range p.opts.Args {
		info.args[k] = v
	}
	for k, v := range args {
		info.args[k] = v
	}
	if !std {
		p.startWatchdog()
	}
	var st stage
	var err error
	switch ext := filepath.Ext(name); ext {
	case ".lua":
		info.lang = "lua"
		st, err = p.newLuaStage(info, src)
	case ".star", "":
		info.lang = "starlark"
		st, err = p.newStarStage(info, src)
	default:
		return fmt.Errorf("loading script %s: unknown script language %q (want .star or .lua)", name, ext)
	}
	if err != nil {
		return err
	}
	for k := range args {
		if !info.used[k] {
			return fmt.Errorf("loading script %s: unknown script argument %q (the script reads: %s)", name, k, usedList(info.used))
		}
	}
	if info.decl != nil && info.decl.Counts && info.has[hookSyscall] {
		return fmt.Errorf("loading script %s: trace(counts = True): the stage sees no event, and it has on_syscall", name)
	}
	p.stages = append(p.stages, st)
	if info.decl != nil {
		p.filtering = true
		if info.decl.Counts {
			p.counting()
		}
	}
	if info.has[hookTick] {
		p.ticking = true
	}
	if info.has[hookExec] || info.has[hookExitProcess] {
		p.procHooks = true
	}
	return nil
}

func usedList(used map[string]bool) string {
	if len(used) == 0 {
		return "none"
	}
	var names []string
	for k := range used {
		names = append(names, k)
	}
	sortStrings(names)
	return strings.Join(names, ", ")
}

// pipelineKey and stageKey are the thread-locals under which builtins find
// their pipeline and stage.
const (
	pipelineKey = "strace.pipeline"
	stageKey    = "strace.stage"
)

func (p *Pipeline) enter(st stage) { p.enterCall(st.info().stop) }

func (p *Pipeline) leave() { p.inCall.Store(false) }

// Interrupt cancels the hook call running now if it is still the same call
// after a grace period: Ctrl-C stops a runaway script without cutting short
// the quick calls a busy trace makes all the time. Safe to call from any
// goroutine.
func (p *Pipeline) Interrupt() {
	if !p.inCall.Load() {
		return
	}
	seq := p.callSeq.Load()
	time.AfterFunc(200*time.Millisecond, func() {
		if p.inCall.Load() && p.callSeq.Load() == seq {
			p.cancelCall(stopInterrupt)
		}
	})
}

func (p *Pipeline) runHook(h hook, arg starlark.Value) error {
	for _, st := range p.stages {
		if in := st.info(); in.has[h] && !in.fail.stopped {
			p.enter(st)
			err := st.call(h, arg)
			p.leave()
			if err != nil && !p.failed(st, h, err) {
				return err
			}
		}
	}
	return nil
}

// Start runs every stage's on_start, in order.
func (p *Pipeline) Start() error {
	p.startMono = monotonicNow()
	p.nextTick = p.interval
	return p.runHook(hookStart, nil)
}

// Event sends ev through the stages.
func (p *Pipeline) Event(raw *event.Event) error {
	if p.inj.hooked {
		p.inj.mu.Lock()
		defer p.inj.mu.Unlock()
	}
	if raw.Kind == event.Lost {
		return p.lost(raw)
	}
	if raw.Flags&event.Entered != 0 {
		// The enter half of a sleeping call, which only the strace
		// format alone shows: to a script, a call is one event.
		return nil
	}
	if p.ticking && raw.TS >= p.nextTick {
		if err := p.tickTo(raw.TS); err != nil {
			return err
		}
	}
	if p.tracking() {
		if err := p.processEvent(raw); err != nil {
			return err
		}
	}
	var ev *Event // made when a script first needs it
	for _, st := range p.stages {
		in := st.info()
		if p.filtering && in.decl != nil {
			if !in.decl.Filter.Keep(raw) {
				return nil
			}
			if in.decl.Counts {
				p.countEvent(raw)
				return nil
			}
		}
		if !in.has[hookSyscall] || in.fail.stopped {
			// Stopped (--script-errors=stop-script), a stage passes
			// on every event its trace() declaration keeps, as one
			// without on_syscall: the kernel was told what that is.
			continue
		}
		if ev == nil {
			if p.userStages {
				ev = &Event{ev: raw, tab: p.opts.Table, p: p}
			} else {
				// The summary keeps no ev: no allocation per event.
				p.scratch = Event{ev: raw, tab: p.opts.Table, p: p}
				ev = &p.scratch
			}
		}
		// The summary is trusted and quick: only a pipeline with user
		// scripts marks its calls for Interrupt and the watchdog.
		if p.userStages {
			p.enter(st)
		}
		v, line, err := st.syscall(ev)
		if p.userStages {
			p.leave()
		}
		if err != nil {
			if !p.failed(st, hookSyscall, err) {
				return err
			}
			if in.fail.stopped {
				continue
			}
			return nil // skipped: the event goes no further
		}
		switch v {
		case printLine:
			p.out.WriteString(line)
			p.out.WriteByte('\n')
			return nil
		case drop:
			return nil
		}
	}
	if p.sink != nil {
		return p.sink(raw)
	}
	return nil
}

// lost runs the on_lost hooks. (The format after the pipeline marks the
// gap: scriptedSink passes it the Lost event.)
func (p *Pipeline) lost(raw *event.Event) error {
	return p.runHook(hookLost, starlark.MakeUint64(raw.LostN))
}

// Idle flushes buffered output, and runs on_tick when an interval ended
// while no event came.
func (p *Pipeline) Idle() error {
	if p.inj.hooked {
		p.inj.mu.Lock()
		defer p.inj.mu.Unlock()
	}
	if p.ticking && p.startMono != 0 {
		if now := monotonicNow() - p.startMono; now >= p.nextTick {
			if err := p.tickTo(now); err != nil {
				return err
			}
		}
	}
	return p.out.Flush()
}

// Finish runs every stage's on_exit, in order, flushes the output and
// closes the pipeline; after an error that stopped the trace too, so that
// what the scripts gathered is printed. A failing on_exit does not keep
// the others from running: the error is every on_exit's that failed. The
// output is flushed even when a hook fails.
func (p *Pipeline) Finish() error {
	var errs []error
	for _, st := range p.stages {
		if in := st.info(); in.has[hookExit] && !in.fail.exitErr {
			p.enter(st)
			err := st.call(hookExit, nil)
			p.leave()
			if err != nil {
				p.failed(st, hookExit, err)
				errs = append(errs, err)
			}
		}
	}
	p.finishNotes()
	if err := p.out.Flush(); err != nil {
		errs = append(errs, fmt.Errorf("writing trace: %w", err))
	}
	p.Close()
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// Flush writes buffered output: the trace so far. After an error, call
// Flush, then Close.
func (p *Pipeline) Flush() error { return p.out.Flush() }

// Close ends the watchdog of the budgets and gives back the Go runtime's
// soft memory limit. Finish closes the pipeline; a caller that stops
// without Finish (after an error) calls Close itself. The scripts' hooks
// must not run after it.
func (p *Pipeline) Close() { p.stopWatchdog() }

// hookError is the error of a hook that returned something it should not.
func hookError(info *stageInfo, h hook, got string) error {
	return &Error{Script: info.name, Msg: fmt.Sprintf("%s returned %s, want bool, None or string", hookSpecs[h].name, got)}
}
