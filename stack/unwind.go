package stack

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// Raw is a user stack as the kernel captured it for one call (the
// ITEM_STACK item of bpf/tracer.bpf.c).
type Raw struct {
	SP, FP, LR uint64   // registers at the syscall (LR: arm64's x30, else 0)
	IPs        []uint64 // the kernel's frame-pointer walk, the syscall's own address first
	Window     []byte   // the stack from SP up, when copied
}

// RawHeader is the size of the stack item's header (STACK_HDR in
// bpf/tracer.h, checked by engine's contract test): sp, fp, lr, then the count of addresses (low
// 32 bits) and of window bytes (high 32 bits).
const RawHeader = 32

var errRaw = errors.New("bad stack item")

// ParseRaw decodes a stack item. The slices alias b.
func ParseRaw(b []byte) (Raw, error) {
	le := binary.LittleEndian
	if len(b) < RawHeader {
		return Raw{}, fmt.Errorf("decoding stack: %d bytes: %w", len(b), errRaw)
	}
	r := Raw{SP: le.Uint64(b), FP: le.Uint64(b[8:]), LR: le.Uint64(b[16:])}
	n := int(le.Uint32(b[24:]))
	w := int(le.Uint32(b[28:]))
	if RawHeader+8*n+w != len(b) {
		return Raw{}, fmt.Errorf("decoding stack: %d addresses and %d window bytes in %d bytes: %w", n, w, len(b), errRaw)
	}
	r.IPs = make([]uint64, n)
	for i := range r.IPs {
		r.IPs[i] = le.Uint64(b[RawHeader+8*i:])
	}
	r.Window = b[RawHeader+8*n:]
	return r, nil
}

// Arch describes the registers unwinding follows, by DWARF number.
type Arch struct {
	SP, FP, RA uint64
	// FrameLR: a frame record holds the caller's frame pointer and then
	// the return address (x86-64's push rbp after call, arm64's stp
	// x29, x30); the first frame's return address may still be in LR.
	HasLR bool
}

var (
	AMD64 = Arch{SP: 7, FP: 6, RA: 16}
	ARM64 = Arch{SP: 31, FP: 29, RA: 30, HasLR: true}
)

// MaxFrames bounds an unwound stack, as the kernel's perf_event_max_stack.
const MaxFrames = 127

// Symbolizer names the frames of captured stacks.
type Symbolizer struct {
	Tracker *Tracker
	Arch    Arch

	cache   map[stackKey]*cachedStack
	reads   []stackWord // of the stack being unwound
	usedIPs bool        // it used the kernel's walk
}

// Frames unwinds raw for pid at monotonic time ts and names each frame.
//
// A process calls from few places, and unwinding is a function of the
// registers, the stack words it reads and the mappings: a stack whose
// registers and read words equal a previous one's in the same process
// image gets the previous frames (shared: callers must not modify them).
func (s *Symbolizer) Frames(pid uint32, ts uint64, raw Raw) []event.Frame {
	if len(raw.IPs) == 0 {
		return nil
	}
	key := stackKey{pid: pid, version: s.Tracker.version(pid), pc: raw.IPs[0], sp: raw.SP, fp: raw.FP, lr: raw.LR, window: len(raw.Window)}
	if e, ok := s.cache[key]; ok && e.matches(raw) {
		return e.frames
	}
	s.reads = s.reads[:0]
	s.usedIPs = false
	pcs := s.unwind(pid, ts, raw)
	out := make([]event.Frame, 0, len(pcs))
	for _, pc := range pcs {
		out = append(out, s.frame(pid, ts, pc))
	}
	if s.cache == nil || len(s.cache) >= cacheMax {
		s.cache = make(map[stackKey]*cachedStack)
	}
	e := &cachedStack{reads: append([]stackWord(nil), s.reads...), frames: out}
	if s.usedIPs {
		e.ips = append([]uint64(nil), raw.IPs...)
	}
	s.cache[key] = e
	return out
}

type stackKey struct {
	pid            uint32
	version        uint64
	pc, sp, fp, lr uint64
	window         int
}

// stackWord is a word unwinding read from the window.
type stackWord struct{ off, val uint64 }

type cachedStack struct {
	reads  []stackWord
	ips    []uint64 // the kernel's walk, when the frames used it
	frames []event.Frame
}

func (e *cachedStack) matches(raw Raw) bool {
	for _, w := range e.reads {
		if binary.LittleEndian.Uint64(raw.Window[w.off:]) != w.val {
			return false
		}
	}
	if e.ips != nil {
		if len(e.ips) != len(raw.IPs) {
			return false
		}
		for i := range e.ips {
			if e.ips[i] != raw.IPs[i] {
				return false
			}
		}
	}
	return true
}

func (s *Symbolizer) frame(pid uint32, ts, pc uint64) event.Frame {
	f := event.Frame{Addr: pc}
	m := s.Tracker.lookup(pid, ts, pc)
	if m == nil {
		return f
	}
	f.Module = m.Path
	f.Offset = pc - m.Start + m.Pgoff
	if o := s.Tracker.files.get(m.Path); o != nil {
		if va, ok := o.vaddr(f.Offset); ok {
			f.Symbol, f.SymOff, _ = o.symbolize(va)
		}
	}
	return f
}

// unwind returns the call's return addresses, innermost first. Without a
// window it is the kernel's frame-pointer walk. With one, each frame is
// unwound with its file's .eh_frame where it has an entry for the address,
// else by frame pointer, reading saved values from the window; when the
// window is exhausted the kernel's walk continues, from the first address
// both agree on.
func (s *Symbolizer) unwind(pid uint32, ts uint64, raw Raw) []uint64 {
	if len(raw.IPs) == 0 {
		return nil
	}
	if len(raw.Window) == 0 {
		return s.mapped(pid, ts, raw.IPs[:1], raw.IPs[1:])
	}
	a := s.Arch
	read := func(addr uint64) (uint64, bool) {
		if addr < raw.SP || addr-raw.SP+8 > uint64(len(raw.Window)) {
			return 0, false
		}
		v := binary.LittleEndian.Uint64(raw.Window[addr-raw.SP:])
		s.reads = append(s.reads, stackWord{addr - raw.SP, v})
		return v, true
	}
	pc, sp, fp, lr := raw.IPs[0], raw.SP, raw.FP, raw.LR
	out := []uint64{pc}
	for len(out) < MaxFrames {
		look := pc
		if len(out) > 1 {
			look = pc - 1 // inside the call instruction, not after it
		}
		var ra, nfp, nsp uint64
		ok := false
		if rules, raReg, found := s.cfiAt(pid, ts, look); found && !rules.cfaExpr && (rules.cfaReg == a.SP || rules.cfaReg == a.FP) {
			cfa := uint64(int64(sp) + rules.cfaOffset)
			if rules.cfaReg == a.FP {
				cfa = uint64(int64(fp) + rules.cfaOffset)
			}
			ok = true
			switch r := rules.rule(raReg); r.kind {
			case ruleOffset:
				ra, ok = read(uint64(int64(cfa) + r.offset))
			case ruleSame:
				ra, ok = lr, a.HasLR && len(out) == 1
			default:
				ok = false
			}
			nfp = fp
			if r := rules.rule(a.FP); r.kind == ruleOffset && ok {
				nfp, ok = read(uint64(int64(cfa) + r.offset))
			}
			nsp = cfa
		} else if fp != 0 {
			// A frame record at fp: the caller's fp, then the return address.
			var ok1, ok2 bool
			nfp, ok1 = read(fp)
			ra, ok2 = read(fp + 8)
			nsp = fp + 16
			ok = ok1 && ok2
		}
		if !ok {
			return s.join(pid, ts, out, raw.IPs)
		}
		if ra == 0 || nsp <= sp || s.Tracker.lookup(pid, ts, ra) == nil {
			break
		}
		out = append(out, ra)
		pc, sp, fp = ra, nsp, nfp
	}
	return out
}

// join continues out with the kernel's walk after the last address they
// share, when they share one besides the first.
func (s *Symbolizer) join(pid uint32, ts uint64, out, ips []uint64) []uint64 {
	last := out[len(out)-1]
	for j := 1; j < len(ips); j++ {
		if ips[j] == last && len(out) > 1 {
			return s.mapped(pid, ts, out, ips[j+1:])
		}
	}
	return out
}

// mapped appends the kernel's return addresses up to the first one in no
// executable mapping: a frame-pointer walk that went astray (through code
// that uses the register for something else) reads garbage from there on.
func (s *Symbolizer) mapped(pid uint32, ts uint64, out, ips []uint64) []uint64 {
	s.usedIPs = true
	for _, ip := range ips {
		if ip == 0 || s.Tracker.lookup(pid, ts, ip) == nil {
			break
		}
		out = append(out, ip)
	}
	return out
}

func (s *Symbolizer) cfiAt(pid uint32, ts, pc uint64) (frameRules, uint64, bool) {
	m := s.Tracker.lookup(pid, ts, pc)
	if m == nil {
		return frameRules{}, 0, false
	}
	o := s.Tracker.files.get(m.Path)
	if o == nil || o.cfi == nil {
		return frameRules{}, 0, false
	}
	va, ok := o.vaddr(pc - m.Start + m.Pgoff)
	if !ok {
		return frameRules{}, 0, false
	}
	return o.rulesAt(va)
}
