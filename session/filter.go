package session

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/filter"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/internal/suggest"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Filter is what the user selects: the -e expressions, -X, -z, -Z and, on
// a replay, -p. Syscall names stay unresolved until the source's table is
// known (Resolve), so that a recording from another architecture is
// filtered by its own numbers.
type Filter struct {
	// Trace is the trace= set that applies, "[!]SET[,SET...]": of several
	// -e trace= the last one, as in strace.
	Trace []string
	// Status is the outcomes shown; 0 means all.
	Status filter.Status
	// Signals are the signal numbers whose deliveries are shown; nil
	// means all.
	Signals map[int]bool
	// PIDs keeps only these processes (thread group or thread ids); nil
	// keeps all. Used on replays: a live trace picks its tasks in the
	// kernel.
	PIDs []int
	// Comms keeps only events of these process names; nil keeps all.
	Comms []string
	// Paths keeps only the calls that touch one of these paths (-P): a
	// path argument equal to one, or a descriptor (argument or returned)
	// that referred to one at the call, as the kernel described it.
	Paths []string
	// Fds keeps only the calls that operate on these descriptors
	// (-e trace-fds=, as strace: its descriptor arguments, poll's and
	// select's sets; -1 stands for every descriptor not named); nil keeps
	// all. With -P, a call either keeps is kept.
	Fds map[int]bool
	// Raw, Verbose and Abbrev are the -e raw=, verbose= and abbrev=
	// sets, "[!]SET" (of several, the last), "" when not given: how the
	// strace format prints each call (callsets.go).
	Raw, Verbose, Abbrev string
	// Inject are the -e inject= and -e fault= sets, in order (not a
	// filter: the faults injected into a launched command; session/inject.go).
	Inject []InjectSet

	exprs []string // as given, for --explain and recording headers
}

// ErrHelp is returned by ParseFilter for -e help or -e list.
var ErrHelp = fmt.Errorf("filter help requested")

// ParseFilter reads -e expressions in strace's grammar:
//
//	[trace=][!]SET[,SET...]   SET: a name, %class, /regex, all, none, a
//	                          kp-* alias; ?SET ignores an unknown one
//	status=[!]successful,failed,unfinished,unavailable,detached,none,all
//	signal=[!]SIG[,SIG...]
//	trace-fds=[!]FDS          (fd=, fds=, trace-fd=)
//	raw=, verbose=, abbrev=   [!]SET, as trace= (callsets.go)
//
// Of several trace= expressions the last one wins, as in strace (-e
// trace=openat -e trace=close traces close only); syscall names are
// checked by Resolve, against the source's table.
func ParseFilter(exprs []string) (Filter, error) {
	f := Filter{exprs: exprs}
	for _, e := range exprs {
		if e == "help" || e == "list" {
			return f, ErrHelp
		}
		qual, val, ok := strings.Cut(e, "=")
		if !ok {
			qual, val = "trace", e
		}
		neg := strings.HasPrefix(val, "!")
		if strings.TrimPrefix(val, "!") == "" {
			return f, usagef("parsing -e %s: empty list", e)
		}
		switch qual {
		case "trace", "t":
			f.Trace = []string{val} // the last one wins, as in strace
		case "status":
			st, err := parseStatus(e, strings.TrimPrefix(val, "!"), neg)
			if err != nil {
				return f, err
			}
			f.Status = st
			if st == 0 {
				f.Status = filter.None
			}
		case "signal", "signals", "s":
			sigs, err := parseSignals(e, strings.TrimPrefix(val, "!"), neg)
			if err != nil {
				return f, err
			}
			f.Signals = sigs
		case "trace-fds", "trace-fd", "fds", "fd":
			set, err := parseFdSet(e, val)
			if err != nil {
				return f, err
			}
			f.Fds = set
		case "raw", "x", "verbose", "v", "abbrev", "a":
			switch callSetQualifiers[qual] {
			case "raw":
				f.Raw = val
			case "verbose":
				f.Verbose = val
			default:
				f.Abbrev = val
			}
		case "inject", "fault":
			set, err := parseInject(e, val, qual == "fault")
			if err != nil {
				return f, err
			}
			f.Inject = append(f.Inject, set)
		default:
			return f, usagef("parsing -e %s: unsupported qualifier %q%s (supported: trace, trace-fds, status, signal, read, write, inject, fault, quiet, decode-fds, decode-pids; see -e help)", e, qual, suggest.Hint(qual, []string{"trace", "trace-fds", "status", "signal", "inject", "fault", "read", "write", "quiet", "decode-fds", "decode-pids"}))
		}
	}
	return f, nil
}

// Only narrows the status set to st (-X, -z, -Z on top of status=).
func (f *Filter) Only(st filter.Status) {
	if f.Status == 0 {
		f.Status = st
		return
	}
	f.Status &= st
	if f.Status == 0 {
		f.Status = filter.None
	}
}

func parseStatus(e, val string, neg bool) (filter.Status, error) {
	var st filter.Status
	for _, v := range strings.Split(val, ",") {
		switch v {
		case "successful":
			st |= filter.Successful
		case "failed":
			st |= filter.Failed
		case "unfinished", "unavailable", "detached":
			// Calls that never return, or were blocked when tracing
			// stopped, are strace's unfinished ones; every other outcome
			// is available here.
			st |= filter.Unfinished
		case "all":
			st = filter.AllStatus
		case "none":
		default:
			return 0, usagef("parsing -e %s: unknown status %q%s (successful, failed, unfinished, unavailable, detached, all, none)", e, v, suggest.Hint(v, statusNames))
		}
	}
	if neg {
		st = filter.AllStatus &^ st
	}
	return st, nil
}

// statusNames are the values of -e status=, for suggestions.
var statusNames = []string{"successful", "failed", "unfinished", "unavailable", "detached", "all", "none"}

// syscallNames are the names in tabs and the aliases, for suggestions.
func syscallNames(tabs []*syscalls.Table) []string {
	var names []string
	for _, t := range tabs {
		for _, sc := range t.All() {
			names = append(names, sc.Name)
		}
	}
	for a := range aliases {
		names = append(names, a)
	}
	sort.Strings(names[len(names)-len(aliases):])
	return names
}

func parseSignals(e, val string, neg bool) (map[int]bool, error) {
	sigs := map[int]bool{}
	for _, name := range strings.Split(val, ",") {
		switch name {
		case "all":
			for n := 1; n <= 64; n++ {
				sigs[n] = true
			}
		case "none":
		default:
			n, ok := syscalls.SignalByName(name)
			if !ok {
				return nil, usagef("parsing -e %s: unknown signal %q", e, name)
			}
			sigs[n] = true
		}
	}
	if neg {
		inv := map[int]bool{}
		for n := 1; n <= 64; n++ {
			if !sigs[n] {
				inv[n] = true
			}
		}
		sigs = inv
	}
	return sigs, nil
}

// Selection is a Filter resolved against one syscall table: the
// filter.Filter a source's events are held to (Keep), for every format,
// live or replayed; its Kernel part is what the kernel applies.
type Selection struct {
	filter.Filter
	// stripFds drops the fd descriptions -P needed from the events it
	// keeps, when nothing asked to show them (-y).
	stripFds bool
}

// KernelFilter is the part of a selection the kernel applies.
type KernelFilter = filter.Kernel

// Resolve resolves the filter's syscall names against tab, and against
// tab.Compat() for the calls made in 32-bit mode.
func (f *Filter) Resolve(tab *syscalls.Table) (*Selection, error) {
	s := &Selection{}
	s.SetStatus(f.Status)
	s.SetSignals(f.Signals)
	tabs := []*syscalls.Table{tab, tab.Compat()}
	var sets []map[int]bool
	for _, val := range f.Trace {
		neg := strings.HasPrefix(val, "!")
		val = strings.TrimPrefix(val, "!")
		picked, err := pickSyscalls("trace="+val, val, tabs)
		if err != nil {
			return nil, err
		}
		if sets == nil {
			sets = make([]map[int]bool, len(tabs))
			for i, t := range tabs {
				sets[i] = map[int]bool{}
				if neg {
					for _, sc := range t.All() {
						sets[i][sc.Nr] = true
					}
				}
			}
		}
		for i := range tabs {
			for nr := range picked[i] {
				if neg {
					delete(sets[i], nr)
				} else {
					sets[i][nr] = true
				}
			}
		}
	}
	if len(f.Paths) > 0 || f.Fds != nil {
		// -P: only calls with a path or a descriptor can touch a path;
		// trace-fds=: only calls with a descriptor; the kernel drops the
		// others.
		if len(f.Paths) > 0 {
			s.SetPaths(tab, f.Paths)
		}
		if f.Fds != nil {
			s.SetFds(tab, f.Fds)
		}
		all := sets == nil
		if all {
			sets = make([]map[int]bool, len(tabs))
		}
		for i, t := range tabs {
			if all {
				sets[i] = map[int]bool{}
			}
			for _, sc := range t.All() { // (an empty table without a 32-bit mode)
				touch := len(f.Paths) > 0 && filter.TouchesPaths(sc) || f.Fds != nil && filter.OperatesOnFds(sc, i == 1)
				if touch && (all || sets[i][sc.Nr]) {
					sets[i][sc.Nr] = true
				} else {
					delete(sets[i], sc.Nr)
				}
			}
		}
	}
	if sets != nil {
		s.SetSyscalls(tab, sets[0], sets[1])
	}
	s.SetPIDs(f.PIDs)
	s.SetComms(f.Comms)
	return s, nil
}

// dropFds removes the fd descriptions from ev's data.
func dropFds(ev *event.Event) {
	kept := ev.Data[:0]
	for _, d := range ev.Data {
		if d.Kind != event.Fd {
			kept = append(kept, d)
		}
	}
	ev.Data = kept
}

// aliases are the original strace.ebpf's syscall sets, in terms of strace
// classes and names (see -e help).
var aliases = map[string]string{
	"kp-kern-all": "all",
	"kp-libc-all": "all",
	"kp-file":     "%file",
	"kp-desc":     "%desc",
	"kp-fileio":   "read,write,pread64,pwrite64,readv,writev,preadv,pwritev,preadv2,pwritev2,sendfile,splice,tee,vmsplice,copy_file_range,lseek,fsync,fdatasync,sync_file_range,ftruncate,fallocate",
}

// pickSyscalls resolves one trace= list against tabs (the native table,
// then the table of 32-bit calls), one set per table. A name is unknown
// when no table has it; strace's name@64 and name@32 pick one table.
func pickSyscalls(e, val string, tabs []*syscalls.Table) ([]map[int]bool, error) {
	picked := make([]map[int]bool, len(tabs))
	for i := range picked {
		picked[i] = map[int]bool{}
	}
	for _, name := range strings.Split(val, ",") {
		optional := strings.HasPrefix(name, "?")
		name = strings.TrimPrefix(name, "?")
		if a, ok := aliases[name]; ok {
			// Names an architecture lacks are no error in an alias.
			sub, err := pickSyscalls(e, "?"+strings.ReplaceAll(a, ",", ",?"), tabs)
			if err != nil {
				return nil, err
			}
			for i := range sub {
				for nr := range sub[i] {
					picked[i][nr] = true
				}
			}
			continue
		}
		use := tabs
		only := -1
		if at := strings.LastIndex(name, "@"); at >= 0 {
			// strace's personality suffix, on a name, number, class or
			// regex alike (the last @: a regex may hold others).
			switch pers := name[at+1:]; pers {
			case "64":
				only = 0
			case "32":
				only = 1
			case "x32":
				return nil, usagef("parsing -e %s: %q: the x32 personality is not traced here (want @64 or @32)", e, name)
			default:
				return nil, usagef("parsing -e %s: unknown personality %q in %q (want @64 or @32)", e, pers, name)
			}
			name = name[:at]
			if only >= len(tabs) {
				use = nil
			} else {
				use = tabs[only : only+1]
			}
		}
		pick := func(t *syscalls.Table, nr int) {
			for i := range tabs {
				if tabs[i] == t {
					picked[i][nr] = true
				}
			}
		}
		n := 0
		switch {
		case name == "all":
			for _, t := range use {
				for _, sc := range t.All() {
					pick(t, sc.Nr)
				}
			}
			continue
		case name == "none":
			continue
		case name != "" && name[0] >= '0' && name[0] <= '9':
			// A syscall number, as strace takes it: in each table that
			// has a call of that number.
			nr, err := strconv.ParseUint(name, 10, 31)
			if err == nil {
				for _, t := range use {
					if t.ByNr(int(nr)) != nil {
						pick(t, int(nr))
						n++
					}
				}
			}
			if n == 0 && !optional {
				return nil, usagef("parsing -e %s: no %s syscall has number %q", e, tabs[0].Arch(), name)
			}
		case strings.HasPrefix(name, "%"):
			c, ok := syscalls.ClassByName(name)
			if !ok {
				if optional {
					continue
				}
				return nil, usagef("parsing -e %s: unknown syscall class %q%s", e, name, suggest.Hint(name, syscalls.Class(^uint32(0)).Names()))
			}
			for _, t := range use {
				for _, sc := range t.All() {
					if sc.Classes&c != 0 {
						pick(t, sc.Nr)
						n++
					}
				}
			}
		case strings.HasPrefix(name, "/"):
			re, err := regexp.Compile(name[1:])
			if err != nil {
				return nil, usagef("parsing -e %s: bad regular expression %q: %w", e, name[1:], err)
			}
			for _, t := range use {
				for _, sc := range t.All() {
					if re.MatchString(sc.Name) {
						pick(t, sc.Nr)
						n++
					}
				}
			}
			if n == 0 && !optional {
				return nil, usagef("parsing -e %s: %q matches no %s syscall", e, name, tabs[0].Arch())
			}
		default:
			if c, ok := syscalls.ClassByName(name); ok && tabs[0].ByName(name) == nil {
				// strace's old class spellings: trace=file, trace=process.
				for _, t := range use {
					for _, sc := range t.All() {
						if sc.Classes&c != 0 {
							pick(t, sc.Nr)
						}
					}
				}
				continue
			}
			for _, t := range use {
				if sc := t.ByName(name); sc != nil {
					pick(t, sc.Nr)
					n++
				}
			}
			if n == 0 && !optional {
				return nil, usagef("parsing -e %s: unknown %s syscall %q%s", e, tabs[0].Arch(), name, suggest.Hint(name, syscallNames(tabs)))
			}
		}
	}
	return picked, nil
}

// PrintFilterHelp is -e help: the grammar and tab's syscalls.
func PrintFilterHelp(w io.Writer, tab *syscalls.Table) {
	fmt.Fprint(w, `Filter expressions (-e, repeatable; strace's grammar):
  trace=SET[,SET...]      trace only these syscalls (a bare list means the same)
  trace=!SET[,SET...]     trace every syscall but these
      SET is a syscall name, %class, /regex (matched against names), all
      or none; ?SET makes an unknown name, class or regex no error. Names
      match the calls made in 32-bit mode too (x86_64's i386 table: open is
      5 there); a SET ending in @64 or @32 (read@64, %file@32, /^mq_@64)
      picks one mode. A number is the call of that number in each mode
      (trace=0: read, and i386's restart_syscall).
  status=[!]LIST          show only calls with these outcomes: successful,
                          failed, unfinished (calls that never returned;
                          unavailable and detached mean the same here),
                          all, none; -z is status=successful, -Z and -X
                          status=failed
  signal=[!]SIG[,SIG...]  show only these signal deliveries
  trace-fds=[!]FDS        show only calls that operate on these descriptors
                          (numbers, all, none), by strace's rules: the
                          descriptor arguments (the first of a %desc or
                          %network call, a *at call's directory, both of
                          dup2's ...), poll's and select's sets; never a
                          returned one (fd=, fds=, trace-fd= alike)
  read=[!]FDS, write=[!]FDS
                          -l strace: dump (hex and ASCII, strace's layout)
                          the data read from or written to these
                          descriptors (numbers, all, none)
  inject=SET:FAULT[:when=FIRST[..LAST][+[STEP]]]
                          a launched command's calls of SET (traced ones)
                          get FAULT: error=E (fail with errno E) or
                          retval=N (return N; the call does not run),
                          signal=SIG, delay_enter=T (T in µs, or with s, ms,
                          us, ns), poke_enter=@argN=HEX (write HEX where
                          argument N points); when= picks which calls, counted per
                          thread and per syscall (docs/injection.md)
  fault=SET[:error=E][:when=...]
                          inject= with error= only (ENOSYS by default)
  raw=SET                 -l strace: these calls' arguments and result as
                          hex numbers, undecoded (x= alike)
  verbose=SET             -l strace: the calls outside SET print structures
                          and arrays as addresses (default all; v= alike)
  abbrev=SET              -l strace: the calls outside SET print as -v
                          prints them (default all; -v is abbrev=none; a=)
      SET as trace='s; of several, the last one applies
  quiet=LIST, decode-fds=SET, decode-pids=comm
                          the same as --quiet=LIST, --decode-fds=SET, -Y
  strace's kvm=, secontext= and namespace= have no equivalent: refused
Every filter applies to every format, live and replayed; syscall sets and
status=failed are applied in the kernel, the rest as events arrive. Names
resolve against the traced (or recorded) architecture's table.

Classes: %file %desc %network (%net) %process %signal %ipc %memory %creds
         %clock %stat %lstat %fstat %%stat %statfs %fstatfs %%statfs %pure
Sets of the original strace.ebpf:
  kp-kern-all  every syscall
  kp-libc-all  every syscall (the ones glibc wraps are not told apart)
  kp-file      %file
  kp-desc      %desc
  kp-fileio    file data I/O: `+aliases["kp-fileio"]+`

Syscalls known for `+tab.Arch()+`:
`)
	names := make([]string, 0, len(tab.All()))
	for _, sc := range tab.All() {
		names = append(names, sc.Name)
	}
	sort.Strings(names)
	line := " "
	for _, n := range names {
		if len(line)+len(n)+1 > 78 {
			fmt.Fprintln(w, line)
			line = " "
		}
		line += " " + n
	}
	fmt.Fprintln(w, line)
}

// withTargets adds, for a -P path that is a symbolic link, the path it
// resolves to, as strace does (live only: a replay reads nothing from this
// machine).
func withTargets(paths []string) []string {
	out := paths
	for _, p := range paths {
		if t, err := filepath.EvalSymlinks(p); err == nil && t != p {
			if abs, err := filepath.Abs(t); err == nil {
				t = abs
			}
			out = append(out[:len(out):len(out)], t)
		}
	}
	return out
}
