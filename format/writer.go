package format

import (
	"fmt"
	"io"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/suggest"
	"github.com/strace-ebpf/strace.ebpf/record"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Writer is where events end: a stock format's writer, or a combination
// of writers (the session's filter, tee, per-process split, the scripts in
// front of a format). Every method is called from one goroutine.
type Writer interface {
	Start() error                // before the first event: the output is open
	Event(ev *event.Event) error // an event, live or replayed
	Idle() error                 // a pause: flush
	Finish() error               // after the last event: end of document, flush
	Flush() error                // flush after a failure, without finishing
}

// Opt is a presentation option a format may honour.
type Opt uint16

const (
	OptTimestamp   Opt = 1 << iota // -t, -tt, -ttt
	OptRelative                    // -r
	OptSyscallTime                 // -T
	OptDecodeFds                   // -y, -yy
	OptStrSize                     // -S
	OptSeparator                   // -K
	OptStackTrace                  // -k
	OptColumn                      // -a
	OptHexStrings                  // -x, -xx
	OptDump                        // -e read=, -e write=
	OptVerbose                     // -v
	OptDetachExec                  // -b execve
	OptDecodePids                  // -Y: the command name in the pid prefix
	OptCallSets                    // -e raw=, verbose=, abbrev=: per-syscall presentation
)

// Options are the presentation options, in -l help's and the docs' order:
// the flag that gives each (Flag, the long name; "" when an expression
// does) and how messages and docs name it.
var Options = []struct {
	Opt  Opt
	Flag string // the long flag; "" for -e read=/write=
	Name string // as messages name it
}{
	{OptTimestamp, "timestamp", "-t"},
	{OptRelative, "relative-timestamps", "-r"},
	{OptSyscallTime, "syscall-times", "-T"},
	{OptDecodeFds, "decode-fds", "-y"},
	{OptStrSize, "strsize", "-S"},
	{OptSeparator, "hex-separator", "-K"},
	{OptStackTrace, "stack-trace", "-k"},
	{OptColumn, "columns", "-a"},
	{OptHexStrings, "strings-in-hex", "-x"},
	{OptDump, "", "-e read=/write="},
	{OptVerbose, "no-abbrev", "-v"},
	{OptDetachExec, "detach-on", "-b execve"},
	{OptDecodePids, "decode-pids", "-Y"},
	{OptCallSets, "", "-e raw=/verbose=/abbrev="},
}

// OptName is how messages name the first option of o.
func OptName(o Opt) string {
	for _, on := range Options {
		if o&on.Opt != 0 {
			return on.Name
		}
	}
	return "?"
}

// Presentation are the options of how events are shown, as given.
type Presentation struct {
	Timestamps  int     // -t count: 1 HH:MM:SS (hex: TIME column), 2 with µs, 3 epoch
	Relative    bool    // -r: time since the previous line
	SyscallTime bool    // -T: time spent in each call
	DecodeFds   int     // -y count
	FdKinds     FdKinds // --decode-fds=SET: the kinds described; 0: by DecodeFds
	StrSize     int     // -S: bytes of strings and buffers shown
	StrSizeSet  bool    // -S was given (bin and json capture buffers then)
	Separator   string  // -K: field separator of hex logs; "" means a tab
	StackTrace  bool    // -k: each call's user stack (every format shows it)
	StackWindow int     // bytes of stack copied for unwinding; 0: the default, -1: frame pointers only

	Column     int          // -a: the column of " = "; 0: 40
	HexStrings int          // -x count
	ReadDump   map[int]bool // -e read=SET: dump the data read from these fds
	WriteDump  map[int]bool // -e write=SET
	Verbose    bool         // -v: structures unabbreviated, as far as captured
	DetachExec bool         // -b execve: stop showing a process at its next execve
	DecodePids bool         // -Y: "[pid N<comm>]", the command name after the pid
}

// Needs is what a format or a script needs the kernel to send.
type Needs struct {
	Buffers       int  // capture buffers and structs up to this many bytes; 0: strings only
	ProcessEvents bool // thread exits and signal deliveries
	EnterMarks    bool // the enter half of a call that sleeps, before the whole call
	Fds           bool // descriptors described by the kernel at the call (-y)
	FullEnv       bool // execve's environment strings, not their number (-v)
	// Counts: the kernel counts calls, errors and time per syscall (-c, -C).
	Counts bool
	// NoRecords: nothing needs a record per call (-c counted in the kernel).
	NoRecords bool
	// CountAggs: with Counts, the kernel also keeps a duration histogram
	// per syscall and counts per process (a script's trace(counts = True)).
	CountAggs bool
	// Times: when calls happen and how long they take (ev.ts, ev.duration)
	// are shown or used; without, the kernel reads no clock.
	Times bool
	// Order: only the order of events is used (ev.ts and ev.ts +
	// ev.duration compared, never shown): without Times, the kernel
	// stamps events from its ring's position instead of reading the clock.
	Order bool
}

// Union is what n and o need together.
func (n Needs) Union(o Needs) Needs {
	return Needs{
		Buffers:       max(n.Buffers, o.Buffers),
		ProcessEvents: n.ProcessEvents || o.ProcessEvents,
		EnterMarks:    n.EnterMarks || o.EnterMarks,
		Fds:           n.Fds || o.Fds,
		FullEnv:       n.FullEnv || o.FullEnv,
		Counts:        n.Counts || o.Counts,
		NoRecords:     n.NoRecords && o.NoRecords,
		CountAggs:     n.CountAggs || o.CountAggs,
		Times:         n.Times || o.Times,
		Order:         n.Order || o.Order,
	}
}

// Config is what a format's writer is built with, besides its output.
type Config struct {
	Table  *syscalls.Table
	Argv   []string // the tracer's command line (the hex title)
	Hex    HexOptions
	Strace StraceOptions
	// Header is the recording's header (bin), asked for at Start, when
	// what the kernel captures is settled.
	Header func() record.Header
	// TraceH: write trace.h into the current directory at Start (-l bin);
	// Debug, when set, hears what happened.
	TraceH bool
	Debug  io.Writer
}

// Format is one stock output format: its writer, the options it honours
// and what it needs captured.
type Format struct {
	Name    string
	Aliases []string
	About   string
	// Honours are the presentation options that apply to the format.
	// (Filters, -c and -C apply to every format.)
	Honours Opt
	// Shows says, per honoured option, what it does in this format: the
	// cells of docs/formats.md's table (FormatTable).
	Shows map[Opt]string
	// Binary says the output is not text: it needs a file or a pipe, and
	// what scripts print goes elsewhere.
	Binary bool
	// Machine says the output is read by programs (JSON): what scripts
	// print goes to stderr or --script-output, never into it.
	Machine bool
	// Streams says the writer keeps no event after handling it: a source
	// may then hand it the same Event each time (no allocation per event).
	Streams bool
	// Needs is what the format needs captured under presentation s.
	Needs func(s *Presentation) Needs
	// New builds the writer on w.
	New func(w io.Writer, c *Config) (Writer, error)
}

// Text says what scripts print goes into the format's own stream.
func (f *Format) Text() bool { return !f.Binary && !f.Machine }

// DumpMax is how much of a buffer -e read= and -e write= capture: the
// kernel's limit for one piece of data.
const DumpMax = 4096

// timeOpts are the options of when calls happen and how long they take.
const timeOpts = OptTimestamp | OptRelative | OptSyscallTime

// Formats are the stock formats, in -l help's order.
var Formats = []Format{
	{
		Name: "hex", Aliases: []string{"hex_raw", "hex_sl"},
		About:   "the original hex log: one row per syscall, numbers as 16 hex digits, paths as text (default); -t adds TIME(usec), -r makes it relative to the previous row, -T adds DUR(usec)",
		Streams: true,
		Honours: timeOpts | OptSeparator,
		Shows: map[Opt]string{
			OptTimestamp:   "`TIME(usec)` column",
			OptRelative:    "`TIME(usec)` since the previous row",
			OptSyscallTime: "`DUR(usec)` column",
			OptSeparator:   "separator",
		},
		Needs: func(s *Presentation) Needs {
			return Needs{Times: s.Timestamps > 0 || s.Relative || s.SyscallTime}
		},
		New: func(w io.Writer, c *Config) (Writer, error) { return NewHexWriter(w, c.Table, c.Argv, c.Hex), nil },
	},
	{
		Name:  "strace",
		About: "lines as strace(1) prints them, arguments decoded (-t, -tt, -ttt, -r, -T, -y, -S apply)",
		Honours: timeOpts | OptDecodeFds | OptStrSize | OptStackTrace |
			OptColumn | OptHexStrings | OptDump | OptVerbose | OptDetachExec | OptDecodePids | OptCallSets,
		Shows: map[Opt]string{
			OptTimestamp:   "`-t`, `-tt`, `-ttt` prefixes",
			OptRelative:    "`-r` prefix",
			OptSyscallTime: "`<0.000123>`",
			OptDecodeFds:   "what fds refer to, from the kernel at the call",
			OptStrSize:     "bytes shown",
			OptStackTrace:  "the stack under each call, as strace -k",
			OptColumn:      "as strace",
			OptHexStrings:  "as strace",
			OptDump:        "as strace",
			OptVerbose:     "as strace",
			OptDetachExec:  "as strace",
			OptDecodePids:  "as strace",
			OptCallSets:    "as strace",
		},
		Needs: func(s *Presentation) Needs {
			// The order of events splits the lines of threads (the
			// "<unfinished ...>" split); -t, -r, -T show times, -k
			// symbolizes each stack with the mappings at its call's time.
			n := Needs{Buffers: max(s.StrSize, 1), ProcessEvents: true, EnterMarks: true, Order: true, Fds: s.DecodeFds > 0, FullEnv: s.Verbose,
				Times: s.Timestamps > 0 || s.Relative || s.SyscallTime || s.StackTrace}
			if len(s.ReadDump) > 0 || len(s.WriteDump) > 0 {
				n.Buffers = max(n.Buffers, DumpMax) // the dumps show whole buffers
			}
			return n
		},
		New: func(w io.Writer, c *Config) (Writer, error) { return NewStraceWriter(w, c.Table, c.Strace), nil },
	},
	{
		Name: "json", Machine: true, Streams: true,
		About: "one JSON object per line (docs/json-schema.json), for jq; every record carries ts and dur, so -t, -r and -T add nothing; -S captures buffers into \"data\", -y adds each fd's description there (kind \"fd\")",
		// ts and dur are in every record: the time options are what it shows.
		Honours: timeOpts | OptStrSize | OptStackTrace | OptDecodeFds,
		Shows: map[Opt]string{
			OptTimestamp:   "always in `ts`",
			OptRelative:    "`ts` (relative times are differences of it)",
			OptSyscallTime: "always in `dur`",
			OptDecodeFds:   "`fd` items in `data` (`value`, `detail`)",
			OptStrSize:     "buffers captured into `data`",
			OptStackTrace:  "`stack`, the frames of each call",
		},
		Needs: func(s *Presentation) Needs {
			n := Needs{ProcessEvents: true, Times: true, Fds: s.DecodeFds > 0}
			if s.StrSizeSet {
				n.Buffers = max(s.StrSize, 1)
			}
			return n
		},
		New: func(w io.Writer, c *Config) (Writer, error) { return NewJSONWriter(w, c.Table), nil },
	},
	{
		Name: "perfetto", Machine: true,
		About:   "Chrome trace-event JSON: a timeline with a track per thread, for ui.perfetto.dev (times and durations are the timeline itself)",
		Honours: timeOpts,
		Shows: map[Opt]string{
			OptTimestamp:   "the timeline",
			OptRelative:    "the timeline",
			OptSyscallTime: "slice lengths",
		},
		Needs: func(*Presentation) Needs { return Needs{ProcessEvents: true, Times: true} },
		New:   func(w io.Writer, c *Config) (Writer, error) { return NewPerfettoWriter(w, c.Table), nil },
	},
	{
		Name: "bin", Aliases: []string{"binary"}, Binary: true, Streams: true,
		About: "binary recording, the fastest: replay it with -i; trace.h and docs/binary-format.md describe it; -t, -r, -T, -y and -K are recorded and apply when it is replayed; -S captures buffers as -l strace does",
		// The time options are kept in the header and honoured by replays.
		Honours: timeOpts | OptStrSize | OptSeparator | OptStackTrace | OptDecodeFds,
		Shows: map[Opt]string{
			OptTimestamp:   "recorded, applied by the replay",
			OptRelative:    "recorded, applied by the replay",
			OptSyscallTime: "recorded, applied by the replay",
			OptDecodeFds:   "recorded, shown by the replay",
			OptStrSize:     "buffers captured",
			OptSeparator:   "recorded",
			OptStackTrace:  "the stacks recorded, shown by the replay",
		},
		Needs: func(s *Presentation) Needs {
			// A recording keeps the times: its replays may show them.
			if s.StrSizeSet {
				return Needs{Buffers: max(s.StrSize, 1), ProcessEvents: true, Times: true, Fds: s.DecodeFds > 0}
			}
			return Needs{Times: true, Fds: s.DecodeFds > 0}
		},
		New: func(w io.Writer, c *Config) (Writer, error) {
			return &BinWriter{out: w, header: c.Header, traceH: c.TraceH, debug: c.Debug}, nil
		},
	},
}

// Lookup finds a format by name or alias.
func Lookup(name string) (*Format, error) {
	for i := range Formats {
		f := &Formats[i]
		if f.Name == name {
			return f, nil
		}
		for _, a := range f.Aliases {
			if a == name {
				return f, nil
			}
		}
	}
	return nil, fmt.Errorf("choosing format: unknown format %q%s (valid: %s)", name, suggest.Hint(name, Names()), strings.Join(Names(), ", "))
}

// Names are the names and aliases of the formats.
func Names() []string {
	var names []string
	for _, f := range Formats {
		names = append(names, f.Name)
		names = append(names, f.Aliases...)
	}
	return names
}

// PrintFormats is -l help.
func PrintFormats(w io.Writer) {
	fmt.Fprintln(w, "Output formats (-l):")
	for _, f := range Formats {
		fmt.Fprintf(w, "  %-10s %s\n", f.Name, f.About)
		for _, a := range f.Aliases {
			fmt.Fprintf(w, "  %-10s alias of %s\n", a, f.Name)
		}
	}
}

// Refused is the first option of given that f does not honour, with the
// formats that do; 0 when f honours them all.
func (f *Format) Refused(given Opt) (Opt, []string) {
	for _, on := range Options {
		if given&on.Opt != 0 && f.Honours&on.Opt == 0 {
			var fmts []string
			for _, g := range Formats {
				if g.Honours&on.Opt != 0 {
					fmts = append(fmts, g.Name)
				}
			}
			return on.Opt, fmts
		}
	}
	return 0, nil
}

// optRows are the rows of FormatTable: options that show alike share one.
var optRows = []struct {
	label string
	opts  []Opt
}{
	{"`-t`", []Opt{OptTimestamp}},
	{"`-r`", []Opt{OptRelative}},
	{"`-T`", []Opt{OptSyscallTime}},
	{"`-y`, `-yy`", []Opt{OptDecodeFds}},
	{"`-k`", []Opt{OptStackTrace}},
	{"`-a`, `-x`, `-xx`, `-v`, `-Y`, `-b execve`, `-e read=`, `-e write=`, `-e raw=`, `-e verbose=`, `-e abbrev=`", []Opt{OptColumn, OptHexStrings, OptVerbose, OptDecodePids, OptDetachExec, OptDump, OptCallSets}},
	{"`-S N`", []Opt{OptStrSize}},
	{"`-K SEP`", []Opt{OptSeparator}},
}

// FormatTable is docs/formats.md's table of which presentation option
// applies to which format, made from Formats: a cell is what Shows says,
// or "error" for an option the format does not honour (the session refuses
// it). A row's options must show alike in every format.
func FormatTable() (string, error) {
	var b strings.Builder
	b.WriteString("| option |")
	for _, f := range Formats {
		b.WriteString(" " + f.Name + " |")
	}
	b.WriteString("\n|---|")
	for range Formats {
		b.WriteString("---|")
	}
	b.WriteByte('\n')
	var covered Opt
	for _, r := range optRows {
		b.WriteString("| " + r.label + " |")
		for _, f := range Formats {
			cell := ""
			for i, o := range r.opts {
				c := "error"
				if f.Honours&o != 0 {
					c = f.Shows[o]
					if c == "" {
						return "", fmt.Errorf("format %s honours %s but does not say how it shows it", f.Name, OptName(o))
					}
				}
				if i > 0 && c != cell {
					return "", fmt.Errorf("the row %s: %s shows in -l %s as %q, not %q", r.label, OptName(o), f.Name, c, cell)
				}
				cell = c
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteByte('\n')
		for _, o := range r.opts {
			covered |= o
		}
	}
	for _, on := range Options {
		if covered&on.Opt == 0 {
			return "", fmt.Errorf("option %s has no row", on.Name)
		}
	}
	return b.String(), nil
}
