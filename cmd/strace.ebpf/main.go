// Command strace.ebpf traces the system calls of a command, of running
// processes or of the whole system with eBPF, and feeds them to a pipeline
// of scripts that filter, aggregate and format them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/script"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

var stopProfile = func() {}

func main() {
	// Events are short-lived garbage; memory is cheaper than collections.
	debug.SetGCPercent(400)
	code, err := run(os.Args, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "strace.ebpf: %s\n", err)
		if code == 0 {
			code = 1
		}
	}
	stopProfile()
	os.Exit(code)
}

// options are the parsed command line.
type options struct {
	output      string
	timestamp   bool
	format      string
	hexSep      string
	failed      bool
	exprs       []string
	follow      int
	pids        []string
	scripts     []string
	debug       bool
	calibrate   bool
	lossy       bool // --lossy: never pause a launched command
	lossless    bool // --lossless: pause -p processes too
	summaryOnly bool // -c: strace's summary table instead of the trace
	summary     bool // -C: the trace, then the table
	help        bool
	args        []string
	rec         recordOptions // -i, -w, --trace-h: record.go
	strace      straceOptions // -T, -y, -S, -B, -L ...: strace_opts.go
	script      scriptOptions // --arg, --interval, --explain: script_opts.go
}

const usageHead = `Usage: strace.ebpf [options] [command [arg ...]]

Trace the system calls of a command, of running processes (-p) or, with
neither, of the whole system, through eBPF. Events go through the scripts
given with -s, then through the format chosen with -l.

Options:
`

func newFlags(o *options, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("strace.ebpf", pflag.ContinueOnError)
	fs.SetInterspersed(false)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.StringVarP(&o.output, "output", "o", "", "write the trace to `file` (created with mode 0600)")
	addTimestampFlag(fs, &o.timestamp, &o.strace)
	fs.StringVarP(&o.format, "format", "l", "hex", "output `format`: "+strings.Join(formatNames(), ", ")+"; 'help' or 'list' describes them")
	fs.StringVarP(&o.hexSep, "hex-separator", "K", `\t`, "field `separator` of hex logs")
	fs.BoolVarP(&o.failed, "failed", "X", false, "only show failed syscalls")
	fs.StringArrayVarP(&o.exprs, "expr", "e", nil, "filter `expression` (trace=NAME,...; 'help' or 'list' for more)")
	fs.CountVarP(&o.follow, "full-follow-fork", "f", "follow new processes created with fork/vfork/clone; -ff with -o FILE: one trace per process, in FILE.PID")
	fs.StringArrayVarP(&o.pids, "pid", "p", nil, "trace this `pid` (repeatable or comma-separated); Ctrl-C detaches")
	fs.StringArrayVarP(&o.scripts, "script", "s", nil, "run the events through this script `file`, Starlark (.star) or Lua (.lua) (repeatable: a pipeline)")
	fs.BoolVarP(&o.debug, "debug", "d", false, "print debug output: verifier log, attach details")
	addSummaryFlags(fs, o)
	fs.BoolVar(&o.lossy, "lossy", false, "never pause the command: when the reader falls behind, records are lost (and counted) instead")
	fs.BoolVar(&o.lossless, "lossless", false, "with -p: pause the processes while the reader catches up (moves them into a cgroup of the tracer's until the end)")
	fs.BoolVar(&o.calibrate, "calibrate", false, "attach programs that trace nothing (measures the tracepoints' own cost; make bench)")
	fs.MarkHidden("calibrate")
	addRecordFlags(fs, &o.rec)
	addStraceFlags(fs, &o.strace)
	addScriptFlags(fs, &o.script)
	fs.BoolVarP(&o.help, "help", "h", false, "print this help")
	return fs
}

// usage is the -h text: pflag's flag list without its noise for boolean
// and counting flags.
func usage(fs *pflag.FlagSet) string {
	u := fs.FlagUsages()
	u = strings.ReplaceAll(u, "[=true|false]", "             ")
	u = strings.ReplaceAll(u, "--full-follow-fork count", "--full-follow-fork      ")
	return usageHead + u
}

// formats are the stock formats, by -l name: the stdlib script that
// implements each, and its description.
var formats = map[string]struct {
	script string
	about  string
}{
	"hex":     {"hex.star", "the original hex log: one line per syscall, numbers as 16 hex digits, paths as text (default)"},
	"hex_raw": {"hex.star", "alias of hex"},
}

func formatNames() []string {
	names := make([]string, 0, len(formats))
	for n := range formats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func printFormats(w io.Writer) {
	fmt.Fprintln(w, "Output formats (-l):")
	for _, n := range formatNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, formats[n].about)
	}
}

// run is the whole program; it returns the exit code and the error to print.
func run(argv []string, stdout, stderr io.Writer) (int, error) {
	var o options
	fs := newFlags(&o, stderr)
	// Parse errors are reported once, as one line, by main.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(argv[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0, nil
		}
		return 2, fmt.Errorf("parsing options: %w", err)
	}
	if o.help {
		fmt.Fprint(stdout, usage(fs))
		return 0, nil
	}
	if o.rec.traceH {
		return printTraceH(stdout)
	}
	o.args = fs.Args()
	tab := syscalls.Native()
	if done, err := o.strace.listings(stdout, stderr, tab); done {
		return exitCode(err), err
	}

	switch o.format {
	case "help", "list":
		printFormats(stdout)
		return 0, nil
	}
	_, ok := formats[o.format]
	if !ok {
		return 2, fmt.Errorf("choosing format: unknown format %q (valid: %s)", o.format, strings.Join(formatNames(), ", "))
	}
	filter, err := parseExprs(o.exprs, tab)
	if err != nil {
		return 2, err
	}
	if filter.help {
		printExprHelp(stdout, tab)
		return 0, nil
	}
	if err := checkSplit(&o); err != nil {
		return 2, err
	}
	if err := checkSummary(&o, fs); err != nil {
		return 2, err
	}
	sep, err := unescape(o.hexSep)
	if err != nil {
		return 2, fmt.Errorf("parsing -K: %w", err)
	}
	pids, err := parsePIDs(o.pids)
	if err != nil {
		return 2, err
	}
	if len(pids) > 0 && len(o.args) > 0 {
		return 2, errors.New("parsing options: -p and a command are exclusive")
	}
	if o.rec.input != "" {
		return replay(&o, fs, filter, sep, argv, stdout, stderr)
	}

	// Scripts compile before anything starts: a broken script costs nothing.
	var out lazyOutput
	sc := sinkConfig{
		format: o.format,
		script: script.Options{Table: tab, Hex: format.HexOptions{Sep: sep, Timestamp: o.timestamp}, Argv: argv},
		out:    &out, stdout: stdout, stderr: stderr, live: true,
	}
	if err := o.script.configure(&sc.script, true); err != nil {
		return 2, err
	}
	pipe, err := newSink(&o, sc)
	if err != nil {
		return 1, err
	}
	if o.rec.write != "" {
		pipe = newTee(&o, sc, pipe)
	}

	cfg := engine.Config{
		Command:     o.args,
		PIDs:        pids,
		FollowForks: o.follow > 0,
		FailedOnly:  o.failed || filter.failedOnly(),
		Syscalls:    filter.nrs,
		Table:       tab,
	}
	o.rec.apply(&o, fs, &cfg)
	if err := o.strace.apply(&o, pipe, &cfg); err != nil {
		return 2, err
	}
	o.script.apply(&o, pipe, &cfg, stderr)
	cfg.Calibrate = o.calibrate
	if o.lossy && o.lossless {
		return 2, fmt.Errorf("choosing lossless tracing: --lossy and --lossless are exclusive")
	}
	cfg.Lossless = o.lossless || (len(o.args) > 0 && !o.lossy && !o.calibrate)
	// Event times count from the instant the formats and the recording
	// header take as the trace's start, so wall-clock times agree.
	cfg.Start = o.rec.startTime()
	if o.debug {
		cfg.Debug = stderr
	}
	sess, err := engine.New(cfg)
	if err != nil {
		return 1, err
	}
	if why := sess.LossyReason(); why != nil {
		fmt.Fprintf(stderr, "strace.ebpf: %v; tracing lossy (lost records are counted)\n", why)
	}
	// The trace goes to -o, else to stderr when tracing a command (its own
	// stdout stays clean), else to stdout.
	switch {
	case o.follow > 1:
		// -ff: splitSink creates FILE.PID per process.
	case o.output != "":
		f, err := os.OpenFile(o.output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			sess.Close()
			return 1, fmt.Errorf("opening output: %w", err)
		}
		defer f.Close()
		out.w = f
	case len(o.args) > 0:
		out.w = stderr
	default:
		out.w = stdout
	}

	if err := pipe.Start(); err != nil {
		sess.Close()
		pipe.Flush()
		return 1, err
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		n := 0
		for sig := range sigs {
			n++
			interruptScripts(pipe)
			// A launched command gets the signal first, and the trace
			// goes on until it exits; a second signal detaches at once.
			if sess.ChildPID() != 0 && n == 1 {
				sess.Signal(sig)
				continue
			}
			cancel()
		}
	}()

	res, runErr := sess.Run(ctx, pipe)
	var finErr error
	if runErr == nil {
		finErr = pipe.Finish()
	} else {
		finErr = pipe.Flush()
	}
	if res.Lost > 0 {
		fmt.Fprintf(stderr, "strace.ebpf: %d events lost\n", res.Lost)
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
	if runErr != nil {
		return 1, runErr
	}
	if finErr != nil {
		return 1, finErr
	}
	return res.ExitCode, nil
}

// lazyOutput is the trace's destination, chosen after the session starts.
type lazyOutput struct{ w io.Writer }

func (l *lazyOutput) Write(p []byte) (int, error) {
	if l.w == nil {
		return len(p), nil
	}
	return l.w.Write(p)
}

func parsePIDs(vals []string) ([]int, error) {
	var pids []int
	for _, v := range vals {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			pid, err := strconv.Atoi(f)
			if err != nil || pid <= 0 {
				return nil, fmt.Errorf("parsing -p: %q is not a pid", f)
			}
			pids = append(pids, pid)
		}
	}
	if len(vals) > 0 && len(pids) == 0 {
		return nil, errors.New("parsing -p: no pid given")
	}
	return pids, nil
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
