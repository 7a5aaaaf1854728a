package stack

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"sort"
)

// ehFrame holds the call-frame information of one file's .eh_frame: for
// any instruction address, how to find the caller's frame (the CFA, the
// return address and the saved frame pointer). Only what unwinding the
// user stack needs is interpreted: CFA as a register plus an offset, and
// registers saved at an offset from the CFA.
type ehFrame struct {
	data  []byte
	addr  uint64 // the section's address
	order binary.ByteOrder
	fdes  []fde // sorted by start
	cies  map[uint64]*cie
}

type cie struct {
	codeAlign uint64
	dataAlign int64
	raReg     uint64
	fdeEnc    byte
	hasAug    bool // 'z': FDEs carry augmentation data
	initial   []byte
}

type fde struct {
	start, end uint64
	cie        *cie
	insns      []byte
}

// DWARF pointer encodings (DW_EH_PE_*).
const (
	peAbsptr  = 0x00
	peUleb128 = 0x01
	peUdata2  = 0x02
	peUdata4  = 0x03
	peUdata8  = 0x04
	peSleb128 = 0x09
	peSdata2  = 0x0a
	peSdata4  = 0x0b
	peSdata8  = 0x0c
	pePcrel   = 0x10
	peDatarel = 0x30
	peOmit    = 0xff
)

var errCFI = errors.New("bad call-frame information")

func parseEhFrame(f *elf.File) *ehFrame {
	s := f.Section(".eh_frame")
	if s == nil || s.Type == elf.SHT_NOBITS {
		return nil
	}
	data, err := s.Data()
	if err != nil {
		return nil
	}
	e := &ehFrame{data: data, addr: s.Addr, order: f.ByteOrder, cies: make(map[uint64]*cie)}
	for off := uint64(0); off+4 <= uint64(len(data)); {
		length := uint64(e.order.Uint32(data[off:]))
		hdr := uint64(4)
		if length == 0 {
			break // terminator
		}
		if length == 0xffffffff {
			if off+12 > uint64(len(data)) {
				break
			}
			length = e.order.Uint64(data[off+4:])
			hdr = 12
		}
		body := off + hdr
		next := body + length
		if next > uint64(len(data)) || length < 4 {
			break
		}
		id := uint64(e.order.Uint32(data[body:]))
		if id != 0 {
			cieOff := body - id
			c, err := e.cie(cieOff)
			if err == nil {
				if fd, err := e.parseFDE(c, body+4, next); err == nil {
					e.fdes = append(e.fdes, fd)
				}
			}
		}
		off = next
	}
	sort.Slice(e.fdes, func(i, j int) bool { return e.fdes[i].start < e.fdes[j].start })
	return e
}

type cursor struct {
	b   []byte
	pos uint64
	err bool
}

func (c *cursor) u8() byte {
	if c.pos >= uint64(len(c.b)) {
		c.err = true
		return 0
	}
	v := c.b[c.pos]
	c.pos++
	return v
}

func (c *cursor) uleb() uint64 {
	var v uint64
	var shift uint
	for {
		b := c.u8()
		if c.err {
			return 0
		}
		if shift < 64 {
			v |= uint64(b&0x7f) << shift
		}
		shift += 7
		if b&0x80 == 0 {
			return v
		}
	}
}

func (c *cursor) sleb() int64 {
	var v int64
	var shift uint
	var b byte
	for {
		b = c.u8()
		if c.err {
			return 0
		}
		if shift < 64 {
			v |= int64(b&0x7f) << shift
		}
		shift += 7
		if b&0x80 == 0 {
			break
		}
	}
	if shift < 64 && b&0x40 != 0 {
		v |= -1 << shift
	}
	return v
}

func (c *cursor) fixed(n int, order binary.ByteOrder) uint64 {
	if c.pos+uint64(n) > uint64(len(c.b)) {
		c.err = true
		return 0
	}
	p := c.b[c.pos:]
	c.pos += uint64(n)
	switch n {
	case 1:
		return uint64(p[0])
	case 2:
		return uint64(order.Uint16(p))
	case 4:
		return uint64(order.Uint32(p))
	}
	return order.Uint64(p)
}

// pointer reads a pointer of encoding enc; base is the address of the
// section's first byte, for pc-relative values.
func (e *ehFrame) pointer(c *cursor, enc byte) uint64 {
	if enc == peOmit {
		return 0
	}
	at := e.addr + c.pos
	var v uint64
	switch enc & 0x0f {
	case peAbsptr:
		v = c.fixed(8, e.order)
	case peUleb128:
		v = c.uleb()
	case peUdata2:
		v = c.fixed(2, e.order)
	case peUdata4:
		v = c.fixed(4, e.order)
	case peUdata8, peSdata8:
		v = c.fixed(8, e.order)
	case peSleb128:
		v = uint64(c.sleb())
	case peSdata2:
		v = uint64(int64(int16(c.fixed(2, e.order))))
	case peSdata4:
		v = uint64(int64(int32(c.fixed(4, e.order))))
	default:
		c.err = true
	}
	switch enc & 0x70 {
	case pePcrel:
		v += at
	case 0:
	case peDatarel:
		// Unused in .eh_frame FDEs of executables and libraries.
	default:
		c.err = true
	}
	return v
}

func (e *ehFrame) cie(off uint64) (*cie, error) {
	if c, ok := e.cies[off]; ok {
		if c == nil {
			return nil, errCFI
		}
		return c, nil
	}
	c, err := e.parseCIE(off)
	e.cies[off] = c
	return c, err
}

func (e *ehFrame) parseCIE(off uint64) (*cie, error) {
	if off+8 > uint64(len(e.data)) {
		return nil, errCFI
	}
	length := uint64(e.order.Uint32(e.data[off:]))
	if length == 0xffffffff {
		return nil, errCFI // 64-bit CIEs do not occur in .eh_frame in practice
	}
	end := off + 4 + length
	if end > uint64(len(e.data)) {
		return nil, errCFI
	}
	cur := &cursor{b: e.data[:end], pos: off + 8}
	version := cur.u8()
	var aug []byte
	for {
		b := cur.u8()
		if cur.err || b == 0 {
			break
		}
		aug = append(aug, b)
	}
	c := &cie{fdeEnc: peAbsptr}
	if len(aug) >= 2 && aug[0] == 'e' && aug[1] == 'h' {
		cur.fixed(8, e.order)
		aug = aug[2:]
	}
	c.codeAlign = cur.uleb()
	c.dataAlign = cur.sleb()
	if version == 1 {
		c.raReg = uint64(cur.u8())
	} else {
		c.raReg = cur.uleb()
	}
	if len(aug) > 0 && aug[0] == 'z' {
		c.hasAug = true
		n := cur.uleb()
		augEnd := cur.pos + n
		for _, a := range aug[1:] {
			switch a {
			case 'R':
				c.fdeEnc = cur.u8()
			case 'P':
				enc := cur.u8()
				e.pointer(cur, enc&^0x80)
			case 'L':
				cur.u8()
			case 'S', 'B':
			default:
				cur.pos = augEnd
			}
		}
		cur.pos = augEnd
	}
	if cur.err || cur.pos > end {
		return nil, errCFI
	}
	c.initial = e.data[cur.pos:end]
	return c, nil
}

func (e *ehFrame) parseFDE(c *cie, pos, end uint64) (fde, error) {
	cur := &cursor{b: e.data[:end], pos: pos}
	start := e.pointer(cur, c.fdeEnc)
	size := e.pointer(cur, c.fdeEnc&0x0f)
	if c.hasAug {
		n := cur.uleb() // the FDE's augmentation data
		cur.pos += n
	}
	if cur.err || cur.pos > end {
		return fde{}, errCFI
	}
	return fde{start: start, end: start + size, cie: c, insns: e.data[cur.pos:end]}, nil
}

// rule says where a register of the caller is.
type rule struct {
	kind   uint8 // ruleSame, ruleUndef, ruleOffset, ruleValOffset, ruleReg, ruleUnknown
	offset int64
	reg    uint64
}

const (
	ruleSame = iota
	ruleUndef
	ruleOffset    // saved at CFA+offset
	ruleValOffset // is CFA+offset
	ruleReg       // in register reg
	ruleUnknown   // an expression: not followed
)

// frameRules are the CFA and the rules of the registers unwinding needs at
// one instruction.
type frameRules struct {
	cfaReg    uint64
	cfaOffset int64
	cfaExpr   bool
	regs      map[uint64]rule
}

func (r frameRules) rule(reg uint64) rule {
	if x, ok := r.regs[reg]; ok {
		return x
	}
	return rule{kind: ruleSame}
}

func (r *frameRules) clone() frameRules {
	n := *r
	n.regs = make(map[uint64]rule, len(r.regs))
	for k, v := range r.regs {
		n.regs[k] = v
	}
	return n
}

// find returns the rules in effect at pc, and the return-address register.
func (e *ehFrame) find(pc uint64) (frameRules, uint64, bool) {
	i := sort.Search(len(e.fdes), func(i int) bool { return e.fdes[i].start > pc })
	if i == 0 {
		return frameRules{}, 0, false
	}
	f := &e.fdes[i-1]
	if pc >= f.end {
		return frameRules{}, 0, false
	}
	r := frameRules{regs: make(map[uint64]rule)}
	if !e.run(f.cie, f.cie.initial, f.start, ^uint64(0), &r, nil) {
		return frameRules{}, 0, false
	}
	init := r.clone()
	if !e.run(f.cie, f.insns, f.start, pc, &r, &init) {
		return frameRules{}, 0, false
	}
	return r, f.cie.raReg, true
}

// run executes call-frame instructions from loc until the location passes
// pc. init holds the CIE's rules, for DW_CFA_restore.
func (e *ehFrame) run(c *cie, insns []byte, loc, pc uint64, r *frameRules, init *frameRules) bool {
	cur := &cursor{b: insns}
	var stack []frameRules
	for cur.pos < uint64(len(insns)) {
		op := cur.u8()
		var operand = uint64(op & 0x3f)
		switch op >> 6 {
		case 1: // DW_CFA_advance_loc
			loc += operand * c.codeAlign
			if loc > pc {
				return true
			}
			continue
		case 2: // DW_CFA_offset
			r.regs[operand] = rule{kind: ruleOffset, offset: int64(cur.uleb()) * c.dataAlign}
			continue
		case 3: // DW_CFA_restore
			restore(r, init, operand)
			continue
		}
		switch op {
		case 0x00: // nop
		case 0x01: // set_loc
			loc = e.pointer(cur, c.fdeEnc)
		case 0x02, 0x03, 0x04: // advance_loc1/2/4
			n := map[byte]int{2: 1, 3: 2, 4: 4}[op]
			loc += cur.fixed(n, e.order) * c.codeAlign
		case 0x05: // offset_extended
			reg := cur.uleb()
			r.regs[reg] = rule{kind: ruleOffset, offset: int64(cur.uleb()) * c.dataAlign}
		case 0x06: // restore_extended
			restore(r, init, cur.uleb())
		case 0x07: // undefined
			r.regs[cur.uleb()] = rule{kind: ruleUndef}
		case 0x08: // same_value
			r.regs[cur.uleb()] = rule{kind: ruleSame}
		case 0x09: // register
			reg := cur.uleb()
			r.regs[reg] = rule{kind: ruleReg, reg: cur.uleb()}
		case 0x0a: // remember_state
			stack = append(stack, r.clone())
		case 0x0b: // restore_state
			if len(stack) == 0 {
				return false
			}
			*r = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		case 0x0c: // def_cfa
			r.cfaReg = cur.uleb()
			r.cfaOffset = int64(cur.uleb())
			r.cfaExpr = false
		case 0x0d: // def_cfa_register
			r.cfaReg = cur.uleb()
			r.cfaExpr = false
		case 0x0e: // def_cfa_offset
			r.cfaOffset = int64(cur.uleb())
		case 0x0f: // def_cfa_expression
			n := cur.uleb()
			cur.pos += n
			r.cfaExpr = true
		case 0x10, 0x16: // expression, val_expression
			reg := cur.uleb()
			n := cur.uleb()
			cur.pos += n
			r.regs[reg] = rule{kind: ruleUnknown}
		case 0x11: // offset_extended_sf
			reg := cur.uleb()
			r.regs[reg] = rule{kind: ruleOffset, offset: cur.sleb() * c.dataAlign}
		case 0x12: // def_cfa_sf
			r.cfaReg = cur.uleb()
			r.cfaOffset = cur.sleb() * c.dataAlign
			r.cfaExpr = false
		case 0x13: // def_cfa_offset_sf
			r.cfaOffset = cur.sleb() * c.dataAlign
		case 0x14: // val_offset
			reg := cur.uleb()
			r.regs[reg] = rule{kind: ruleValOffset, offset: int64(cur.uleb()) * c.dataAlign}
		case 0x15: // val_offset_sf
			reg := cur.uleb()
			r.regs[reg] = rule{kind: ruleValOffset, offset: cur.sleb() * c.dataAlign}
		case 0x2e: // GNU_args_size
			cur.uleb()
		case 0x2f: // GNU_negative_offset_extended
			reg := cur.uleb()
			r.regs[reg] = rule{kind: ruleOffset, offset: -int64(cur.uleb()) * c.dataAlign}
		default:
			return false
		}
		if cur.err {
			return false
		}
		if loc > pc {
			return true
		}
	}
	return true
}

func restore(r, init *frameRules, reg uint64) {
	if init != nil {
		if x, ok := init.regs[reg]; ok {
			r.regs[reg] = x
			return
		}
	}
	delete(r.regs, reg)
}
