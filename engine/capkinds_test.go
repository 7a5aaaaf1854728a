package engine

import (
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/strace-ebpf/strace.ebpf/bpf"
)

// Every capture kind the kernel side declares has its properties in
// capKinds, and each is read at enter, at exit or both.
func TestCapKindsComplete(t *testing.T) {
	spec, err := bpf.LoadTracer()
	if err != nil {
		t.Fatal(err)
	}
	var e *btf.Enum
	if err := spec.Types.TypeByName("cap_kind", &e); err != nil {
		t.Fatal(err)
	}
	for _, v := range e.Values {
		k := bpf.TracerCapKind(v.Value)
		if k == bpf.TracerCapKindCAP_NONE {
			continue
		}
		p, ok := capKinds[k]
		if !ok {
			t.Errorf("%s has no entry in capKinds", v.Name)
			continue
		}
		if p&(atEnter|atExit) == 0 {
			t.Errorf("%s is read neither at enter nor at exit", v.Name)
		}
		if v.Value >= 32 { // CAP_KIND_MAX
			t.Errorf("%s = %d does not fit cap_table", v.Name, v.Value)
		}
	}
}
