package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// filter is what the -e expressions select.
type filter struct {
	nrs  []int // syscalls to trace; nil means all
	help bool  // -e help or -e list
}

// parseExprs reads -e expressions: trace=NAME[,NAME...] and
// trace=!NAME[,NAME...]; a bare list is trace=. Several trace= expressions
// add up, as in strace; "all" selects every syscall.
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
		if qual != "trace" && qual != "t" {
			return f, fmt.Errorf("parsing -e %s: unknown qualifier %q (supported: trace; see -e help)", e, qual)
		}
		neg := strings.HasPrefix(val, "!")
		val = strings.TrimPrefix(val, "!")
		if val == "" {
			return f, fmt.Errorf("parsing -e %s: empty syscall list", e)
		}
		picked := map[int]bool{}
		for _, name := range strings.Split(val, ",") {
			switch {
			case name == "all":
				for _, sc := range tab.All() {
					picked[sc.Nr] = true
				}
			case name == "none":
			default:
				sc := tab.ByName(name)
				if sc == nil {
					return f, fmt.Errorf("parsing -e %s: unknown syscall %q", e, name)
				}
				picked[sc.Nr] = true
			}
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

func printExprHelp(w io.Writer, tab *syscalls.Table) {
	fmt.Fprint(w, `Filter expressions (-e, repeatable):
  trace=NAME[,NAME...]    trace only these syscalls (a bare list means the same)
  trace=!NAME[,NAME...]   trace every syscall but these
  trace=all               trace every syscall (the default)
Syscall sets are applied in the kernel.

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
