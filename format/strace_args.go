package format

import (
	"encoding/binary"
	"os"
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// phase selects which arguments appendArgs prints: strace prints the
// arguments it decodes at enter before "<unfinished ...>", and the rest
// after "<... name resumed>".
type phase uint8

const (
	phaseAll phase = iota
	phaseEnter
	phaseExit
)

// call is one syscall event being rendered.
type call struct {
	s  *Strace
	ev *event.Event
	sc *syscalls.Syscall

	cur      int     // the argument being rendered, for printers that look at its other captures
	buf      []byte  // rendered arguments, back to back
	pieces   []piece // where each argument is in buf
	rendered bool
}

// piece is one rendered argument: buf[start:end]; exit says strace decodes
// it when the call returns; glue, that it continues the argument before it
// (clone3's " => {parent_tid=[N]}"), with no ", " in between.
type piece struct {
	start, end int
	exit, glue bool
}

var le = binary.LittleEndian

func (c *call) nargs() int {
	if c.sc != nil {
		return len(c.sc.Args)
	}
	return 6
}

// add appends a rendered argument; fn writes it.
func (c *call) add(exit bool, text []byte) {
	start := len(c.buf)
	c.buf = append(c.buf, text...)
	c.pieces = append(c.pieces, piece{start: start, end: len(c.buf), exit: exit})
}

// addf renders an argument in place.
func (c *call) addf(exit bool, fn func(dst []byte) []byte) {
	start := len(c.buf)
	c.buf = fn(c.buf)
	c.pieces = append(c.pieces, piece{start: start, end: len(c.buf), exit: exit})
}

// glue renders, at exit, what strace appends to the argument before it
// once the call returns (" => {...}").
func (c *call) glue(fn func(dst []byte) []byte) {
	c.addf(true, fn)
	c.pieces[len(c.pieces)-1].glue = true
}

func (c *call) render() {
	if c.rendered {
		return
	}
	c.rendered = true
	if c.raw() {
		c.renderRaw() // -e raw= (callsets.go)
		return
	}
	if c.sc == nil {
		// Unknown syscall: every argument in hex, as strace.
		for i := 0; i < 6; i++ {
			c.addf(false, func(d []byte) []byte { return appendHexNum(d, c.ev.Args[i]) })
		}
		return
	}
	if c.terseArgs() {
		c.renderTerse() // outside -e verbose= (callsets.go)
		return
	}
	if fn := callPrinters[c.sc.Printer]; fn != nil {
		fn(c)
		return
	}
	for i := range c.sc.Args {
		c.generic(i)
	}
}

func (c *call) appendArgs(dst []byte, ph phase) []byte {
	c.render()
	first := 0 // index of the first exit argument
	for first < len(c.pieces) && !c.pieces[first].exit {
		first++
	}
	lo, hi := 0, len(c.pieces)
	switch ph {
	case phaseEnter:
		hi = first
	case phaseExit:
		lo = first
	}
	for i := lo; i < hi; i++ {
		p := c.pieces[i]
		if i > lo && !p.glue {
			dst = append(dst, ", "...)
		}
		dst = append(dst, c.buf[p.start:p.end]...)
	}
	if ph == phaseEnter && hi < len(c.pieces) && hi > 0 && !c.pieces[hi].glue {
		dst = append(dst, ", "...)
	}
	return dst
}

// failed reports whether the call failed (exit-time data is then absent).
func (c *call) failed() bool { return c.ev.Failed() }

// data returns the bytes captured for argument arg with kind k.
func (c *call) data(arg int, kinds ...event.DataKind) ([]byte, bool) {
	for i := range c.ev.Data {
		d := &c.ev.Data[i]
		if int(d.Arg) != arg {
			continue
		}
		for _, k := range kinds {
			if d.Kind == k {
				return d.Bytes, true
			}
		}
	}
	return nil, false
}

func (c *call) str(arg int) ([]byte, bool, bool) {
	for i := range c.ev.Data {
		d := &c.ev.Data[i]
		if int(d.Arg) == arg && (d.Kind == event.Str || d.Kind == event.StrTrunc) {
			return d.Bytes, d.Kind == event.StrTrunc, true
		}
	}
	return nil, false, false
}

func (c *call) arg(i int) uint64 {
	if c.sc != nil && i < len(c.sc.Args) {
		return c.sc.Args[i].Normalize(c.ev.Args[i])
	}
	return c.ev.Args[i]
}

// appendHexNum appends v as C's %#lx: "0x1f", and "0" for zero.
func appendHexNum(dst []byte, v uint64) []byte {
	if v == 0 {
		return append(dst, '0')
	}
	dst = append(dst, '0', 'x')
	return strconv.AppendUint(dst, v, 16)
}

func appendPtr(dst []byte, v uint64) []byte {
	if v == 0 {
		return append(dst, "NULL"...)
	}
	return appendHexNum(dst, v)
}

// appendFd appends an fd argument, with what it refers to under -y.
func (c *call) appendFd(dst []byte, fd int64) []byte { return c.appendFdAt(dst, fd, false) }

func appendEscapedPath(dst []byte, p string) []byte {
	for i := 0; i < len(p); i++ {
		ch := p[i]
		if ch < 0x20 || ch >= 0x7f || ch == '>' || ch == '\\' {
			dst = append(dst, '\\', 'x', hexLower[ch>>4], hexLower[ch&15])
			continue
		}
		dst = append(dst, ch)
	}
	return dst
}

// generic renders argument i from its kind and decoder.
func (c *call) generic(i int) {
	a := &c.sc.Args[i]
	raw := c.ev.Args[i]
	v := a.Normalize(raw)
	ev := c.ev
	c.cur = i
	if a.Kind == syscalls.Int && int(a.Printer) < len(valPrinters) && valPrinters[a.Printer] != nil {
		fn := valPrinters[a.Printer]
		c.addf(false, func(d []byte) []byte { return fn(c, d, v) })
		return
	}
	switch a.Kind {
	case syscalls.Fd:
		c.addf(false, func(d []byte) []byte { return c.appendFd(d, int64(int32(v))) })
	case syscalls.Dirfd:
		if int32(v) == -100 {
			c.addf(false, func(d []byte) []byte {
				// -y: strace shows the working directory.
				d = append(d, "AT_FDCWD"...)
				if f, ok := c.ev.FdData(-100, false); ok && c.s.opts.fdKinds()&FdPath != 0 {
					d = appendFdDesc(d, &f, false)
				}
				return d
			})
		} else {
			c.addf(false, func(d []byte) []byte { return c.appendFd(d, int64(int32(v))) })
		}
	case syscalls.Path:
		c.addf(false, func(d []byte) []byte {
			if b, trunc, ok := c.str(i); ok {
				d = c.quote(d, b)
				if trunc {
					d = append(d, "..."...)
				}
				return d
			}
			return appendPtr(d, raw)
		})
	case syscalls.Str:
		c.addf(false, func(d []byte) []byte {
			if b, trunc, ok := c.str(i); ok {
				return c.appendStrLimited(d, b, trunc)
			}
			return appendPtr(d, raw)
		})
	case syscalls.BufIn:
		if fn := argPrinter(a); fn != nil {
			c.addf(false, func(d []byte) []byte {
				if b, ok := c.data(i, event.BufIn); ok {
					return fn(c, d, b)
				}
				return appendPtr(d, raw)
			})
			return
		}
		if a.Decoder != "" {
			c.addf(false, func(d []byte) []byte { return appendPtr(d, raw) })
			return
		}
		n := uint64(0)
		if a.SizeArg >= 0 {
			n = ev.Args[a.SizeArg]
		}
		c.addf(false, func(d []byte) []byte { return c.appendBuf(d, i, event.BufIn, n, raw) })
	case syscalls.BufOut:
		// A size of 0 asks for the size needed (listxattr): the buffer
		// holds nothing, and strace prints its address.
		empty := a.SizeArg >= 0 && ev.Args[a.SizeArg] == 0
		if a.Decoder != "" || empty || c.failed() || ev.Flags&event.Unfinished != 0 {
			c.addf(true, func(d []byte) []byte { return appendPtr(d, raw) })
			return
		}
		c.addf(true, func(d []byte) []byte { return c.appendBuf(d, i, event.BufOut, uint64(ev.Ret), raw) })
	case syscalls.IovIn:
		// The printer reads the iovecs and their buffers itself.
		if fn := argPrinter(a); fn != nil {
			c.addf(false, func(d []byte) []byte { return fn(c, d, nil) })
			return
		}
		c.addf(false, func(d []byte) []byte { return appendPtr(d, raw) })
	case syscalls.ArrayInOut, syscalls.ArrayOut, syscalls.IovOut, syscalls.IoctlArg, syscalls.MsghdrIn, syscalls.MsghdrOut, syscalls.FdSets:
		// Printed by the syscall's special (poll, readv, ioctl ...).
		c.addf(false, func(d []byte) []byte { return appendPtr(d, raw) })
	case syscalls.StructIn, syscalls.StructOut, syscalls.StructInOut, syscalls.StructDeref:
		exit := a.Kind == syscalls.StructOut
		c.addf(exit, func(d []byte) []byte {
			if raw == 0 {
				return append(d, "NULL"...)
			}
			kind := event.BufIn
			if exit {
				kind = event.BufOut
			}
			b, ok := c.data(i, kind)
			fn := argPrinter(a)
			if !ok || fn == nil {
				return appendHexNum(d, raw)
			}
			return fn(c, d, b)
		})
		// What the kernel wrote back, appended at exit: " => [10]".
		if fn := updatePrinters[a.Printer]; fn != nil && a.Kind == syscalls.StructInOut && raw != 0 {
			c.glue(func(d []byte) []byte {
				if _, ok := c.data(i, event.BufIn); !ok {
					return d // the enter part printed an address
				}
				b, ok := c.data(i, event.BufOut)
				if !ok || ev.Flags&event.Unfinished != 0 {
					b = nil
				}
				return fn(c, d, b)
			})
		}
	case syscalls.StructOutErr:
		// nanosleep's rmtp: written when the sleep is interrupted, and
		// only then shown, as strace.
		c.addf(true, func(d []byte) []byte {
			if b, ok := c.data(i, event.BufOut); ok && c.failed() {
				if fn := argPrinter(a); fn != nil {
					return fn(c, d, b)
				}
			}
			return appendPtr(d, raw)
		})
	case syscalls.PageVec:
		// mincore's vector, a byte per page, as strace's print_array.
		c.addf(true, func(d []byte) []byte {
			b, ok := c.data(i, event.BufOut)
			if !ok || c.failed() || ev.Flags&event.Unfinished != 0 || a.SizeArg < 0 || raw == 0 {
				return appendPtr(d, raw)
			}
			pages := (ev.Args[a.SizeArg] + pageSize - 1) / pageSize
			d = append(d, '[')
			for j := 0; j < len(b) && uint64(j) < pages; j++ {
				if j > 0 {
					d = append(d, ", "...)
				}
				d = strconv.AppendUint(d, uint64(b[j]), 10)
			}
			if pages > uint64(len(b)) {
				d = append(d, ", ..."...)
			}
			return append(d, ']')
		})
	case syscalls.Ptr, syscalls.MmsgOut, syscalls.PrctlArg, syscalls.CloneArgs:
		// The last two are printed by their syscall's special (mmsg, prctl).
		c.addf(false, func(d []byte) []byte { return appendPtr(d, raw) })
	case syscalls.Flags:
		if a.Width == 4 {
			// strace prints flags and constants of 32-bit types unsigned:
			// "O_RDONLY|0x80000000", "0xffffffff /* SEEK_??? */".
			v = uint64(uint32(raw))
		}
		c.addf(false, func(d []byte) []byte { return c.appendFlags(d, a.Decoder, v) })
	case syscalls.StrArray:
		c.addf(false, func(d []byte) []byte { return appendPtr(d, raw) })
	default:
		c.addf(false, func(d []byte) []byte { return appendInt(d, a, v) })
	}
}

func appendInt(d []byte, a *syscalls.Arg, v uint64) []byte {
	if a.Signed {
		return strconv.AppendInt(d, int64(v), 10)
	}
	if a.Width == 8 && a.Type != "" && a.Type[len(a.Type)-1] == '*' {
		return appendPtr(d, v)
	}
	return strconv.AppendUint(d, v, 10)
}

func (c *call) appendFlags(d []byte, decoder string, v uint64) []byte {
	ft := c.s.tab.Flags(decoder)
	if ft == nil {
		return strconv.AppendUint(d, v, 10)
	}
	if ft.Style == syscalls.StyleOctal {
		return appendOctal(d, v)
	}
	return append(d, ft.Format(v)...)
}

// appendOctal renders a mode as strace's "%#03o": 000, 007, 022, 0644.
func appendOctal(d []byte, v uint64) []byte {
	var digits [24]byte
	s := strconv.AppendUint(digits[:0], v, 8)
	if v != 0 {
		d = append(d, '0')
		for n := len(s) + 1; n < 3; n++ {
			d = append(d, '0')
		}
	} else {
		d = append(d, "00"...)
	}
	return append(d, s...)
}

// appendBuf renders a buffer of n bytes whose first bytes were captured,
// cut at --strsize with "..." after the quote, as strace's printstrn.
func (c *call) appendBuf(d []byte, arg int, kind event.DataKind, n, raw uint64) []byte {
	if raw == 0 {
		return append(d, "NULL"...)
	}
	b, ok := c.data(arg, kind)
	if ok && c.ev.Flags&event.Netlink != 0 {
		return c.appendNetlink(d, b[:min(uint64(len(b)), n)])
	}
	show := n
	max := uint64(c.s.opts.strsize())
	if show > max {
		show = max
	}
	if !ok && show > 0 || uint64(len(b)) < show {
		return appendHexNum(d, raw)
	}
	d = c.quote(d, b[:show])
	if n > show {
		d = append(d, "..."...)
	}
	return d
}

// appendStrLimited renders a NUL-terminated string cut at --strsize.
func (c *call) appendStrLimited(d []byte, b []byte, trunc bool) []byte {
	max := c.s.opts.strsize()
	if len(b) > max {
		d = c.quote(d, b[:max])
		return append(d, "..."...)
	}
	d = c.quote(d, b)
	if trunc {
		d = append(d, "..."...)
	}
	return d
}

// appendQuoted quotes b as strace does: printable ASCII as is, C escapes
// for \t \n \v \f \r " \\, other bytes in octal with as few digits as the
// next byte allows; with hex every byte is \xNN.
func appendQuoted(d []byte, b []byte, hex bool) []byte {
	d = append(d, '"')
	if hex {
		for _, ch := range b {
			d = append(d, '\\', 'x', hexLower[ch>>4], hexLower[ch&15])
		}
		return append(d, '"')
	}
	for i, ch := range b {
		switch ch {
		case '"', '\\':
			d = append(d, '\\', ch)
		case '\f':
			d = append(d, '\\', 'f')
		case '\n':
			d = append(d, '\\', 'n')
		case '\r':
			d = append(d, '\\', 'r')
		case '\t':
			d = append(d, '\\', 't')
		case '\v':
			d = append(d, '\\', 'v')
		default:
			if ch >= ' ' && ch <= 0x7e {
				d = append(d, ch)
				continue
			}
			d = append(d, '\\')
			if i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '7' {
				d = append(d, '0'+ch>>6, '0'+(ch>>3)&7)
			} else if ch>>3 != 0 {
				if ch>>6 != 0 {
					d = append(d, '0'+ch>>6)
				}
				d = append(d, '0'+(ch>>3)&7)
			}
			d = append(d, '0'+ch&7)
		}
	}
	return append(d, '"')
}

func (c *call) appendRet(d []byte) []byte {
	ev := c.ev
	if ev.Flags&event.NoReturn != 0 {
		return append(d, '?')
	}
	if ev.Failed() {
		errno := ev.Errno()
		name := syscalls.ErrnoName(errno)
		if errno >= 512 && errno <= 530 {
			d = append(d, "? "...)
		} else {
			d = append(d, "-1 "...)
		}
		if name == "" {
			d = append(d, "(errno "...)
			d = strconv.AppendInt(d, int64(errno), 10)
			return append(d, ')')
		}
		d = append(d, name...)
		if m := syscalls.ErrnoMessage(errno); m != "" {
			d = append(d, " ("...)
			d = append(d, m...)
			d = append(d, ')')
		}
		return d
	}
	if c.sc == nil || c.raw() {
		return appendHexNum(d, uint64(ev.Ret))
	}
	switch c.sc.Ret {
	case syscalls.RetHex:
		return appendHexNum(d, uint64(ev.Ret))
	case syscalls.RetFd:
		return c.appendFdAt(d, ev.Ret, true)
	case syscalls.RetOctal:
		return appendOctal(d, uint64(ev.Ret))
	case syscalls.RetPrinter:
		if fn := retPrinters[c.sc.Printer]; fn != nil {
			return fn(c, d)
		}
	case syscalls.RetNamed:
		d = strconv.AppendInt(d, ev.Ret, 10)
		if ft := c.s.tab.Flags(c.sc.RetFlags); ft != nil {
			if name := ft.Format(uint64(ev.Ret)); name != "" && (name[0] < '0' || name[0] > '9') {
				d = append(d, " ("...)
				d = append(d, name...)
				d = append(d, ')')
			}
		}
		return d
	}
	return strconv.AppendInt(d, ev.Ret, 10)
}

// pageSize is mincore's page, for the length of its vector.
var pageSize = uint64(os.Getpagesize())
