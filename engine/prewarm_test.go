package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// TestCORETypesPrewarmed checks that coreTypes names every type the
// object's CO-RE relocations use: one missing is decoded when the
// relocations ask for it, on start-up's critical path.
func TestCORETypesPrewarmed(t *testing.T) {
	spec, err := loadSpec("")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	n := 0
	for _, p := range spec.Programs {
		for i := range p.Instructions {
			r := btf.CORERelocationMetadata(&p.Instructions[i])
			if r == nil {
				continue
			}
			n++
			// CORERelocation(kind, Struct:"name"[accessor], local_id=N)
			_, rest, ok := strings.Cut(r.String(), `"`)
			name, _, ok2 := strings.Cut(rest, `"`)
			if !ok || !ok2 {
				t.Fatalf("no type name in %s", r)
			}
			name, _, _ = strings.Cut(name, "___") // the essential name
			if !slices.Contains(coreTypes, name) && !slices.Contains(missing, name) {
				missing = append(missing, name)
			}
		}
	}
	if n == 0 {
		t.Fatal("the object has no CO-RE relocation: the test reads the wrong metadata")
	}
	if len(missing) > 0 {
		t.Errorf("coreTypes lacks %q (the object's CO-RE relocations use them)", missing)
	}
}
