package main

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// filter is what the -e expressions select.
type filter struct {
	nrs  []int // syscalls to trace; nil means all
	help bool  // -e help or -e list

	// status=: which outcomes are printed; all false means every one.
	successful, failed, unfinished bool
	// signal=: the signals whose deliveries are printed; nil means all.
	signals map[int]bool
}

// failedOnly says status= keeps only failed calls (a kernel filter).
func (f *filter) failedOnly() bool { return f.failed && !f.successful && !f.unfinished }

// successfulOnly says status= keeps only successful calls.
func (f *filter) successfulOnly() bool { return f.successful && !f.failed }

// aliases are the original strace.ebpf's syscall sets, in terms of strace
// classes and names (see -e help).
var aliases = map[string]string{
	"kp-kern-all": "all",
	"kp-libc-all": "all",
	"kp-file":     "%file",
	"kp-desc":     "%desc",
	"kp-fileio":   "read,write,pread64,pwrite64,readv,writev,preadv,pwritev,preadv2,pwritev2,sendfile,splice,tee,vmsplice,copy_file_range,lseek,fsync,fdatasync,sync_file_range,ftruncate,fallocate",
}

// parseExprs reads -e expressions in strace's grammar:
//
//	[trace=][!]SET[,SET...]   SET: a name, %class, /regex, all, none, a
//	                          kp-* alias; ?SET ignores an unknown one
//	status=[!]successful,failed,unfinished,unavailable,detached,none,all
//	signal=[!]SIG[,SIG...]
//
// Several trace= expressions add up, as in strace.
func parseExprs(exprs []string, tab *syscalls.Table) (filter, error) {
	var f filter
	var set map[int]bool
	for _, e := range exprs {
		if e == "help" || e == "list" {
			f.help = true
			return f, nil
		}
		qual, val, ok := strings.Cut(e, "=")
		if !ok {
			qual, val = "trace", e
		}
		neg := strings.HasPrefix(val, "!")
		val = strings.TrimPrefix(val, "!")
		if val == "" {
			return f, fmt.Errorf("parsing -e %s: empty list", e)
		}
		switch qual {
		case "trace", "t":
			picked, err := pickSyscalls(e, val, tab)
			if err != nil {
				return f, err
			}
			if set == nil {
				set = map[int]bool{}
				if neg {
					for _, sc := range tab.All() {
						set[sc.Nr] = true
					}
				}
			}
			for nr := range picked {
				if neg {
					delete(set, nr)
				} else {
					set[nr] = true
				}
			}
		case "status":
			if err := f.parseStatus(e, val, neg); err != nil {
				return f, err
			}
		case "signal", "signals", "s":
			sigs := map[int]bool{}
			for _, name := range strings.Split(val, ",") {
				if name == "all" {
					for n := 1; n <= 64; n++ {
						sigs[n] = true
					}
					continue
				}
				if name == "none" {
					continue
				}
				n, ok := syscalls.SignalByName(name)
				if !ok {
					return f, fmt.Errorf("parsing -e %s: unknown signal %q", e, name)
				}
				sigs[n] = true
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
			f.signals = sigs
		default:
			return f, fmt.Errorf("parsing -e %s: unsupported qualifier %q (supported: trace, status, signal; see -e help)", e, qual)
		}
	}
	if set != nil {
		f.nrs = make([]int, 0, len(set))
		for nr := range set {
			f.nrs = append(f.nrs, nr)
		}
		sort.Ints(f.nrs)
	}
	return f, nil
}

// pickSyscalls resolves one trace= list.
func pickSyscalls(e, val string, tab *syscalls.Table) (map[int]bool, error) {
	picked := map[int]bool{}
	for _, name := range strings.Split(val, ",") {
		optional := strings.HasPrefix(name, "?")
		name = strings.TrimPrefix(name, "?")
		if a, ok := aliases[name]; ok {
			// Names an architecture lacks are no error in an alias.
			sub, err := pickSyscalls(e, "?"+strings.ReplaceAll(a, ",", ",?"), tab)
			if err != nil {
				return nil, err
			}
			for nr := range sub {
				picked[nr] = true
			}
			continue
		}
		n := 0
		switch {
		case name == "all":
			for _, sc := range tab.All() {
				picked[sc.Nr] = true
			}
			continue
		case name == "none":
			continue
		case strings.HasPrefix(name, "%"):
			c, ok := syscalls.ClassByName(name)
			if !ok {
				if optional {
					continue
				}
				return nil, fmt.Errorf("parsing -e %s: unknown syscall class %q", e, name)
			}
			for _, sc := range tab.All() {
				if sc.Classes&c != 0 {
					picked[sc.Nr] = true
					n++
				}
			}
		case strings.HasPrefix(name, "/"):
			re, err := regexp.Compile(name[1:])
			if err != nil {
				return nil, fmt.Errorf("parsing -e %s: bad regular expression %q: %w", e, name[1:], err)
			}
			for _, sc := range tab.All() {
				if re.MatchString(sc.Name) {
					picked[sc.Nr] = true
					n++
				}
			}
			if n == 0 && !optional {
				return nil, fmt.Errorf("parsing -e %s: %q matches no syscall", e, name)
			}
		default:
			sc := tab.ByName(name)
			if sc == nil {
				if optional {
					continue
				}
				return nil, fmt.Errorf("parsing -e %s: unknown syscall %q", e, name)
			}
			picked[sc.Nr] = true
		}
	}
	return picked, nil
}

func (f *filter) parseStatus(e, val string, neg bool) error {
	var s, fl, u bool
	for _, v := range strings.Split(val, ",") {
		switch v {
		case "successful":
			s = true
		case "failed":
			fl = true
		case "unfinished":
			u = true
		case "unavailable", "detached":
			// Every call's outcome is available here, none is detached.
		case "all":
			s, fl, u = true, true, true
		case "none":
		default:
			return fmt.Errorf("parsing -e %s: unknown status %q (successful, failed, unfinished, unavailable, detached)", e, v)
		}
	}
	if neg {
		s, fl, u = !s, !fl, !u
	}
	f.successful, f.failed, f.unfinished = s, fl, u
	return nil
}

func printExprHelp(w io.Writer, tab *syscalls.Table) {
	fmt.Fprint(w, `Filter expressions (-e, repeatable; strace's grammar):
  trace=SET[,SET...]      trace only these syscalls (a bare list means the same)
  trace=!SET[,SET...]     trace every syscall but these
      SET is a syscall name, %class, /regex (matched against names), all
      or none; ?SET makes an unknown name, class or regex no error.
  status=LIST             print only calls with these outcomes: successful,
                          failed, unfinished (unavailable, detached: accepted)
  signal=[!]SIG[,SIG...]  print only these signal deliveries (-l strace)
Syscall sets are applied in the kernel, and so is status=failed.

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
