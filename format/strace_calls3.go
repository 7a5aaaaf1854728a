package format

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"

	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Printers of issue 21's third round: calls whose arguments strace prints
// by the value of another (mount's type and data by its flags).

// mount prints the filesystem type as an address with MS_REMOUNT, and the
// type and the data as addresses with MS_BIND, MS_MOVE or a propagation
// flag (the kernel ignores them then), as strace's SYS_FUNC(mount).
func (c *call) mount() {
	const (
		msMgcMsk      = 0xffff0000
		msMgcVal      = 0xc0ed0000
		msRemount     = 0x20
		msIgnoreTypes = 0x1000 | 0x2000 | 0x100000 | 0x40000 | 0x80000 | 0x20000 // MS_BIND MS_MOVE MS_SHARED MS_PRIVATE MS_SLAVE MS_UNBINDABLE
	)
	flags := c.ev.Args[3]
	if flags&msMgcMsk == msMgcVal {
		flags &^= msMgcMsk
	}
	ignoreType, ignoreData := false, false
	if flags&msRemount != 0 {
		ignoreType = true
	} else if flags&msIgnoreTypes != 0 {
		ignoreType, ignoreData = true, true
	}
	c.generic(0)
	c.generic(1)
	if ignoreType {
		c.addf(false, func(d []byte) []byte { return appendPtr(d, c.ev.Args[2]) })
	} else {
		c.generic(2)
	}
	c.generic(3)
	if ignoreData {
		c.addf(false, func(d []byte) []byte { return appendPtr(d, c.ev.Args[4]) })
	} else {
		c.generic(4)
	}
}

// appendIoprio appends strace's IOPRIO_PRIO_VALUE(class, data) for an I/O
// priority: the class in its top bits, the data in the low 13.
func (c *call) appendIoprio(d []byte, v uint32) []byte {
	d = append(d, "IOPRIO_PRIO_VALUE("...)
	d = c.appendFlags(d, "ioprio_class", uint64(v>>13))
	d = append(d, ", "...)
	d = strconv.AppendInt(d, int64(v&(1<<13-1)), 10)
	return append(d, ')')
}

// ioprioSet prints ioprio_set's priority as IOPRIO_PRIO_VALUE, as strace.
func (c *call) ioprioSet() {
	c.generic(0)
	c.generic(1)
	c.addf(false, func(d []byte) []byte { return c.appendIoprio(d, uint32(c.ev.Args[2])) })
}

// ioprioGetRet appends ioprio_get's result and its IOPRIO_PRIO_VALUE.
func ioprioGetRet(c *call, d []byte) []byte {
	d = strconv.AppendInt(d, c.ev.Ret, 10)
	d = append(d, " ("...)
	d = c.appendIoprio(d, uint32(c.ev.Ret))
	return append(d, ')')
}

// membarrierRet appends membarrier's result: in hex with the commands it
// names for a nonzero result (MEMBARRIER_CMD_QUERY's), as strace.
func membarrierRet(c *call, d []byte) []byte {
	if c.ev.Ret == 0 {
		return append(d, '0')
	}
	d = appendHexNum(d, uint64(c.ev.Ret))
	d = append(d, " ("...)
	d = appendBitsOf(d, c.s.tab.Flags("membarrier_cmds"), uint64(c.ev.Ret))
	return append(d, ')')
}

// appendBitsOf appends v as the names of table t's single-bit constants
// joined by "|", the bits none names in hex: strace's sprintflags over an
// xlat written as values (membarrier's commands).
func appendBitsOf(d []byte, t *syscalls.FlagTable, v uint64) []byte {
	first := true
	sep := func() {
		if !first {
			d = append(d, '|')
		}
		first = false
	}
	if t != nil {
		for _, e := range t.Entries {
			b := uint64(e.Value)
			if b == 0 || b&(b-1) != 0 || v&b == 0 {
				continue
			}
			sep()
			d = append(d, e.Name...)
			v &^= b
		}
	}
	if v != 0 || first {
		sep()
		d = appendHexNum(d, v)
	}
	return d
}

// appendMpolModeOut appends get_mempolicy's mode, in brackets.
func appendMpolModeOut(c *call, d, b []byte) []byte {
	if len(b) < 4 {
		return appendPtr(d, c.ev.Args[c.cur])
	}
	d = append(d, '[')
	d = c.appendFlags(d, "mpol_modes", uint64(le.Uint32(b)))
	return append(d, ']')
}

// seccomp prints flags and args by the operation, as strace's
// SYS_FUNC(seccomp): SECCOMP_SET_MODE_FILTER's flags by name, the others'
// in hex; GET_ACTION_AVAIL's action and GET_NOTIF_SIZES's sizes read.
func (c *call) seccomp() {
	c.generic(0)
	op := uint32(c.ev.Args[0])
	if op == 1 { // SECCOMP_SET_MODE_FILTER
		c.generic(1)
	} else {
		c.addf(false, func(d []byte) []byte { return appendHexNum(d, uint64(uint32(c.ev.Args[1]))) })
	}
	c.cur = 2
	c.addf(op == 3, func(d []byte) []byte { return appendSeccompUargs(c, d, nil) })
}

// appendSeccompUargs appends seccomp's args by its operation, from what
// the kernel captured at enter (the action) or at exit (the sizes); b is
// unused: the operation picks which.
func appendSeccompUargs(c *call, d, _ []byte) []byte {
	p := c.ev.Args[2]
	switch uint32(c.ev.Args[0]) {
	case 1: // SECCOMP_SET_MODE_FILTER
		return c.appendSeccompFprog(d, 2, p)
	case 2: // SECCOMP_GET_ACTION_AVAIL
		if b, ok := c.data(2, event.BufIn); ok && p != 0 && len(b) >= 4 {
			d = append(d, '[')
			d = c.appendFlags(d, "seccomp_ret_action", uint64(le.Uint32(b)))
			return append(d, ']')
		}
	case 3: // SECCOMP_GET_NOTIF_SIZES
		if b, ok := c.data(2, event.BufOut); ok && p != 0 && len(b) >= 6 && c.ev.Flags&event.Unfinished == 0 {
			d = append(d, "{seccomp_notif="...)
			d = strconv.AppendUint(d, uint64(le.Uint16(b)), 10)
			d = append(d, ", seccomp_notif_resp="...)
			d = strconv.AppendUint(d, uint64(le.Uint16(b[2:])), 10)
			d = append(d, ", seccomp_data="...)
			d = strconv.AppendUint(d, uint64(le.Uint16(b[4:])), 10)
			return append(d, '}')
		}
	}
	return appendPtr(d, p)
}

// appendFdArray appends an int array of descriptors as strace's
// print_array of print_fd_array_member: as many as the current argument's
// size argument, the first -s of them.
func appendFdArray(c *call, d, b []byte) []byte {
	a := &c.sc.Args[c.cur]
	n := uint64(0)
	if a.SizeArg >= 0 {
		n = uint64(uint32(c.ev.Args[a.SizeArg]))
	}
	d = append(d, '[')
	for i := uint64(0); i < n; i++ {
		if i > 0 {
			d = append(d, ", "...)
		}
		if i >= uint64(c.s.opts.strsize()) || uint64(len(b)) < (i+1)*4 {
			return append(d, "...]"...)
		}
		d = c.appendFd(d, int64(int32(le.Uint32(b[i*4:]))))
	}
	return append(d, ']')
}

// mempolicy prints get_mempolicy, set_mempolicy and mbind with their node
// mask read: what the kernel wrote for get_mempolicy, what it read for
// the others.
func (c *call) mempolicy() {
	mask := 1
	if c.sc.Name == "mbind" {
		mask = 3
	}
	exit := c.sc.Name == "get_mempolicy"
	for i := range c.sc.Args {
		if i != mask {
			c.generic(i)
			continue
		}
		c.cur = i
		c.addf(exit, func(d []byte) []byte {
			kind := event.BufIn
			if exit {
				kind = event.BufOut
			}
			b, ok := c.data(mask, kind)
			if !ok || c.ev.Args[mask] == 0 || (exit && (c.failed() || c.ev.Flags&event.Unfinished != 0)) {
				return appendPtr(d, c.ev.Args[mask])
			}
			c.cur = mask
			return appendNodemask(c, d, b)
		})
	}
}

// appendNodemask appends a node mask of maxnode bits as strace's
// print_nodemask: (maxnode+62)/64 longs, each "%#018lx" (a zero without
// its 0x), the first -s of them. maxnode is the size argument, or
// get_mempolicy's third argument (its mask is read at exit, up to 1024
// nodes: a StructOut of 16 longs).
func appendNodemask(c *call, d, b []byte) []byte {
	p := c.ev.Args[c.cur]
	sizeArg := c.sc.Args[c.cur].SizeArg
	if sizeArg < 0 {
		sizeArg = 2
	}
	maxnode := c.ev.Args[sizeArg]
	n := (maxnode + 62) / 64
	if n < maxnode/64 || (maxnode != 0 && n == 0) {
		return appendPtr(d, p)
	}
	d = append(d, '[')
	for i := uint64(0); i < n; i++ {
		if i > 0 {
			d = append(d, ", "...)
		}
		if i >= uint64(c.s.opts.strsize()) || uint64(len(b)) < (i+1)*8 {
			return append(d, "...]"...)
		}
		v := le.Uint64(b[i*8:])
		s := strconv.FormatUint(v, 16)
		w := 16
		if v != 0 {
			d = append(d, "0x"...)
			w = 14
		}
		for j := len(s); j < w; j++ {
			d = append(d, '0')
		}
		d = append(d, s...)
	}
	return append(d, ']')
}

// appendPersona appends a personality value as strace: its type (the low
// byte) by name, then its flags.
func (c *call) appendPersona(d []byte, v uint32) []byte {
	d = c.appendFlags(d, "personality_types", uint64(v&0xff))
	if v &^= 0xff; v != 0 {
		d = append(d, '|')
		d = c.appendFlags(d, "personality_flags", uint64(v))
	}
	return d
}

// personality prints the persona, 0xffffffff (a query) in hex.
func (c *call) personality() {
	c.addf(false, func(d []byte) []byte {
		v := uint32(c.ev.Args[0])
		if v == 0xffffffff {
			return append(d, "0xffffffff"...)
		}
		return c.appendPersona(d, v)
	})
}

// personalityRet appends the previous persona in hex and by name.
func personalityRet(c *call, d []byte) []byte {
	d = appendHexNum(d, uint64(uint32(c.ev.Ret)))
	d = append(d, " ("...)
	d = c.appendPersona(d, uint32(c.ev.Ret))
	return append(d, ')')
}

// swapon prints the flags and, after them, the priority (SWAP_FLAG_PRIO_MASK's
// bits) in decimal, as strace: "SWAP_FLAG_PREFER|10".
func (c *call) swapon() {
	c.generic(0)
	c.addf(false, func(d []byte) []byte {
		v := uint32(c.ev.Args[1])
		if f := v &^ 0x7fff; f != 0 {
			d = c.appendFlags(d, "swap_flags", uint64(f))
			d = append(d, '|')
		}
		return strconv.AppendUint(d, uint64(v&0x7fff), 10)
	})
}
