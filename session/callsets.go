package session

// -e raw=SET, -e verbose=SET, -e abbrev=SET: syscall sets that choose how
// the strace format prints each call (format/callsets.go), resolved like
// trace= against the source's table.

import (
	"strings"

	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// callSetQualifiers are strace's qualifiers of the per-syscall sets and
// their one-letter spellings.
var callSetQualifiers = map[string]string{
	"raw": "raw", "x": "raw",
	"verbose": "verbose", "v": "verbose",
	"abbrev": "abbrev", "a": "abbrev",
}

// resolveCallSet resolves one "[!]SET" against tab and its 32-bit table.
func resolveCallSet(qual, val string, tab *syscalls.Table) (*format.CallSet, error) {
	neg := strings.HasPrefix(val, "!")
	val = strings.TrimPrefix(val, "!")
	tabs := []*syscalls.Table{tab, tab.Compat()}
	picked, err := pickSyscalls(qual+"="+val, val, tabs)
	if err != nil {
		return nil, err
	}
	if neg {
		for i, t := range tabs {
			inv := map[int]bool{}
			for _, sc := range t.All() {
				if !picked[i][sc.Nr] {
					inv[sc.Nr] = true
				}
			}
			picked[i] = inv
		}
	}
	return &format.CallSet{Native: picked[0], Compat: picked[1]}, nil
}

// CallSets resolves the filter's raw=, verbose= and abbrev= sets against
// tab (nil sets where not given).
func (f *Filter) CallSets(tab *syscalls.Table) (format.CallSets, error) {
	var cs format.CallSets
	for _, q := range []struct {
		val  string
		set  **format.CallSet
		qual string
	}{{f.Raw, &cs.Raw, "raw"}, {f.Verbose, &cs.Verbose, "verbose"}, {f.Abbrev, &cs.Abbrev, "abbrev"}} {
		if q.val == "" {
			continue
		}
		s, err := resolveCallSet(q.qual, q.val, tab)
		if err != nil {
			return cs, err
		}
		*q.set = s
	}
	return cs, nil
}

// execUnabbreviated says -e abbrev= leaves execve or execveat out (then
// shown as -v shows them: the kernel captures their environment); live
// traces only, of this machine's table.
func (f *Filter) execUnabbreviated() bool {
	tab := syscalls.Native()
	cs, err := f.CallSets(tab)
	if err != nil || cs.Abbrev == nil {
		return false
	}
	for i, t := range []*syscalls.Table{tab, tab.Compat()} {
		set := cs.Abbrev.Native
		if i == 1 {
			set = cs.Abbrev.Compat
		}
		for _, name := range []string{"execve", "execveat"} {
			if sc := t.ByName(name); sc != nil && !set[sc.Nr] {
				return true
			}
		}
	}
	return false
}
