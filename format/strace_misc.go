package format

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// Decoders of calls ordinary programs make at start-up (id, sort, find,
// tar, threaded programs): group lists, CPU masks, file system statistics,
// pselect6's signal mask argument.

// groups prints getgroups' and setgroups' gid lists: getgroups fills as
// many as it returns, setgroups reads as many as its first argument says.
func (c *call) groups() {
	c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[0])), 10) })
	get := c.sc.Name == "getgroups"
	c.addf(get, func(d []byte) []byte {
		ptr := c.ev.Args[1]
		n := int64(int32(c.ev.Args[0]))
		kind := event.BufIn
		if get {
			n, kind = c.ev.Ret, event.BufOut
			if c.failed() || c.ev.Flags&event.Unfinished != 0 {
				return appendPtr(d, ptr)
			}
		}
		switch {
		case ptr == 0:
			return append(d, "NULL"...)
		case n == 0:
			return append(d, "[]"...)
		case n < 0 || n > 65536: // NGROUPS_MAX
			return appendHexNum(d, ptr)
		}
		b, ok := c.data(1, kind)
		if !ok || len(b) < 4 {
			return appendHexNum(d, ptr)
		}
		return appendGids(d, b, n)
	})
}

// appendGids prints n gids of which b holds the first ones: "[0, 1]",
// "[0, 1, ...]" when the capture stopped short.
func appendGids(d, b []byte, n int64) []byte {
	d = append(d, '[')
	i := int64(0)
	for ; i < n && int(4*i+4) <= len(b); i++ {
		if i > 0 {
			d = append(d, ", "...)
		}
		d = strconv.AppendUint(d, uint64(le.Uint32(b[4*i:])), 10)
	}
	if i < n {
		d = append(d, ", ..."...)
	}
	return append(d, ']')
}

// affinity prints sched_getaffinity's and sched_setaffinity's CPU masks
// as strace: the numbers of the CPUs set, "[0 1]".
func (c *call) affinity() {
	c.generic(0)
	c.addf(false, func(d []byte) []byte { return strconv.AppendUint(d, uint64(uint32(c.ev.Args[1])), 10) })
	get := c.sc.Name == "sched_getaffinity"
	c.addf(get, func(d []byte) []byte {
		ptr := c.ev.Args[2]
		kind := event.BufIn
		n := int(uint32(c.ev.Args[1]))
		if get {
			if c.failed() || c.ev.Flags&event.Unfinished != 0 {
				return appendPtr(d, ptr)
			}
			kind, n = event.BufOut, int(c.ev.Ret)
		}
		b, ok := c.data(2, kind)
		if !ok || ptr == 0 {
			return appendPtr(d, ptr)
		}
		return appendCPUSet(d, b[:min(len(b), n)], len(b) < n)
	})
}

// appendCPUSet prints the bits set in a CPU mask (little-endian longs);
// more says the mask went on past what was captured.
func appendCPUSet(d, b []byte, more bool) []byte {
	d = append(d, '[')
	first := true
	for i, x := range b {
		for bit := 0; bit < 8; bit++ {
			if x&(1<<bit) == 0 {
				continue
			}
			if !first {
				d = append(d, ' ')
			}
			first = false
			d = strconv.AppendInt(d, int64(8*i+bit), 10)
		}
	}
	if more {
		if !first {
			d = append(d, ' ')
		}
		d = append(d, "..."...)
	}
	return append(d, ']')
}

// fsMagics names the f_type of common file systems as strace
// (xlat/fsmagic.in, from linux/magic.h).
var fsMagics = map[uint64]string{
	0xadf5:     "ADFS_SUPER_MAGIC",
	0x9fa0:     "PROC_SUPER_MAGIC",
	0xef53:     "EXT2_SUPER_MAGIC",
	0x1cd1:     "DEVPTS_SUPER_MAGIC",
	0x4d44:     "MSDOS_SUPER_MAGIC",
	0x6969:     "NFS_SUPER_MAGIC",
	0x9660:     "ISOFS_SUPER_MAGIC",
	0x27e0eb:   "CGROUP_SUPER_MAGIC",
	0x1021994:  "TMPFS_MAGIC",
	0x1021997:  "V9FS_MAGIC",
	0x9041934:  "ANON_INODE_FS_MAGIC",
	0x19800202: "MQUEUE_MAGIC",
	0x50495045: "PIPEFS_MAGIC",
	0x534f434b: "SOCKFS_MAGIC",
	0x58465342: "XFS_SUPER_MAGIC",
	0x62656572: "SYSFS_MAGIC",
	0x63677270: "CGROUP2_SUPER_MAGIC",
	0x64626720: "DEBUGFS_MAGIC",
	0x65735546: "FUSE_SUPER_MAGIC",
	0x6e736673: "NSFS_MAGIC",
	0x73636673: "SECURITYFS_MAGIC",
	0x73717368: "SQUASHFS_MAGIC",
	0x74726163: "TRACEFS_MAGIC",
	0x794c7630: "OVERLAYFS_SUPER_MAGIC",
	0x858458f6: "RAMFS_MAGIC",
	0x9123683e: "BTRFS_SUPER_MAGIC",
	0x958458f6: "HUGETLBFS_MAGIC",
	0xcafe4a11: "BPF_FS_MAGIC",
	0xf2f52010: "F2FS_SUPER_MAGIC",
}

// statfsFlags are in strace's order (xlat/statfs_flags.in).
var statfsFlags = []bitName{{0x20, "ST_VALID"}, {1, "ST_RDONLY"}, {2, "ST_NOSUID"}, {4, "ST_NODEV"}, {8, "ST_NOEXEC"}, {0x10, "ST_SYNCHRONOUS"}, {0x40, "ST_MANDLOCK"}, {0x80, "ST_WRITE"}, {0x100, "ST_APPEND"}, {0x200, "ST_IMMUTABLE"}, {0x400, "ST_NOATIME"}, {0x800, "ST_NODIRATIME"}, {0x1000, "ST_RELATIME"}, {0x2000, "ST_NOSYMFOLLOW"}}

// appendStatfs renders a struct statfs (64-bit layout: eleven longs, the
// fsid as two ints).
func appendStatfs(c *call, d, b []byte) []byte {
	if len(b) < 88 {
		return d
	}
	u := func(off int) uint64 { return le.Uint64(b[off:]) }
	d = append(d, "{f_type="...)
	if name, ok := fsMagics[u(0)]; ok {
		d = append(d, name...)
	} else {
		d = appendHexNum(d, u(0))
	}
	for i, name := range []string{", f_bsize=", ", f_blocks=", ", f_bfree=", ", f_bavail=", ", f_files=", ", f_ffree="} {
		d = append(d, name...)
		d = strconv.AppendUint(d, u(8+8*i), 10)
	}
	d = append(d, ", f_fsid={val=["...)
	d = appendHexNum(d, uint64(le.Uint32(b[56:])))
	d = append(d, ", "...)
	d = appendHexNum(d, uint64(le.Uint32(b[60:])))
	d = append(d, "]}, f_namelen="...)
	d = strconv.AppendUint(d, u(64), 10)
	d = append(d, ", f_frsize="...)
	d = strconv.AppendUint(d, u(72), 10)
	d = append(d, ", f_flags="...)
	d = appendBitNames(d, uint32(u(80)), statfsFlags)
	return append(d, '}')
}

// appendPselectSigmask renders pselect6's last argument, a pointer to
// {const sigset_t *ss; size_t ss_len}. The set itself is behind a second
// pointer the kernel side does not follow: its address is printed.
func appendPselectSigmask(c *call, d, b []byte) []byte {
	if len(b) < 16 {
		return d
	}
	d = append(d, "{sigmask="...)
	d = appendPtr(d, le.Uint64(b))
	d = append(d, ", sigsetsize="...)
	d = strconv.AppendUint(d, le.Uint64(b[8:]), 10)
	return append(d, '}')
}
