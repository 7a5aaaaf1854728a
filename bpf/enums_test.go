package bpf

import (
	"testing"

	"github.com/cilium/ebpf/btf"
)

// Every enum shared with Go has distinct values: two branches adding the
// same capture kind or flag would otherwise compile, load and read the
// wrong memory shape.
func TestSharedEnumsDistinct(t *testing.T) {
	spec, err := LoadTracer()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cap_kind", "item_kind", "ev_flags", "sc_flags", "pending_state", "task_state"} {
		var e *btf.Enum
		if err := spec.Types.TypeByName(name, &e); err != nil {
			t.Errorf("enum %s: %v", name, err)
			continue
		}
		seen := map[uint64]string{}
		for _, v := range e.Values {
			if other, ok := seen[v.Value]; ok {
				t.Errorf("enum %s: %s and %s are both %d", name, other, v.Name, v.Value)
			}
			seen[v.Value] = v.Name
		}
	}
}
