package session

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/filter"
	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/script"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Result is how a session ended.
type Result struct {
	ExitCode int    // the traced command's exit status; 0 for other sources
	Events   uint64 // events the source delivered
	Lost     uint64 // events the kernel could not queue
	// Exited says the traced command ran to its end: ExitCode is its status
	// even when tracing failed on the way.
	Exited bool
	// Detached is the pid of a command left running by a second Ctrl-C.
	Detached int
	// Pauses and Paused: how often and how long lossless tracing paused
	// the traced processes.
	Pauses int
	Paused time.Duration
	// Skipped: entries of calls the kernel skipped that could not be seen
	// otherwise (engine.Result.Skipped).
	Skipped uint64
	// Unread: records still queued at a second Ctrl-C, never shown.
	Unread uint64
}

// Session is an opened plan: its source, filter and sinks, ready to run.
type Session struct {
	plan  *Plan
	src   Source
	live  *liveSource // src, when tracing
	sel   *Selection
	sink  Sink
	pipes []*script.Pipeline // for Interrupt
	out   lazyWriter
	files []*os.File // closed by Run
	// status are the live figures of the status line (Plan.StatusLine).
	status *Status
	// outCmds are the commands of -o '|cmd', waited for after files close.
	outCmds []*exec.Cmd
	outs    []*os.File // the files at Open's end, for Signal (abandon.go)
	sigs    atomic.Int32

	format *format.Format
	config engine.Config // the live engine's configuration
}

// built is what building the sinks needs besides the plan.
type built struct {
	plan   *Plan
	format *format.Format
	tab    *syscalls.Table
	src    Source
	needs  Needs
	hex    format.HexOptions
	strace format.StraceOptions
	argv   []string // titles: the recording's command line on a replay
	text   io.Writer
	pipes  *[]*script.Pipeline
}

// config is what the format's writer is built with.
func (b *built) config() *format.Config {
	return &format.Config{
		Table:  b.tab,
		Argv:   b.argv,
		Hex:    b.hex,
		Strace: b.strace,
		Header: b.header,
		TraceH: true,
		Debug:  b.plan.Debug,
	}
}

// Open checks the plan, opens its source, compiles its scripts and, when
// tracing, loads and attaches the kernel side and starts the command
// (stopped until Run). On error nothing is left running.
func Open(p *Plan) (_ *Session, err error) {
	s, err := prepare(p)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.live != nil {
		systemWide := len(p.Command) == 0 && len(p.PIDs) == 0 && len(s.config.Cgroups) == 0
		if len(p.Command) == 0 && len(p.PIDs) == 0 {
			s.config.Exclude = outputReaders(p)
		}
		if err := s.live.open(s.config); err != nil {
			return nil, err
		}
		if s.config.Count != engine.NoCount {
			for _, pipe := range s.pipes {
				pipe.SetKernelCounts(kernelCounts(s.live.sess))
			}
		}
		if why := s.live.sess.LossyReason(); why != nil {
			fmt.Fprintf(p.Stderr, "strace.ebpf: %v; tracing lossy (lost records are counted)\n", why)
		}
		if systemWide && isTerminal(p.Stderr) {
			fmt.Fprintln(p.Stderr, "strace.ebpf: tracing every process on this system (no command, no -p) until Ctrl-C"+excludedNote(s.config.Exclude))
		}
		if p.Quiet == 0 {
			for _, pid := range p.PIDs {
				fmt.Fprintf(p.Stderr, "strace.ebpf: Process %d attached\n", pid)
			}
		}
	}
	if err := s.openOutput(s.format); err != nil {
		return nil, err
	}
	if err := s.sink.Start(); err != nil {
		s.finishStart(err)
		return nil, err
	}
	s.outs = append([]*os.File(nil), s.files...)
	return s, nil
}

// prepare does all of Open that needs no privilege: the source's table, the
// resolved filter, the compiled scripts and sinks, and the engine's
// configuration.
func prepare(p *Plan) (_ *Session, err error) {
	name := p.Format
	if name == "" {
		name = "hex"
	}
	f, err := format.Lookup(name)
	if err != nil {
		return nil, &UsageError{err} // a bad -l is a bad command line
	}
	if err := p.check(f); err != nil {
		return nil, err
	}
	s := &Session{plan: p}
	defer func() {
		if err != nil {
			s.close()
		}
	}()

	b := &built{plan: p, format: f, argv: p.Argv, pipes: &s.pipes, text: p.Stderr}
	if p.Input != "" {
		rs, err := openRecording(p.Input, p.Stdin, p.Stderr)
		if err != nil {
			return nil, err
		}
		rs.stacks = p.Show.StackTrace
		s.src = rs
		b.applyRecorded(rs.hdr)
		noteRecordedBuffers(p, f, rs)
		if len(p.Filter.Paths) > 0 && !p.recordedFds {
			fmt.Fprintln(p.Stderr, "strace.ebpf: -P: the recording holds no fd descriptions (it was made without -y or -P); only path arguments match")
		}
		if p.Show.DecodeFds > 0 && !p.recordedFds {
			fmt.Fprintln(p.Stderr, "strace.ebpf: -y: the recording holds no fd paths (it was not made with -y; a replay reads nothing from this machine); fds print as numbers")
		}
	} else {
		s.live = newLive()
		s.src = s.live
	}
	b.tab, b.src = s.src.Table(), s.src
	if s.src.Live() {
		p.Filter.Paths = withTargets(p.Filter.Paths)
	}
	if s.sel, err = p.Filter.Resolve(b.tab); err != nil {
		return nil, err
	}
	s.sel.stripFds = len(p.Filter.Paths) > 0 && p.Show.DecodeFds == 0
	if b.hex.Sep == "" {
		b.hex.Sep = p.Show.Separator
	}
	multi := p.Follow || len(p.PIDs) > 1 || len(p.Command) == 0 && len(p.PIDs) == 0
	if !s.src.Live() {
		multi = p.Follow
	}
	b.strace = p.straceOptions(s.src.Start(), s.src.Live(), multi)
	if b.strace.Calls, err = p.Filter.CallSets(b.tab); err != nil {
		return nil, err
	}
	if p.Show.Timestamps > 0 {
		b.hex.Timestamp = true
	}
	b.hex.Relative = p.Show.Relative
	b.hex.Duration = p.Show.SyscallTime

	// Scripts compile before anything starts: a broken script costs nothing.
	if !f.Text() || p.ScriptOutput != "" {
		if b.text, err = s.textChannel(); err != nil {
			return nil, err
		}
	}
	var scriptNeeds Needs
	if p.Split {
		s.sink = newSplit(p.Output, b)
	} else {
		if s.sink, scriptNeeds, err = b.formatSink(&s.out); err != nil {
			return nil, err
		}
	}
	b.needs = p.needs(f, scriptNeeds, s.sel)
	if scriptNeeds.Fds {
		s.sel.stripFds = false // the scripts read them (trace(fds = True))
	}
	k := s.sel.Kernel()
	for _, pipe := range s.pipes {
		// The scripts' declarations narrow what the kernel sends, as far
		// as that leaves what every stage sees unchanged.
		kf := pipe.Pushdown()
		if kf.Syscalls != nil {
			k.Syscalls = intersect(k.Syscalls, kf.Syscalls)
		}
		k.FailedOnly = k.FailedOnly || kf.FailedOnly
	}
	if p.Record != "" {
		if rs, ok := s.src.(*recordingSource); ok && rs.sameFile(p.Record) {
			return nil, usage("opening recording: --record names the recording being replayed")
		}
		s.sink = &teeSink{path: p.Record, rec: format.NewBinWriter(nil, b.header), next: s.sink}
	}
	s.sink = &filterSink{sel: s.sel, next: s.sink, present: presenceOf(s.sink)}
	if s.sel.stripFds {
		// After the recording (which keeps them, for -P on its replays).
		if t, ok := s.sink.(*filterSink).next.(*teeSink); ok {
			t.next = &stripFdsSink{t.next}
		} else {
			s.sink.(*filterSink).next = &stripFdsSink{s.sink.(*filterSink).next}
		}
	}
	if p.Explain || p.Debug != nil {
		s.explain(k, b.needs)
	}
	s.format = f
	if rs, ok := s.src.(*recordingSource); ok {
		rs.reuse = p.reusesEvents(f)
	}
	if s.live != nil {
		s.config = p.engineConfig(b.needs, k, s.live.start)
		if s.config.Lossless && p.RingSize != 0 && p.RingSize < engine.MinLosslessRing {
			return nil, usagef("parsing --buffer-size: lossless tracing needs a ring of at least %dK (the pause comes a few milliseconds after the ring passes its mark; a smaller ring fills meanwhile); give --lossy for a smaller one", engine.MinLosslessRing>>10)
		}
		switch {
		case s.config.Lossless && p.StatusLine != nil:
			// The live status line shows the pauses (status.go).
			s.status = &Status{}
			s.config.OnPause = s.status.SetPaused
		case s.config.Lossless && p.pauseStatus():
			s.config.PauseStatus = p.Stderr
		}
		if s.config.Inject, err = p.injectConfig(b.tab, s.sel, s.pipes); err != nil {
			return nil, err
		}
		s.config.ReuseEvents = p.reusesEvents(f)
		if s.config.Cgroups, err = p.resolveTargets(); err != nil {
			return nil, err
		}
		p.cgroups = s.config.Cgroups
		if s.config.User, err = p.credential(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// applyRecorded takes a recording's options as the defaults of a replay:
// what a live run with them would have shown, unless given again.
func (b *built) applyRecorded(h *record.Header) {
	p := b.plan
	if len(h.Argv) > 0 {
		b.argv = h.Argv
	}
	o := h.Options
	if v := o["hex_separator"]; v != "" && p.Given&format.OptSeparator == 0 {
		b.hex.Sep = v
	}
	if p.Given&format.OptTimestamp == 0 {
		switch o["timestamp"] {
		case "", "0":
		case "1", "2", "3":
			p.Show.Timestamps = int(o["timestamp"][0] - '0')
		default:
			p.Show.Timestamps = 1
		}
	}
	if p.Given&format.OptRelative == 0 && o["relative"] == "1" {
		p.Show.Relative = true
	}
	if p.Given&format.OptSyscallTime == 0 && o["syscall_times"] == "1" {
		p.Show.SyscallTime = true
	}
	if !p.Follow && o["follow_forks"] == "1" {
		p.Follow = true
	}
	p.recordedFds = o["fds"] == "1"
	if n, err := strconv.Atoi(o["decode_fds"]); err == nil && n > 0 && p.Given&format.OptDecodeFds == 0 {
		p.Show.DecodeFds = n
		if k, err := format.ParseFdKinds(o["decode_fd_kinds"]); err == nil {
			p.Show.FdKinds = k
		}
	}
}

// textChannel is where scripts print when not into a text trace:
// --script-output (with any format), else stderr.
func (s *Session) textChannel() (io.Writer, error) {
	p := s.plan
	if p.ScriptOutput == "" {
		return p.Stderr, nil
	}
	f, err := os.OpenFile(p.ScriptOutput, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening script output: %w", err)
	}
	s.files = append(s.files, f)
	return f, nil
}

// formatSink builds the format's writer on out, with the scripts (and
// the summary) in front of it. A text format's writer and the scripts
// share one buffer on out: what a script prints comes where its event
// would have. With -c the summary is the whole output.
func (b *built) formatSink(out io.Writer) (Sink, Needs, error) {
	p, f := b.plan, b.format
	text := b.text
	var w Sink
	shared := false
	if p.Summary == SummaryOnly {
		text = out // the table is the whole output
	} else {
		if f.Text() && p.ScriptOutput == "" {
			bw := bufio.NewWriterSize(out, 256<<10)
			out, text, shared = bw, bw, true
		}
		var err error
		if w, err = f.New(out, b.config()); err != nil {
			return nil, Needs{}, err
		}
	}
	if len(p.Scripts) == 0 && p.Summary == NoSummary {
		return w, Needs{}, nil
	}
	pipe, err := b.pipeline(text)
	if err != nil {
		return nil, Needs{}, err
	}
	return newScripted(pipe, w, shared), pipeNeeds(pipe), nil
}

func pipeNeeds(pipe *script.Pipeline) Needs {
	kf := pipe.Pushdown()
	// A first stage that only counts (trace(counts = True)) needs no
	// record per call when the kernel can count for it (Plan.needs).
	// Counting scripts read a time only when they name one (CountTimes).
	return Needs{Buffers: kf.Buffers, Fds: kf.Fds, Counts: kf.Counts, NoRecords: kf.Counts, CountAggs: kf.CountAggs, Times: kf.CountTimes}
}

// pipeline builds the user's scripts and the summary stage, printing on
// out.
func (b *built) pipeline(out io.Writer) (*script.Pipeline, error) {
	p := b.plan
	pipe := script.NewPipeline(out, script.Options{
		Table:       b.tab,
		Hex:         b.hex,
		Argv:        b.argv,
		Args:        p.ScriptArgs,
		Interval:    p.Interval,
		MemoryLimit: p.ScriptMemory,
		OnError:     p.ScriptErrors,
		Warn:        b.warn,
		Live:        b.src.Live(),
		Start:       b.src.Start(),
	})
	evals := 0
	for _, sc := range p.Scripts {
		if src, ok := strings.CutPrefix(sc, EvalPrefix); ok {
			evals++
			if err := pipe.AddSource(fmt.Sprintf("--eval#%d", evals), []byte(src)); err != nil {
				return nil, err
			}
			continue
		}
		path, err := FindScript(sc, p.ScriptPath)
		if err != nil {
			return nil, err
		}
		if err := pipe.AddFile(path); err != nil {
			return nil, err
		}
	}
	if p.Summary != NoSummary {
		args := map[string]string{"summary_timed": "0"}
		for k, v := range p.SummaryArgs {
			args[k] = v
		}
		if p.summaryTimed() {
			args["summary_timed"] = "1" // the calls are timed (columns.go)
		}
		if err := pipe.AddStdlibArgs("summary.star", args); err != nil {
			return nil, err
		}
	}
	pipe.SetStraceOptions(b.strace)
	*b.pipes = append(*b.pipes, pipe)
	return pipe, nil
}

// header describes the recording being made.
func (b *built) header() record.Header {
	tab := b.tab
	h := record.Header{
		Arch:       tab.Arch(),
		Argv:       b.argv,
		BootOffset: uint64(b.src.Start().UnixNano()),
		Options:    b.plan.recordOptions(b.needs),
		Stacks:     b.plan.Show.StackTrace,
	}
	if b.src.Live() {
		h.KernelRelease = kernelRelease()
		h.Compat = len(tab.Compat().All()) > 0 // amd64: its 32-bit calls
	} else if rs, ok := b.src.(*recordingSource); ok {
		h.KernelRelease = rs.hdr.KernelRelease
		h.Compat = rs.hdr.Compat
	}
	h.SetCgroups(b.recordCgroups())
	for _, sc := range tab.All() {
		rs := record.Syscall{Nr: int32(sc.Nr), Name: sc.Name}
		for _, a := range sc.Args {
			rs.Args = append(rs.Args, record.Arg{Name: a.Name, Type: a.Type})
		}
		h.Syscalls = append(h.Syscalls, rs)
	}
	return h
}

// openOutput opens the trace's destination: -o, else stderr when tracing
// a command (its own stdout stays clean), else stdout. -ff opens a file
// per process itself.
func (s *Session) openOutput(f *format.Format) error {
	p := s.plan
	p.noteLinks()
	switch {
	case p.Split:
		return nil
	case p.Output != "":
		if cmd, ok := PipeCommand(p.Output); ok {
			return s.openPipe(cmd)
		}
		if rs, ok := s.src.(*recordingSource); ok && rs.sameFile(p.Output) {
			return usage("opening output: -o names the recording being replayed")
		}
		fl, err := os.OpenFile(p.Output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("opening output: %w", err)
		}
		s.files = append(s.files, fl)
		s.out.w = fl
	case len(p.Command) > 0:
		if f.Binary && p.Summary != SummaryOnly {
			// A recording belongs in a file or a pipe.
			return usage("choosing output: -l bin needs -o FILE when tracing a command")
		}
		s.out.w = p.Stderr
	default:
		if f.Binary && p.Summary != SummaryOnly && isTerminal(p.Stdout) {
			return errBinaryTerminal
		}
		s.out.w = p.Stdout
	}
	return nil
}

// explain prints which filters run in the kernel and which in user space.
func (s *Session) explain(k KernelFilter, n Needs) {
	var b strings.Builder
	if len(s.pipes) > 0 {
		s.pipes[0].Explain(&b, k.Syscalls, k.FailedOnly)
	} else {
		names := "all"
		if k.Syscalls != nil {
			var ns []string
			for _, nr := range k.Syscalls {
				ns = append(ns, s.src.Table().Name(nr))
			}
			names = strings.Join(ns, ",")
		}
		fmt.Fprintf(&b, "In the kernel (BPF, before the ring buffer):\n  syscalls: %s\n  status:   %s\n", names,
			map[bool]string{true: "failed calls only", false: "all"}[k.FailedOnly])
	}
	if st := s.sel.Status(); st != 0 && st != filter.Failed || s.sel.Signals() != nil || s.sel.PIDs() != nil {
		b.WriteString("In user space, before the scripts and the format: the rest of -e status=, -z, -Z, signal=, -p on replays\n")
	}
	if s.sel.Paths() != nil {
		b.WriteString("-P: the kernel sends only calls with a path or a descriptor, each descriptor described; user space keeps those that name the paths\n")
	}
	if s.sel.Fds() != nil {
		b.WriteString("trace-fds=: the kernel sends only calls with a descriptor argument or poll's and select's sets; user space keeps those on the descriptors named\n")
	}
	fmt.Fprintf(&b, "Captured: %s\n", describeNeeds(n))
	explainInject(&b, s.plan.Filter.Inject)
	if s.plan.Record != "" {
		b.WriteString("The --record recording holds the events that pass every filter.\n")
	}
	if !s.src.Live() {
		b.WriteString("Replaying: the kernel filters are applied in user space.\n")
	}
	for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		fmt.Fprintf(s.plan.Stderr, "strace.ebpf: explain: %s\n", line)
	}
}

func describeNeeds(n Needs) string {
	parts := []string{"arguments, paths and strings"}
	if n.Buffers > 0 {
		parts = append(parts, fmt.Sprintf("buffers and structs up to %d bytes", n.Buffers))
	}
	if n.ProcessEvents {
		parts = append(parts, "thread exits and signals")
	}
	if n.EnterMarks {
		parts = append(parts, "enter halves of sleeping calls")
	}
	if n.Fds {
		parts = append(parts, "what each descriptor refers to (-y, -P)")
	}
	switch {
	case n.Counts && n.CountAggs:
		parts = append(parts, "calls, errors, time and a duration histogram per syscall, calls, errors and time per process and per descriptor, and failed calls per errno, counted in the kernel")
	case n.Counts && !n.Times:
		parts = append(parts, "calls and errors per syscall counted in the kernel")
	case n.Counts:
		parts = append(parts, "calls, errors and time per syscall counted in the kernel")
	}
	if n.NoRecords {
		parts = append(parts, "no record per call")
	}
	switch {
	case !n.Times && n.Order:
		parts = append(parts, "the order of events, not their times (no clock read)")
	case !n.Times:
		parts = append(parts, "no times (no clock read)")
	}
	return strings.Join(parts, ", ")
}

// Run runs the session to its end: the command's exit, every -p process's,
// the end of the recording, or ctx's cancellation. Outputs are finished
// (or, after a failure, flushed) and closed.
func (s *Session) Run(ctx context.Context) (Result, error) {
	defer s.close()
	s.markTraced()
	st := s.startStatus()
	res, runErr := s.src.Run(ctx, handler{s.sink, s.status})
	if st != nil {
		st.end() // before the last output and messages
	}
	// One finish for every way tracing stops: the end, a signal, a bad
	// recording, a script's error or an output's: the scripts' on_exit
	// run and every output gets its end (finish.go).
	finErr := s.finish(runErr)
	for _, pipe := range s.pipes {
		pipe.Close() // the scripts' memory watchdog
	}
	for _, f := range s.files {
		if err := f.Close(); err != nil && finErr == nil {
			finErr = fmt.Errorf("writing trace: %w", err)
		}
	}
	s.files = nil
	if err := s.waitPipes(); err != nil && finErr == nil {
		finErr = err
	}
	if s.live != nil && s.plan.Quiet == 0 {
		for _, pid := range s.plan.PIDs {
			if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
				fmt.Fprintf(s.plan.Stderr, "strace.ebpf: Process %d detached\n", pid)
			}
		}
	}
	r := Result{ExitCode: res.ExitCode, Events: res.Events, Lost: res.Lost, Exited: res.Exited, Detached: res.Detached, Pauses: res.Pauses, Paused: res.Paused, Skipped: res.Skipped, Unread: res.Unread}
	if runErr != nil {
		return r, runErr
	}
	return r, finErr
}

// handler adapts a Sink to the engine's Handler, counting the events for
// the status line.
type handler struct {
	s  Sink
	st *Status
}

func (h handler) Event(ev *event.Event) error {
	h.st.events.Add(1)
	return h.s.Event(ev)
}
func (h handler) Idle() error { return h.s.Idle() }

// Signal handles the user's Ctrl-C, SIGTERM, SIGHUP or SIGQUIT: a runaway
// script call is interrupted; a launched command gets the first signal,
// and the trace goes on until it exits. It reports whether the session
// should stop now (a second signal, or no command): outputs are then
// finished as at a normal end.
func (s *Session) Signal(sig os.Signal) (stop bool) {
	for _, p := range s.pipes {
		p.Interrupt()
	}
	n := s.sigs.Add(1)
	if s.live != nil && s.live.sess != nil && s.live.sess.ChildPID() != 0 && n == 1 {
		s.live.sess.Signal(sig)
		return false
	}
	if n >= 2 && s.live != nil && s.live.sess != nil {
		// The second: at once, thawing a paused command first.
		s.live.sess.Abandon()
		s.abandonOutputs()
	}
	return true
}

func (s *Session) close() {
	if s.src != nil {
		s.src.Close()
	}
	for _, f := range s.files {
		f.Close()
	}
	s.files = nil
	s.waitPipes()
}

// lazyWriter is the trace's destination, chosen after the source opens;
// it counts what is written for the status line, and erases the line
// before writing to its terminal.
type lazyWriter struct {
	w       io.Writer
	written *atomic.Uint64
	line    *statusLine // when w is the status line's terminal
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if l.w == nil {
		return len(p), nil
	}
	if l.line != nil {
		l.line.beforeWrite()
	}
	n, err := l.w.Write(p)
	if l.written != nil {
		l.written.Add(uint64(n))
	}
	if err != nil {
		err = &outputError{err} // ReaderGone tells it
	}
	return n, err
}

// intersect is the syscall set in both a and b; nil a means every syscall.
func intersect(a, b []int) []int {
	if a == nil {
		return b
	}
	in := map[int]bool{}
	for _, nr := range b {
		in[nr] = true
	}
	out := []int{}
	for _, nr := range a {
		if in[nr] {
			out = append(out, nr)
		}
	}
	return out
}

// EngineConfig is the engine configuration a live plan produces, computed
// as Open computes it but without loading or starting anything: for the
// enumeration of the kernel configurations the command line can produce.
func EngineConfig(p *Plan) (engine.Config, error) {
	if p.Input != "" {
		return engine.Config{}, usage("computing the kernel configuration: a replay (-i) has no kernel side")
	}
	s, err := prepare(p)
	if err != nil {
		return engine.Config{}, err
	}
	defer s.close()
	return s.config, nil
}
