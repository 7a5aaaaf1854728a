package bpf

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// The verifier's limit on the stack of a whole bpf-to-bpf call chain is 512
// bytes, each frame rounded up to 32; kernels that give a program no private
// stack (6.18.44 on this project's machines) apply it as it is. The objects
// keep a quarter of it free, so that a kernel that counts a frame a little
// differently, or a new capture, does not fall over the edge.
const stackBudget = 384

// instructionBudget bounds each program's instruction count (main program
// and every subprogram it calls, as the object holds them): a growth past it
// is a change to look at on the kernel matrix before raising the number.
var instructionBudget = map[string]int{
	"sys_enter":          9000,
	"sys_exit":           9000,
	"sched_process_exec": 2500,
	"default":            1500,
}

// frameStack is what the verifier charges a frame of depth d bytes.
func frameStack(d int) int {
	if d < 1 {
		d = 1
	}
	return (d + 31) &^ 31
}

// funcInfo is one bpf-to-bpf function of a program: its own stack depth
// (the deepest offset below r10 it touches) and the functions it calls.
type funcInfo struct {
	stack int
	calls []string
	insns int
}

// callGraph splits a program's instructions into its functions (each starts
// at a symbol) and reads each one's stack depth and callees.
func callGraph(insns asm.Instructions) (string, map[string]*funcInfo) {
	funcs := map[string]*funcInfo{}
	var cur *funcInfo
	var entry string
	// Registers holding r10 plus an offset, within the current function.
	fromFP := map[asm.Register]int64{}
	for _, ins := range insns {
		if sym := ins.Symbol(); sym != "" {
			cur = &funcInfo{}
			funcs[sym] = cur
			if entry == "" {
				entry = sym
			}
			fromFP = map[asm.Register]int64{}
		}
		if cur == nil {
			continue
		}
		cur.insns++
		depth := func(off int64) {
			if int(-off) > cur.stack {
				cur.stack = int(-off)
			}
		}
		op := ins.OpCode
		switch {
		case ins.IsFunctionCall():
			cur.calls = append(cur.calls, ins.Reference())
			for r := asm.R0; r <= asm.R5; r++ {
				delete(fromFP, r)
			}
		case op.Class().IsLoad() && op.Mode() == asm.MemMode:
			if ins.Src == asm.R10 {
				depth(int64(ins.Offset))
			} else if base, ok := fromFP[ins.Src]; ok {
				depth(base + int64(ins.Offset))
			}
			delete(fromFP, ins.Dst)
		case op.Class().IsStore():
			if ins.Dst == asm.R10 {
				depth(int64(ins.Offset))
			} else if base, ok := fromFP[ins.Dst]; ok {
				depth(base + int64(ins.Offset))
			}
		case op.Class().IsALU():
			alu := op.ALUOp()
			switch {
			case alu == asm.Mov && op.Source() == asm.RegSource && ins.Src == asm.R10:
				fromFP[ins.Dst] = 0
			case alu == asm.Mov && op.Source() == asm.RegSource:
				if base, ok := fromFP[ins.Src]; ok {
					fromFP[ins.Dst] = base
				} else {
					delete(fromFP, ins.Dst)
				}
			case alu == asm.Add && op.Source() == asm.ImmSource:
				if base, ok := fromFP[ins.Dst]; ok {
					fromFP[ins.Dst] = base + ins.Constant
					depth(base + ins.Constant)
				}
			default:
				delete(fromFP, ins.Dst)
			}
		default:
			if op.Class().IsLoad() {
				delete(fromFP, ins.Dst)
			}
		}
	}
	return entry, funcs
}

// deepest returns the largest combined stack of a call chain from name, and
// the chain.
func deepest(funcs map[string]*funcInfo, name string, seen map[string]bool) (int, []string) {
	f := funcs[name]
	if f == nil || seen[name] {
		return 0, nil
	}
	seen[name] = true
	defer delete(seen, name)
	best, chain := 0, []string(nil)
	for _, c := range f.calls {
		if d, ch := deepest(funcs, c, seen); d > best {
			best, chain = d, ch
		}
	}
	own := frameStack(f.stack)
	return own + best, append([]string{fmt.Sprintf("%s(%d)", name, own)}, chain...)
}

func loadObject(t *testing.T, path string) *ebpf.CollectionSpec {
	t.Helper()
	spec, err := ebpf.LoadCollectionSpec(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return spec
}

// TestHeadroom reads the committed objects (no root, no kernel) and checks
// each program's deepest bpf-to-bpf chain against stackBudget and its size
// against instructionBudget.
func TestHeadroom(t *testing.T) {
	for _, obj := range []string{"tracer_x86_bpfel.o", "tracer_arm64_bpfel.o"} {
		spec := loadObject(t, obj)
		names := make([]string, 0, len(spec.Programs))
		for name := range spec.Programs {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			prog := spec.Programs[name]
			entry, funcs := callGraph(prog.Instructions)
			if entry == "" {
				t.Errorf("%s: %s: no entry symbol", obj, name)
				continue
			}
			depth, chain := deepest(funcs, entry, map[string]bool{})
			t.Logf("%s %-20s %5d insns, %2d functions, deepest stack %3d: %s",
				obj, name, len(prog.Instructions), len(funcs), depth, strings.Join(chain, " > "))
			if depth > stackBudget {
				t.Errorf("%s: %s: call chain uses %d bytes of stack, over the budget of %d: %s",
					obj, name, depth, stackBudget, strings.Join(chain, " > "))
			}
			budget, ok := instructionBudget[name]
			if !ok {
				budget = instructionBudget["default"]
			}
			if n := len(prog.Instructions); n > budget {
				t.Errorf("%s: %s: %d instructions, over its budget of %d", obj, name, n, budget)
			}
		}
	}
}
