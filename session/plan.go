// Package session composes a trace session: a Plan says what to trace or
// replay (the Source), which events to keep (the Filter), which scripts
// see them and which format prints them (the Sink); Open turns it into the
// engine's configuration, or a recording reader, and the sinks, and Run
// runs it. cmd/strace.ebpf only turns flags into a Plan.
//
// Every decision has one home here: a filter applies the same way to every
// format, live or replayed (the kernel applies what it can, filterSink the
// rest); what the kernel captures is the union of what the format and the
// scripts need (Plan.needs); names resolve against the source's own
// syscall table.
package session

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/filter"
	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/script"
)

// EvalPrefix marks an inline script's source among Plan.Scripts.
const EvalPrefix = "\x00eval:"

// Summary is -c or -C.
type Summary uint8

const (
	NoSummary   Summary = iota
	SummaryOnly         // -c: the summary table instead of the trace
	SummaryAlso         // -C: the trace, then the table
)

// Plan is everything a session does.
type Plan struct {
	// What to trace: a command, running processes, or (neither) the whole
	// system. Or Input: a recording to replay, "-" for stdin.
	Command []string
	PIDs    []int
	Input   string
	// Targets narrows a trace of neither a command nor -p to the
	// processes of cgroups, containers and units (session/cgroup.go).
	Targets Targets
	cgroups []engine.Cgroup // Targets resolved
	Follow  bool            // -f: follow forks
	// ChildrenOnly narrows Follow to the traced processes' children (-F).
	ChildrenOnly bool
	// RingSize is the kernel's ring buffer in bytes (--buffer-size); 0
	// picks the engine's default.
	RingSize int
	// Lossless pauses the traced processes (their cgroup frozen) while the
	// reader catches up, instead of losing records (--lossless); Lossy
	// never does (--lossy). With neither, a launched command is traced
	// lossless, running processes lossy (lossless).
	Lossless bool
	Lossy    bool
	Split    bool // -ff with Output: one file per process, Output.PID
	// SplitThreads makes Split one file per thread, Output.TID.PID (-fff,
	// as the original strace.ebpf names them).
	SplitThreads bool
	// StrMax caps each string argument captured, its NUL included
	// (-n/--filenames); 0: whole paths.
	StrMax int
	// ObjectDir loads the kernel side from this directory (-N).
	ObjectDir string
	// Env changes the command's environment (-E): "VAR=VAL" sets, "VAR"
	// removes.
	Env []string
	// User runs the command as this user (-u), a name or a uid.
	User string
	// Quiet is -q's count: 1 silences "Process N attached/detached".
	Quiet int

	Filter Filter

	// Scripts are the -s files, in order; an entry that starts with
	// EvalPrefix is an inline Starlark script's source (--eval).
	Scripts []string
	// ScriptPath are the directories a -s NAME not found as given is
	// looked up in (FindScript); nil: none.
	ScriptPath []string
	ScriptArgs map[string]string // --arg
	Interval   time.Duration     // --interval; 0 means 1s
	// ScriptMemory is the memory budget of all scripts together in bytes
	// (--script-memory); 0 means the default (half the room the tracer has,
	// at most 1 GiB: script.Options.MemoryLimit), negative none.
	ScriptMemory int64
	// ScriptErrors is what a script's runtime error stops
	// (--script-errors): the trace, by default.
	ScriptErrors script.ErrorPolicy
	Summary      Summary
	// SummaryArgs are the summary's arguments: summary_sort (strace's -S
	// key) and summary_columns (strace's -U columns).
	SummaryArgs map[string]string

	Format       string // -l; "" means hex
	Output       string // -o; "" means stderr when tracing a command, else stdout
	ScriptOutput string // what scripts print; "" means into a text trace, stderr next to a machine-read format
	Record       string // --record FILE: also record the events

	Show  Presentation
	Given format.Opt // the presentation options given, checked against the format

	recordedFds bool // a replay's recording holds the kernel's fd descriptions (-y)

	Argv      []string // the tracer's command line, for titles and headers
	Explain   bool
	Calibrate bool
	Debug     io.Writer

	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// StatusLine is the terminal to draw the live status line on (after
	// two seconds: events per second, written, lost, paused); nil: none.
	StatusLine io.Writer
}

// check refuses combinations the plan cannot honour, before anything starts.
func (p *Plan) check(f *format.Format) error {
	if p.Input != "" && len(p.Command) > 0 {
		return usage("parsing options: -i replays a recording; it takes no command")
	}
	if p.Input != "" && len(p.Filter.Inject) > 0 {
		return usagef("-e %s: a replay runs nothing to inject into", p.Filter.Inject[0].Expr)
	}
	if len(p.PIDs) > 0 && len(p.Command) > 0 {
		return usage("parsing options: -p and a command are exclusive")
	}
	if err := p.checkTargets(f); err != nil {
		return err
	}
	if p.Lossy && p.Lossless {
		return usage("parsing options: --lossy and --lossless are exclusive")
	}
	if p.Split {
		if p.Output == "" {
			return usage("parsing options: -ff, -fff, -FF and -FFF need -o FILE (each process's trace goes to FILE.PID, each thread's to FILE.TID.PID)")
		}
		if _, ok := PipeCommand(p.Output); ok {
			return usage("parsing options: -ff writes a file per process (FILE.PID); -o '|cmd' pipes one trace: give one")
		}
		if len(p.Scripts) > 0 {
			return usage("parsing options: -ff does not take scripts (-s): their state is the whole trace's, not a process's")
		}
	}
	if p.ScriptOutput != "" {
		switch {
		case p.Summary == SummaryOnly:
			return usage("parsing options: --script-output: with -c, what the scripts print and the summary table are the whole trace (-o)")
		case len(p.Scripts) == 0:
			return usage("parsing options: --script-output takes what scripts (-s) print: give one")
		}
	}
	if p.Summary == SummaryOnly && p.Format != "" && !f.Text() {
		// -l hex or -l strace (an alias's) goes with -c: the table is
		// the output either way.
		return usagef("parsing options: -c prints only the summary table, not -l %s (use -C for both, with -l hex or -l strace)", f.Name)
	}
	if p.Summary == SummaryAlso && !f.Text() {
		return usagef("parsing options: -C prints the summary after a text trace: -l hex or -l strace, not -l %s", f.Name)
	}
	if p.Summary != NoSummary && p.Split {
		return usage("parsing options: -c and -C sum up the whole trace: they do not go with -ff")
	}
	if p.Input != "" && (p.ObjectDir != "" || p.StrMax != 0) {
		return usage("parsing options: -N and -n choose what the kernel runs and captures; a replay (-i) has no kernel side")
	}
	if (len(p.Env) > 0 || p.User != "") && len(p.Command) == 0 {
		return usage("parsing options: -E and -u apply to a command the tracer starts")
	}
	if p.Show.StrSize < 0 {
		return usage("parsing --strsize: must not be negative")
	}
	if p.Summary == SummaryOnly {
		// The table is the whole output: the format's own options do not
		// apply, and saying so beats ignoring them.
		if p.Given&^format.OptStrSize != 0 {
			return usagef("choosing options: -c prints only the summary table; %s applies to a trace (use -C for both)", format.OptName(p.Given&^format.OptStrSize))
		}
		return nil
	}
	given := p.Given
	if len(p.Scripts) > 0 {
		given &^= format.OptStackTrace // scripts see ev.stack whatever the format
	}
	return checkHonoured(f, given)
}

// needs is what the kernel must send for the format and the scripts.
func (p *Plan) needs(f *format.Format, scripts Needs, sel *Selection) Needs {
	n := scripts
	if p.Summary != SummaryOnly {
		n = n.Union(f.Needs(&p.Show))
	}
	// The enter half of a sleeping call is printed ("<unfinished ...>")
	// only by the stock strace format, and only when nothing in front of it
	// decides whether the call is shown, and nothing records it.
	if len(p.Scripts) > 0 || p.Summary != NoSummary || sel.StatusFiltered() || p.Record != "" {
		n.EnterMarks = false
	}
	// -P matches descriptors by what the kernel says they refer to.
	if len(p.Filter.Paths) > 0 {
		n.Fds = true
	}
	// -e abbrev=: an execve left out of it shows its environment.
	if p.Filter.Abbrev != "" && p.Input == "" {
		n.FullEnv = n.FullEnv || p.Filter.execUnabbreviated()
	}
	// trace-fds= reads the descriptors in poll's and select's sets.
	if p.Filter.Fds != nil {
		n.Buffers = max(n.Buffers, 1)
	}
	// -ff closes each process's file at its exit, whatever the format.
	if p.Split {
		n.ProcessEvents = true
	}
	// A script that only counts (trace(counts = True), first in the
	// pipeline) is counted for in the kernel when the kernel sees what it
	// would: live, no filter left to user space; with no record per call
	// unless one is recorded. Otherwise it counts the events itself.
	n.Counts, n.NoRecords, n.CountAggs = false, false, false
	if scripts.NoRecords && p.Input == "" && !p.Split && sel.KernelDecides() && len(p.Filter.Inject) == 0 {
		n.Counts, n.NoRecords, n.CountAggs = true, p.Record == "", scripts.CountAggs
	}
	if p.countsInKernel(sel) {
		n.Counts = true
		// -c prints only the table: no record per call, unless one is
		// recorded.
		n.NoRecords = p.Summary == SummaryOnly && p.Record == ""
	}
	// Scripts may read ev.ts and ev.duration and tick by trace time,
	// unless they only count, in the kernel, with no record per call
	// (their own needs say whether they read a time); the summary sums
	// durations when a column shows time; a recording keeps them for its
	// replays.
	if len(p.Scripts) > 0 && !n.NoRecords || p.Summary != NoSummary && p.summaryTimed() || p.Record != "" {
		n.Times = true
	}
	return n
}

// engineConfig is the one mapping from the plan to the engine.
func (p *Plan) engineConfig(n Needs, k KernelFilter, start time.Time) engine.Config {
	return engine.Config{
		Command:        p.Command,
		PIDs:           p.PIDs,
		PidNS:          p.Targets.PidNS,
		FollowForks:    p.Follow,
		ChildrenOnly:   p.ChildrenOnly,
		StrMax:         p.StrMax,
		FullEnv:        n.FullEnv,
		ObjectDir:      p.ObjectDir,
		FailedOnly:     k.FailedOnly,
		Syscalls:       k.Syscalls,
		Syscalls32:     k.Syscalls32,
		CaptureBuffers: n.Buffers > 0,
		BufSize:        n.Buffers,
		ProcessEvents:  n.ProcessEvents,
		EnterMarks:     n.EnterMarks,
		Env:            p.env(),
		Stdin:          p.Stdin,
		Stdout:         p.Stdout,
		Stderr:         p.Stderr,
		Debug:          p.Debug,
		Start:          start,
		Calibrate:      p.Calibrate,
		RingSize:       ringSize(p.RingSize, n, p.lossless() && !n.NoRecords),
		Lossless:       p.lossless() && !n.NoRecords, // nothing to lose without records
		StackTrace:     p.Show.StackTrace,
		StackWindow:    p.Show.StackWindow,
		DecodeFds:      n.Fds,
		Count:          engineCount(n),
		CountAggs:      n.Counts && n.CountAggs,
		NoClock:        !n.Times && !n.Order,
		Stamps:         n.Order && !n.Times,
	}
}

// lossless says the traced processes are paused rather than their records
// lost: on request, and by default for a launched command (not a
// calibration, which measures the tracepoints alone).
func (p *Plan) lossless() bool {
	return p.Lossless || len(p.Command) > 0 && p.Input == "" && !p.Lossy && !p.Calibrate
}

// env is the command's environment: the tracer's with -E applied; nil
// when there is no -E.
func (p *Plan) env() []string {
	if len(p.Env) == 0 {
		return nil
	}
	env := os.Environ()
	for _, e := range p.Env {
		k, _, set := strings.Cut(e, "=")
		kept := env[:0]
		for _, kv := range env {
			if !strings.HasPrefix(kv, k+"=") {
				kept = append(kept, kv)
			}
		}
		env = kept
		if set {
			env = append(env, e)
		}
	}
	return env
}

// credential resolves -u's user.
func (p *Plan) credential() (*engine.Credential, error) {
	if p.User == "" {
		return nil, nil
	}
	u, err := user.Lookup(p.User)
	if err != nil {
		if u, err = user.LookupId(p.User); err != nil {
			return nil, usagef("parsing -u %s: no such user", p.User)
		}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("parsing -u %s: uid %s, gid %s are not numbers", p.User, u.Uid, u.Gid)
	}
	c := &engine.Credential{UID: uint32(uid), GID: uint32(gid)}
	gids, err := u.GroupIds()
	if err != nil {
		return nil, fmt.Errorf("parsing -u %s: listing its groups: %w", p.User, err)
	}
	for _, g := range gids {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			c.Groups = append(c.Groups, uint32(n))
		}
	}
	return c, nil
}

// straceOptions are the strace format's options under the plan.
func (p *Plan) straceOptions(start time.Time, live, multi bool) format.StraceOptions {
	so := format.StraceOptions{
		StrSize:     p.Show.StrSize,
		Relative:    p.Show.Relative,
		SyscallTime: p.Show.SyscallTime,
		DecodeFds:   p.Show.DecodeFds > 0,
		// -yy: sockets' addresses, devices' numbers.
		DecodeSockets: p.Show.DecodeFds > 1,
		FdKinds:       p.Show.FdKinds,
		// Live, the kernel describes the fds (Needs.Fds); a replay's
		// recording says whether it did (applyRecorded).
		KernelFds:  live || p.recordedFds,
		ProcFds:    live,
		Live:       live,
		Timestamps: min(p.Show.Timestamps, 3),
		StackTrace: p.Show.StackTrace,
		Start:      start,

		Column:      p.Show.Column,
		HexStrings:  p.Show.HexStrings,
		ReadDump:    p.Show.ReadDump,
		WriteDump:   p.Show.WriteDump,
		NoExitLines: p.Quiet >= 2,
		Verbose:     p.Show.Verbose,
		DetachExec:  p.Show.DetachExec,
		DecodePids:  p.Show.DecodePids,
		Containers:  p.Targets.DecodePids == "container",
		// strace's -q, which -o FILE with a command implies (as does -o
		// FILE replaying a recording), silences the personality lines.
		QuietPersonality: p.Quiet > 0 || (p.Output != "" && (len(p.Command) > 0 || !live)),
	}
	// Lines name their process when more than one can appear (multi), as
	// strace decides; -ff's files need none.
	if live {
		so.Tracees = p.tracees()
	}
	// --decode-pids=container asks for the prefix that names the container.
	if (multi || p.Targets.DecodePids != "") && !p.Split {
		if p.Output != "" || !live {
			so.PIDPrefix = format.PrefixFile
		} else {
			so.PIDPrefix = format.PrefixTerminal
		}
	}
	return so
}

// tracees is the number of threads traced from the start: every thread of
// the -p processes, as strace attaches them; 2 for the whole system (more
// than one); 0 for a command.
func (p *Plan) tracees() int {
	if len(p.Command) > 0 {
		return 0
	}
	if len(p.PIDs) == 0 {
		return 2
	}
	n := 0
	for _, pid := range p.PIDs {
		// An unreadable task list counts as one thread.
		ents, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		n += max(len(ents), 1)
	}
	return n
}

// recordOptions are the plan's options kept in a recording's header, so
// that a replay shows what the live run would have.
func (p *Plan) recordOptions(n Needs) map[string]string {
	opts := map[string]string{"hex_separator": p.Show.Separator}
	if opts["hex_separator"] == "" {
		opts["hex_separator"] = "\t"
	}
	set := func(k string, on bool) {
		if on {
			opts[k] = "1"
		}
	}
	if p.Show.Timestamps > 0 {
		opts["timestamp"] = strconv.Itoa(p.Show.Timestamps)
	}
	set("relative", p.Show.Relative)
	set("syscall_times", p.Show.SyscallTime)
	set("follow_forks", p.Follow)
	set("pidns", p.Targets.PidNS)
	set("process_events", n.ProcessEvents)
	// The kernel's fd descriptions are in the events (-y, -P): "fds";
	// the -y level to show them with: "decode_fds".
	if n.Fds || p.Show.DecodeFds > 0 || len(p.Filter.Paths) > 0 {
		opts["fds"] = "1"
	}
	if p.Show.DecodeFds > 0 {
		opts["decode_fds"] = strconv.Itoa(p.Show.DecodeFds)
	}
	if p.Show.FdKinds != 0 {
		opts["decode_fd_kinds"] = p.Show.FdKinds.String()
	}
	if n.Buffers > 0 {
		opts["buffers"] = strconv.Itoa(n.Buffers)
	}
	if p.Filter.Status == filter.Failed {
		opts["failed_only"] = "1"
	}
	if len(p.Filter.exprs) > 0 {
		opts["expr"] = joinExprs(p.Filter.exprs)
	}
	return opts
}

func joinExprs(es []string) string {
	s := ""
	for i, e := range es {
		if i > 0 {
			s += ";"
		}
		s += e
	}
	return s
}

// UsageError is a plan that cannot run as given: the command line is at
// fault (exit status 2), not the system.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usage(msg string) error { return &UsageError{errors.New(msg)} }
func usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}
