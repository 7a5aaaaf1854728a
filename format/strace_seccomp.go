package format

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// A classic BPF filter program (struct sock_fprog) as strace prints
// seccomp(SECCOMP_SET_MODE_FILTER) and prctl(PR_SET_SECCOMP,
// SECCOMP_MODE_FILTER): {len=N, filter=ADDR}, and with -v its
// instructions as BPF_STMT(code, k) and BPF_JUMP(code, k, jt, jf). The
// kernel side (capture_fprog in bpf/capture.bpf.h) reads the 16-byte
// sock_fprog and after it, in the same item, the first fprogMax
// instructions: a longer program ends with "..." where strace -v prints
// all of them.

const (
	fprogSize = 16  // struct sock_fprog: u16 len, padding, the instructions' address
	fprogMax  = 256 // instructions captured at most (FPROG_MAX in bpf/tracer.h)
)

// bpfNames is a classic BPF opcode field's names by value (linux/bpf_common.h
// and linux/filter.h), as strace's bpf_* xlat tables.
type bpfNames map[uint16]string

var (
	bpfClass  = bpfNames{0: "BPF_LD", 1: "BPF_LDX", 2: "BPF_ST", 3: "BPF_STX", 4: "BPF_ALU", 5: "BPF_JMP", 6: "BPF_RET", 7: "BPF_MISC"}
	bpfSize   = bpfNames{0x00: "BPF_W", 0x08: "BPF_H", 0x10: "BPF_B", 0x18: "BPF_DW"}
	bpfMode   = bpfNames{0x00: "BPF_IMM", 0x20: "BPF_ABS", 0x40: "BPF_IND", 0x60: "BPF_MEM", 0x80: "BPF_LEN", 0xa0: "BPF_MSH", 0xc0: "BPF_XADD"}
	bpfSrc    = bpfNames{0x00: "BPF_K", 0x08: "BPF_X"}
	bpfRval   = bpfNames{0x00: "BPF_K", 0x08: "BPF_X", 0x10: "BPF_A"}
	bpfMiscop = bpfNames{0x00: "BPF_TAX", 0x80: "BPF_TXA"}
	bpfOpALU  = bpfNames{0x00: "BPF_ADD", 0x10: "BPF_SUB", 0x20: "BPF_MUL", 0x30: "BPF_DIV", 0x40: "BPF_OR", 0x50: "BPF_AND", 0x60: "BPF_LSH", 0x70: "BPF_RSH", 0x80: "BPF_NEG", 0x90: "BPF_MOD", 0xa0: "BPF_XOR", 0xb0: "BPF_MOV", 0xc0: "BPF_ARSH", 0xd0: "BPF_END"}
	bpfOpJmp  = bpfNames{0x00: "BPF_JA", 0x10: "BPF_JEQ", 0x20: "BPF_JGT", 0x30: "BPF_JGE", 0x40: "BPF_JSET", 0x50: "BPF_JNE", 0x60: "BPF_JSGT", 0x70: "BPF_JSGE", 0x80: "BPF_CALL", 0x90: "BPF_EXIT", 0xa0: "BPF_JLT", 0xb0: "BPF_JLE", 0xc0: "BPF_JSLT", 0xd0: "BPF_JSLE"}
)

// appendBPFName appends v's name, or v in hex with strace's BPF_??? comment.
func appendBPFName(d []byte, names bpfNames, v uint16) []byte {
	if n, ok := names[v]; ok {
		return append(d, n...)
	}
	return appendBPFUnknown(d, v)
}

func appendBPFUnknown(d []byte, v uint16) []byte {
	d = appendHexNum(d, uint64(v))
	return append(d, " /* BPF_??? */"...)
}

// appendBPFCode appends a classic BPF instruction's code as strace's
// print_bpf_filter_code: the class, then its fields, leftover bits in hex.
func appendBPFCode(d []byte, code uint16) []byte {
	class := code & 7
	rest := code &^ 7
	d = appendBPFName(d, bpfClass, class)
	switch class {
	case 2, 3: // BPF_ST, BPF_STX
		if rest != 0 {
			d = append(d, '|')
			d = appendBPFUnknown(d, rest)
		}
	case 0, 1: // BPF_LD, BPF_LDX
		d = append(d, '|')
		d = appendBPFName(d, bpfSize, code&0x18)
		d = append(d, '|')
		d = appendBPFName(d, bpfMode, code&0xe0)
	case 7: // BPF_MISC
		d = append(d, '|')
		d = appendBPFName(d, bpfMiscop, code&0xf8)
		if rest &^= code & 0xf8; rest != 0 {
			d = append(d, '|')
			d = appendBPFUnknown(d, rest)
		}
	case 4: // BPF_ALU
		d = append(d, '|')
		d = appendBPFName(d, bpfSrc, code&0x08)
		d = append(d, '|')
		d = appendBPFName(d, bpfOpALU, code&0xf0)
	case 5: // BPF_JMP
		d = append(d, '|')
		d = appendBPFName(d, bpfSrc, code&0x08)
		d = append(d, '|')
		d = appendBPFName(d, bpfOpJmp, code&0xf0)
	case 6: // BPF_RET
		d = append(d, '|')
		d = appendBPFName(d, bpfRval, code&0x18)
		if rest &^= code & 0x18; rest != 0 {
			d = append(d, '|')
			d = appendBPFUnknown(d, rest)
		}
	}
	return d
}

// appendSeccompInsn appends one instruction as strace's
// print_bpf_filter_block with seccomp's print_seccomp_filter_k: a jump
// when jt or jf is set, else a statement whose return value is a
// SECCOMP_RET_* action and its data.
func (c *call) appendSeccompInsn(d, b []byte) []byte {
	code := le.Uint16(b)
	jt, jf := b[2], b[3]
	k := le.Uint32(b[4:])
	if jt != 0 || jf != 0 {
		d = append(d, "BPF_JUMP("...)
		d = appendBPFCode(d, code)
		d = append(d, ", "...)
		d = appendHexNum(d, uint64(k))
		d = append(d, ", "...)
		d = appendHexNum(d, uint64(jt))
		d = append(d, ", "...)
		d = appendHexNum(d, uint64(jf))
		return append(d, ')')
	}
	d = append(d, "BPF_STMT("...)
	d = appendBPFCode(d, code)
	d = append(d, ", "...)
	if code&7 == 6 { // BPF_RET: the action (SECCOMP_RET_ACTION_FULL) and its data
		action := k & 0xffff0000
		d = c.appendFlags(d, "seccomp_ret_action", uint64(action))
		if data := k &^ action; data != 0 {
			d = append(d, '|')
			d = appendHexNum(d, uint64(data))
		}
	} else {
		d = appendHexNum(d, uint64(k))
	}
	return append(d, ')')
}

// appendSeccompFprog appends the struct sock_fprog at p, captured for
// argument arg at enter, as strace's decode_seccomp_fprog: the address
// when it was not read, the instructions only with -v (strace abbreviates
// the program to its address otherwise), all that were captured.
func (c *call) appendSeccompFprog(d []byte, arg int, p uint64) []byte {
	b, ok := c.data(arg, event.BufIn)
	if p == 0 || !ok || len(b) < fprogSize {
		return appendPtr(d, p)
	}
	n := uint64(le.Uint16(b))
	insns := le.Uint64(b[8:])
	d = append(d, "{len="...)
	d = strconv.AppendUint(d, n, 10)
	d = append(d, ", filter="...)
	got := uint64(len(b)-fprogSize) / 8
	switch {
	case !c.s.opts.Verbose || insns == 0:
		d = appendPtr(d, insns)
	case n == 0:
		d = append(d, "[]"...)
	case got == 0:
		d = appendPtr(d, insns) // not readable
	default:
		d = append(d, '[')
		for i := uint64(0); i < n; i++ {
			if i > 0 {
				d = append(d, ", "...)
			}
			if i >= got {
				d = append(d, "..."...)
				break
			}
			d = c.appendSeccompInsn(d, b[fprogSize+i*8:fprogSize+i*8+8])
		}
		d = append(d, ']')
	}
	return append(d, '}')
}
