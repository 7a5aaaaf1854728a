package format

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// arrayMax is how many elements of an array the kernel side captures
// (ARRAY_MAX in bpf/tracer.h); strace shows as many at the default
// --strsize and marks the rest with "...".
const arrayMax = 32

// iovCaptured marks, in a captured iovec, an iov_base replaced by the
// number of bytes of its buffer that follow the array.
const iovCaptured = 1 << 63

var pollEvents = []bitName{{1, "POLLIN"}, {2, "POLLPRI"}, {4, "POLLOUT"}, {8, "POLLERR"}, {0x10, "POLLHUP"}, {0x20, "POLLNVAL"}, {0x40, "POLLRDNORM"}, {0x80, "POLLRDBAND"}, {0x100, "POLLWRNORM"}, {0x200, "POLLWRBAND"}, {0x400, "POLLMSG"}, {0x1000, "POLLREMOVE"}, {0x2000, "POLLRDHUP"}}

// poll prints the pollfd array read at enter; the revents come with the
// return value (pollRet). ppoll adds its timeout, mask and mask size.
func (c *call) poll() {
	ptr, n := c.ev.Args[0], uint64(uint32(c.ev.Args[1]))
	c.addf(false, func(d []byte) []byte {
		b, ok := c.data(0, event.BufIn)
		if ptr == 0 {
			return append(d, "NULL"...)
		}
		if !ok || n == 0 {
			return appendHexNum(d, ptr)
		}
		return appendPollfds(c, d, b)
	})
	c.addf(false, func(d []byte) []byte { return strconv.AppendUint(d, n, 10) })
	if c.sc.Name == "poll" {
		c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[2])), 10) })
		return
	}
	c.addf(false, func(d []byte) []byte {
		if c.ev.Args[2] == 0 {
			return append(d, "NULL"...)
		}
		if b, ok := c.data(2, event.BufIn); ok && len(b) >= 16 {
			return appendTimespec(c, d, b)
		}
		return appendHexNum(d, c.ev.Args[2])
	})
	c.generic(3)
	c.generic(4)
}

// appendPollfds renders the pollfd array read at enter, as many as
// poll's second argument says.
func appendPollfds(c *call, d, b []byte) []byte {
	n := uint64(uint32(c.ev.Args[1]))
	d = append(d, '[')
	elems := min(uint64(len(b)/8), n)
	for i := uint64(0); i < elems; i++ {
		if i > 0 {
			d = append(d, ", "...)
		}
		e := b[8*i:]
		fd := int32(le.Uint32(e))
		d = append(d, "{fd="...)
		d = strconv.AppendInt(d, int64(fd), 10)
		if fd >= 0 {
			d = append(d, ", events="...)
			d = appendBitNames(d, uint32(le.Uint16(e[4:])), pollEvents)
		}
		d = append(d, '}')
	}
	if n > elems {
		d = append(d, ", ..."...)
	}
	return append(d, ']')
}

// pollRet prints poll's result: "0 (Timeout)", or the descriptors with
// events, and ppoll's time left.
func pollRet(c *call, d []byte) []byte {
	ret := c.ev.Ret
	d = strconv.AppendInt(d, ret, 10)
	if ret == 0 {
		return append(d, " (Timeout)"...)
	}
	b, ok := c.data(0, event.BufOut)
	if !ok || c.terse() {
		return d
	}
	d = append(d, " (["...)
	shown := int64(0)
	for i := 0; i+8 <= len(b); i += 8 {
		rev := le.Uint16(b[i+6:])
		if rev == 0 {
			continue
		}
		if shown > 0 {
			d = append(d, ", "...)
		}
		shown++
		d = append(d, "{fd="...)
		d = strconv.AppendInt(d, int64(int32(le.Uint32(b[i:]))), 10)
		d = append(d, ", revents="...)
		d = appendBitNames(d, uint32(rev), pollEvents)
		d = append(d, '}')
	}
	if shown < ret {
		// More descriptors are ready past the elements captured, as
		// strace's "..." after its 32 (xargs polls 64 at a time).
		if shown > 0 {
			d = append(d, ", "...)
		}
		d = append(d, "..."...)
	}
	d = append(d, ']')
	if c.sc.Name == "ppoll" && c.ev.Args[2] != 0 {
		if t, ok := c.data(2, event.BufOut); ok && len(t) >= 16 {
			d = append(d, ", left "...)
			d = appendTimespec(c, d, t)
		}
	}
	return append(d, ')')
}

// iov prints readv/writev and their p- and 2 variants: fd, the iovec
// array with the start of each buffer, its length, and the offset and
// flags when there are.
func (c *call) iov() {
	out := c.sc.Args[1].Kind == syscalls.IovOut
	c.generic(0)
	c.addf(out, func(d []byte) []byte { return c.appendIov(d, 1, out) })
	c.addf(out, func(d []byte) []byte { return strconv.AppendUint(d, c.ev.Args[2], 10) })
	if len(c.sc.Args) > 3 {
		// pos_l, pos_h: one 64-bit offset on 64-bit architectures.
		c.addf(out, func(d []byte) []byte { return strconv.AppendInt(d, int64(c.ev.Args[3]), 10) })
	}
	if len(c.sc.Args) > 5 {
		c.generic(5)
	}
}

// appendIov renders a captured iovec array as strace: each buffer quoted
// up to --strsize, and for readv only as much as the call returned.
func (c *call) appendIov(d []byte, arg int, out bool) []byte {
	ptr := c.ev.Args[arg]
	if ptr == 0 {
		return append(d, "NULL"...)
	}
	kind := event.BufIn
	limit := ^uint64(0)
	if out {
		if c.failed() || c.ev.Flags&event.Unfinished != 0 {
			return appendHexNum(d, ptr)
		}
		kind, limit = event.BufOut, uint64(c.ev.Ret)
	}
	b, ok := c.data(arg, kind)
	if !ok {
		return appendHexNum(d, ptr)
	}
	return c.appendIovBytes(d, b, c.ev.Args[arg+1], ptr, limit, nil)
}

// appendIovBytes renders vlen iovecs captured by the kernel side (the
// array, then the start of each buffer), showing at most limit bytes of
// data in all; the address ptr when the capture is short. With nl, the
// buffers are netlink messages of nl's call, decoded as strace does.
func (c *call) appendIovBytes(d, b []byte, vlen, ptr, limit uint64, nl *call) []byte {
	n := min(vlen, arrayMax)
	if uint64(len(b)) < 16*n {
		return appendHexNum(d, ptr)
	}
	data := b[16*n:]
	d = append(d, '[')
	for i := uint64(0); i < n; i++ {
		if i > 0 {
			d = append(d, ", "...)
		}
		base, l := le.Uint64(b[16*i:]), le.Uint64(b[16*i+8:])
		d = append(d, "{iov_base="...)
		if base&iovCaptured != 0 && base&^iovCaptured <= uint64(len(data)) {
			got := base &^ iovCaptured
			eff := min(l, limit)
			limit -= eff
			if nl != nil {
				d = nl.appendNetlink(d, data[:got])
			} else {
				// The capture may be longer than shown (-e read=, write=).
				show := min(got, uint64(c.s.opts.strsize()))
				d = c.quote(d, data[:show])
				if eff > show {
					d = append(d, "..."...)
				}
			}
			data = data[got:]
		} else {
			d = appendPtr(d, base)
		}
		d = append(d, ", iov_len="...)
		d = strconv.AppendUint(d, l, 10)
		d = append(d, '}')
	}
	if vlen > n {
		d = append(d, ", ..."...)
	}
	return append(d, ']')
}

// msg prints sendmsg and recvmsg: the msghdr with its iovecs, the flags.
func (c *call) msg() {
	out := c.sc.Args[1].Kind == syscalls.MsghdrOut
	c.generic(0)
	c.addf(out, func(d []byte) []byte { return c.appendMsghdr(d, 1, out) })
	c.addf(out, func(d []byte) []byte { return c.appendFlags(d, "msg_flags", c.arg(2)) })
}

// appendMsghdr renders a msghdr captured as two items of argument arg:
// the header (56 bytes on 64-bit architectures) followed by the address
// msg_name points to, then its iovecs. A failed
// recvmsg shows only msg_namelen, from the header read at enter, as strace.
func (c *call) appendMsghdr(d []byte, arg int, out bool) []byte {
	ptr := c.ev.Args[arg]
	if ptr == 0 {
		return append(d, "NULL"...)
	}
	kind := event.BufIn
	limit := ^uint64(0)
	if out {
		if c.failed() || c.ev.Flags&event.Unfinished != 0 {
			if h, ok := c.data(arg, event.BufIn); ok && len(h) >= 56 && c.failed() {
				d = append(d, "{msg_namelen="...)
				d = strconv.AppendUint(d, uint64(le.Uint32(h[8:])), 10)
				return append(d, '}')
			}
			return appendHexNum(d, ptr)
		}
		kind, limit = event.BufOut, uint64(c.ev.Ret)
	}
	var h, iov []byte
	for i := range c.ev.Data {
		x := &c.ev.Data[i]
		if int(x.Arg) != arg || x.Kind != kind {
			continue
		}
		if h == nil {
			h = x.Bytes
		} else {
			iov = x.Bytes
			break
		}
	}
	if len(h) < 56 {
		return appendHexNum(d, ptr)
	}
	return c.appendMsghdrBytes(d, h, iov, 56, limit)
}

// appendMsghdrBytes renders a captured msghdr: the header (hdrSize bytes:
// 56, or 64 for an mmsghdr) followed by the address and the control
// messages, and the iovec item (nil when not captured).
func (c *call) appendMsghdrBytes(d, h, iov []byte, hdrSize int, limit uint64) []byte {
	name, namelen := le.Uint64(h), le.Uint32(h[8:])
	iovPtr, iovlen := le.Uint64(h[16:]), le.Uint64(h[24:])
	ctl, ctllen := le.Uint64(h[32:]), le.Uint64(h[40:])
	// After the header: the address, then the control messages, each as
	// long as the header says, up to what the kernel side captures.
	rest, nameLen := h[min(hdrSize, len(h)):], 0
	if name != 0 && namelen != 0 {
		nameLen = min(int(namelen), sockaddrMax, len(rest))
	}
	addr, control := rest[:nameLen], rest[nameLen:]
	d = append(d, "{msg_name="...)
	if name != 0 && len(addr) > 0 {
		d = appendSockaddr(d, addr)
	} else {
		d = appendPtr(d, name)
	}
	d = append(d, ", msg_namelen="...)
	d = strconv.AppendUint(d, uint64(namelen), 10)
	d = append(d, ", msg_iov="...)
	switch {
	case iovPtr == 0:
		d = append(d, "NULL"...)
	case len(iov) == 0:
		d = appendHexNum(d, iovPtr)
	default:
		var nl *call
		if c.ev.Flags&event.Netlink != 0 {
			nl = c
		}
		d = c.appendIovBytes(d, iov, iovlen, iovPtr, limit, nl)
	}
	d = append(d, ", msg_iovlen="...)
	d = strconv.AppendUint(d, iovlen, 10)
	if ctllen != 0 {
		d = append(d, ", msg_control="...)
		if n := min(ctllen, cmsgMax); ctl != 0 && n >= cmsgHdrSize && uint64(len(control)) >= n {
			d = c.appendCmsgs(d, control[:n], ctllen, ctl)
		} else {
			d = appendPtr(d, ctl)
		}
	}
	d = append(d, ", msg_controllen="...)
	d = strconv.AppendUint(d, ctllen, 10)
	d = append(d, ", msg_flags="...)
	d = c.appendFlags(d, "msg_flags", uint64(le.Uint32(h[48:])))
	return append(d, '}')
}

const (
	sockaddrMax = 128 // bytes of msg_name captured (SOCKADDR_MAX in bpf/tracer.h)
	cmsgMax     = 128 // bytes of msg_control captured (CMSG_MAX)
	cmsgHdrSize = 16  // struct cmsghdr on 64-bit architectures
)

// appendCmsgs renders the control messages of a msghdr as strace does:
// each header, with the data of the common kinds (passed descriptors,
// credentials); "..." when some were not captured.
func (c *call) appendCmsgs(d []byte, b []byte, ctllen, addr uint64) []byte {
	d = append(d, '[')
	buf := b
	for len(buf) >= cmsgHdrSize {
		if len(buf) < len(b) {
			d = append(d, ", "...)
		}
		clen := le.Uint64(buf)
		level, typ := le.Uint32(buf[8:]), le.Uint32(buf[12:])
		d = append(d, "{cmsg_len="...)
		d = strconv.AppendUint(d, clen, 10)
		d = append(d, ", cmsg_level="...)
		d = c.appendFlags(d, "sockopt_level", uint64(level))
		d = append(d, ", cmsg_type="...)
		l := min(clen, uint64(len(buf)))
		var data []byte
		if l > cmsgHdrSize {
			data = buf[cmsgHdrSize:l]
		}
		switch level {
		case 1: // SOL_SOCKET
			d = c.appendFlags(d, "scm_type", uint64(typ))
			switch {
			case typ == 1 && len(data) >= 4: // SCM_RIGHTS
				d = append(d, ", cmsg_data=["...)
				for i := 0; i+4 <= len(data); i += 4 {
					if i > 0 {
						d = append(d, ", "...)
					}
					d = strconv.AppendInt(d, int64(int32(le.Uint32(data[i:]))), 10)
				}
				d = append(d, ']')
			case typ == 2 && len(data) >= 12: // SCM_CREDENTIALS
				d = append(d, ", cmsg_data="...)
				d = appendUcred(d, data)
			}
		case 0: // SOL_IP
			d = c.appendFlags(d, "ip_cmsg_type", uint64(typ))
		default:
			d = appendHexNum(d, uint64(typ))
		}
		d = append(d, '}')
		if l < cmsgHdrSize {
			buf = buf[cmsgHdrSize:]
			break
		}
		// A cmsg_len near 2^64 would wrap to a step of 0 when rounded up.
		next := (clen + 7) &^ 7
		if clen >= uint64(len(buf)) || next >= uint64(len(buf)) {
			buf = nil
			break
		}
		buf = buf[next:]
	}
	switch {
	case len(buf) > 0:
		d = append(d, ", ... /* "...)
		d = appendHexNum(d, addr+uint64(len(b)-len(buf)))
		d = append(d, " */"...)
	case uint64(len(b)) < ctllen:
		d = append(d, ", ..."...)
	}
	return append(d, ']')
}

// mmsg prints sendmmsg and recvmmsg, at exit: the vector as far as it was
// sent or received, each {msg_hdr={...}, msg_len=N}.
func (c *call) mmsg() {
	c.generic(0)
	c.addf(true, func(d []byte) []byte { return c.appendMmsgs(d) })
	c.addf(true, func(d []byte) []byte { return strconv.AppendUint(d, uint64(uint32(c.ev.Args[2])), 10) })
	c.addf(true, func(d []byte) []byte { return c.appendFlags(d, "msg_flags", uint64(uint32(c.ev.Args[3]))) })
	if len(c.sc.Args) > 4 {
		// recvmmsg's timeout, not captured: its address, as for any Ptr.
		c.addf(true, func(d []byte) []byte { return appendPtr(d, c.ev.Args[4]) })
	}
}

// appendMmsgs renders the mmsghdrs the kernel side captured at exit, one
// item each: the header, whose padding says where the iovecs start
// (mmsgIovMark | offset), then the iovecs (recordings made before: two
// items each, header and iovecs); "..." when more were sent or received
// than captured.
func (c *call) appendMmsgs(d []byte) []byte {
	ptr := c.ev.Args[1]
	if c.failed() || c.ev.Flags&event.Unfinished != 0 {
		return appendPtr(d, ptr)
	}
	var items [][]byte
	for i := range c.ev.Data {
		if x := &c.ev.Data[i]; x.Arg == 1 && x.Kind == event.BufOut {
			items = append(items, x.Bytes)
		}
	}
	// Each mmsghdr as its header and its iovecs.
	var hdrs, iovs [][]byte
	for i := 0; i < len(items) && len(items[i]) >= 64; i++ {
		h := items[i]
		if m := le.Uint32(h[60:]); m&mmsgIovMark != 0 && int(m&^mmsgIovMark) <= len(h) && m&^mmsgIovMark >= 64 {
			base := m &^ mmsgIovMark
			hdrs, iovs = append(hdrs, h[:base]), append(iovs, h[base:])
			continue
		}
		if i+1 >= len(items) {
			break
		}
		hdrs, iovs = append(hdrs, h), append(iovs, items[i+1])
		i++
	}
	if len(hdrs) == 0 {
		return appendPtr(d, ptr)
	}
	d = append(d, '[')
	for n, h := range hdrs {
		if n > 0 {
			d = append(d, ", "...)
		}
		mlen := uint64(le.Uint32(h[56:]))
		d = append(d, "{msg_hdr="...)
		d = c.appendMsghdrBytes(d, h, iovs[n], 64, mlen)
		d = append(d, ", msg_len="...)
		d = strconv.AppendUint(d, mlen, 10)
		d = append(d, '}')
	}
	if c.ev.Ret > int64(len(hdrs)) {
		d = append(d, ", ..."...)
	}
	return append(d, ']')
}

// mmsgIovMark, in an mmsghdr's padding, marks the offset of its iovecs in
// the item (bpf/tracer.h, MMSG_IOV_MARK).
const mmsgIovMark = 0x80000000

// epollWait prints the events epoll_wait returned.
func (c *call) epollWait() {
	c.generic(0)
	size := int(c.sc.Args[1].Size)
	c.addf(true, func(d []byte) []byte {
		ptr := c.ev.Args[1]
		if ptr == 0 {
			return append(d, "NULL"...)
		}
		if c.failed() || c.ev.Flags&event.Unfinished != 0 {
			return appendHexNum(d, ptr)
		}
		if c.ev.Ret == 0 {
			return append(d, "[]"...)
		}
		b, ok := c.data(1, event.BufOut)
		if !ok || size == 0 {
			return appendHexNum(d, ptr)
		}
		d = append(d, '[')
		n := 0
		for i := 0; i+size <= len(b); i += size {
			if n > 0 {
				d = append(d, ", "...)
			}
			d = appendEpollEvent(c, d, b[i:i+size])
			n++
		}
		if int64(n) < c.ev.Ret {
			d = append(d, ", ..."...)
		}
		return append(d, ']')
	})
	c.addf(true, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[2])), 10) })
	for i := 3; i < len(c.sc.Args); i++ {
		if i == 3 && c.sc.Args[i].Kind == syscalls.Int {
			c.addf(true, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[3])), 10) })
			continue
		}
		c.generic(i)
	}
}

const fdsetMax = 128 // bytes of an fd_set captured (FDSET_MAX)

// fdsetSize is the bytes of an fd_set select reads for nfds descriptors.
func fdsetSize(nfds uint64) int {
	return int(min((nfds+63)/64*8, fdsetMax))
}

// fdsets splits a captured FdSets item into select's three sets (nil for
// a NULL pointer or a short capture).
func (c *call) fdsets(kind event.DataKind) (sets [3][]byte, ok bool) {
	b, ok := c.data(1, kind)
	if !ok {
		return sets, false
	}
	size := fdsetSize(uint64(uint32(c.ev.Args[0])))
	for j := 0; j < 3; j++ {
		if c.ev.Args[1+j] == 0 {
			continue
		}
		if len(b) < size {
			return sets, false
		}
		sets[j], b = b[:size], b[size:]
	}
	return sets, true
}

// appendFdset prints the descriptors of a set below nfds: "[3 4]".
func appendFdset(d, set []byte, nfds uint64) []byte {
	d = append(d, '[')
	first := true
	for fd := uint64(0); fd < nfds && fd < uint64(len(set))*8; fd++ {
		if set[fd/8]&(1<<(fd%8)) == 0 {
			continue
		}
		if !first {
			d = append(d, ' ')
		}
		first = false
		d = strconv.AppendUint(d, fd, 10)
	}
	return append(d, ']')
}

// selectArgs prints select and pselect6: the sets at enter, the timeout.
func (c *call) selectArgs() {
	nfds := uint64(uint32(c.ev.Args[0]))
	c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[0])), 10) })
	sets, ok := c.fdsets(event.BufIn)
	for j := 0; j < 3; j++ {
		c.addf(false, func(d []byte) []byte {
			ptr := c.ev.Args[1+j]
			switch {
			case ptr == 0:
				return append(d, "NULL"...)
			case !ok:
				return appendHexNum(d, ptr)
			}
			return appendFdset(d, sets[j], nfds)
		})
	}
	c.addf(false, func(d []byte) []byte {
		ptr := c.ev.Args[4]
		if ptr == 0 {
			return append(d, "NULL"...)
		}
		b, ok := c.data(4, event.BufIn)
		if !ok || len(b) < 16 {
			return appendHexNum(d, ptr)
		}
		if c.sc.Name == "select" {
			return appendTimeval(c, d, b)
		}
		return appendTimespec(c, d, b)
	})
	if len(c.sc.Args) > 5 {
		c.generic(5)
	}
}

var selectSetNames = [3]string{"in", "out", "except"}

// selectRet prints select's result: "0 (Timeout)", or the ready sets and
// the time left.
func selectRet(c *call, d []byte) []byte {
	ret := c.ev.Ret
	d = strconv.AppendInt(d, ret, 10)
	if ret == 0 {
		return append(d, " (Timeout)"...)
	}
	sets, ok := c.fdsets(event.BufOut)
	if !ok {
		return d
	}
	nfds := uint64(uint32(c.ev.Args[0]))
	d = append(d, " ("...)
	first := true
	for j, set := range sets {
		empty := true
		for _, x := range set {
			if x != 0 {
				empty = false
				break
			}
		}
		if set == nil || empty {
			continue
		}
		if !first {
			d = append(d, ", "...)
		}
		first = false
		d = append(d, selectSetNames[j]...)
		d = append(d, ' ')
		d = appendFdset(d, set, nfds)
	}
	if t, ok := c.data(4, event.BufOut); ok && len(t) >= 16 && c.ev.Args[4] != 0 {
		if !first {
			d = append(d, ", "...)
		}
		d = append(d, "left "...)
		if c.terse() {
			d = appendHexNum(d, c.ev.Args[4])
		} else if c.sc.Name == "select" {
			d = appendTimeval(c, d, t)
		} else {
			d = appendTimespec(c, d, t)
		}
	}
	return append(d, ')')
}
