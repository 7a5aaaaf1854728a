package main

// strace's habits: its long spellings of the options whose meaning is ours
// (--follow-forks, --trace=, --string-limit ...), -Y, --seccomp-bpf, the
// summary's sort order and columns (strace's -S and -U: our -S is the
// string size), the user's default format from the environment, and "did
// you mean" for a mistyped option.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/internal/suggest"
)

// formatEnv names the environment variable holding the user's default
// format (-l), as GREP_COLORS or LESS hold those tools' defaults.
const formatEnv = "STRACE_EBPF_FORMAT"

// straceSpellings are strace's long option names that mean one of ours,
// under another name: accepted as that option (pflag's normalization).
var straceSpellings = []struct{ strace, ours string }{
	{"follow-forks", "full-follow-fork"},
	{"string-limit", "strsize"},
	{"stack-traces", "stack-trace"},
	{"timestamps", "timestamp"},
	{"attach", "pid"},
}

// exprSpellings are strace's --QUALIFIER=SET, each the same as -e QUALIFIER=SET.
var exprSpellings = []string{"trace", "trace-fds", "signal", "status", "inject", "fault", "read", "write", "raw", "verbose", "abbrev"}

// habits are the options of strace's habits, parsed.
type habits struct {
	outputSeparately bool
	seccompBPF       bool
	sortBy           string // --summary-sort-by
	columns          string // -U, --summary-columns
	decodePids       string // -Y, --decode-pids
}

// exprAlias is --QUALIFIER=SET: it adds -e QUALIFIER=SET, in order with -e.
type exprAlias struct {
	fs   *pflag.FlagSet
	qual string
}

func (e *exprAlias) String() string { return "" }
func (e *exprAlias) Type() string   { return "set" }
func (e *exprAlias) Set(v string) error {
	return e.fs.Set("expr", e.qual+"="+v)
}

// absTimestamps is strace's --absolute-timestamps[=[format:]FORMAT[,[precision:]PRECISION]]:
// time (-t), time with us or ns (-tt), unix (-ttt).
type absTimestamps struct {
	on    *bool
	count *int
}

func (a *absTimestamps) String() string { return "" }
func (a *absTimestamps) Type() string   { return "format" }
func (a *absTimestamps) Set(v string) error {
	fmtName, prec := "time", "s"
	for _, part := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(part, ":")
		if !ok {
			val = k
			switch k {
			case "s", "ms", "us", "ns":
				k = "precision"
			default:
				k = "format"
			}
		}
		switch k {
		case "format":
			fmtName = val
		case "precision":
			prec = val
		default:
			return fmt.Errorf("unknown key %q (format, precision)", k)
		}
	}
	switch prec {
	case "s", "ms", "us", "ns":
	default:
		return fmt.Errorf("unknown precision %q (s, ms, us, ns)", prec)
	}
	switch fmtName {
	case "none":
		*a.on, *a.count = false, 0
	case "time":
		*a.on, *a.count = true, 1
		if prec != "s" {
			*a.count = 2
		}
	case "unix":
		*a.on, *a.count = true, 3
	default:
		return fmt.Errorf("unknown format %q%s (none, time, unix)", fmtName, suggest.Hint(fmtName, []string{"none", "time", "unix"}))
	}
	return nil
}

// addHabitFlags defines strace's spellings and options (after the others:
// -h lists them last).
func addHabitFlags(fs *pflag.FlagSet, o *options) {
	h := &o.habits
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		for _, sp := range straceSpellings {
			if name == sp.strace {
				return pflag.NormalizedName(sp.ours)
			}
		}
		return pflag.NormalizedName(name)
	})
	for _, q := range exprSpellings {
		fl := fs.VarPF(&exprAlias{fs: fs, qual: q}, q, "", "strace's spelling of -e "+q+"=`set`")
		fl.Hidden = true
	}
	fl := fs.VarPF(&absTimestamps{on: &o.timestamp, count: &o.strace.timestamps}, "absolute-timestamps", "",
		"strace's spelling of -t (time), -tt (time,us) and -ttt (unix)")
	fl.NoOptDefVal = "time"
	fl.Hidden = true
	fs.BoolVar(&h.outputSeparately, "output-separately", false, "strace's spelling of the second f of -ff: one file per process")
	fs.MarkHidden("output-separately")
	fs.StringVar(&h.sortBy, "summary-sort-by", "time", "-c/-C: sort the summary's rows by `key`: time, min-time, max-time, avg-time, calls, errors, name, nothing (strace's -S)")
	fs.StringVarP(&h.columns, "summary-columns", "U", "", "-c/-C: the summary's `columns`, comma-separated: time-percent, total-time, min-time, max-time, avg-time, calls, errors, name (default time-percent,total-time,avg-time,calls,errors,name)")
	fl = fs.VarPF(newStringValue(&h.decodePids), "decode-pids", "Y", "-l strace: with comm (-Y), name each process's command in its prefix: [pid  1234<sh>]; with container, its container or unit (--container, --unit, --cgroup: a plain cgroup's id): [pid 1234<web>]")
	fl.NoOptDefVal = "comm"
	fs.BoolVar(&h.seccompBPF, "seccomp-bpf", false, "accepted for strace's habits and ignored: the syscall filter runs in the kernel (BPF) already")
	acceptStraceValues(fs, o)
}

// stringValue is a plain string flag whose NoOptDefVal can be set.
type stringValue struct{ p *string }

func newStringValue(p *string) *stringValue { return &stringValue{p} }
func (s *stringValue) String() string       { return *s.p }
func (s *stringValue) Type() string         { return "what" }
func (s *stringValue) Set(v string) error   { *s.p = v; return nil }

// spellingsNote is the line of -h and the man page that lists strace's
// spellings accepted here.
func spellingsNote() string {
	var names []string
	for _, sp := range straceSpellings {
		names = append(names, "--"+sp.strace)
	}
	for _, q := range exprSpellings {
		names = append(names, "--"+q+"=")
	}
	names = append(names, "--absolute-timestamps", "--output-separately")
	return "strace's long spellings are accepted too: " + strings.Join(names, ", ") +
		"; and strace's values of --quiet (attach, personality, exit, all), --strings-in-hex (non-ascii, all), --syscall-times and --relative-timestamps (s, ms, us, ns: shown in microseconds here)."
}

// applyHabits turns the habits into the options they stand for, and picks
// the default format from the environment; notes go to stderr.
func (o *options) applyHabits(fs *pflag.FlagSet, stderr io.Writer) error {
	h := &o.habits
	if err := o.takeExprOptions(fs); err != nil {
		return err
	}
	if h.outputSeparately {
		o.follow = max(o.follow, 1) + 1
	}
	if h.seccompBPF && o.quiet == 0 {
		fmt.Fprintln(stderr, "strace.ebpf: --seccomp-bpf is not needed here: the syscall filter runs in the kernel (BPF) already")
	}
	switch h.decodePids {
	case "", "comm":
	case "container":
		o.targets.DecodePids = "container" // session/cgroup.go checks where it applies
	default:
		return fmt.Errorf("parsing --decode-pids %s: comm (the command name, as strace -Y) or container%s", h.decodePids, suggest.Hint(h.decodePids, []string{"comm", "container"}))
	}
	o.strace.decodePids = h.decodePids == "comm"
	if err := checkSortBy(h.sortBy); err != nil {
		return err
	}
	if err := checkColumns(h.columns); err != nil {
		return err
	}
	if (fs.Changed("summary-sort-by") || fs.Changed("summary-columns")) && !o.summaryOnly && !o.summary {
		return errors.New("parsing options: --summary-sort-by and --summary-columns (-U) shape the -c/-C summary; give -c or -C")
	}
	if fs.Changed("format") {
		if err := checkFormatName(o.format); err != nil {
			return err // a command line at fault: exit status 2
		}
	} else {
		if v, ok := os.LookupEnv(formatEnv); ok && v != "" && !o.summaryOnly {
			if _, err := format.Lookup(v); err != nil {
				return fmt.Errorf("parsing %s: %w", formatEnv, err)
			}
			o.format = v
			o.formatFromEnv = true
		}
	}
	return nil
}

// sortKeys are strace's -S keys for the summary.
var sortKeys = []string{"time", "min-time", "max-time", "avg-time", "calls", "errors", "name", "nothing"}

// summaryColumns are strace's -U columns.
var summaryColumns = []string{"time-percent", "total-time", "min-time", "max-time", "avg-time", "calls", "errors", "name"}

// strace's other spellings of sort keys and columns.
var columnAliases = map[string]string{
	"time_percent": "time-percent", "percent": "time-percent", "time-total": "total-time", "total_time": "total-time",
	"min_time": "min-time", "shortest": "min-time", "max_time": "max-time", "longest": "max-time",
	"avg_time": "avg-time", "time-avg": "avg-time", "count": "calls", "error": "errors", "syscall": "name",
	"syscall_name": "name", "none": "nothing",
}

func canonColumn(c string) string {
	if a, ok := columnAliases[c]; ok {
		return a
	}
	return c
}

func checkSortBy(k string) error {
	k = canonColumn(k)
	if k == "total-time" {
		k = "time"
	}
	for _, s := range sortKeys {
		if s == k {
			return nil
		}
	}
	return fmt.Errorf("parsing --summary-sort-by %s: unknown key%s (%s)", k, suggest.Hint(k, sortKeys), strings.Join(sortKeys, ", "))
}

func checkColumns(cols string) error {
	if cols == "" {
		return nil
	}
	for _, c := range strings.Split(cols, ",") {
		found := false
		for _, s := range summaryColumns {
			if s == canonColumn(c) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("parsing --summary-columns %s: unknown column %q%s (%s)", cols, c, suggest.Hint(c, summaryColumns), strings.Join(summaryColumns, ", "))
		}
	}
	return nil
}

// summaryArgs are the summary script's arguments: its sort key and columns.
func (h *habits) summaryArgs() map[string]string {
	args := map[string]string{"sort": canonColumn(h.sortBy)}
	if args["sort"] == "total-time" {
		args["sort"] = "time"
	}
	if h.columns != "" {
		var cs []string
		for _, c := range strings.Split(h.columns, ",") {
			cs = append(cs, canonColumn(c))
		}
		args["columns"] = strings.Join(cs, ",")
	}
	return args
}

// suggestFlag adds "did you mean" to pflag's unknown-flag errors.
func suggestFlag(fs *pflag.FlagSet, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return err
	}
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden || f.Name == "output-separately" || f.Name == "absolute-timestamps" {
			names = append(names, f.Name)
		}
	})
	for _, sp := range straceSpellings {
		names = append(names, sp.strace)
	}
	names = append(names, exprSpellings...)
	sort.Strings(names)
	if h := suggest.Hint(name, names); h != "" {
		return fmt.Errorf("%w%s", err, strings.Replace(h, `"`, `"--`, 1))
	}
	return err
}

// checkFormatName refuses a name no format has.
func checkFormatName(name string) error {
	if name == "help" || name == "list" {
		return nil
	}
	_, err := format.Lookup(name)
	return err
}

// keywordValue lets a flag take strace's keywords for its values as well
// as its own: --decode-fds=path|all, --quiet=attach,personality,exit,
// --syscall-times=us, --relative-timestamps=ms.
type keywordValue struct {
	pflag.Value
	set func(v string) (ok bool)
}

func (k *keywordValue) Set(v string) error {
	if k.set(v) {
		return nil
	}
	return k.Value.Set(v)
}

// IsBoolFlag keeps a boolean flag's bare form (--syscall-times).
func (k *keywordValue) IsBoolFlag() bool {
	b, ok := k.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// acceptStraceValues wraps the flags strace gives keyword values.
func acceptStraceValues(fs *pflag.FlagSet, o *options) {
	wrap := func(name string, set func(v string) bool) {
		if f := fs.Lookup(name); f != nil {
			f.Value = &keywordValue{Value: f.Value, set: set}
		}
	}
	has := func(list string, words ...string) bool {
		for _, w := range strings.Split(list, ",") {
			for _, x := range words {
				if w == x {
					return true
				}
			}
		}
		return false
	}
	if f := fs.Lookup("decode-fds"); f != nil {
		f.Value = &decodeFdsValue{Value: f.Value, s: &o.strace}
	}
	wrap("quiet", func(v string) bool {
		switch {
		case has(v, "all", "exit", "exits", "exited"):
			o.quiet = 2
		case has(v, "attach", "personality", "path-resolution", "thread-execve", "superseded"):
			o.quiet = max(o.quiet, 1)
		case v == "none":
			o.quiet = 0
		default:
			return false
		}
		return true
	})
	wrap("strings-in-hex", func(v string) bool {
		switch v {
		case "non-ascii", "non-ascii-chars":
			o.strace.hexStrings = 1
		case "all":
			o.strace.hexStrings = 2
		case "none":
			o.strace.hexStrings = 0
		default:
			return false
		}
		return true
	})
	precision := func(p *bool) func(string) bool {
		return func(v string) bool {
			switch v {
			case "s", "ms", "us", "ns":
				*p = true
				return true
			}
			return false
		}
	}
	wrap("syscall-times", precision(&o.strace.syscallTime))
	wrap("relative-timestamps", precision(&o.strace.relative))
}
