// Command strace.ebpf traces the system calls of a command, of running
// processes or of the whole system with eBPF, and feeds them to a pipeline
// of scripts that filter, aggregate and format them.
//
// This package only turns flags into a session.Plan, prints help and
// errors; package session composes and runs the trace.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/filter"
	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/script"
	"github.com/strace-ebpf/strace.ebpf/session"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

var stopProfile = func() {}

func main() {
	// A copy of this executable started as the launcher of a traced
	// command or the keeper of a lossless cgroup runs as that, here.
	engine.RunHelper()
	// Events are short-lived garbage; memory is cheaper than collections.
	debug.SetGCPercent(400)
	// A trace reader that goes away makes writes fail with EPIPE (tracing
	// stops, the command runs on) instead of killing the tracer, up to the
	// last error message. A handler, not SIG_IGN: the command starts with
	// SIGPIPE as it would without the tracer.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	code, err := run(os.Args, os.Stdout, os.Stderr)
	quietOnClosedPipe(code, err)
	if err != nil {
		fmt.Fprintf(os.Stderr, "strace.ebpf: %s\n", err)
		var st commandStatus
		if code == 0 && !errors.As(err, &st) {
			code = 1
		}
	}
	stopProfile()
	os.Exit(code)
}

// options are the parsed command line.
type options struct {
	targets      session.Targets // --cgroup, --container, --unit
	output       string
	timestamp    bool
	format       string
	hexSep       string
	failed       bool
	exprs        []string
	paths        []string // -P
	follow       int
	fastFollow   int    // -F count
	filenames    string // -n
	objectDir    string // -N
	pids         []string
	scripts      []string
	evals        []string // --eval
	debug        bool
	calibrate    bool
	summaryOnly  bool // -c
	summary      bool // -C
	wallClock    bool // -w
	help         bool
	version      bool
	man          bool
	completion   string
	input        string // -i
	record       string // --record
	traceH       bool
	scriptOutput string
	scriptArgs   []string
	interval     time.Duration
	explain      bool
	bufferSize   string
	scriptMemory string
	scriptErrors string
	env          []string
	user         string
	quiet        int
	lossy        bool          // --lossy: never pause a launched command
	lossless     bool          // --lossless: pause -p processes too
	strace       straceOptions // -T, -y, -S, -B, -L ...: strace_opts.go
	habits       habits        // strace's spellings, -Y, -U ...: habits.go
	// formatFromEnv says the format came from STRACE_EBPF_FORMAT.
	formatFromEnv bool
}

const usageHead = `Usage: strace.ebpf [options] [command [arg ...]]

Trace the system calls of a command, of running processes (-p), of a
cgroup, container or unit (--cgroup, --container, --unit) or, with none of
these, of the whole system, through eBPF. Events go through the scripts
given with -s, then through the format chosen with -l.

Options:
`

func newFlags(o *options) *pflag.FlagSet {
	fs := pflag.NewFlagSet("strace.ebpf", pflag.ContinueOnError)
	fs.SetInterspersed(false)
	fs.SortFlags = false
	fs.StringVarP(&o.output, "output", "o", "", "write the trace to `file` (created with mode 0600)")
	addTimestampFlag(fs, &o.timestamp, &o.strace)
	fs.StringVarP(&o.format, "format", "l", "hex", "output `format`: "+strings.Join(format.Names(), ", ")+"; 'help' or 'list' describes them; the default is $"+formatEnv+" when set, else hex")
	fs.StringVarP(&o.hexSep, "hex-separator", "K", `\t`, "field `separator` of hex logs")
	fs.BoolVarP(&o.failed, "failed", "X", false, "only show failed syscalls (-e status=failed)")
	fs.StringArrayVarP(&o.exprs, "expr", "e", nil, "filter `expression` (trace=NAME,..., status=..., signal=...; 'help' or 'list' for more); applies to every format, live and replayed; trace-fds=FDS keeps the calls on these descriptors; read=FDS and write=FDS dump the data read from and written to them (-l strace); raw=SET, verbose=SET, abbrev=SET print those calls undecoded, with structures, unabbreviated (-l strace); quiet=, decode-fds=, decode-pids= are --quiet, --decode-fds, -Y; inject=SET:error=E|retval=N[:signal=SIG][:delay_enter=T][:when=FIRST..LAST+STEP] and fault=SET[:error=E] make a launched command's calls fail, through seccomp (docs/injection.md)")
	fs.StringArrayVarP(&o.paths, "trace-path", "P", nil, "only calls that touch `path`: a path argument, or a descriptor that referred to it at the call (repeatable; a symbolic link's target too); applies to every format, live and replayed")
	fs.CountVarP(&o.follow, "full-follow-fork", "f", "follow new processes created with fork/vfork/clone; -ff with -o FILE: one trace per process, in FILE.PID; -fff: one per thread, in FILE.TID.PID")
	fs.CountVarP(&o.fastFollow, "fast-follow-fork", "F", "follow only the children of the traced processes, not their descendants (filtered in the kernel); -FF with -o FILE: one trace per process, in FILE.PID; -FFF: one per thread, in FILE.TID.PID")
	fs.StringArrayVarP(&o.pids, "pid", "p", nil, "trace this `pid` (repeatable or comma-separated; Ctrl-C detaches); with -i, replay only its events")
	addTargetFlags(fs, &o.targets)
	fs.StringArrayVarP(&o.scripts, "script", "s", nil, "run the events through this script `file`, Starlark (.star) or Lua (.lua) (repeatable: a pipeline); a NAME not found as given is looked up in ., ~/.local/share/strace.ebpf/scripts, then the installed examples ('help' lists them)")
	fs.StringArrayVar(&o.evals, "eval", nil, "run the events through this inline Starlark `script` (--eval 'def on_syscall(ev): ...'), after the -s ones (repeatable)")
	fs.BoolVarP(&o.debug, "debug", "d", false, "print debug output: verifier log, attach details")
	fs.BoolVarP(&o.summaryOnly, "summary-only", "c", false, "count time, calls and errors per syscall and print strace's summary table at the end, instead of the trace")
	fs.BoolVarP(&o.summary, "summary", "C", false, "like -c, but also print the trace")
	fs.BoolVarP(&o.wallClock, "summary-wall-clock", "w", false, "with -c/-C: sum wall-clock time per call (what the summary always sums here)")
	fs.StringArrayVarP(&o.env, "env", "E", nil, "run the command with `VAR=VAL` in its environment, or without VAR with -E VAR (repeatable)")
	fs.StringVarP(&o.user, "user", "u", "", "run the command as `user` (a name or uid), its groups too")
	fs.CountVarP(&o.quiet, "quiet", "q", "do not print \"Process N attached/detached\" (-p), nor the status line (events/s, written, lost, paused) that a run of more than 2 s shows on a terminal's stderr; -qq: nor -l strace's \"+++ exited with N +++\" lines")
	fs.StringVarP(&o.filenames, "filenames", "n", "full", "how much of each path and string argument the kernel captures: full (PATH_MAX, 4096 bytes), name_max (NAME_MAX, 255), fast (127), or a `mode` N (N*255 bytes); a longer one prints cut, with \"...\"")
	fs.StringVarP(&o.objectDir, "ebpf-src-dir", "N", "", "load the kernel side from `dir`/tracer_ARCH_bpfel.o (ARCH: x86, arm64), built from bpf/tracer.bpf.c (make generate, docs/kernel.md), instead of the built-in one; it must have the same maps, programs and config")
	fs.StringVar(&o.bufferSize, "buffer-size", "", "the kernel's ring buffer `size` (a power of two, at least 4K, and 256K when lossless; K, M, G suffixes): larger loses fewer events under load, or pauses the command less often (default 16M, 64M with --lossy, 256K when nothing is sent per call)")
	fs.BoolVar(&o.lossy, "lossy", false, "never pause the command: when the reader falls behind, records are lost (and counted) instead")
	fs.BoolVar(&o.lossless, "lossless", false, "with -p: pause the processes while the reader catches up (moves them into a cgroup of the tracer's until the end); with --cgroup, --container or --unit: pause that cgroup itself (one, cgroup v2)")
	fs.BoolVar(&o.calibrate, "calibrate", false, "attach programs that trace nothing (measures the tracepoints' own cost; make bench)")
	fs.MarkHidden("calibrate")
	fs.StringVarP(&o.input, "input", "i", "", "replay the recording `file` (made with -l bin or --record; - for stdin) through the scripts and format, without tracing")
	fs.StringVar(&o.record, "record", "", "also record the events to `file` (bin format) while printing the chosen format")
	fs.BoolVar(&o.traceH, "trace-h", false, "print trace.h, the C description of the bin format, and exit")
	addStraceFlags(fs, &o.strace)
	addHabitFlags(fs, o)
	fs.StringArrayVar(&o.scriptArgs, "arg", nil, "script argument `key=value` for arg(key, default) in every script (repeatable; -s FILE:key=value for one)")
	fs.DurationVar(&o.interval, "interval", time.Second, "call the scripts' on_tick every `duration` of trace time")
	fs.StringVar(&o.scriptMemory, "script-memory", "auto", "the memory `budget` of all scripts together (K, M, G suffixes; 0: none); a script that goes past it is stopped; auto: half of what the tracer may still use (its memory cgroups' memory.max and memory.high, or v1's limit, and the free memory), at most 1G")
	fs.StringVar(&o.scriptErrors, "script-errors", "stop-trace", "what a script's runtime error stops: stop-trace (the trace; the outputs are finished and every script's on_exit runs), stop-script (that script only: it passes events on, the trace goes on) or skip-event (the call that failed: its event goes no further)")
	fs.StringVar(&o.scriptOutput, "script-output", "", "write what scripts print (-s; with -C, the summary table too) to `file`, in every format; by default it goes into the trace with -l hex and strace, to stderr with json, perfetto and bin")
	fs.BoolVar(&o.explain, "explain", false, "print which filters run in the kernel and which in user space, and what is captured")
	fs.BoolVarP(&o.help, "help", "h", false, "print this help")
	fs.BoolVarP(&o.version, "version", "V", false, "print the version and the revision built from, and exit")
	fs.BoolVar(&o.man, "man", false, "print the man page (roff), made from these flags")
	fs.MarkHidden("man")
	fs.StringVar(&o.completion, "completion", "", "print the `shell`'s completion script (bash, zsh)")
	fs.MarkHidden("completion")
	return fs
}

// usage is the -h text: pflag's flag list without its noise for boolean
// and counting flags.
func usage(fs *pflag.FlagSet) string {
	u := fs.FlagUsages()
	u = strings.ReplaceAll(u, "[=true|false]", "             ")
	u = strings.ReplaceAll(u, "--full-follow-fork count", "--full-follow-fork      ")
	u = strings.ReplaceAll(u, "--fast-follow-fork count", "--fast-follow-fork      ")
	u = strings.ReplaceAll(u, "--quiet count", "--quiet      ")
	u = strings.ReplaceAll(u, "--strings-in-hex count", "--strings-in-hex      ")
	u = strings.ReplaceAll(u, "--decode-fds count", "--decode-fds      ")
	return usageHead + u + "\n" + wrap(spellingsNote(), 78) + "\n"
}

// wrap breaks s into lines of at most width columns.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 && n+1+len(w) > width {
			b.WriteByte('\n')
			n = 0
		} else if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// run is the whole program; it returns the exit code and the error to print.
func run(argv []string, stdout, stderr io.Writer) (int, error) {
	var o options
	fs := newFlags(&o)
	// Parse errors are reported once, as one line, by main.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(argv[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0, nil
		}
		return 2, fmt.Errorf("parsing options: %w", suggestFlag(fs, err))
	}
	if o.help {
		fmt.Fprint(stdout, usage(fs))
		return 0, nil
	}
	switch {
	case o.version:
		printVersion(stdout)
		return 0, nil
	case o.man:
		fmt.Fprint(stdout, manPage(fs))
		return 0, nil
	case o.completion != "":
		c, err := completion(fs, o.completion)
		if err != nil {
			return 2, err
		}
		fmt.Fprint(stdout, c)
		return 0, nil
	}
	if o.traceH {
		if _, err := stdout.Write(record.TraceH()); err != nil {
			return 1, fmt.Errorf("printing trace.h: %w", err)
		}
		return 0, nil
	}
	args := fs.Args()
	tab := syscalls.Native()
	if done, err := o.strace.listings(stdout, stderr, tab); done {
		return exitCode(err), err
	}
	if err := o.applyHabits(fs, stderr); err != nil {
		return 2, err
	}
	if len(o.scripts) == 1 && o.scripts[0] == "help" {
		printScripts(stdout)
		return 0, nil
	}
	if o.format == "help" || o.format == "list" {
		format.PrintFormats(stdout)
		return 0, nil
	}
	p, err := o.buildPlan(fs, args, argv, stdout, stderr)
	if errors.Is(err, session.ErrHelp) {
		session.PrintFilterHelp(stdout, tab)
		return 0, nil
	}
	if err != nil {
		return 2, err
	}

	sess, err := session.Open(p)
	if err != nil {
		var ue *session.UsageError
		if errors.As(err, &ue) {
			return 2, err
		}
		return 1, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A closed terminal (SIGHUP) or SIGQUIT ends the trace as Ctrl-C does,
	// outputs complete.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	go func() {
		for sig := range sigs {
			if sess.Signal(sig) {
				cancel()
			}
		}
	}()
	res, err := sess.Run(ctx)
	if res.Lost > 0 {
		fmt.Fprintf(stderr, "strace.ebpf: %d events lost\n", res.Lost)
	}
	if res.Skipped > 0 {
		fmt.Fprintf(stderr, "strace.ebpf: the kernel skipped the tracer's syscall probes %d times (for any process) while another task was preempted inside them: calls of the traced processes may be missing\n", res.Skipped)
	}
	if res.Unread > 0 {
		fmt.Fprintf(stderr, "strace.ebpf: stopped at once: %d queued records not shown\n", res.Unread)
	}
	if res.Detached != 0 {
		fmt.Fprintf(stderr, "strace.ebpf: detached; '%s' (pid %d) runs on\n", p.Command[0], res.Detached)
	}
	if res.Pauses > 0 {
		fmt.Fprintf(stderr, "strace.ebpf: paused %d times, %v in all, for the trace to keep up\n", res.Pauses, res.Paused.Round(time.Millisecond))
	}
	if o.debug {
		var ru syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
			fmt.Fprintf(stderr, "strace.ebpf: %d events; tracer CPU: user %v, system %v\n", res.Events,
				time.Duration(ru.Utime.Nano()).Round(time.Millisecond), time.Duration(ru.Stime.Nano()).Round(time.Millisecond))
		}
	}
	if err != nil && !o.debug {
		err = firstLine(err)
	}
	if err != nil && res.Exited {
		// The tracer failed (a script, the output): tracing stopped, the
		// command ran on, and its status is the exit status.
		return res.ExitCode, commandStatus{fmt.Errorf("tracing stopped: %w", err)}
	}
	if err != nil {
		return 1, err
	}
	return res.ExitCode, nil
}

// firstLine keeps an error to its first line (a script's traceback follows
// it), saying -d shows the rest.
func firstLine(err error) error {
	msg := err.Error()
	i := strings.IndexByte(msg, '\n')
	if i < 0 {
		return err
	}
	return shortError{msg[:i] + " (-d shows the traceback)", err}
}

type shortError struct {
	msg string
	err error
}

func (e shortError) Error() string { return e.msg }
func (e shortError) Unwrap() error { return e.err }

func formatNamesForCompletion() []string { return format.Names() }

// commandStatus is a tracer failure after which the traced command ran to
// its end: the exit status is the command's, even 0.
type commandStatus struct{ error }

func (c commandStatus) Unwrap() error { return c.error }

// buildPlan parses the -e expressions and turns the parsed options into a
// session plan (session.ErrHelp for -e help).
func (o *options) buildPlan(fs *pflag.FlagSet, args, argv []string, stdout, stderr io.Writer) (*session.Plan, error) {
	exprs, readDump, writeDump, err := session.SplitDumps(o.exprs)
	if err != nil {
		return nil, err
	}
	o.strace.readDump, o.strace.writeDump = readDump, writeDump
	filter, err := session.ParseFilter(exprs)
	if err != nil {
		return nil, err
	}
	return o.plan(fs, filter, args, argv, stdout, stderr)
}

// plan turns the options into a session plan, refusing what no session
// could make sense of.
func (o *options) plan(fs *pflag.FlagSet, sel session.Filter, args, argv []string, stdout, stderr io.Writer) (*session.Plan, error) {
	for _, name := range []string{"output", "input", "record", "script-output"} {
		if fs.Changed(name) && fs.Lookup(name).Value.String() == "" {
			return nil, fmt.Errorf("parsing options: --%s needs a file name, got an empty one", name)
		}
	}
	for _, path := range o.paths {
		if path == "" {
			return nil, errors.New("parsing -P: an empty path")
		}
	}
	if err := o.checkHints(fs, args); err != nil {
		return nil, err
	}
	if err := o.addEvals(); err != nil {
		return nil, err
	}
	if o.wallClock && !o.summaryOnly && !o.summary {
		return nil, errors.New("parsing options: -w sums wall-clock time in the -c/-C summary; give -c or -C (to record events, use --record FILE)")
	}
	if o.interval <= 0 {
		return nil, fmt.Errorf("parsing --interval: %s is not a positive duration", o.interval)
	}
	sep, err := unescape(o.hexSep)
	if err != nil {
		return nil, fmt.Errorf("parsing -K: %w", err)
	}
	pids, err := parsePIDs(o.pids)
	if err != nil {
		return nil, err
	}
	var mem int64 = -1 // 0: none
	switch o.scriptMemory {
	case "auto":
		mem = 0 // derived when the scripts load
	case "0":
	default:
		n, err := parseBytes(o.scriptMemory)
		if err != nil {
			return nil, fmt.Errorf("parsing --script-memory: %w", err)
		}
		mem = int64(n)
	}
	onError, err := script.ParseErrorPolicy(o.scriptErrors)
	if err != nil {
		return nil, fmt.Errorf("parsing --script-errors: %w", err)
	}
	var ring int
	if fs.Changed("buffer-size") {
		if ring, err = parseSize(o.bufferSize); err != nil {
			return nil, fmt.Errorf("parsing --buffer-size: %w", err)
		}
	}
	if fs.Changed("buffer-size") && o.input != "" {
		return nil, errors.New("parsing options: --buffer-size sizes the kernel's ring buffer; a replay (-i) has none")
	}
	if o.follow > 0 && o.fastFollow > 0 {
		return nil, errors.New("parsing options: -f follows every descendant, -F only children: give one")
	}
	strMax, err := engine.StrMaxOf(o.filenames)
	if err != nil {
		return nil, err
	}
	p := &session.Plan{
		StrMax:       strMax,
		ObjectDir:    o.objectDir,
		RingSize:     ring,
		ScriptMemory: mem,
		ScriptErrors: onError,
		Lossless:     o.lossless,
		Lossy:        o.lossy,
		Env:          o.env,
		User:         o.user,
		Quiet:        o.quiet,
		Command:      args,
		Targets:      o.targets,
		Input:        o.input,
		Follow:       o.follow > 0 || o.fastFollow > 0,
		ChildrenOnly: o.fastFollow > 0,
		Split:        o.follow > 1 || o.fastFollow > 1,
		SplitThreads: o.follow > 2 || o.fastFollow > 2,
		Filter:       sel,
		Scripts:      o.scripts,
		ScriptPath:   scriptDirs(),
		Interval:     o.interval,
		Output:       o.output,
		ScriptOutput: o.scriptOutput,
		Record:       o.record,
		Argv:         argv,
		Explain:      o.explain,
		Calibrate:    o.calibrate,
		Stdout:       stdout,
		Stderr:       stderr,
	}
	if o.input != "" {
		// A replay's -p picks processes out of the recording.
		p.Filter.PIDs = pids
		if len(args) > 0 {
			return nil, errors.New("parsing options: -i replays a recording; it takes no command")
		}
	} else {
		p.PIDs = pids
	}
	if fs.Changed("format") || o.formatFromEnv {
		p.Format = o.format
	}
	p.Filter.Paths = o.paths
	if o.failed {
		p.Filter.Only(filter.Failed)
	}
	if o.strace.successful {
		p.Filter.Only(filter.Successful)
	}
	if o.strace.failing {
		p.Filter.Only(filter.Failed)
	}
	switch {
	case o.summaryOnly:
		p.Summary = session.SummaryOnly
	case o.summary:
		p.Summary = session.SummaryAlso
	}
	if p.Summary != session.NoSummary {
		p.SummaryArgs = map[string]string{}
		for k, v := range o.habits.summaryArgs() {
			p.SummaryArgs["summary_"+k] = v
		}
	}
	if len(o.scriptArgs) > 0 {
		p.ScriptArgs = map[string]string{}
	}
	for _, kv := range o.scriptArgs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("parsing --arg %s: want key=value", kv)
		}
		p.ScriptArgs[k] = v
	}
	s := &o.strace
	p.Show = format.Presentation{
		Timestamps:  s.timestamps,
		Relative:    s.relative,
		SyscallTime: s.syscallTime,
		DecodeFds:   s.decodeFds,
		FdKinds:     s.fdKinds,
		StrSize:     s.strsize,
		StrSizeSet:  fs.Changed("strsize"),
		Separator:   sep,
		StackTrace:  s.stackTrace,
		StackWindow: s.stackWindow,
		Column:      s.column,
		HexStrings:  s.hexStrings,
		ReadDump:    s.readDump,
		WriteDump:   s.writeDump,
		Verbose:     s.verbose,
		DetachExec:  s.detachOn != "",
		DecodePids:  s.decodePids,
	}
	if s.detachOn != "" && s.detachOn != "execve" {
		return nil, fmt.Errorf("parsing -b %s: only execve is supported (as strace)", s.detachOn)
	}
	if fs.Changed("columns") && s.column <= 0 {
		return nil, fmt.Errorf("parsing -a %d: the column must be positive", s.column)
	}
	if s.readDump != nil || s.writeDump != nil {
		p.Given |= format.OptDump
	}
	if sel.Raw != "" || sel.Verbose != "" || sel.Abbrev != "" {
		p.Given |= format.OptCallSets
	}
	for _, o := range format.Options {
		if o.Flag != "" && fs.Changed(o.Flag) {
			p.Given |= o.Opt
		}
	}
	if o.debug {
		p.Debug = stderr
	}
	o.setStatus(p, stderr)
	return p, nil
}

// checkHints refuses strace spellings that mean something else here, saying
// what to type instead.
func (o *options) checkHints(fs *pflag.FlagSet, args []string) error {
	if o.failed && len(args) > 0 {
		switch args[0] {
		case "raw", "abbrev", "verbose":
			if _, err := exec.LookPath(args[0]); err != nil {
				return fmt.Errorf("parsing -X %s: -X is --failed here (only failed calls); strace's -X %s (how constants print) has no equivalent: drop it", args[0], args[0])
			}
		}
	}
	for _, s := range o.scripts {
		if _, err := strconv.Atoi(s); err == nil {
			if _, err := os.Stat(s); err != nil {
				return fmt.Errorf("parsing -s %s: -s loads a script here; strace's string size is -S %s (--strsize)", s, s)
			}
		}
	}
	return nil
}

func parsePIDs(vals []string) ([]int, error) {
	var pids []int
	self := os.Getpid()
	for _, v := range vals {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			pid, err := strconv.Atoi(f)
			if err != nil || pid <= 0 {
				return nil, fmt.Errorf("parsing -p: %q is not a pid", f)
			}
			if pid == self {
				return nil, fmt.Errorf("parsing -p: %d is the tracer itself", pid)
			}
			pids = append(pids, pid)
		}
	}
	if len(vals) > 0 && len(pids) == 0 {
		return nil, errors.New("parsing -p: no pid given")
	}
	return pids, nil
}

// parseSize reads a ring size with an optional K, M or G suffix (powers
// of 1024); it must be a power of two of at least a page.
func parseSize(s string) (int, error) {
	n, err := parseBytes(s)
	if err != nil {
		return 0, err
	}
	if n&(n-1) != 0 || n < os.Getpagesize() || n > 1<<30 {
		return 0, fmt.Errorf("%d is not a power of two between %d and 1G", n, os.Getpagesize())
	}
	return n, nil
}

// parseBytes reads a byte count with an optional K, M or G suffix (powers
// of 1024).
func parseBytes(s string) (int, error) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "K"), strings.HasSuffix(s, "k"):
		mult = 1 << 10
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		mult = 1 << 20
	case strings.HasSuffix(s, "G"), strings.HasSuffix(s, "g"):
		mult = 1 << 30
	}
	if mult > 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return n * mult, nil
}

// unescape reads the backslash escapes \t, \n, \\ and \0 of a separator.
func unescape(s string) (string, error) {
	if s == "" {
		return "", errors.New("empty separator")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case '\\':
			b.WriteByte('\\')
		case ' ':
			b.WriteByte(' ')
		default:
			return "", fmt.Errorf("unknown escape \\%c in %q", s[i], s)
		}
	}
	return b.String(), nil
}
