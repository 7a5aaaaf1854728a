package main

// Recording and replay (-l bin, -w, -i) and the native formats (-l json,
// -l perfetto): the sinks other than the script pipeline.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/script"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

func init() {
	formats["hex_sl"] = struct{ script, about string }{"hex.star", "alias of hex (every format prints a syscall on one line)"}
	formats["bin"] = struct{ script, about string }{"", "binary recording, the fastest: replay it with -i; trace.h and docs/binary-format.md describe it"}
	formats["binary"] = struct{ script, about string }{"", "alias of bin"}
	formats["json"] = struct{ script, about string }{"", "one JSON object per line (docs/json-schema.json), for jq"}
	formats["perfetto"] = struct{ script, about string }{"", "Chrome trace-event JSON: a timeline with a track per thread, for ui.perfetto.dev"}
}

// recordOptions are the options of recording and replay.
type recordOptions struct {
	input  string // -i: replay this recording
	write  string // -w: also record the raw events here
	traceH bool   // --trace-h: print trace.h

	start time.Time // the trace's time zero in wall-clock time; see startTime
}

// startTime is the wall-clock time of the trace's time zero, shared by the
// recording header and the formats that print wall-clock times: now, taken
// once, for a live trace; the recording's for a replay.
func (r *recordOptions) startTime() time.Time {
	if r.start.IsZero() {
		r.start = time.Now()
	}
	return r.start
}

// apply sets what -l bin captures. By default what the hex format needs
// (strings), the fastest; with -S N what -l strace captures: buffers and
// structs up to N bytes, thread exits and signals, so that a replay into
// -l strace prints what a live -l strace run would. (-w keeps the capture
// of the live format, so that its replay prints the same.)
//
// -l json and -l perfetto show thread exits and signals too.
func (r *recordOptions) apply(o *options, fs *pflag.FlagSet, cfg *engine.Config) {
	if o.format == "json" || o.format == "perfetto" {
		cfg.ProcessEvents = true
	}
	if (o.format == "bin" || o.format == "binary") && fs.Changed("strsize") {
		cfg.CaptureBuffers = true
		cfg.ProcessEvents = true
		cfg.BufSize = max(cfg.BufSize, o.strace.strsize, 1)
	}
}

func addRecordFlags(fs *pflag.FlagSet, o *recordOptions) {
	fs.StringVarP(&o.input, "input", "i", "", "replay the recording `file` (made with -l bin or -w; - for stdin) through the scripts and format, without tracing")
	fs.StringVarP(&o.write, "write", "w", "", "also record the raw events to `file` (bin format) while printing the chosen format")
	fs.BoolVar(&o.traceH, "trace-h", false, "print trace.h, the C description of the bin format, and exit")
}

// printTraceH prints the C description of the bin format (--trace-h).
func printTraceH(w io.Writer) (int, error) {
	if _, err := w.Write(record.TraceH()); err != nil {
		return 1, fmt.Errorf("printing trace.h: %w", err)
	}
	return 0, nil
}

// sink is where events end: the script pipeline or a native format.
type sink interface {
	Event(ev *event.Event) error // an event, live or replayed
	Idle() error                 // a pause: flush
	Start() error                // before the first event
	Finish() error               // after the last event: on_exit hooks, end of document, flush
	Flush() error                // flush after a failure, without finishing
}

// sinkConfig is what building a sink needs besides the options.
type sinkConfig struct {
	format string         // -l name
	script script.Options // table, hex options, argv of the titles
	out    io.Writer      // the trace destination
	stdout io.Writer      // the real stdout, to refuse binary on a terminal
	stderr io.Writer      // debug messages
	live   bool           // tracing, not replaying
}

// newSink builds the sink of the options: with -ff, one per process
// (splitSink), else newFormatSink's.
func newSink(o *options, c sinkConfig) (sink, error) {
	if o.follow > 1 {
		return newSplit(o, c), nil
	}
	return newFormatSink(o, c)
}

// newFormatSink builds the sink of format c.format: the stdlib script after
// -X and the -s scripts, or a native writer.
func newFormatSink(o *options, c sinkConfig) (sink, error) {
	spec := formats[c.format]
	if o.summaryOnly {
		spec.script = "" // the summary is the whole output
	}
	if spec.script != "" || o.summaryOnly {
		pipe := script.NewPipeline(c.out, c.script)
		if o.failed {
			if err := pipe.AddStdlib("failed.star"); err != nil {
				return nil, err
			}
		}
		for _, s := range o.scripts {
			if err := pipe.AddFile(s); err != nil {
				return nil, err
			}
		}
		if o.summaryOnly || o.summary {
			if err := pipe.AddStdlib("summary.star"); err != nil {
				return nil, err
			}
		}
		if spec.script != "" {
			if err := pipe.AddStdlib(spec.script); err != nil {
				return nil, err
			}
		}
		return pipe, nil
	}
	nat, err := newNative(o, c)
	if err != nil || len(o.scripts) == 0 {
		return nat, err
	}
	return newScripted(o, c, nat)
}

// newNative builds the native writer of c.format.
func newNative(o *options, c sinkConfig) (sink, error) {
	// With -s, the scripts apply -X (failed.star) in front of the writer.
	n := native{failed: o.failed && len(o.scripts) == 0, tab: c.script.Table}
	switch c.format {
	case "json":
		return &jsonSink{native: n, w: bufio.NewWriterSize(c.out, 256<<10)}, nil
	case "perfetto":
		return &perfettoSink{native: n, w: bufio.NewWriterSize(c.out, 256<<10), out: c.out}, nil
	case "bin", "binary":
		if o.output == "" && c.live && len(o.args) > 0 {
			// The trace goes to stderr by default when tracing a command;
			// a recording belongs in a file or a pipe.
			return nil, errors.New("choosing output: -l bin needs -o FILE when tracing a command")
		}
		if o.output == "" && isTerminal(c.stdout) {
			return nil, errors.New("choosing output: -l bin writes binary data; give -o FILE or redirect stdout")
		}
		writeTraceH(o, c.stderr)
		return &binSink{native: n, out: c.out, hdr: recordHeader(o, c)}, nil
	}
	return nil, fmt.Errorf("choosing format: no writer for %q", c.format)
}

// scriptedSink runs the -X and -s stages in front of a native format: the
// syscalls every stage keeps go on to it (script.Pipeline.SetSink). A stage
// that drops an event or prints its own line (a string return) ends the
// pipeline for that event, as with the stock formats. Other events (exits,
// signals, lost counts) reach the native format whatever the scripts do.
// What the scripts print goes to the native format's text stream (-l json),
// else to stderr.
type scriptedSink struct {
	pipe *script.Pipeline
	next sink
}

func newScripted(o *options, c sinkConfig, next sink) (sink, error) {
	text := c.stderr
	if j, ok := next.(*jsonSink); ok {
		text = j.w
	}
	pipe := script.NewPipeline(text, c.script)
	if o.failed {
		if err := pipe.AddStdlib("failed.star"); err != nil {
			return nil, err
		}
	}
	for _, s := range o.scripts {
		if err := pipe.AddFile(s); err != nil {
			return nil, err
		}
	}
	pipe.SetSink(func(ev *event.Event) error {
		if ev.Kind != event.Syscall {
			return nil // passed on by Event below
		}
		// Scripts' output first, then the format's record of the event.
		if err := pipe.Flush(); err != nil {
			return err
		}
		return next.Event(ev)
	})
	return &scriptedSink{pipe: pipe, next: next}, nil
}

func (s *scriptedSink) Start() error {
	if err := s.pipe.Start(); err != nil {
		return err
	}
	return s.next.Start()
}

func (s *scriptedSink) Event(ev *event.Event) error {
	if err := s.pipe.Event(ev); err != nil {
		return err
	}
	if ev.Kind != event.Syscall {
		// Scripts' output first, then the format's record of the event.
		if err := s.pipe.Flush(); err != nil {
			return err
		}
		return s.next.Event(ev)
	}
	return nil
}

func (s *scriptedSink) Idle() error { return errors.Join(s.pipe.Idle(), s.next.Idle()) }

func (s *scriptedSink) Finish() error {
	err := s.pipe.Finish()
	return errors.Join(err, s.next.Finish())
}

func (s *scriptedSink) Flush() error {
	err := s.pipe.Flush()
	return errors.Join(err, s.next.Flush())
}

// writeTraceH writes trace.h into the current directory when it is
// writable and has none, as the original strace.ebpf did.
func writeTraceH(o *options, stderr io.Writer) {
	written, err := record.WriteTraceH(".")
	if !o.debug {
		return
	}
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "strace.ebpf: skipping trace.h: %v\n", err)
	case !written:
		fmt.Fprintln(stderr, "strace.ebpf: skipping trace.h: the current directory already has one")
	default:
		fmt.Fprintln(stderr, "strace.ebpf: wrote trace.h, the C description of the bin format")
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// recordHeader describes the recording being made.
func recordHeader(o *options, c sinkConfig) record.Header {
	tab := c.script.Table
	h := record.Header{
		Arch:       tab.Arch(),
		Argv:       c.script.Argv,
		BootOffset: uint64(o.rec.startTime().UnixNano()),
		Options:    map[string]string{"hex_separator": c.script.Hex.Sep},
		Stacks:     o.strace.stackTrace,
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		h.KernelRelease = unix.ByteSliceToString(u.Release[:])
	}
	if c.script.Hex.Timestamp {
		h.Options["timestamp"] = "1"
	}
	if o.failed {
		h.Options["failed_only"] = "1"
	}
	if o.follow > 0 {
		h.Options["follow_forks"] = "1"
	}
	if len(o.exprs) > 0 {
		h.Options["expr"] = strings.Join(o.exprs, ";")
	}
	for _, sc := range tab.All() {
		rs := record.Syscall{Nr: int32(sc.Nr), Name: sc.Name}
		for _, a := range sc.Args {
			rs.Args = append(rs.Args, record.Arg{Name: a.Name, Type: a.Type})
		}
		h.Syscalls = append(h.Syscalls, rs)
	}
	return h
}

// native is what the native sinks share: the -X filter, which the kernel
// applies when tracing and these sinks apply again for replays.
type native struct {
	failed bool
	tab    *syscalls.Table
}

func (n native) skip(ev *event.Event) bool {
	return n.failed && ev.Kind == event.Syscall && !ev.Failed()
}

type jsonSink struct {
	native
	w   *bufio.Writer
	buf []byte
}

func (s *jsonSink) Start() error { return nil }
func (s *jsonSink) Event(ev *event.Event) error {
	if s.skip(ev) {
		return nil
	}
	s.buf = format.AppendJSON(s.buf[:0], ev, s.tab)
	s.buf = append(s.buf, '\n')
	_, err := s.w.Write(s.buf)
	return err
}
func (s *jsonSink) Idle() error   { return s.Flush() }
func (s *jsonSink) Finish() error { return s.Flush() }
func (s *jsonSink) Flush() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("writing trace: %w", err)
	}
	return nil
}

type perfettoSink struct {
	native
	p   *format.Perfetto
	w   *bufio.Writer
	out io.Writer
}

func (s *perfettoSink) Start() error {
	s.p = format.NewPerfetto(s.tab)
	return s.p.Begin(s.w)
}
func (s *perfettoSink) Event(ev *event.Event) error {
	if s.skip(ev) {
		return nil
	}
	return s.p.Event(ev)
}
func (s *perfettoSink) Idle() error { return s.Flush() }
func (s *perfettoSink) Finish() error {
	if err := s.p.End(); err != nil {
		return err
	}
	return s.Flush()
}
func (s *perfettoSink) Flush() error {
	if s.p != nil {
		if err := s.p.Flush(); err != nil {
			return err
		}
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("writing trace: %w", err)
	}
	return nil
}

// binSink writes a recording. Its header is written by Start, when the
// output is open.
type binSink struct {
	native
	out io.Writer
	hdr record.Header
	w   *record.Writer

	flushed time.Time // last flush by Idle
}

func (s *binSink) Start() error {
	w, err := record.NewWriter(s.out, s.hdr)
	if err != nil {
		return err
	}
	s.w = w
	return nil
}
func (s *binSink) Event(ev *event.Event) error {
	if s.skip(ev) {
		return nil
	}
	return s.w.Write(ev)
}

// Idle flushes at most once a second: a slow trace reaches the file
// soon, a fast one in large writes.
func (s *binSink) Idle() error {
	if s.w == nil || time.Since(s.flushed) < time.Second {
		return nil
	}
	s.flushed = time.Now()
	return s.w.Flush()
}
func (s *binSink) Finish() error {
	if s.w == nil {
		return nil
	}
	return s.w.Close()
}
func (s *binSink) Flush() error {
	if s.w == nil {
		return nil
	}
	return s.w.Flush()
}

// teeSink records every event (-w) before handing it to the format.
type teeSink struct {
	path string
	rec  *binSink
	file *os.File
	next sink
}

func newTee(o *options, c sinkConfig, next sink) *teeSink {
	return &teeSink{path: o.rec.write, rec: &binSink{hdr: recordHeader(o, c)}, next: next}
}

// Start creates the recording file (mode 0600, like -o) and starts both.
func (t *teeSink) Start() error {
	f, err := os.OpenFile(t.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("opening recording: %w", err)
	}
	t.file, t.rec.out = f, f
	if err := t.rec.Start(); err != nil {
		return err
	}
	return t.next.Start()
}
func (t *teeSink) Event(ev *event.Event) error {
	if err := t.rec.Event(ev); err != nil {
		return err
	}
	return t.next.Event(ev)
}
func (t *teeSink) Idle() error { return errors.Join(t.rec.Idle(), t.next.Idle()) }
func (t *teeSink) Finish() error {
	return errors.Join(t.next.Finish(), t.closeRec(t.rec.Finish()))
}
func (t *teeSink) Flush() error {
	return errors.Join(t.next.Flush(), t.closeRec(t.rec.Flush()))
}

func (t *teeSink) closeRec(err error) error {
	if t.file == nil {
		return err
	}
	if cerr := t.file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing recording: %w", cerr)
	}
	return err
}

// replay runs a recording through the sink as if it were live: the same
// table, the recorded command line in titles, the recorded -K and -t unless
// given again, the kernel's filters (-X, -e trace=, -e status=failed)
// applied in user space. Records before bad input are all processed
// (on_exit hooks run too), then the error is returned.
func replay(o *options, fs *pflag.FlagSet, f filter, sep string, argv []string, stdout, stderr io.Writer) (int, error) {
	if len(o.args) > 0 || len(o.pids) > 0 {
		return 2, errors.New("parsing options: -i replays a recording; it takes no command and no -p")
	}
	in := os.Stdin // -i - reads a recording from a pipe
	if o.rec.input != "-" {
		f, err := os.Open(o.rec.input)
		if err != nil {
			return 1, fmt.Errorf("opening recording: %w", err)
		}
		defer f.Close()
		in = f
	}
	r, err := record.NewReader(in)
	if err != nil {
		return 1, fmt.Errorf("reading %s: %w", o.rec.input, err)
	}
	hdr := r.Header()
	if hdr.BootOffset != 0 {
		o.rec.start = time.Unix(0, int64(hdr.BootOffset))
	}
	tab, err := syscalls.ForArch(hdr.Arch)
	if err != nil {
		return 1, fmt.Errorf("replaying %s: %w", o.rec.input, err)
	}
	if n, first := tableDiff(hdr, tab); n > 0 {
		fmt.Fprintf(stderr, "strace.ebpf: warning: %s was recorded with a different %s syscall table (%d entries differ, first %s); calls are named by this build's\n",
			o.rec.input, hdr.Arch, n, first)
	}
	hex := format.HexOptions{Sep: sep, Timestamp: o.timestamp}
	if v, ok := hdr.Options["hex_separator"]; ok && !fs.Changed("hex-separator") && v != "" {
		hex.Sep = v
	}
	if !fs.Changed("timestamp") && hdr.Options["timestamp"] == "1" {
		hex.Timestamp = true
	}
	titleArgv := hdr.Argv
	if len(titleArgv) == 0 {
		titleArgv = argv
	}

	out := io.Writer(stdout)
	if o.output != "" && o.follow < 2 {
		if fi, err := os.Stat(o.output); err == nil {
			if ii, err := in.Stat(); err == nil && os.SameFile(fi, ii) {
				return 2, errors.New("opening output: -o names the recording being replayed")
			}
		}
		f, err := os.OpenFile(o.output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return 1, fmt.Errorf("opening output: %w", err)
		}
		defer f.Close()
		out = f
	}
	c := sinkConfig{
		format: o.format,
		script: script.Options{Table: tab, Hex: hex, Argv: titleArgv},
		out:    out, stdout: stdout, stderr: stderr,
	}
	if err := o.script.configure(&c.script, false); err != nil {
		return 2, err
	}
	snk, err := newSink(o, c)
	if err != nil {
		return 1, err
	}
	if o.rec.write != "" {
		snk = newTee(o, c, snk)
	}
	if err := o.strace.apply(o, snk, &engine.Config{}); err != nil {
		return 2, err
	}
	if err := snk.Start(); err != nil {
		snk.Flush()
		return 1, err
	}
	// The kernel filters of a live run, -e trace= and -e status=failed.
	var want map[int32]bool
	if f.nrs != nil {
		want = make(map[int32]bool, len(f.nrs))
		for _, nr := range f.nrs {
			want[int32(nr)] = true
		}
	}
	failedOnly := f.failedOnly()
	var lost uint64
	var ev event.Event
	var readErr error
	for {
		if readErr = r.Next(&ev); readErr != nil {
			break
		}
		if ev.Kind == event.Lost {
			lost += ev.LostN
		} else if ev.Kind == event.Syscall && (want != nil && !want[ev.Nr] || failedOnly && !ev.Failed()) {
			continue
		}
		if !o.strace.stackTrace {
			ev.Stack = nil // recorded with -k, replayed without
		}
		// Scripts may keep the event: hand each one its own copy.
		cp := cloneEvent(&ev)
		if err := snk.Event(cp); err != nil {
			snk.Flush()
			return 1, err
		}
	}
	finErr := snk.Finish()
	if lost > 0 {
		fmt.Fprintf(stderr, "strace.ebpf: %d events lost\n", lost)
	}
	if readErr != io.EOF {
		return 1, fmt.Errorf("reading %s: %w", o.rec.input, readErr)
	}
	if finErr != nil {
		return 1, finErr
	}
	return 0, nil
}

// tableDiff counts the recorded syscalls whose number, name or argument
// names this build's table does not share.
func tableDiff(h *record.Header, tab *syscalls.Table) (n int, first string) {
	for _, rs := range h.Syscalls {
		sc := tab.ByNr(int(rs.Nr))
		same := sc != nil && sc.Name == rs.Name && len(sc.Args) == len(rs.Args)
		for i := 0; same && i < len(rs.Args); i++ {
			same = sc.Args[i].Name == rs.Args[i].Name
		}
		if !same {
			if n == 0 {
				first = fmt.Sprintf("%d %s", rs.Nr, rs.Name)
			}
			n++
		}
	}
	return n, first
}

// cloneEvent copies ev and its captured bytes, which alias the reader's
// buffers, in one allocation for the bytes.
func cloneEvent(ev *event.Event) *event.Event {
	cp := new(event.Event)
	*cp = *ev
	if len(ev.Data) == 0 {
		cp.Data = nil
		return cp
	}
	n := 0
	for _, d := range ev.Data {
		n += len(d.Bytes)
	}
	buf := make([]byte, 0, n)
	cp.Data = make([]event.Data, len(ev.Data))
	for i, d := range ev.Data {
		start := len(buf)
		buf = append(buf, d.Bytes...)
		cp.Data[i] = event.Data{Arg: d.Arg, Kind: d.Kind, Bytes: buf[start:len(buf):len(buf)]}
	}
	return cp
}
