package session

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/record"
)

// Opt is a presentation option a format may honour.
type Opt uint16

const (
	OptTimestamp   Opt = 1 << iota // -t, -tt, -ttt
	OptRelative                    // -r
	OptSyscallTime                 // -T
	OptDecodeFds                   // -y
	OptStrSize                     // -S
	OptSeparator                   // -K
	OptStackTrace                  // -k
	OptColumn                      // -a
	OptHexStrings                  // -x, -xx
	OptDump                        // -e read=, -e write=
	OptVerbose                     // -v
	OptDetachExec                  // -b execve
)

var optNames = []struct {
	o    Opt
	flag string
}{
	{OptTimestamp, "-t"}, {OptRelative, "-r"}, {OptSyscallTime, "-T"},
	{OptDecodeFds, "-y"}, {OptStrSize, "-S"}, {OptSeparator, "-K"},
	{OptStackTrace, "-k"}, {OptColumn, "-a"}, {OptHexStrings, "-x"},
	{OptDump, "-e read=/write="}, {OptVerbose, "-v"}, {OptDetachExec, "-b execve"},
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
}

func (n Needs) union(o Needs) Needs {
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
	}
}

// Format is one stock output format.
type Format struct {
	Name    string
	Aliases []string
	About   string
	// Stage is the stdlib script that prints the format, at the end of the
	// script pipeline; "" for a native writer (newNative).
	Stage string
	// Honours are the presentation options that apply to the format.
	// (Filters, -c and -C apply to every format.)
	Honours Opt
	// Binary says the output is not text: it needs a file or a pipe, and
	// what scripts print goes elsewhere.
	Binary bool
	// Machine says the output is read by programs (JSON): what scripts
	// print goes to stderr or --script-output, never into it.
	Machine bool
	// Streams says the format keeps no event after handling it: a source
	// may then hand it the same Event each time (no allocation per event).
	Streams bool
	// needs is what the format needs captured under plan p.
	needs func(p *Plan) Needs
	// native builds a native writer on w.
	native func(w io.Writer, b *built) (Sink, error)
}

// dumpMax is how much of a buffer -e read= and -e write= capture: the
// kernel's limit for one piece of data.
const dumpMax = 4096

// Formats are the stock formats, in -l help's order.
var Formats = []Format{
	{
		Name: "hex", Aliases: []string{"hex_raw", "hex_sl"},
		About:   "the original hex log: one row per syscall, numbers as 16 hex digits, paths as text (default); -t adds TIME(usec), -r makes it relative to the previous row, -T adds DUR(usec)",
		Stage:   "hex.star",
		Streams: true,
		Honours: OptTimestamp | OptRelative | OptSyscallTime | OptSeparator,
		needs: func(p *Plan) Needs {
			return Needs{Times: p.Show.Timestamps > 0 || p.Show.Relative || p.Show.SyscallTime}
		},
	},
	{
		Name:  "strace",
		About: "lines as strace(1) prints them, arguments decoded (-t, -tt, -ttt, -r, -T, -y, -S apply)",
		Stage: "strace.star",
		Honours: OptTimestamp | OptRelative | OptSyscallTime | OptDecodeFds | OptStrSize | OptStackTrace |
			OptColumn | OptHexStrings | OptDump | OptVerbose | OptDetachExec,
		needs: func(p *Plan) Needs {
			// Times order the lines of threads (the "<unfinished ...>" split).
			n := Needs{Buffers: max(p.Show.StrSize, 1), ProcessEvents: true, EnterMarks: true, Times: true, Fds: p.Show.DecodeFds > 0, FullEnv: p.Show.Verbose}
			if len(p.Show.ReadDump) > 0 || len(p.Show.WriteDump) > 0 {
				n.Buffers = max(n.Buffers, dumpMax) // the dumps show whole buffers
			}
			return n
		},
	},
	{
		Name: "json", Machine: true, Streams: true,
		About: "one JSON object per line (docs/json-schema.json), for jq; every record carries ts and dur, so -t, -r and -T add nothing; -S captures buffers into \"data\", -y adds each fd's description there (kind \"fd\")",
		// ts and dur are in every record: the time options are what it shows.
		Honours: OptTimestamp | OptRelative | OptSyscallTime | OptStrSize | OptStackTrace | OptDecodeFds,
		needs: func(p *Plan) Needs {
			n := Needs{ProcessEvents: true, Times: true, Fds: p.Show.DecodeFds > 0}
			if p.Show.StrSizeSet {
				n.Buffers = max(p.Show.StrSize, 1)
			}
			return n
		},
		native: func(w io.Writer, b *built) (Sink, error) {
			return &jsonSink{w: bufio.NewWriterSize(w, 256<<10), tab: b.tab}, nil
		},
	},
	{
		Name: "perfetto", Machine: true,
		About:   "Chrome trace-event JSON: a timeline with a track per thread, for ui.perfetto.dev (times and durations are the timeline itself)",
		Honours: OptTimestamp | OptRelative | OptSyscallTime,
		needs:   func(*Plan) Needs { return Needs{ProcessEvents: true, Times: true} },
		native: func(w io.Writer, b *built) (Sink, error) {
			return &perfettoSink{w: bufio.NewWriterSize(w, 256<<10), tab: b.tab}, nil
		},
	},
	{
		Name: "bin", Aliases: []string{"binary"}, Binary: true, Streams: true,
		About: "binary recording, the fastest: replay it with -i; trace.h and docs/binary-format.md describe it; -t, -r, -T, -y and -K are recorded and apply when it is replayed; -S captures buffers as -l strace does",
		// The time options are kept in the header and honoured by replays.
		Honours: OptTimestamp | OptRelative | OptSyscallTime | OptStrSize | OptSeparator | OptStackTrace | OptDecodeFds,
		needs: func(p *Plan) Needs {
			// A recording keeps the times: its replays may show them.
			if p.Show.StrSizeSet {
				return Needs{Buffers: max(p.Show.StrSize, 1), ProcessEvents: true, Times: true, Fds: p.Show.DecodeFds > 0}
			}
			return Needs{Times: true, Fds: p.Show.DecodeFds > 0}
		},
		native: func(w io.Writer, b *built) (Sink, error) {
			return &binSink{out: w, hdr: b.header(), traceH: true, debug: b.plan.Debug}, nil
		},
	},
}

// LookupFormat finds a format by name or alias.
func LookupFormat(name string) (*Format, error) {
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
	return nil, fmt.Errorf("choosing format: unknown format %q (valid: %s)", name, strings.Join(FormatNames(), ", "))
}

// FormatNames are the names and aliases of the formats.
func FormatNames() []string {
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

// checkHonoured refuses a presentation option the format does not apply.
func (f *Format) checkHonoured(given Opt) error {
	for _, on := range optNames {
		if given&on.o != 0 && f.Honours&on.o == 0 {
			var fmts []string
			for _, g := range Formats {
				if g.Honours&on.o != 0 {
					fmts = append(fmts, g.Name)
				}
			}
			return usagef("choosing options: %s does not apply to -l %s (it applies to -l %s)", on.flag, f.Name, strings.Join(fmts, ", -l "))
		}
	}
	return nil
}

var errBinaryTerminal = usage("choosing output: -l bin writes binary data; give -o FILE or redirect stdout")

// writeTraceH writes trace.h into the current directory when it is
// writable and has none, as the original strace.ebpf did; -d says what
// happened.
func writeTraceH(debug io.Writer) {
	written, err := record.WriteTraceH(".")
	if debug == nil {
		return
	}
	switch {
	case err != nil:
		fmt.Fprintf(debug, "strace.ebpf: skipping trace.h: %v\n", err)
	case !written:
		fmt.Fprintln(debug, "strace.ebpf: skipping trace.h: the current directory already has one")
	default:
		fmt.Fprintln(debug, "strace.ebpf: wrote trace.h, the C description of the bin format")
	}
}
