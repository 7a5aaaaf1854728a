package session

import (
	"testing"

	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestCallSets: raw=, verbose= and abbrev= (and x=, v=, a=) resolve like
// trace= sets, the last of each applying, negations included.
func TestCallSets(t *testing.T) {
	tab, err := syscalls.ForArch("amd64")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFilter([]string{"raw=read", "x=close,open@32", "v=!%file", "abbrev=none", "trace=all"})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := f.CallSets(tab)
	if err != nil {
		t.Fatal(err)
	}
	nr := func(n string) int { return tab.ByName(n).Nr }
	if cs.Raw.Native[nr("read")] || !cs.Raw.Native[nr("close")] || !cs.Raw.Compat[5] || cs.Raw.Native[nr("open")] {
		t.Errorf("raw: the last set (close, i386's open) only: %v %v", cs.Raw.Native, cs.Raw.Compat)
	}
	if cs.Verbose.Native[nr("openat")] || !cs.Verbose.Native[nr("read")] || !cs.Verbose.Compat[3] {
		t.Errorf("verbose=!%%file: every call but the %%file ones")
	}
	if len(cs.Abbrev.Native) != 0 || len(cs.Abbrev.Compat) != 0 {
		t.Error("abbrev=none: no call abbreviated")
	}
	if none, _ := (&Filter{}).CallSets(tab); none.Raw != nil || none.Verbose != nil || none.Abbrev != nil {
		t.Error("no sets given: nil sets")
	}
	for _, bad := range []string{"raw=nosuchcall", "verbose=%nosuchclass", "abbrev=read@16"} {
		f, err := ParseFilter([]string{bad})
		if err == nil {
			_, err = f.CallSets(tab)
		}
		if err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
