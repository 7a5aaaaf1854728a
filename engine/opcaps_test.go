package engine

import (
	"testing"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// TestOpCaps checks the operation tables against what the kernel side
// reads safely: each table's operation argument exists, keys are unique,
// reads fit OP_MAX, the pointers behind a struct lie inside it and their
// elements fit capture_behind's masks.
func TestOpCaps(t *testing.T) {
	const opMax = 1024 // OP_MAX in bpf/tracer.h
	tab := syscalls.Native()
	ids := map[uint16]bool{}
	for capture, tb := range opTables {
		if ids[tb.id] {
			t.Errorf("table id %d used twice", tb.id)
		}
		ids[tb.id] = true
		found := false
		for _, sc := range tab.All() {
			for _, a := range sc.Args {
				if a.Capture != capture {
					continue
				}
				found = true
				if k, _, _, ok := describeOp(sc, a); !ok || k != capOp {
					t.Errorf("%s: argument %s not read by operation (the operation argument %q missing?)", sc.Name, a.Name, tb.op)
				}
			}
		}
		if !found {
			t.Errorf("table %d: no argument has its capture %d", tb.id, capture)
		}
		ops := map[uint32]bool{}
		for _, c := range tb.caps {
			if ops[c.op] || c.op > 0xffffff {
				t.Errorf("table %d: operation %#x twice or over 24 bits", tb.id, c.op)
			}
			ops[c.op] = true
			if c.size > opMax || c.flags&(opEnter|opExit) == 0 {
				t.Errorf("table %d op %#x: size %d over OP_MAX, or read at no moment", tb.id, c.op, c.size)
			}
			for _, p := range [][2]uint8{{c.ptrOff, c.ptrElem}, {c.ptr2Off, c.ptr2Elem}} {
				if p[0] == 0 {
					continue
				}
				if int(p[0])+8 > int(c.size) || p[0] > 0x3f || p[1] == 0 || p[1] > 0x1f || c.flags&opEnter == 0 {
					t.Errorf("table %d op %#x: pointer at %d (element %d) outside the %d-byte struct or over capture_behind's masks", tb.id, c.op, p[0], p[1], c.size)
				}
			}
			if c.countAt != 0 && (int(c.countAt)-1+4 > int(c.size) || c.countAt > 0x40) {
				t.Errorf("table %d op %#x: count at %d outside the struct", tb.id, c.op, c.countAt-1)
			}
		}
	}
	if bpf.TracerSharedLimitsARRAY_MAX*0x1f > 0x3ff {
		t.Errorf("ARRAY_MAX elements of 31 bytes exceed capture_behind's 0x3ff mask")
	}
}
