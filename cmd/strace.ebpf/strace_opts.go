package main

// strace's presentation options (-l strace) and the syscall listings
// (-B, -L, -R).

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// straceOptions are the options of the strace format and the listings.
type straceOptions struct {
	timestamps  int            // -t count: 1 HH:MM:SS, 2 with µs, 3 epoch
	relative    bool           // -r
	syscallTime bool           // -T
	decodeFds   int            // -y count, or the level --decode-fds=SET needs
	fdKinds     format.FdKinds // --decode-fds=SET; 0: by the -y count
	strsize     int            // -S/--strsize
	successful  bool           // -z
	failing     bool           // -Z
	stackTrace  bool           // -k
	stackWindow int            // --stack-window
	builtinList bool           // -B
	list        bool           // -L
	llList      bool           // -R
	column      int            // -a
	hexStrings  int            // -x count
	verbose     bool           // -v
	detachOn    string
	decodePids  bool         // -Y
	readDump    map[int]bool // -e read=
	writeDump   map[int]bool // -e write=
}

// timestampFlag is -t: a boolean for the hex format (the original's TIME
// column) that also counts, for strace's -t, -tt and -ttt.
type timestampFlag struct {
	on    *bool
	count *int
}

func (f *timestampFlag) String() string {
	if f.on != nil && *f.on {
		return "true"
	}
	return "false"
}

func (f *timestampFlag) Set(v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return err
	}
	*f.on = b
	if b {
		*f.count++
	} else {
		*f.count = 0
	}
	return nil
}

func (f *timestampFlag) Type() string     { return "bool" }
func (f *timestampFlag) IsBoolFlag() bool { return true }

// addTimestampFlag defines -t/--timestamp.
func addTimestampFlag(fs *pflag.FlagSet, on *bool, s *straceOptions) {
	fl := fs.VarPF(&timestampFlag{on: on, count: &s.timestamps}, "timestamp", "t",
		"include a timestamp: the TIME column in hex logs; with -l strace -t is HH:MM:SS, -tt adds microseconds, -ttt is epoch seconds")
	fl.NoOptDefVal = "true"
}

// addStraceFlags defines the strace format's options.
func addStraceFlags(fs *pflag.FlagSet, s *straceOptions) {
	fs.BoolVarP(&s.relative, "relative-timestamps", "r", false, "print the time since the previous line (hex: in the TIME column)")
	fs.BoolVarP(&s.syscallTime, "syscall-times", "T", false, "print the time spent in each call: <0.000123> with -l strace, a DUR(usec) column in hex")
	fs.CountVarP(&s.decodeFds, "decode-fds", "y", "print what file descriptors refer to, as the kernel says at the call: 3</etc/passwd>, pipe:[N], socket:[N] (-l strace; json adds it to data; bin records it for replays); -yy: sockets' protocols and addresses (TCP:[127.0.0.1:5000->127.0.0.1:41234]), devices' numbers, pidfds' processes (<pid:1234>); --decode-fds=SET picks strace's kinds one by one: path, socket, dev, pidfd, all, none, !SET")
	fs.IntVarP(&s.column, "columns", "a", 40, "-l strace: align return values at `column`")
	fs.CountVarP(&s.hexStrings, "strings-in-hex", "x", "-l strace: print strings and buffers with non-printable bytes in hex; -xx: all of them")
	fs.BoolVarP(&s.verbose, "no-abbrev", "v", false, "-l strace: print structures whole (struct stat) and execve's environment, as far as captured")
	fs.StringVarP(&s.detachOn, "detach-on", "b", "", "-l strace: stop showing a process at its successful `execve` (the only syscall supported, as strace); the launch's own execve is shown")
	fs.IntVarP(&s.strsize, "strsize", "S", 32, "show at most `N` bytes of buffers and strings in -l strace, capture them for json and bin (strace's -s; -s is --script here)")
	fs.BoolVarP(&s.successful, "successful-only", "z", false, "only calls that succeed (-e status=successful)")
	fs.BoolVarP(&s.failing, "failed-only", "Z", false, "only calls that fail (-e status=failed, like -X)")
	fs.BoolVarP(&s.stackTrace, "stack-trace", "k", false, "print the user stack of each traced call under it, as strace -k (ev.stack in scripts, \"stack\" in json)")
	fs.IntVar(&s.stackWindow, "stack-window", 0, "-k: bytes of user stack copied for .eh_frame unwinding (default and most 4088; -1: frame pointers only)")
	fs.BoolVarP(&s.builtinList, "builtin-list", "B", false, "print the built-in syscall table and exit")
	fs.BoolVarP(&s.list, "list", "L", false, "print the syscalls traceable on the running kernel and exit")
	fs.BoolVarP(&s.llList, "ll-list", "R", false, "print the kernel's low-level traceable functions (its tracepoints where it withholds them) and exit")
}

// listings runs -B, -L or -R; done says one ran.
func (s *straceOptions) listings(w, stderr io.Writer, tab *syscalls.Table) (done bool, err error) {
	switch {
	case s.builtinList:
		return true, printBuiltinList(w, tab)
	case s.list:
		return true, printKernelList(w, tab)
	case s.llList:
		return true, printLowLevelList(w, stderr)
	}
	return false, nil
}

func printBuiltinList(w io.Writer, tab *syscalls.Table) error {
	fmt.Fprintf(w, "%-5s %-24s %-30s %s\n", "NR", "NAME", "CLASSES", "ARGUMENTS")
	for _, sc := range tab.All() {
		var args []string
		for _, a := range sc.Args {
			s := a.Name + ":" + a.Kind.String()
			if a.Decoder != "" {
				s += "(" + a.Decoder + ")"
			}
			args = append(args, s)
		}
		cl := strings.Join(sc.Classes.Names(), ",")
		if cl == "" {
			cl = "-"
		}
		fmt.Fprintf(w, "%-5d %-24s %-30s %s\n", sc.Nr, sc.Name, cl, strings.Join(args, " "))
	}
	return nil
}

// printKernelList prints the syscalls the running kernel has tracepoints
// for, with their numbers from the built-in table.
func printKernelList(w io.Writer, tab *syscalls.Table) error {
	names, err := engine.KernelSyscalls()
	if err != nil {
		return err
	}
	for _, n := range names {
		nr := "?"
		name := n
		sc := tab.ByName(n)
		if sc == nil {
			// The kernel's event names differ for a few (newstat is stat).
			if alt, ok := strings.CutPrefix(n, "new"); ok && tab.ByName(alt) != nil {
				sc = tab.ByName(alt)
			}
		}
		if sc != nil {
			nr = strconv.Itoa(sc.Nr)
			name = sc.Name
		}
		fmt.Fprintf(w, "%-5s %s\n", nr, name)
	}
	return nil
}

// printLowLevelList prints the kernel functions tracefs can trace, or its
// tracepoints, saying why on stderr, where it withholds them.
func printLowLevelList(w, stderr io.Writer) error {
	f, instead, err := engine.LowLevelList()
	if err != nil {
		return err
	}
	defer f.Close()
	if instead != nil {
		fmt.Fprintf(stderr, "strace.ebpf: %v; listing the kernel's tracepoints instead\n", instead)
	}
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("listing traceable functions: %w", err)
	}
	return nil
}

// exitCode is 1 for an error, 0 otherwise.
func exitCode(err error) int {
	if err != nil {
		return 1
	}
	return 0
}
