package format

import (
	"bytes"
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// io_uring_register's argument by opcode, as strace's io_uring.c: the
// arrays and structs the kernel side captures with op_caps
// (engine/opcaps.go), at enter, and at exit for what the kernel writes
// (IORING_REGISTER_PROBE, IORING_REGISTER_IOWQ_MAX_WORKERS).

// io_uring_register opcodes (linux/io_uring.h).
const (
	uringRegisterBuffers       = 0
	uringRegisterFiles         = 2
	uringRegisterEventfd       = 4
	uringRegisterFilesUpdate   = 6
	uringRegisterEventfdAsync  = 7
	uringRegisterProbe         = 8
	uringRegisterRestrictions  = 11
	uringRegisterFiles2        = 13
	uringRegisterFilesUpdate2  = 14
	uringRegisterBuffers2      = 15
	uringRegisterBuffersUpdate = 16
	uringRegisterIowqAff       = 17
	uringRegisterIowqMaxWorker = 19
	uringRegisterRingFds       = 20
	uringUnregisterRingFds     = 21
	uringRegisterPbufRing      = 22
	uringUnregisterPbufRing    = 23
)

// uringOpNames are the IORING_OP_* names strace 6.1 knows
// (xlat/uring_ops.in): later ones print as unknown, as there.
var uringOpNames = []string{
	"IORING_OP_NOP", "IORING_OP_READV", "IORING_OP_WRITEV", "IORING_OP_FSYNC", "IORING_OP_READ_FIXED",
	"IORING_OP_WRITE_FIXED", "IORING_OP_POLL_ADD", "IORING_OP_POLL_REMOVE", "IORING_OP_SYNC_FILE_RANGE",
	"IORING_OP_SENDMSG", "IORING_OP_RECVMSG", "IORING_OP_TIMEOUT", "IORING_OP_TIMEOUT_REMOVE",
	"IORING_OP_ACCEPT", "IORING_OP_ASYNC_CANCEL", "IORING_OP_LINK_TIMEOUT", "IORING_OP_CONNECT",
	"IORING_OP_FALLOCATE", "IORING_OP_OPENAT", "IORING_OP_CLOSE", "IORING_OP_FILES_UPDATE",
	"IORING_OP_STATX", "IORING_OP_READ", "IORING_OP_WRITE", "IORING_OP_FADVISE", "IORING_OP_MADVISE",
	"IORING_OP_SEND", "IORING_OP_RECV", "IORING_OP_OPENAT2", "IORING_OP_EPOLL_CTL", "IORING_OP_SPLICE",
	"IORING_OP_PROVIDE_BUFFERS", "IORING_OP_REMOVE_BUFFERS", "IORING_OP_TEE", "IORING_OP_SHUTDOWN",
	"IORING_OP_RENAMEAT", "IORING_OP_UNLINKAT", "IORING_OP_MKDIRAT", "IORING_OP_SYMLINKAT",
	"IORING_OP_LINKAT", "IORING_OP_MSG_RING", "IORING_OP_FSETXATTR", "IORING_OP_SETXATTR",
	"IORING_OP_FGETXATTR", "IORING_OP_GETXATTR", "IORING_OP_SOCKET", "IORING_OP_URING_CMD",
}

func enumTable(name, dflt string, style syscalls.FlagStyle, names []string) *syscalls.FlagTable {
	t := &syscalls.FlagTable{Name: name, Style: style, Default: dflt}
	for i, n := range names {
		t.Entries = append(t.Entries, syscalls.FlagEntry{Name: n, Value: int64(i)})
	}
	return t
}

var (
	uringOps    = enumTable("uring_ops", "IORING_OP_???", syscalls.StyleEnum, uringOpNames)
	uringOpsU   = enumTable("uring_ops", "IORING_OP_???", syscalls.StyleEnumDec, uringOpNames)
	uringOpFlag = &syscalls.FlagTable{Name: "uring_op_flags", Default: "IO_URING_OP_???", Entries: []syscalls.FlagEntry{
		{Name: "IO_URING_OP_SUPPORTED", Value: 1}}}
	uringRestrictionOps = enumTable("uring_restriction_opcodes", "IORING_RESTRICTION_???", syscalls.StyleEnum, []string{
		"IORING_RESTRICTION_REGISTER_OP", "IORING_RESTRICTION_SQE_OP", "IORING_RESTRICTION_SQE_FLAGS_ALLOWED",
		"IORING_RESTRICTION_SQE_FLAGS_REQUIRED"})
	uringSqeFlags = &syscalls.FlagTable{Name: "uring_sqe_flags", Default: "IOSQE_???", Entries: []syscalls.FlagEntry{
		{Name: "IOSQE_FIXED_FILE", Value: 1}, {Name: "IOSQE_IO_DRAIN", Value: 2}, {Name: "IOSQE_IO_LINK", Value: 4},
		{Name: "IOSQE_IO_HARDLINK", Value: 8}, {Name: "IOSQE_ASYNC", Value: 16}, {Name: "IOSQE_BUFFER_SELECT", Value: 32},
		{Name: "IOSQE_CQE_SKIP_SUCCESS", Value: 64}}}
	uringIowqAcct  = []string{"IO_WQ_BOUND", "IO_WQ_UNBOUND"}
	uringRsrcFlags = &syscalls.FlagTable{Name: "uring_register_rsrc_flags", Default: "IORING_RSRC_REGISTER_???", Entries: []syscalls.FlagEntry{
		{Name: "IORING_RSRC_REGISTER_SPARSE", Value: 1}}}
)

// ioUringRegister prints io_uring_register(fd, opcode, arg, nr_args).
func (c *call) ioUringRegister() {
	c.generic(0)
	c.generic(1)
	c.cur = 2
	p := c.ev.Args[2]
	nargs := uint64(uint32(c.ev.Args[3]))
	in, inOK := c.data(2, event.BufIn)
	if p == 0 {
		inOK = false
	}
	// elems is what was captured of n elements of size bytes at enter.
	elems := func(d []byte, size uint64, fn func(d, e []byte) []byte) []byte {
		if !inOK {
			return appendPtr(d, p)
		}
		if nargs > 0 && uint64(len(in)) < size {
			return appendPtr(d, p) // the first element was not read
		}
		return appendUringArray(d, in, nargs, size, uint64(c.s.opts.strsize()), fn)
	}
	switch uint32(c.ev.Args[1]) {
	case uringRegisterFiles, uringRegisterEventfd, uringRegisterEventfdAsync:
		c.addf(false, func(d []byte) []byte {
			if !inOK {
				return appendPtr(d, p)
			}
			return appendFdArray(c, d, in)
		})
	case uringRegisterBuffers:
		c.addf(false, func(d []byte) []byte {
			return elems(d, 16, func(d, e []byte) []byte {
				d = append(d, "{iov_base="...)
				d = appendPtr(d, le.Uint64(e))
				d = append(d, ", iov_len="...)
				d = strconv.AppendUint(d, le.Uint64(e[8:]), 10)
				return append(d, '}')
			})
		})
	case uringRegisterFilesUpdate:
		c.addf(false, func(d []byte) []byte { return c.appendFilesUpdate(d, p, nargs, in, inOK) })
	case uringRegisterRestrictions:
		c.addf(false, func(d []byte) []byte { return elems(d, 16, c.appendUringRestriction) })
	case uringRegisterFiles2, uringRegisterBuffers2, uringRegisterFilesUpdate2, uringRegisterBuffersUpdate:
		c.addf(false, func(d []byte) []byte { return c.appendUringRsrc(d, uint32(c.ev.Args[1]), p, nargs, in, inOK) })
	case uringRegisterRingFds:
		c.addf(false, func(d []byte) []byte {
			return elems(d, 16, func(d, e []byte) []byte {
				d = append(d, "{offset="...)
				if off := le.Uint32(e); off == ^uint32(0) {
					d = append(d, "-1"...)
				} else {
					d = strconv.AppendUint(d, uint64(off), 10)
				}
				d = appendNonzeroHex(d, ", resv=", uint64(le.Uint32(e[4:])))
				d = append(d, ", data="...)
				d = c.appendFd(d, int64(int32(le.Uint64(e[8:]))))
				return append(d, '}')
			})
		})
	case uringUnregisterRingFds:
		c.addf(false, func(d []byte) []byte {
			return elems(d, 16, func(d, e []byte) []byte {
				d = append(d, "{offset="...)
				d = strconv.AppendUint(d, uint64(le.Uint32(e)), 10)
				d = appendNonzeroHex(d, ", resv=", uint64(le.Uint32(e[4:])))
				d = appendNonzeroHex(d, ", data=", le.Uint64(e[8:]))
				return append(d, '}')
			})
		})
	case uringRegisterPbufRing, uringUnregisterPbufRing:
		c.addf(false, func(d []byte) []byte {
			if !inOK || len(in) < 40 {
				return appendPtr(d, p)
			}
			d = append(d, "{ring_addr="...)
			d = appendPtr(d, le.Uint64(in))
			d = append(d, ", ring_entries="...)
			d = strconv.AppendUint(d, uint64(le.Uint32(in[8:])), 10)
			d = append(d, ", bgid="...)
			d = strconv.AppendUint(d, uint64(le.Uint16(in[12:])), 10)
			d = appendNonzeroHex(d, ", pad=", uint64(le.Uint16(in[14:])))
			return appendXintArrayField(d, ", resv=", in[16:40], 8)
		})
	case uringRegisterIowqAff:
		c.addf(false, func(d []byte) []byte {
			if !inOK {
				return appendPtr(d, p)
			}
			return appendCPUSet(d, in, uint64(len(in)) < nargs)
		})
	case uringRegisterIowqMaxWorker:
		c.ioUringMaxWorkers(p, nargs, in, inOK)
		return
	case uringRegisterProbe:
		c.ioUringProbe(p, nargs, in, inOK)
		return
	default:
		c.addf(false, func(d []byte) []byte { return appendPtr(d, p) })
	}
	c.generic(3)
}

// appendUringArray appends n elements of size bytes from b as strace's
// print_array: "[]" for none, the first max then "..." (and "..." where
// the capture ends).
func appendUringArray(d, b []byte, n, size, max uint64, fn func(d, e []byte) []byte) []byte {
	if n == 0 {
		return append(d, "[]"...)
	}
	d = append(d, '[')
	for i := uint64(0); i < n; i++ {
		if i > 0 {
			d = append(d, ", "...)
		}
		if i >= max || uint64(len(b)) < (i+1)*size {
			d = append(d, "..."...)
			break
		}
		d = fn(d, b[i*size:(i+1)*size])
	}
	return append(d, ']')
}

// appendNonzeroHex appends field and v in hex when v is not zero (strace's
// reserved fields).
func appendNonzeroHex(d []byte, field string, v uint64) []byte {
	if v == 0 {
		return d
	}
	d = append(d, field...)
	return appendHexNum(d, v)
}

// appendXintArrayField appends field and the array of size-byte integers
// in b in hex, when one is not zero (strace's IS_ARRAY_ZERO reserved arrays).
func appendXintArrayField(d []byte, field string, b []byte, size int) []byte {
	zero := true
	for _, x := range b {
		if x != 0 {
			zero = false
		}
	}
	if zero {
		return append(d, '}')
	}
	d = append(d, field...)
	d = append(d, '[')
	for i := 0; i+size <= len(b); i += size {
		if i > 0 {
			d = append(d, ", "...)
		}
		v := uint64(le.Uint32(b[i:]))
		if size == 8 {
			v = le.Uint64(b[i:])
		}
		d = appendHexNum(d, v)
	}
	return append(d, "]}"...)
}

// appendUringRestriction appends a struct io_uring_restriction.
func (c *call) appendUringRestriction(d, e []byte) []byte {
	op := le.Uint16(e)
	d = append(d, "{opcode="...)
	d = append(d, uringRestrictionOps.Format(uint64(op))...)
	switch op {
	case 0:
		d = append(d, ", register_op="...)
		d = c.appendFlags(d, "uring_register_opcodes", uint64(e[2]))
	case 1:
		d = append(d, ", sqe_op="...)
		d = append(d, uringOps.Format(uint64(e[2]))...)
	case 2, 3:
		d = append(d, ", sqe_flags="...)
		d = append(d, uringSqeFlags.Format(uint64(e[2]))...)
	default:
		d = append(d, " /* op: "...)
		d = appendHexNum(d, uint64(e[2]))
		d = append(d, " */"...)
	}
	d = appendNonzeroHex(d, ", resv=", uint64(e[3]))
	return appendXintArrayField(d, ", resv2=", e[4:16], 4)
}

// ioUringMaxWorkers prints IORING_REGISTER_IOWQ_MAX_WORKERS's counts by
// io-wq class, at enter and, when that printed whole, what the kernel
// wrote back: "[[IO_WQ_BOUND]=0, [IO_WQ_UNBOUND]=0] => [...]".
func (c *call) ioUringMaxWorkers(p, nargs uint64, in []byte, inOK bool) {
	max := uint64(c.s.opts.strsize())
	whole := inOK && nargs <= max && uint64(len(in)) >= nargs*4
	counts := func(d, b []byte) []byte {
		if nargs == 0 {
			return append(d, "[]"...)
		}
		d = append(d, '[')
		for i := uint64(0); i < nargs; i++ {
			if i > 0 {
				d = append(d, ", "...)
			}
			if i >= max || uint64(len(b)) < (i+1)*4 {
				d = append(d, "..."...)
				break
			}
			d = append(d, '[')
			if i < uint64(len(uringIowqAcct)) {
				d = append(d, uringIowqAcct[i]...)
			} else {
				d = strconv.AppendUint(d, i, 10)
				d = append(d, " /* IO_WQ_??? */"...)
			}
			d = append(d, "]="...)
			d = strconv.AppendUint(d, uint64(le.Uint32(b[i*4:])), 10)
		}
		return append(d, ']')
	}
	c.addf(false, func(d []byte) []byte {
		if !inOK {
			return appendPtr(d, p)
		}
		return counts(d, in)
	})
	if whole && nargs > 0 {
		c.glue(func(d []byte) []byte {
			d = append(d, " => "...)
			out, ok := c.data(2, event.BufOut)
			if c.failed() || !ok {
				return appendPtr(d, p)
			}
			return counts(d, out)
		})
	}
	c.generic(3)
}

// ioUringProbe prints IORING_REGISTER_PROBE's struct io_uring_probe: at
// exit when the caller passed it zeroed, as the kernel requires; else at
// enter, and what the kernel wrote after " => ".
func (c *call) ioUringProbe(p, nargs uint64, in []byte, inOK bool) {
	probe := func(d, b []byte, exit bool) []byte {
		d = append(d, "{last_op="...)
		d = append(d, uringOpsU.Format(uint64(b[0]))...)
		d = append(d, ", ops_len="...)
		d = strconv.AppendUint(d, uint64(b[1]), 10)
		d = appendNonzeroHex(d, ", resv=", uint64(le.Uint16(b[2:])))
		if !isZero(b[4:16]) {
			d = appendXintArrayField(d, ", resv2=", b[4:16], 4)
			d = d[:len(d)-1] // the struct goes on
		}
		d = append(d, ", ops="...)
		n := nargs
		trunc := false
		if exit {
			n = min(uint64(b[1]), nargs)
			trunc = nargs < uint64(b[1])
		}
		ops := b[16:]
		d = appendUringArray(d, ops, n, 8, uint64(c.s.opts.strsize()), func(d, e []byte) []byte {
			d = append(d, "{op="...)
			d = append(d, uringOpsU.Format(uint64(e[0]))...)
			d = appendNonzeroHex(d, ", resv=", uint64(e[1]))
			d = append(d, ", flags="...)
			d = append(d, uringOpFlag.Format(uint64(le.Uint16(e[2:])))...)
			d = appendNonzeroHex(d, ", resv2=", uint64(le.Uint32(e[4:])))
			return append(d, '}')
		})
		if trunc && !bytes.HasSuffix(d, []byte("...]")) {
			if n > 0 {
				d = d[:len(d)-1]
				d = append(d, ", ...]"...)
			} else {
				d = append(d[:len(d)-2], "[...]"...)
			}
		}
		return append(d, '}')
	}
	size := 16 + 8*nargs
	if nargs > 256 || !inOK || uint64(len(in)) < min(size, opMax) {
		c.addf(false, func(d []byte) []byte { return appendPtr(d, p) })
		c.generic(3)
		return
	}
	exitStruct := func(d []byte) []byte {
		out, ok := c.data(2, event.BufOut)
		if !ok || len(out) < 16 {
			return appendPtr(d, p)
		}
		return probe(d, out, true)
	}
	if isZero(in) {
		c.addf(true, func(d []byte) []byte {
			if c.failed() {
				return appendPtr(d, p)
			}
			return exitStruct(d)
		})
	} else {
		c.addf(false, func(d []byte) []byte { return probe(d, in, false) })
		c.glue(func(d []byte) []byte {
			if c.failed() {
				return d
			}
			return exitStruct(append(d, " => "...))
		})
	}
	c.generic(3)
}

// opMax is the kernel side's cut of what op_caps read (OP_MAX in bpf/tracer.h).
const opMax = 1024

func isZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// appendFilesUpdate appends IORING_REGISTER_FILES_UPDATE's struct
// io_uring_files_update and the nargs descriptors its fds points to
// (captured after it, up to arrayMax): IORING_REGISTER_FILES_SKIP by name.
func (c *call) appendFilesUpdate(d []byte, p, nargs uint64, in []byte, inOK bool) []byte {
	if !inOK || len(in) < 16 {
		return appendPtr(d, p)
	}
	d = append(d, "{offset="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(in)), 10)
	d = appendNonzeroHex(d, ", resv=", uint64(le.Uint32(in[4:])))
	d = append(d, ", fds="...)
	fds := le.Uint64(in[8:])
	switch {
	case fds == 0:
		d = append(d, "NULL"...)
	case nargs == 0:
		d = append(d, "[]"...)
	case len(in) < 20:
		d = appendPtr(d, fds) // not read
	default:
		d = appendUringArray(d, in[16:], nargs, 4, min(uint64(c.s.opts.strsize()), arrayMax), func(d, e []byte) []byte {
			switch fd := int32(le.Uint32(e)); {
			case fd == -2:
				return append(d, "IORING_REGISTER_FILES_SKIP"...)
			case fd < -1:
				return strconv.AppendInt(d, int64(fd), 10)
			default:
				return c.appendFd(d, int64(fd))
			}
		})
	}
	return append(d, '}')
}

// appendUringRsrc appends struct io_uring_rsrc_register (FILES2,
// BUFFERS2) or io_uring_rsrc_update2 (FILES_UPDATE2, BUFFERS_UPDATE), and
// the data and tags arrays they point to, captured after the struct (the
// data's elements, then the tags'; a failed read ends them), as strace's
// print_io_uring_register_rsrc and print_io_uring_update_rsrc. size is the
// struct's size the caller passes: under 32 the address.
func (c *call) appendUringRsrc(d []byte, op uint32, p, size uint64, in []byte, inOK bool) []byte {
	if size < 32 || !inOK || len(in) < 32 {
		return appendPtr(d, p)
	}
	register := op == uringRegisterFiles2 || op == uringRegisterBuffers2
	var nr uint32
	var data, tags uint64
	if register {
		nr, data, tags = le.Uint32(in), le.Uint64(in[16:]), le.Uint64(in[24:])
		d = append(d, "{nr="...)
		d = strconv.AppendUint(d, uint64(nr), 10)
		d = append(d, ", flags="...)
		d = append(d, uringRsrcFlags.Format(uint64(le.Uint32(in[4:])))...)
		d = appendNonzeroHex(d, ", resv2=", le.Uint64(in[8:]))
	} else {
		nr, data, tags = le.Uint32(in[24:]), le.Uint64(in[8:]), le.Uint64(in[16:])
		d = append(d, "{offset="...)
		d = strconv.AppendUint(d, uint64(le.Uint32(in)), 10)
		d = appendNonzeroHex(d, ", resv=", uint64(le.Uint32(in[4:])))
	}
	rest := in[32:]
	n := min(uint64(nr), arrayMax)
	// array appends one of the arrays behind the struct: NULL, [] for no
	// elements, its address when it was not read.
	array := func(d []byte, name string, ptr uint64, elem uint64, fn func(d, e []byte) []byte) []byte {
		d = append(d, ", "...)
		d = append(d, name...)
		d = append(d, '=')
		switch {
		case ptr == 0:
			return append(d, "NULL"...)
		case nr == 0:
			return append(d, "[]"...)
		case uint64(len(rest)) < n*elem:
			rest = nil
			return appendPtr(d, ptr)
		}
		d = appendUringArray(d, rest, uint64(nr), elem, min(uint64(c.s.opts.strsize()), arrayMax), fn)
		rest = rest[n*elem:]
		return d
	}
	switch op {
	case uringRegisterFiles2:
		d = array(d, "data", data, 4, func(d, e []byte) []byte { return c.appendFd(d, int64(int32(le.Uint32(e)))) })
	case uringRegisterFilesUpdate2:
		d = array(d, "data", data, 4, func(d, e []byte) []byte {
			switch fd := int32(le.Uint32(e)); {
			case fd == -2:
				return append(d, "IORING_REGISTER_FILES_SKIP"...)
			case fd < -1:
				return strconv.AppendInt(d, int64(fd), 10)
			default:
				return c.appendFd(d, int64(fd))
			}
		})
	default: // iovecs
		d = array(d, "data", data, 16, func(d, e []byte) []byte {
			d = append(d, "{iov_base="...)
			d = appendPtr(d, le.Uint64(e))
			d = append(d, ", iov_len="...)
			d = strconv.AppendUint(d, le.Uint64(e[8:]), 10)
			return append(d, '}')
		})
	}
	d = array(d, "tags", tags, 8, func(d, e []byte) []byte { return appendHexNum(d, le.Uint64(e)) })
	if !register {
		d = append(d, ", nr="...)
		d = strconv.AppendUint(d, uint64(nr), 10)
		d = appendNonzeroHex(d, ", resv2=", uint64(le.Uint32(in[28:])))
	}
	return append(d, '}')
}
