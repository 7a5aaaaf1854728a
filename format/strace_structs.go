package format

import (
	"net/netip"
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// execve prints the path, argv as an array of strings cut at --strsize,
// and envp as an address with its count.
func (c *call) execve(base int) {
	if base == 1 {
		c.generic(0)
	}
	c.generic(base)
	argv, envp := c.ev.Args[base+1], c.ev.Args[base+2]
	c.addf(false, func(d []byte) []byte {
		b, ok := c.data(base+1, event.Str, event.StrTrunc)
		if !ok || argv == 0 {
			return appendPtr(d, argv)
		}
		d = append(d, '[')
		n := 0
		for len(b) > 0 {
			end := 0
			for end < len(b) && b[end] != 0 {
				end++
			}
			if n > 0 {
				d = append(d, ", "...)
			}
			d = c.appendStrLimited(d, b[:end], false)
			n++
			if end < len(b) {
				end++
			}
			b = b[end:]
		}
		if _, more := c.data(base+1, event.StrTrunc); more {
			d = append(d, ", ..."...)
		}
		return append(d, ']')
	})
	c.addf(false, func(d []byte) []byte {
		if c.unabbreviated() && envp != 0 {
			// -v: the strings, captured as argv's.
			if b, ok := c.data(base+2, event.Str, event.StrTrunc); ok {
				return c.appendStrArray(d, b, base+2)
			}
		}
		d = appendPtr(d, envp)
		if b, ok := c.data(base+2, event.Str); ok && envp != 0 && !c.unabbreviated() {
			// The strings were captured (-e abbrev= leaves another
			// execve out): their number, when all are there.
			if _, more := c.data(base+2, event.StrTrunc); !more {
				d = appendVarCount(d, countStrings(b))
			}
			return d
		}
		if b, ok := c.data(base+2, event.BufIn); ok && len(b) >= 4 && envp != 0 {
			d = append(d, " /* "...)
			d = strconv.AppendUint(d, uint64(le.Uint32(b)), 10)
			if le.Uint32(b) == 1 {
				d = append(d, " var */"...)
			} else {
				d = append(d, " vars */"...)
			}
		}
		return d
	})
	if base == 1 {
		c.generic(4)
	}
}

const (
	cloneSettls        = 0x00080000
	cloneParentSettid  = 0x00100000
	cloneChildCleartid = 0x00200000
	cloneChildSettid   = 0x01000000
	clonePidfd         = 0x00001000
)

// clone prints strace's named arguments (amd64 and arm64 orders differ in
// the last two, which the table's argument names tell apart).
func (c *call) clone() {
	idx := map[string]int{}
	for i, a := range c.sc.Args {
		idx[a.Name] = i
	}
	flags := c.ev.Args[idx["clone_flags"]]
	c.addf(false, func(d []byte) []byte {
		d = append(d, "child_stack="...)
		return appendPtr(d, c.ev.Args[idx["newsp"]])
	})
	c.addf(false, func(d []byte) []byte {
		d = append(d, "flags="...)
		return append(d, c.s.tab.Flags("clone_flags").Format(flags)...)
	})
	if flags&(cloneParentSettid|clonePidfd) != 0 {
		c.addf(true, func(d []byte) []byte {
			d = append(d, "parent_tid="...)
			if flags&cloneParentSettid != 0 && c.ev.Ret > 0 && c.ev.Flags&event.Unfinished == 0 {
				// The kernel wrote the child's tid there: the value returned.
				d = append(d, '[')
				d = strconv.AppendInt(d, c.ev.Ret, 10)
				return append(d, ']')
			}
			return appendPtr(d, c.ev.Args[idx["parent_tidptr"]])
		})
	}
	if flags&cloneSettls != 0 {
		c.addf(true, func(d []byte) []byte {
			d = append(d, "tls="...)
			return appendPtr(d, c.ev.Args[idx["tls"]])
		})
	}
	if flags&(cloneChildSettid|cloneChildCleartid) != 0 {
		c.addf(true, func(d []byte) []byte {
			d = append(d, "child_tidptr="...)
			return appendPtr(d, c.ev.Args[idx["child_tidptr"]])
		})
	}
}

const (
	cloneClearSighand = 1 << 32
	cloneIntoCgroup   = 1 << 33
)

// clone3 prints struct clone_args as strace: the fields its flags use,
// then at exit " => {pidfd=[3], parent_tid=[N]}": the pidfd the kernel
// wrote (captured at exit) and the tid it stored, which is the value
// returned.
func (c *call) clone3() {
	size := c.ev.Args[1]
	b, ok := c.data(0, event.BufIn)
	ok = ok && len(b) >= 64 && size >= 64
	c.addf(false, func(d []byte) []byte {
		if !ok {
			return appendPtr(d, c.ev.Args[0])
		}
		return c.appendCloneArgs(d, b, size)
	})
	if ok && le.Uint64(b)&(cloneParentSettid|clonePidfd) != 0 {
		flags := le.Uint64(b)
		c.glue(func(d []byte) []byte {
			if c.failed() || c.ev.Ret <= 0 || c.ev.Flags&event.Unfinished != 0 {
				return d
			}
			pidfd, havePidfd := c.data(0, event.BufOut)
			havePidfd = havePidfd && flags&clonePidfd != 0 && len(pidfd) >= 4
			if !havePidfd && flags&cloneParentSettid == 0 {
				return d
			}
			d = append(d, " => {"...)
			if havePidfd {
				d = append(d, "pidfd=["...)
				d = c.appendClonePidfd(d, int64(int32(le.Uint32(pidfd)))) // -y (fdkinds.go)
				d = append(d, ']')
			}
			if flags&cloneParentSettid != 0 {
				if havePidfd {
					d = append(d, ", "...)
				}
				d = append(d, "parent_tid=["...)
				d = strconv.AppendInt(d, c.ev.Ret, 10)
				d = append(d, ']')
			}
			return append(d, '}')
		})
	}
	c.addf(true, func(d []byte) []byte { return strconv.AppendUint(d, size, 10) })
}

// cloneArgsMax is the size of struct clone_args the kernel side reads.
const cloneArgsMax = 88

// appendCloneArgs renders the first size bytes of a struct clone_args
// (64 in the first version, 88 since Linux 5.7), then its set_tid pids.
func (c *call) appendCloneArgs(d, b []byte, size uint64) []byte {
	u := func(off int) uint64 { return le.Uint64(b[off:]) }
	flags := u(0)
	d = append(d, "{flags="...)
	low := flags &^ (cloneClearSighand | cloneIntoCgroup)
	if low != 0 || flags == 0 {
		d = c.appendFlags(d, "clone_flags", low)
	}
	for _, f := range []struct {
		bit  uint64
		name string
	}{{cloneClearSighand, "CLONE_CLEAR_SIGHAND"}, {cloneIntoCgroup, "CLONE_INTO_CGROUP"}} {
		if flags&f.bit != 0 {
			if d[len(d)-1] != '=' {
				d = append(d, '|')
			}
			d = append(d, f.name...)
		}
	}
	if flags&clonePidfd != 0 {
		d = append(d, ", pidfd="...)
		d = appendPtr(d, u(8))
	}
	if flags&(cloneChildSettid|cloneChildCleartid) != 0 {
		d = append(d, ", child_tid="...)
		d = appendPtr(d, u(16))
	}
	if flags&cloneParentSettid != 0 {
		d = append(d, ", parent_tid="...)
		d = appendPtr(d, u(24))
	}
	d = append(d, ", exit_signal="...)
	if sig := u(32); sig <= 0xffffffff {
		d = c.appendFlags(d, "signal", sig)
	} else {
		d = strconv.AppendUint(d, sig, 10)
	}
	d = append(d, ", stack="...)
	d = appendPtr(d, u(40))
	d = append(d, ", stack_size="...)
	d = appendHexNum(d, u(48))
	if flags&cloneSettls != 0 {
		d = append(d, ", tls="...)
		d = appendPtr(d, u(56))
	}
	if size >= 80 && len(b) >= 80 && u(72) != 0 {
		// The pids set_tid points to follow the struct in the capture
		// (at most 32 of them).
		d = append(d, ", set_tid="...)
		n := u(72)
		tids := b[min(size, cloneArgsMax, uint64(len(b))):]
		if shown := min(n, arrayMax); u(64) != 0 && uint64(len(tids)) >= 4*shown {
			d = append(d, '[')
			for i := uint64(0); i < shown; i++ {
				if i > 0 {
					d = append(d, ", "...)
				}
				d = strconv.AppendInt(d, int64(int32(le.Uint32(tids[4*i:]))), 10)
			}
			if n > shown {
				d = append(d, ", ..."...)
			}
			d = append(d, ']')
		} else {
			d = appendPtr(d, u(64))
		}
		d = append(d, ", set_tid_size="...)
		d = strconv.AppendUint(d, n, 10)
	}
	if size >= 88 && len(b) >= 88 && flags&cloneIntoCgroup != 0 {
		d = append(d, ", cgroup="...)
		d = strconv.AppendUint(d, u(80), 10)
	}
	return append(d, '}')
}

func (c *call) mmap() { c.mmapShift(0) }

// appendMmapFlags renders mmap's flags as strace's print_mmap_flags: the
// map type (MAP_FILE for 0), the flags, then the huge page size as
// "21<<MAP_HUGE_SHIFT".
func (c *call) appendMmapFlags(d []byte, v uint64) []byte {
	const hugeShift, hugeMask = 26, 0x3f
	huge := v & (hugeMask << hugeShift)
	d = c.appendFlags(d, "mmap_flags", v&^huge)
	if huge != 0 {
		d = append(d, '|')
		d = strconv.AppendUint(d, huge>>hugeShift, 10)
		d = append(d, "<<MAP_HUGE_SHIFT"...)
	}
	return d
}

// mmap2 is i386's mmap, whose offset counts 4096-byte pages: strace shows
// it in bytes.
func (c *call) mmap2() { c.mmapShift(12) }

func (c *call) mmapShift(shift uint) {
	c.addf(false, func(d []byte) []byte { return appendPtr(d, c.ev.Args[0]) })
	c.addf(false, func(d []byte) []byte { return strconv.AppendUint(d, c.ev.Args[1], 10) })
	c.generic(2)
	c.addf(false, func(d []byte) []byte { return c.appendMmapFlags(d, c.arg(3)) })
	c.addf(false, func(d []byte) []byte { return c.appendFd(d, int64(int32(c.ev.Args[4]))) })
	c.addf(false, func(d []byte) []byte { return appendHexNum(d, c.ev.Args[5]<<shift) })
}

// open prints the mode only when the flags create a file, as strace.
func (c *call) open(base int) {
	for i := 0; i <= base+1; i++ {
		c.generic(i)
	}
	if fl := c.arg(base + 1); fl&0o100 != 0 || fl&0o20000000 != 0 { // O_CREAT, __O_TMPFILE
		c.generic(base + 2)
	}
}

// getdents prints the buffer's address and the number of entries.
func (c *call) getdents() {
	c.generic(0)
	c.addf(true, func(d []byte) []byte {
		d = appendPtr(d, c.ev.Args[1])
		if b, ok := c.data(1, event.BufOut); ok && len(b) >= 4 && !c.failed() {
			d = append(d, " /* "...)
			d = strconv.AppendUint(d, uint64(le.Uint32(b)), 10)
			d = append(d, " entries */"...)
		}
		return d
	})
	c.addf(true, func(d []byte) []byte { return strconv.AppendUint(d, uint64(uint32(c.ev.Args[2])), 10) })
}

var faccessatFlags = []bitName{{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_EACCESS"}, {0x1000, "AT_EMPTY_PATH"}}

func (c *call) faccessat2() {
	c.generic(0)
	c.generic(1)
	c.generic(2)
	c.addf(false, func(d []byte) []byte { return appendBitNames(d, uint32(c.ev.Args[3]), faccessatFlags) })
}

var statxFlags = []bitName{{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x800, "AT_NO_AUTOMOUNT"}, {0x1000, "AT_EMPTY_PATH"}}

// statx prints the sync type of its flags by name, as strace.
func (c *call) statx() {
	c.generic(0)
	c.generic(1)
	fl := uint32(c.ev.Args[2])
	c.addf(false, func(d []byte) []byte {
		switch fl & 0x6000 {
		case 0:
			d = append(d, "AT_STATX_SYNC_AS_STAT"...)
		case 0x2000:
			d = append(d, "AT_STATX_FORCE_SYNC"...)
		case 0x4000:
			d = append(d, "AT_STATX_DONT_SYNC"...)
		default:
			d = append(d, "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC"...)
		}
		if rest := fl &^ 0x6000; rest != 0 {
			d = append(d, '|')
			d = appendBitNames(d, rest, statxFlags)
		}
		return d
	})
	c.addf(false, func(d []byte) []byte { return appendStatxMask(d, uint32(c.ev.Args[3])) })
	c.generic(4)
}

func appendSysinfo(c *call, d, b []byte) []byte {
	if len(b) < 112 {
		return d
	}
	u := func(off int) uint64 { return le.Uint64(b[off:]) }
	d = append(d, "{uptime="...)
	d = strconv.AppendInt(d, int64(u(0)), 10)
	d = append(d, ", loads=["...)
	for i := 0; i < 3; i++ {
		if i > 0 {
			d = append(d, ", "...)
		}
		d = strconv.AppendUint(d, u(8+8*i), 10)
	}
	d = append(d, "], totalram="...)
	for i, name := range []string{"", ", freeram=", ", sharedram=", ", bufferram=", ", totalswap=", ", freeswap="} {
		d = append(d, name...)
		d = strconv.AppendUint(d, u(32+8*i), 10)
	}
	d = append(d, ", procs="...)
	d = strconv.AppendUint(d, uint64(le.Uint16(b[80:])), 10)
	d = append(d, ", totalhigh="...)
	d = strconv.AppendUint(d, u(88), 10)
	d = append(d, ", freehigh="...)
	d = strconv.AppendUint(d, u(96), 10)
	d = append(d, ", mem_unit="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b[104:])), 10)
	return append(d, '}')
}

func (c *call) lseek() {
	c.generic(0)
	c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(c.ev.Args[1]), 10) })
	c.generic(2)
}

func (c *call) rseq() {
	c.addf(false, func(d []byte) []byte { return appendPtr(d, c.ev.Args[0]) })
	c.addf(false, func(d []byte) []byte { return appendHexNum(d, uint64(uint32(c.ev.Args[1]))) })
	c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[2])), 10) })
	c.addf(false, func(d []byte) []byte { return appendHexNum(d, uint64(uint32(c.ev.Args[3]))) })
}

func (c *call) getrandom() {
	c.addf(true, func(d []byte) []byte {
		if c.failed() {
			return appendPtr(d, c.ev.Args[0])
		}
		b, ok := c.data(0, event.BufOut)
		n := uint64(c.ev.Ret)
		show := min(n, uint64(c.s.opts.strsize()))
		if !ok || uint64(len(b)) < show {
			return appendPtr(d, c.ev.Args[0])
		}
		d = appendQuoted(d, b[:show], true)
		if n > show {
			d = append(d, "..."...)
		}
		return d
	})
	c.addf(true, func(d []byte) []byte { return strconv.AppendUint(d, c.ev.Args[1], 10) })
	c.addf(true, func(d []byte) []byte { return c.appendFlags(d, "getrandom_flags", c.arg(2)) })
}

func (c *call) readlink(base int) {
	if base == 1 {
		c.generic(0)
	}
	c.generic(base)
	c.addf(true, func(d []byte) []byte {
		if c.failed() {
			return appendPtr(d, c.ev.Args[base+1])
		}
		return c.appendBuf(d, base+1, event.BufOut, uint64(c.ev.Ret), c.ev.Args[base+1])
	})
	c.addf(true, func(d []byte) []byte { return strconv.AppendUint(d, c.ev.Args[base+2], 10) })
}

func (c *call) getcwd() {
	c.addf(true, func(d []byte) []byte {
		b, ok := c.data(0, event.BufOut)
		if c.failed() || !ok {
			return appendPtr(d, c.ev.Args[0])
		}
		if len(b) > 0 && b[len(b)-1] == 0 {
			b = b[:len(b)-1]
		}
		return appendQuoted(d, b, false)
	})
	c.addf(true, func(d []byte) []byte { return strconv.AppendUint(d, c.ev.Args[1], 10) })
}

func (c *call) wait4() {
	c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[0])), 10) })
	c.addf(true, func(d []byte) []byte {
		ptr := c.ev.Args[1]
		b, ok := c.data(1, event.BufOut)
		if ptr == 0 {
			return append(d, "NULL"...)
		}
		if !ok || c.failed() || c.ev.Ret == 0 {
			return appendHexNum(d, ptr)
		}
		return appendWaitStatusPtr(c, d, b)
	})
	c.addf(true, func(d []byte) []byte { return c.appendFlags(d, "wait_options", c.arg(2)) })
	c.generic(3) // the rusage, by its printer
}

// archPrctl prints arch_prctl as strace 6.1: the address ARCH_GET_FS and
// ARCH_GET_GS store to, nothing for ARCH_GET_CPUID, the argument in hex
// for the others.
func (c *call) archPrctl() {
	c.generic(0)
	switch uint32(c.ev.Args[0]) {
	case 0x1003, 0x1004, 0x1021, 0x1022, 0x1024: // ARCH_GET_FS, ARCH_GET_GS, ARCH_GET_XCOMP_*
		c.addf(false, func(d []byte) []byte { return appendPtr(d, c.ev.Args[1]) })
	case 0x1011: // ARCH_GET_CPUID: no argument
	default:
		c.addf(false, func(d []byte) []byte { return appendHexNum(d, c.ev.Args[1]) })
	}
}

// membarrier prints the command and flags, and cpu_id only with
// MEMBARRIER_CMD_FLAG_CPU, as strace 6.1.
func (c *call) membarrier() {
	c.generic(0)
	c.generic(1)
	if uint32(c.ev.Args[1])&1 != 0 {
		c.generic(2)
	}
}

// mremap prints new_address only with MREMAP_FIXED, as strace.
func (c *call) mremap() {
	for i := 0; i < 4; i++ {
		c.generic(i)
	}
	if c.ev.Args[3]&2 != 0 { // MREMAP_FIXED
		c.generic(4)
	}
}

// mknod prints the device number only for a character or block device
// (mode's file type S_IFCHR or S_IFBLK), as strace; base is the mode's
// argument.
func (c *call) mknod(base int) {
	for i := 0; i <= base; i++ {
		c.generic(i)
	}
	if t := c.ev.Args[base] & 0o170000; t == 0o020000 || t == 0o060000 {
		c.generic(base + 1)
	}
}

// reboot prints the magic numbers and the command, and the restart
// command string only with LINUX_REBOOT_CMD_RESTART2, as strace 6.1.
func (c *call) reboot() {
	c.generic(0)
	c.generic(1)
	c.generic(2)
	if uint32(c.ev.Args[2]) == 0xa1b2c3d4 {
		c.generic(3)
	}
}

func (c *call) futex() {
	c.addf(false, func(d []byte) []byte { return appendPtr(d, c.ev.Args[0]) })
	op := uint32(c.ev.Args[1])
	c.addf(false, func(d []byte) []byte { return appendFutexOp(d, op) })
	switch op & 0x7f {
	case 6, 7, 8, 13: // FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_LOCK_PI2: no value
	default:
		c.addf(false, func(d []byte) []byte { return strconv.AppendUint(d, uint64(uint32(c.ev.Args[2])), 10) })
	}
	timeout := func(d []byte) []byte {
		if b, ok := c.data(3, event.BufIn); ok {
			return appendTimespec(c, d, b)
		}
		return appendPtr(d, c.ev.Args[3])
	}
	val2 := func(d []byte) []byte { return strconv.AppendUint(d, uint64(uint32(c.ev.Args[3])), 10) }
	uaddr2 := func(d []byte) []byte { return appendPtr(d, c.ev.Args[4]) }
	val3 := func(d []byte) []byte { return strconv.AppendUint(d, uint64(uint32(c.ev.Args[5])), 10) }
	// The arguments each command uses, as strace's futex.c.
	switch op & 0x7f {
	case 0: // FUTEX_WAIT
		c.addf(false, timeout)
	case 9: // FUTEX_WAIT_BITSET
		c.addf(false, timeout)
		c.addf(false, func(d []byte) []byte { return futexBitset(d, uint32(c.ev.Args[5])) })
	case 10: // FUTEX_WAKE_BITSET
		c.addf(false, func(d []byte) []byte { return futexBitset(d, uint32(c.ev.Args[5])) })
	case 3: // FUTEX_REQUEUE
		c.addf(false, val2)
		c.addf(false, uaddr2)
	case 4, 12: // FUTEX_CMP_REQUEUE, FUTEX_CMP_REQUEUE_PI
		c.addf(false, val2)
		c.addf(false, uaddr2)
		c.addf(false, val3)
	case 11: // FUTEX_WAIT_REQUEUE_PI
		c.addf(false, timeout)
		c.addf(false, uaddr2)
	case 5: // FUTEX_WAKE_OP
		c.addf(false, val2)
		c.addf(false, uaddr2)
		c.addf(false, func(d []byte) []byte { return appendFutexWakeOp(d, uint32(c.ev.Args[5])) })
	case 6, 13: // FUTEX_LOCK_PI, FUTEX_LOCK_PI2
		c.addf(false, timeout)
	case 1, 2, 7, 8: // FUTEX_WAKE, FUTEX_FD, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI
	default: // strace's default: every argument
		c.addf(false, func(d []byte) []byte { return appendPtr(d, c.ev.Args[3]) })
		c.addf(false, uaddr2)
		c.addf(false, func(d []byte) []byte { return appendHexNum(d, uint64(uint32(c.ev.Args[5]))) })
	}
}

var (
	futexWakeOps  = []string{"FUTEX_OP_SET", "FUTEX_OP_ADD", "FUTEX_OP_OR", "FUTEX_OP_ANDN", "FUTEX_OP_XOR"}
	futexWakeCmps = []string{"FUTEX_OP_CMP_EQ", "FUTEX_OP_CMP_NE", "FUTEX_OP_CMP_LT", "FUTEX_OP_CMP_LE", "FUTEX_OP_CMP_GT", "FUTEX_OP_CMP_GE"}
)

// appendFutexWakeOp renders FUTEX_WAKE_OP's encoded operation as strace:
// "FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1".
func appendFutexWakeOp(d []byte, v uint32) []byte {
	op, cmp := v>>28&7, v>>24&15
	if v>>28&8 != 0 {
		d = append(d, "FUTEX_OP_OPARG_SHIFT<<28|"...)
	}
	if int(op) < len(futexWakeOps) {
		d = append(d, futexWakeOps[op]...)
	} else {
		d = appendHexNum(d, uint64(op))
	}
	d = append(d, "<<28|"...)
	d = appendHexNum(d, uint64(v>>12&0xfff))
	d = append(d, "<<12|"...)
	if int(cmp) < len(futexWakeCmps) {
		d = append(d, futexWakeCmps[cmp]...)
	} else {
		d = appendHexNum(d, uint64(cmp))
	}
	d = append(d, "<<24|"...)
	return appendHexNum(d, uint64(v&0xfff))
}

func futexBitset(d []byte, v uint32) []byte {
	if v == 0xffffffff {
		return append(d, "FUTEX_BITSET_MATCH_ANY"...)
	}
	return appendHexNum(d, uint64(v))
}

var futexCmds = []string{"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP", "FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI", "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI", "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2"}

func appendFutexOp(d []byte, op uint32) []byte {
	cmd := op & 0x7f
	if int(cmd) >= len(futexCmds) || op&^0x1ff != 0 {
		// No name in strace's futexops: the whole operation.
		d = appendHexNum(d, uint64(op))
		return append(d, " /* FUTEX_??? */"...)
	}
	if int(cmd) < len(futexCmds) {
		d = append(d, futexCmds[cmd]...)
	} else {
		d = appendHexNum(d, uint64(cmd))
	}
	if op&128 != 0 {
		d = append(d, "_PRIVATE"...)
	}
	if op&256 != 0 {
		d = append(d, "|FUTEX_CLOCK_REALTIME"...)
	}
	return d
}

func (c *call) ioctl() {
	c.generic(0)
	cmd := uint32(c.ev.Args[1])
	c.addf(false, func(d []byte) []byte {
		if cmd == ficlone {
			return append(d, "BTRFS_IOC_CLONE or FICLONE"...)
		}
		if alias := ioctlAliases[cmd]; alias != "" {
			// strace names every command of the same number.
			d = append(d, alias...)
			d = append(d, " or "...)
		}
		if name := c.ioctlName(cmd); name != "" {
			return append(d, name...)
		}
		return appendIoctlCode(d, cmd)
	})
	switch cmd {
	case 0x5451, 0x5450: // FIOCLEX, FIONCLEX: no argument
		return
	case 0x5413, 0x5414: // TIOCGWINSZ, TIOCSWINSZ
		c.ioctlArg(cmd == 0x5413, 8, appendWinsize)
		return
	case 0x5401, 0x5402, 0x5403, 0x5404: // TCGETS, TCSETS, TCSETSW, TCSETSF
		c.ioctlArg(cmd == 0x5401, 17, appendTermios)
		return
	case ficlone: // the source file descriptor, by value
		c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[2])), 10) })
		return
	case 0x540f, 0x5410, 0x541b, 0x5421, 0x80045430, 0x40045431, 0x5411, 0x5429: // TIOCGPGRP, TIOCSPGRP, FIONREAD, FIONBIO, TIOCGPTN, TIOCSPTLCK, TIOCOUTQ, TIOCGSID: an int
		c.ioctlArg(cmd == 0x540f || cmd == 0x541b || cmd == 0x80045430 || cmd == 0x5411 || cmd == 0x5429, 4, func(d, b []byte) []byte {
			d = append(d, '[')
			d = strconv.AppendInt(d, int64(int32(le.Uint32(b))), 10)
			return append(d, ']')
		})
		return
	}
	c.ioctlArgDefault(c.ioctlName(cmd))
}

// ioctlAliases are the OSS sequencer commands that share terminal ioctls'
// numbers, which strace prints first: "SNDCTL_TMR_START or TCSETS".
var ioctlAliases = map[uint32]string{0x5402: "SNDCTL_TMR_START", 0x5403: "SNDCTL_TMR_STOP", 0x5404: "SNDCTL_TMR_CONTINUE"}

const ficlone = 0x40049409 // FICLONE, _IOW(0x94, 9, int), cp's reflink attempt

// ioctlArg prints ioctl's argument, captured at exit when the kernel
// writes it (out), at enter when it reads it, with fn; the address when
// it was not captured or the call failed.
func (c *call) ioctlArg(out bool, size int, fn func(d, b []byte) []byte) {
	c.addf(true, func(d []byte) []byte {
		kind := event.BufIn
		if out {
			kind = event.BufOut
		}
		b, ok := c.data(2, kind)
		if !ok || len(b) < size || out && c.failed() {
			return appendPtr(d, c.ev.Args[2])
		}
		return fn(d, b)
	})
}

func appendWinsize(d, b []byte) []byte {
	d = append(d, "{ws_row="...)
	d = strconv.AppendUint(d, uint64(le.Uint16(b)), 10)
	d = append(d, ", ws_col="...)
	d = strconv.AppendUint(d, uint64(le.Uint16(b[2:])), 10)
	d = append(d, ", ws_xpixel="...)
	d = strconv.AppendUint(d, uint64(le.Uint16(b[4:])), 10)
	d = append(d, ", ws_ypixel="...)
	d = strconv.AppendUint(d, uint64(le.Uint16(b[6:])), 10)
	return append(d, '}')
}

// appendIoctlCode renders an ioctl number strace does not know by name:
// _IOC(dir, type, nr, size).
func appendIoctlCode(d []byte, cmd uint32) []byte {
	dir := cmd >> 30
	typ := (cmd >> 8) & 0xff
	nr := cmd & 0xff
	size := (cmd >> 16) & 0x3fff
	dirs := [...]string{"_IOC_NONE", "_IOC_WRITE", "_IOC_READ", "_IOC_READ|_IOC_WRITE"}
	d = append(d, "_IOC("...)
	d = append(d, dirs[dir]...)
	d = append(d, ", "...)
	d = appendHexNum(d, uint64(typ))
	d = append(d, ", "...)
	d = appendHexNum(d, uint64(nr))
	d = append(d, ", "...)
	d = appendHexNum(d, uint64(size))
	return append(d, ')')
}

func appendTermios(d []byte, b []byte) []byte {
	iflag, oflag, cflag, lflag := le.Uint32(b), le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint32(b[12:])
	// strace 6.1 prints no flags as nothing, after a '|' when enum
	// fields come first: "c_iflag=, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|".
	d = append(d, "{c_iflag="...)
	if iflag != 0 {
		d = appendBitNames(d, iflag, termIflags)
	}
	d = append(d, ", c_oflag="...)
	d = appendOflag(d, oflag)
	d = append(d, ", c_cflag="...)
	d = appendCflag(d, cflag)
	d = append(d, ", c_lflag="...)
	if lflag != 0 {
		d = appendBitNames(d, lflag, termLflags)
	}
	return append(d, ", ...}"...)
}

type bitName struct {
	v    uint32
	name string
}

var termIflags = []bitName{{1, "IGNBRK"}, {2, "BRKINT"}, {4, "IGNPAR"}, {8, "PARMRK"}, {16, "INPCK"}, {32, "ISTRIP"}, {64, "INLCR"}, {128, "IGNCR"}, {256, "ICRNL"}, {512, "IUCLC"}, {1024, "IXON"}, {2048, "IXANY"}, {4096, "IXOFF"}, {8192, "IMAXBEL"}, {16384, "IUTF8"}}
var termOflags = []bitName{{1, "OPOST"}, {2, "OLCUC"}, {4, "ONLCR"}, {8, "OCRNL"}, {16, "ONOCR"}, {32, "ONLRET"}, {64, "OFILL"}, {128, "OFDEL"}}

// termLflags are in strace's order (xlat/term_lflags.in), not by value.
var termLflags = []bitName{{1, "ISIG"}, {2, "ICANON"}, {4, "XCASE"}, {8, "ECHO"}, {16, "ECHOE"}, {32, "ECHOK"}, {64, "ECHONL"}, {128, "NOFLSH"}, {32768, "IEXTEN"}, {512, "ECHOCTL"}, {1024, "ECHOPRT"}, {2048, "ECHOKE"}, {4096, "FLUSHO"}, {16384, "PENDIN"}, {256, "TOSTOP"}, {65536, "EXTPROC"}}

// appendOflag prints c_oflag as strace: the delay fields by value
// (NL0|CR0|TAB0|BS0|VT0|FF0), then the flags.
func appendOflag(d []byte, v uint32) []byte {
	for _, f := range []struct {
		mask, shift uint32
		name        string
	}{{0x100, 8, "NL"}, {0x600, 9, "CR"}, {0x1800, 11, "TAB"}, {0x2000, 13, "BS"}, {0x4000, 14, "VT"}, {0x8000, 15, "FF"}} {
		d = append(d, f.name...)
		d = strconv.AppendUint(d, uint64(v&f.mask>>f.shift), 10)
		d = append(d, '|')
	}
	if rest := v &^ 0xff00; rest != 0 {
		return appendBitNames(d, rest, termOflags)
	}
	return d // "FF0|", as strace 6.1
}

func appendBitNames(d []byte, v uint32, names []bitName) []byte {
	return appendBitNames64(d, uint64(v), names)
}

// appendBitNames64 is appendBitNames for a 64-bit word, whose bits the
// names do not cover come last in hex, as strace (sa_flags that glibc
// sign-extends: "SA_RESTORER|SA_RESETHAND|0xffffffff00000000").
func appendBitNames64(d []byte, v uint64, names []bitName) []byte {
	first := true
	for _, n := range names {
		if v&uint64(n.v) != 0 {
			if !first {
				d = append(d, '|')
			}
			d = append(d, n.name...)
			first = false
			v &^= uint64(n.v)
		}
	}
	if v != 0 {
		if !first {
			d = append(d, '|')
		}
		d = appendHexNum(d, v)
		first = false
	}
	if first {
		d = append(d, '0')
	}
	return d
}

var bauds = map[uint32]string{0: "B0", 0xd: "B9600", 0xf: "B38400", 0x1002: "B115200", 0x1001: "B57600"}
var csizes = [...]string{"CS5", "CS6", "CS7", "CS8"}

func appendCflag(d []byte, v uint32) []byte {
	baud := v & 0x100f
	if n, ok := bauds[baud]; ok {
		d = append(d, n...)
	} else {
		d = appendHexNum(d, uint64(baud))
	}
	d = append(d, '|')
	d = append(d, csizes[(v>>4)&3]...)
	rest := v &^ (0x100f | 0x30)
	d = append(d, '|') // "CS5|" without flags, as strace 6.1
	if rest != 0 {
		d = appendBitNames(d, rest, []bitName{{0x40, "CSTOPB"}, {0x80, "CREAD"}, {0x100, "PARENB"}, {0x200, "PARODD"}, {0x400, "HUPCL"}, {0x800, "CLOCAL"}})
	}
	return d
}

func (c *call) fcntl() {
	c.generic(0)
	cmd := int32(c.ev.Args[1])
	c.generic(1)
	switch cmd {
	case 1, 3, 9, 11, 1025, 1032, 1034: // F_GETFD F_GETFL F_GETOWN F_GETSIG F_GETLEASE F_GETPIPE_SZ F_GET_SEALS
		return
	case 2: // F_SETFD
		c.addf(false, func(d []byte) []byte { return c.appendFlags(d, "fd_flags", uint64(uint32(c.ev.Args[2]))) })
	case 1024: // F_SETLEASE
		c.addf(false, func(d []byte) []byte { return c.appendFlags(d, "lease_types", uint64(uint32(c.ev.Args[2]))) })
	case 1026: // F_NOTIFY
		c.addf(false, func(d []byte) []byte { return c.appendFlags(d, "dnotify_flags", uint64(uint32(c.ev.Args[2]))) })
	case 4: // F_SETFL
		c.addf(false, func(d []byte) []byte { return c.appendFlags(d, "open_flags", uint64(uint32(c.ev.Args[2]))) })
	case 0, 1030: // F_DUPFD, F_DUPFD_CLOEXEC
		c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[2])), 10) })
	case 1033: // F_ADD_SEALS
		c.addf(false, func(d []byte) []byte { return c.appendFlags(d, "seals", uint64(uint32(c.ev.Args[2]))) })
	case 6, 7, 37, 38: // F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW: the lock, read at enter
		c.addf(false, func(d []byte) []byte {
			if b, ok := c.data(2, event.BufIn); ok && len(b) >= 32 {
				return c.appendFlock(d, b, false)
			}
			return appendPtr(d, c.ev.Args[2])
		})
	case 5, 36: // F_GETLK, F_OFD_GETLK: the lock that would conflict, written back
		c.addf(true, func(d []byte) []byte {
			if b, ok := c.data(2, event.BufOut); ok && len(b) >= 32 && !c.failed() {
				return c.appendFlock(d, b, true)
			}
			return appendPtr(d, c.ev.Args[2]) // failed: strace shows the address
		})
	default:
		c.addf(false, func(d []byte) []byte { return appendPtr(d, c.ev.Args[2]) })
	}
}

// sockaddrOut prints accept/getsockname's address and its in/out length.
func (c *call) sockaddrOut(withFlags bool) {
	c.generic(0)
	ptr, lenPtr := c.ev.Args[1], c.ev.Args[2]
	c.addf(true, func(d []byte) []byte {
		if ptr == 0 {
			return append(d, "NULL"...)
		}
		b, ok := c.data(1, event.BufOut)
		if c.failed() || !ok {
			return appendHexNum(d, ptr)
		}
		return appendSockaddr(d, b)
	})
	c.addf(true, func(d []byte) []byte { return c.appendSocklen(d, 2, lenPtr) })
	if withFlags && len(c.sc.Args) > 3 {
		c.generic(3)
	}
}

func (c *call) appendSocklen(d []byte, arg int, ptr uint64) []byte {
	if ptr == 0 {
		return append(d, "NULL"...)
	}
	in, okIn := c.data(arg, event.BufIn)
	out, okOut := c.data(arg, event.BufOut)
	if !okIn || len(in) < 4 {
		return appendHexNum(d, ptr)
	}
	d = append(d, '[')
	d = strconv.AppendUint(d, uint64(le.Uint32(in)), 10)
	if okOut && len(out) >= 4 && !c.failed() && le.Uint32(out) != le.Uint32(in) {
		d = append(d, " => "...)
		d = strconv.AppendUint(d, uint64(le.Uint32(out)), 10)
	}
	return append(d, ']')
}

func (c *call) recvfrom() {
	c.generic(0)
	c.addf(true, func(d []byte) []byte {
		if c.failed() {
			return appendPtr(d, c.ev.Args[1])
		}
		return c.appendBuf(d, 1, event.BufOut, uint64(c.ev.Ret), c.ev.Args[1])
	})
	c.addf(true, func(d []byte) []byte { return strconv.AppendUint(d, c.ev.Args[2], 10) })
	c.addf(true, func(d []byte) []byte { return c.appendFlags(d, "msg_flags", c.arg(3)) })
	c.addf(true, func(d []byte) []byte {
		if c.ev.Args[4] == 0 {
			return append(d, "NULL"...)
		}
		b, ok := c.data(4, event.BufOut)
		if c.failed() || !ok {
			return appendHexNum(d, c.ev.Args[4])
		}
		return appendSockaddr(d, b)
	})
	c.addf(true, func(d []byte) []byte { return c.appendSocklen(d, 5, c.ev.Args[5]) })
}

func (c *call) socket() {
	c.generic(0)
	c.generic(1)
	fam := uint32(c.ev.Args[0])
	proto := int32(c.ev.Args[2])
	c.addf(false, func(d []byte) []byte {
		// strace's protocol tables by family; the others print the number.
		switch fam {
		case 2, 10: // AF_INET, AF_INET6
			return c.appendFlags(d, "inet_protocols", uint64(uint32(proto)))
		case 16: // AF_NETLINK
			return c.appendFlags(d, "netlink_proto", uint64(uint32(proto)))
		}
		return strconv.AppendInt(d, int64(proto), 10)
	})
	if len(c.sc.Args) > 3 {
		c.addf(true, func(d []byte) []byte {
			b, ok := c.data(3, event.BufOut)
			if c.failed() || !ok || len(b) < 8 {
				return appendPtr(d, c.ev.Args[3])
			}
			return appendIntPair(c, d, b)
		})
	}
}

// statLayout is where the fields strace shows sit in struct stat.
type statLayout struct{ mode, rdev, size int }

func (c *call) statLayout() statLayout {
	if c.s.tab.Arch() == "arm64" {
		return statLayout{mode: 16, rdev: 32, size: 48}
	}
	return statLayout{mode: 24, rdev: 40, size: 48}
}

func appendStat(c *call, d, b []byte) []byte {
	if c.unabbreviated() {
		return appendStatVerbose(c, d, b)
	}
	l := c.statLayout()
	if len(b) < l.size+8 {
		return appendHexNum(d, 0)
	}
	mode := le.Uint32(b[l.mode:])
	d = append(d, "{st_mode="...)
	d = appendMode(d, mode)
	if t := mode & 0o170000; t == 0o020000 || t == 0o060000 {
		d = append(d, ", st_rdev="...)
		d = appendMakedev(d, le.Uint64(b[l.rdev:]))
	} else {
		d = append(d, ", st_size="...)
		d = strconv.AppendInt(d, int64(le.Uint64(b[l.size:])), 10)
	}
	return append(d, ", ...}"...)
}

func appendMakedev(d []byte, dev uint64) []byte {
	major := (dev>>8)&0xfff | (dev>>32)&^0xfff
	minor := dev&0xff | (dev>>12)&^0xff
	d = append(d, "makedev("...)
	d = appendHexNum(d, major)
	d = append(d, ", "...)
	d = appendHexNum(d, minor)
	return append(d, ')')
}

var fileTypes = map[uint32]string{0o140000: "S_IFSOCK", 0o120000: "S_IFLNK", 0o100000: "S_IFREG", 0o060000: "S_IFBLK", 0o040000: "S_IFDIR", 0o020000: "S_IFCHR", 0o010000: "S_IFIFO"}

func appendMode(d []byte, mode uint32) []byte {
	if n, ok := fileTypes[mode&0o170000]; ok {
		d = append(d, n...)
		d = append(d, '|')
	} else if mode&0o170000 != 0 {
		d = appendOctal(d, uint64(mode&0o170000))
		d = append(d, '|')
	}
	if mode&0o4000 != 0 {
		d = append(d, "S_ISUID|"...)
	}
	if mode&0o2000 != 0 {
		d = append(d, "S_ISGID|"...)
	}
	if mode&0o1000 != 0 {
		d = append(d, "S_ISVTX|"...)
	}
	return appendOctal(d, uint64(mode&0o777))
}

var statxMasks = []bitName{{0x1, "STATX_TYPE"}, {0x2, "STATX_MODE"}, {0x4, "STATX_NLINK"}, {0x8, "STATX_UID"}, {0x10, "STATX_GID"}, {0x20, "STATX_ATIME"}, {0x40, "STATX_MTIME"}, {0x80, "STATX_CTIME"}, {0x100, "STATX_INO"}, {0x200, "STATX_SIZE"}, {0x400, "STATX_BLOCKS"}, {0x800, "STATX_BTIME"}, {0x1000, "STATX_MNT_ID"}, {0x2000, "STATX_DIOALIGN"}, {0x4000, "STATX_MNT_ID_UNIQUE"}, {0x8000, "STATX_SUBVOL"}, {0x10000, "STATX_WRITE_ATOMIC"}, {0x20000, "STATX_DIO_READ_ALIGN"}}

func appendStatxMask(d []byte, m uint32) []byte {
	if m&0xfff == 0xfff { // STATX_BASIC_STATS|STATX_BTIME
		d = append(d, "STATX_ALL"...)
		m &^= 0xfff
		if m == 0 {
			return d
		}
		d = append(d, '|')
	} else if m&0x7ff == 0x7ff {
		d = append(d, "STATX_BASIC_STATS"...)
		m &^= 0x7ff
		if m == 0 {
			return d
		}
		d = append(d, '|')
	}
	return appendBitNames(d, m, statxMasks)
}

var statxAttrs = []bitName{{0x4, "STATX_ATTR_COMPRESSED"}, {0x10, "STATX_ATTR_IMMUTABLE"}, {0x20, "STATX_ATTR_APPEND"}, {0x40, "STATX_ATTR_NODUMP"}, {0x800, "STATX_ATTR_ENCRYPTED"}, {0x1000, "STATX_ATTR_AUTOMOUNT"}, {0x2000, "STATX_ATTR_MOUNT_ROOT"}, {0x100000, "STATX_ATTR_VERITY"}, {0x200000, "STATX_ATTR_DAX"}, {0x400000, "STATX_ATTR_WRITE_ATOMIC"}}

func appendStatx(c *call, d, b []byte) []byte {
	if len(b) < 0x60 {
		return appendHexNum(d, 0)
	}
	mask := le.Uint32(b)
	d = append(d, "{stx_mask="...)
	d = appendStatxMask(d, mask)
	d = append(d, ", stx_attributes="...)
	d = appendBitNames(d, uint32(le.Uint64(b[0x08:])), statxAttrs)
	mode := uint32(le.Uint16(b[0x1c:]))
	d = append(d, ", stx_mode="...)
	d = appendMode(d, mode)
	if t := mode & 0o170000; t == 0o020000 || t == 0o060000 {
		if len(b) < 0x88 { // a capture cut before stx_rdev_major/minor
			return append(d, ", ...}"...)
		}
		d = append(d, ", stx_rdev="...)
		major, minor := le.Uint32(b[0x80:]), le.Uint32(b[0x84:])
		d = append(d, "makedev("...)
		d = appendHexNum(d, uint64(major))
		d = append(d, ", "...)
		d = appendHexNum(d, uint64(minor))
		d = append(d, ')')
	} else {
		d = append(d, ", stx_size="...)
		d = strconv.AppendUint(d, le.Uint64(b[0x28:]), 10)
	}
	return append(d, ", ...}"...)
}

func appendTimespec(c *call, d, b []byte) []byte { return appendSecPair(d, b, ", tv_nsec=") }

func appendTimeval(c *call, d, b []byte) []byte { return appendSecPair(d, b, ", tv_usec=") }

// appendSecPair renders a 64-bit {tv_sec, sub} pair; sub names the second
// field (", tv_nsec=" or ", tv_usec=").
func appendSecPair(d, b []byte, sub string) []byte {
	if len(b) < 16 {
		return d
	}
	d = append(d, "{tv_sec="...)
	d = strconv.AppendInt(d, int64(le.Uint64(b)), 10)
	d = append(d, sub...)
	d = strconv.AppendInt(d, int64(le.Uint64(b[8:])), 10)
	return append(d, '}')
}

func appendRlim(d []byte, v uint64) []byte {
	switch {
	case v == ^uint64(0):
		return append(d, "RLIM64_INFINITY"...)
	case v > 1024 && v%1024 == 0:
		d = strconv.AppendUint(d, v/1024, 10)
		return append(d, "*1024"...)
	}
	return strconv.AppendUint(d, v, 10)
}

func appendRlimit(c *call, d, b []byte) []byte {
	if len(b) < 16 {
		return d
	}
	d = append(d, "{rlim_cur="...)
	d = appendRlim(d, le.Uint64(b))
	d = append(d, ", rlim_max="...)
	d = appendRlim(d, le.Uint64(b[8:]))
	return append(d, '}')
}

func appendSigset(d, b []byte) []byte {
	if len(b) < 8 {
		return d
	}
	return append(d, syscalls.SigsetString(le.Uint64(b))...)
}

// saFlags are in strace's order (xlat/sigact_flags.in), not by value.
var saFlags = []bitName{{0x04000000, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"}, {0x10000000, "SA_RESTART"}, {0x40000000, "SA_NODEFER"}, {0x80000000, "SA_RESETHAND"}, {4, "SA_SIGINFO"}, {1, "SA_NOCLDSTOP"}, {2, "SA_NOCLDWAIT"}}

func appendSigaction(c *call, d, b []byte) []byte {
	if len(b) < 32 {
		return d
	}
	h := le.Uint64(b)
	flags := le.Uint64(b[8:])
	d = append(d, "{sa_handler="...)
	switch h {
	case 0:
		d = append(d, "SIG_DFL"...)
	case 1:
		d = append(d, "SIG_IGN"...)
	default:
		d = appendHexNum(d, h)
	}
	d = append(d, ", sa_mask="...)
	d = appendSigset(d, b[24:32])
	d = append(d, ", sa_flags="...)
	d = appendBitNames64(d, flags, saFlags)
	if flags&0x04000000 != 0 {
		d = append(d, ", sa_restorer="...)
		d = appendPtr(d, le.Uint64(b[16:]))
	}
	return append(d, '}')
}

func appendIntPair(c *call, d, b []byte) []byte {
	if len(b) < 8 {
		return d
	}
	// New descriptors: -y shows them as the kernel described them at exit.
	d = append(d, '[')
	d = c.appendFdAt(d, int64(int32(le.Uint32(b))), true)
	d = append(d, ", "...)
	d = c.appendFdAt(d, int64(int32(le.Uint32(b[4:]))), true)
	return append(d, ']')
}

func appendWaitStatusPtr(c *call, d, b []byte) []byte {
	if len(b) < 4 {
		return d
	}
	d = append(d, "[{"...)
	d = appendWaitStatus(d, le.Uint32(b))
	return append(d, "}]"...)
}

func appendWaitStatus(d []byte, st uint32) []byte {
	switch {
	case st&0x7f == 0:
		d = append(d, "WIFEXITED(s) && WEXITSTATUS(s) == "...)
		return strconv.AppendUint(d, uint64(st>>8&0xff), 10)
	case st&0xff == 0x7f:
		d = append(d, "WIFSTOPPED(s) && WSTOPSIG(s) == "...)
		return appendSignal(d, int(st>>8&0xff))
	case st == 0xffff:
		return append(d, "WIFCONTINUED(s)"...)
	}
	d = append(d, "WIFSIGNALED(s) && WTERMSIG(s) == "...)
	d = appendSignal(d, int(st&0x7f))
	if st&0x80 != 0 {
		d = append(d, " && WCOREDUMP(s)"...)
	}
	return d
}

func appendUtsname(c *call, d, b []byte) []byte {
	if len(b) < 65*2 {
		return d
	}
	field := func(i int) []byte {
		f := b[65*i : 65*i+65]
		for j, ch := range f {
			if ch == 0 {
				return f[:j]
			}
		}
		return f
	}
	d = append(d, "{sysname="...)
	d = appendQuoted(d, field(0), false)
	d = append(d, ", nodename="...)
	d = appendQuoted(d, field(1), false)
	return append(d, ", ...}"...)
}

var epollEvents = []bitName{{1, "EPOLLIN"}, {2, "EPOLLPRI"}, {4, "EPOLLOUT"}, {8, "EPOLLERR"}, {16, "EPOLLHUP"}, {32, "EPOLLNVAL"}, {64, "EPOLLRDNORM"}, {128, "EPOLLRDBAND"}, {256, "EPOLLWRNORM"}, {512, "EPOLLWRBAND"}, {1024, "EPOLLMSG"}, {0x2000, "EPOLLRDHUP"}, {1 << 28, "EPOLLEXCLUSIVE"}, {1 << 29, "EPOLLWAKEUP"}, {1 << 30, "EPOLLONESHOT"}, {1 << 31, "EPOLLET"}}

func appendEpollEvent(c *call, d, b []byte) []byte {
	const epollCtlDel = 2
	if a := c.sc.Args[c.cur]; a.Kind == syscalls.StructIn && a.Printer == syscalls.PrintEpollEvent && c.ev.Args[1] == epollCtlDel {
		// epoll_ctl's EPOLL_CTL_DEL ignores the event: strace shows
		// its address.
		return appendHexNum(d, c.ev.Args[c.cur])
	}
	off := 4
	if c.s.tab.Arch() == "arm64" {
		off = 8
	}
	if len(b) < off+8 {
		return d
	}
	d = append(d, "{events="...)
	d = appendBitNames(d, le.Uint32(b), epollEvents)
	data := le.Uint64(b[off:])
	d = append(d, ", data={u32="...)
	d = strconv.AppendUint(d, uint64(uint32(data)), 10)
	d = append(d, ", u64="...)
	d = strconv.AppendUint(d, data, 10)
	return append(d, "}}"...)
}

// appendSockaddr renders a socket address as strace does.
func appendSockaddr(d []byte, b []byte) []byte {
	if len(b) < 2 {
		return append(d, "{}"...)
	}
	fam := le.Uint16(b)
	switch fam {
	case 1: // AF_UNIX
		d = append(d, "{sa_family=AF_UNIX"...)
		if len(b) > 2 {
			p := b[2:]
			abstract := len(p) > 0 && p[0] == 0
			if abstract {
				p = p[1:]
			}
			for i, ch := range p {
				if ch == 0 && !abstract {
					p = p[:i]
					break
				}
			}
			d = append(d, ", sun_path="...)
			if abstract {
				d = append(d, '@')
			}
			d = appendQuoted(d, p, false)
		}
		return append(d, '}')
	case 2: // AF_INET
		if len(b) < 8 {
			break
		}
		d = append(d, "{sa_family=AF_INET, sin_port=htons("...)
		d = strconv.AppendUint(d, uint64(b[2])<<8|uint64(b[3]), 10)
		d = append(d, "), sin_addr=inet_addr(\""...)
		d = netip.AddrFrom4([4]byte(b[4:8])).AppendTo(d)
		return append(d, "\")}"...)
	case 10: // AF_INET6
		if len(b) < 28 {
			break
		}
		d = append(d, "{sa_family=AF_INET6, sin6_port=htons("...)
		d = strconv.AppendUint(d, uint64(b[2])<<8|uint64(b[3]), 10)
		d = append(d, "), sin6_flowinfo=htonl("...)
		d = strconv.AppendUint(d, uint64(b[4])<<24|uint64(b[5])<<16|uint64(b[6])<<8|uint64(b[7]), 10)
		d = append(d, "), inet_pton(AF_INET6, \""...)
		d = netip.AddrFrom16([16]byte(b[8:24])).AppendTo(d)
		d = append(d, "\", &sin6_addr), sin6_scope_id="...)
		d = strconv.AppendUint(d, uint64(le.Uint32(b[24:])), 10)
		return append(d, '}')
	case 16: // AF_NETLINK
		if len(b) < 12 {
			break
		}
		d = append(d, "{sa_family=AF_NETLINK, nl_pid="...)
		d = strconv.AppendUint(d, uint64(le.Uint32(b[4:])), 10)
		d = append(d, ", nl_groups="...)
		g := strconv.FormatUint(uint64(le.Uint32(b[8:])), 16)
		for n := len(g); n < 8; n++ {
			d = append(d, '0')
		}
		d = append(d, g...)
		return append(d, '}')
	case 0:
		return append(d, "{sa_family=AF_UNSPEC}"...)
	}
	d = append(d, "{sa_family="...)
	if ft := syscalls.LookupFlags("address_family"); ft != nil {
		d = append(d, ft.Format(uint64(fam))...)
	} else {
		d = strconv.AppendUint(d, uint64(fam), 10)
	}
	return append(d, '}')
}

var cldCodes = []string{"", "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"}
var siCodes = map[int32]string{0: "SI_USER", 0x80: "SI_KERNEL", -1: "SI_QUEUE", -2: "SI_TIMER", -3: "SI_MESGQ", -4: "SI_ASYNCIO", -5: "SI_SIGIO", -6: "SI_TKILL"}
var segvCodes = []string{"", "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR"}

// appendSiginfo renders a siginfo as strace's signal lines show it.
func appendSiginfo(d []byte, sig int, b []byte) []byte {
	if len(b) < 48 {
		d = append(d, "{si_signo="...)
		d = appendSignal(d, sig)
		return append(d, '}')
	}
	code := int32(le.Uint32(b[8:]))
	d = append(d, "{si_signo="...)
	d = appendSignal(d, int(int32(le.Uint32(b))))
	d = append(d, ", si_code="...)
	named := false
	if code > 0 && code < 0x80 {
		switch sig {
		case 17: // SIGCHLD
			if int(code) < len(cldCodes) {
				d = append(d, cldCodes[code]...)
				named = true
			}
		case 11: // SIGSEGV
			if int(code) < len(segvCodes) {
				d = append(d, segvCodes[code]...)
				named = true
			}
		}
	} else if n, ok := siCodes[code]; ok {
		d = append(d, n...)
		named = true
	}
	if !named {
		d = strconv.AppendInt(d, int64(code), 10)
	}
	switch {
	case code == 0 || code == -6 || (code < 0 && code != -2 && code != -1): // SI_USER, SI_TKILL
		d = appendPidUid(d, b)
	case code == -1 || code == -2: // SI_QUEUE, SI_TIMER
		if code == -2 {
			// _timer: the timer's id and overrun count where _rt
			// holds the sender's pid and uid.
			d = append(d, ", si_timerid="...)
			d = strconv.AppendInt(d, int64(int32(le.Uint32(b[16:]))), 10)
			d = append(d, ", si_overrun="...)
			d = strconv.AppendInt(d, int64(int32(le.Uint32(b[20:]))), 10)
		} else {
			d = appendPidUid(d, b)
		}
		d = append(d, ", si_int="...)
		d = strconv.AppendInt(d, int64(int32(le.Uint32(b[24:]))), 10)
		d = append(d, ", si_ptr="...)
		d = appendPtr(d, le.Uint64(b[24:]))
	case sig == 17 && code > 0:
		d = appendPidUid(d, b)
		d = append(d, ", si_status="...)
		st := int32(le.Uint32(b[24:]))
		if code == 1 {
			d = strconv.AppendInt(d, int64(st), 10)
		} else {
			d = appendSignal(d, int(st))
		}
		d = append(d, ", si_utime="...)
		d = appendClockTicks(d, int64(le.Uint64(b[32:])))
		d = append(d, ", si_stime="...)
		d = appendClockTicks(d, int64(le.Uint64(b[40:])))
	case (sig == 11 || sig == 7 || sig == 4 || sig == 8) && code > 0:
		d = append(d, ", si_addr="...)
		d = appendPtr(d, le.Uint64(b[16:]))
	}
	return append(d, '}')
}

func appendPidUid(d, b []byte) []byte {
	d = append(d, ", si_pid="...)
	d = strconv.AppendInt(d, int64(int32(le.Uint32(b[16:]))), 10)
	d = append(d, ", si_uid="...)
	return strconv.AppendUint(d, uint64(le.Uint32(b[20:])), 10)
}

// appendClockTicks prints a CPU time in clock ticks (USER_HZ, 100), with
// strace's seconds comment when it is not zero: "1 /* 0.01 s */".
func appendClockTicks(d []byte, t int64) []byte {
	d = strconv.AppendInt(d, t, 10)
	if t == 0 {
		return d
	}
	d = append(d, " /* "...)
	d = strconv.AppendInt(d, t/100, 10)
	d = append(d, '.')
	frac := t % 100
	if frac < 10 {
		d = append(d, '0')
	}
	d = strconv.AppendInt(d, frac, 10)
	return append(d, " s */"...)
}
