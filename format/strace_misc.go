package format

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
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

// appendGidArray renders getgroups' or setgroups' list: as many gids as
// getgroups returned or setgroups' first argument says.
func appendGidArray(c *call, d, b []byte) []byte {
	n := int64(int32(c.ev.Args[0]))
	if c.sc.Args[1].Kind == syscalls.ArrayOut {
		n = c.ev.Ret
	}
	return appendGids(d, b, n)
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
		n = max(n, 0) // a result no kernel returns, from a recording
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
// {const sigset_t *ss; size_t ss_len}, captured with the set the first
// word points to (CAP_STRUCT_DEREF); without it, the set's address.
func appendPselectSigmask(c *call, d, b []byte) []byte {
	if len(b) < 16 {
		return d
	}
	d = append(d, "{sigmask="...)
	if len(b) >= 24 { // the kernel side read the set too
		d = appendSigset(d, b[16:24])
	} else {
		d = appendPtr(d, le.Uint64(b))
	}
	d = append(d, ", sigsetsize="...)
	d = strconv.AppendUint(d, le.Uint64(b[8:]), 10)
	return append(d, '}')
}

// sockoptNames are the option names strace shows per level (SOL_SOCKET,
// SOL_IP, SOL_TCP, SOL_IPV6, SOL_NETLINK), the same on amd64 and arm64.
var sockoptNames = map[uint32]map[uint32]string{
	// strace 6.1's sock_options (26 is getsockopt's SO_GET_FILTER,
	// setsockopt's SO_ATTACH_FILTER: appendSockoptName).
	1: {1: "SO_DEBUG", 2: "SO_REUSEADDR", 3: "SO_TYPE", 4: "SO_ERROR", 5: "SO_DONTROUTE", 6: "SO_BROADCAST", 7: "SO_SNDBUF", 8: "SO_RCVBUF", 9: "SO_KEEPALIVE", 10: "SO_OOBINLINE", 11: "SO_NO_CHECK", 12: "SO_PRIORITY", 13: "SO_LINGER", 14: "SO_BSDCOMPAT", 15: "SO_REUSEPORT", 16: "SO_PASSCRED", 17: "SO_PEERCRED", 18: "SO_RCVLOWAT", 19: "SO_SNDLOWAT", 20: "SO_RCVTIMEO_OLD", 21: "SO_SNDTIMEO_OLD", 22: "SO_SECURITY_AUTHENTICATION", 23: "SO_SECURITY_ENCRYPTION_TRANSPORT", 24: "SO_SECURITY_ENCRYPTION_NETWORK", 25: "SO_BINDTODEVICE", 27: "SO_DETACH_FILTER", 28: "SO_PEERNAME", 29: "SO_TIMESTAMP_OLD", 30: "SO_ACCEPTCONN", 31: "SO_PEERSEC", 32: "SO_SNDBUFFORCE", 33: "SO_RCVBUFFORCE", 34: "SO_PASSSEC", 35: "SO_TIMESTAMPNS_OLD", 36: "SO_MARK", 37: "SO_TIMESTAMPING_OLD", 38: "SO_PROTOCOL", 39: "SO_DOMAIN", 40: "SO_RXQ_OVFL", 41: "SO_WIFI_STATUS", 42: "SO_PEEK_OFF", 43: "SO_NOFCS", 44: "SO_LOCK_FILTER", 45: "SO_SELECT_ERR_QUEUE", 46: "SO_BUSY_POLL", 47: "SO_MAX_PACING_RATE", 48: "SO_BPF_EXTENSIONS", 49: "SO_INCOMING_CPU", 50: "SO_ATTACH_BPF", 51: "SO_ATTACH_REUSEPORT_CBPF", 52: "SO_ATTACH_REUSEPORT_EBPF", 53: "SO_CNX_ADVICE", 55: "SO_MEMINFO", 56: "SO_INCOMING_NAPI_ID", 57: "SO_COOKIE", 59: "SO_PEERGROUPS", 60: "SO_ZEROCOPY", 61: "SO_TXTIME", 62: "SO_BINDTOIFINDEX", 63: "SO_TIMESTAMP_NEW", 64: "SO_TIMESTAMPNS_NEW", 65: "SO_TIMESTAMPING_NEW", 66: "SO_RCVTIMEO_NEW", 67: "SO_SNDTIMEO_NEW", 68: "SO_DETACH_REUSEPORT_BPF", 69: "SO_PREFER_BUSY_POLL", 70: "SO_BUSY_POLL_BUDGET", 71: "SO_NETNS_COOKIE", 72: "SO_BUF_LOCK", 73: "SO_RESERVE_MEM", 74: "SO_TXREHASH", 75: "SO_RCVMARK"},
	0: {1: "IP_TOS", 2: "IP_TTL", 3: "IP_HDRINCL", 4: "IP_OPTIONS", 6: "IP_RECVOPTS", 7: "IP_RETOPTS", 8: "IP_PKTINFO", 10: "IP_MTU_DISCOVER",
		11: "IP_RECVERR", 12: "IP_RECVTTL", 13: "IP_RECVTOS", 14: "IP_MTU", 15: "IP_FREEBIND", 24: "IP_BIND_ADDRESS_NO_PORT",
		32: "IP_MULTICAST_IF", 33: "IP_MULTICAST_TTL", 34: "IP_MULTICAST_LOOP", 35: "IP_ADD_MEMBERSHIP"},
	6: {1: "TCP_NODELAY", 2: "TCP_MAXSEG", 3: "TCP_CORK", 4: "TCP_KEEPIDLE", 5: "TCP_KEEPINTVL", 6: "TCP_KEEPCNT", 7: "TCP_SYNCNT",
		8: "TCP_LINGER2", 9: "TCP_DEFER_ACCEPT", 10: "TCP_WINDOW_CLAMP", 11: "TCP_INFO", 12: "TCP_QUICKACK", 13: "TCP_CONGESTION",
		18: "TCP_USER_TIMEOUT", 23: "TCP_FASTOPEN", 25: "TCP_NOTSENT_LOWAT", 30: "TCP_FASTOPEN_CONNECT"},
	41: {16: "IPV6_UNICAST_HOPS", 17: "IPV6_MULTICAST_IF", 18: "IPV6_MULTICAST_HOPS", 19: "IPV6_MULTICAST_LOOP", 23: "IPV6_MTU_DISCOVER",
		25: "IPV6_RECVERR", 26: "IPV6_V6ONLY", 49: "IPV6_RECVPKTINFO", 67: "IPV6_TCLASS"},
	270: {1: "NETLINK_ADD_MEMBERSHIP", 2: "NETLINK_DROP_MEMBERSHIP", 3: "NETLINK_PKTINFO", 4: "NETLINK_BROADCAST_ERROR",
		5: "NETLINK_NO_ENOBUFS", 6: "NETLINK_RX_RING", 7: "NETLINK_TX_RING", 8: "NETLINK_LISTEN_ALL_NSID",
		9: "NETLINK_LIST_MEMBERSHIPS", 10: "NETLINK_CAP_ACK", 11: "NETLINK_EXT_ACK", 12: "NETLINK_GET_STRICT_CHK"},
}

var sockoptUnknown = map[uint32]string{1: " /* SO_??? */", 0: " /* IP_??? */", 6: " /* TCP_??? */", 41: " /* IPV6_??? */", 270: " /* NETLINK_??? */"}

const (
	soLinger       = 13
	soPeercred     = 17
	soBindtodevice = 25
	solSocket      = 1
)

// appendSockoptName renders an option name for its level: "SO_REUSEADDR",
// "0x3e7 /* SO_??? */", the number for a level strace has no names for.
func appendSockoptName(d []byte, level, name uint32, get bool) []byte {
	if level == solSocket && name == 26 {
		if get {
			return append(d, "SO_GET_FILTER"...)
		}
		return append(d, "SO_ATTACH_FILTER"...)
	}
	names, ok := sockoptNames[level]
	if !ok {
		return strconv.AppendUint(d, uint64(name), 10)
	}
	if s, ok := names[name]; ok {
		return append(d, s...)
	}
	d = appendHexNum(d, uint64(name))
	return append(d, sockoptUnknown[level]...)
}

// sockopt prints setsockopt's and getsockopt's arguments: the level and
// option by name, an int option's value as "[1]", struct linger and
// ucred, a device name or other bytes as a string; getsockopt's length
// as "[4]" or "[64 => 16]" when the kernel changed it.
func (c *call) sockopt() {
	c.generic(0)
	level, name := uint32(c.ev.Args[1]), uint32(c.ev.Args[2])
	c.addf(false, func(d []byte) []byte { return c.appendFlags(d, "sockopt_level", uint64(level)) })
	c.addf(false, func(d []byte) []byte { return appendSockoptName(d, level, name, c.sc.Name == "getsockopt") })
	ptr := c.ev.Args[3]
	if c.sc.Name == "setsockopt" {
		n := uint32(c.ev.Args[4])
		c.addf(false, func(d []byte) []byte {
			b, ok := c.data(3, event.BufIn)
			if !ok || ptr == 0 {
				return appendPtr(d, ptr)
			}
			return c.appendSockoptVal(d, level, name, b, n, true)
		})
		c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(n)), 10) })
		return
	}
	c.addf(true, func(d []byte) []byte {
		b, ok := c.data(3, event.BufOut)
		l, okl := c.data(4, event.BufOut)
		if !ok || !okl || len(l) < 4 || ptr == 0 || c.failed() || c.ev.Flags&event.Unfinished != 0 {
			return appendPtr(d, ptr)
		}
		return c.appendSockoptVal(d, level, name, b, le.Uint32(l), false)
	})
	c.addf(true, func(d []byte) []byte { return c.appendSocklen(d, 4, c.ev.Args[4]) })
}

// appendSockoptVal renders an option's value of n bytes, of which b were
// captured.
func (c *call) appendSockoptVal(d []byte, level, name uint32, b []byte, n uint32, set bool) []byte {
	ptr := c.ev.Args[3]
	if level == solSocket {
		switch name {
		case soLinger:
			if n < 4 || len(b) < 4 {
				break
			}
			d = append(d, "{l_onoff="...)
			d = strconv.AppendInt(d, int64(int32(le.Uint32(b))), 10)
			if n >= 8 && len(b) >= 8 {
				d = append(d, ", l_linger="...)
				d = strconv.AppendInt(d, int64(int32(le.Uint32(b[4:]))), 10)
			}
			return append(d, '}')
		case soPeercred:
			if n < 12 || len(b) < 12 {
				break
			}
			return appendUcred(d, b)
		case soBindtodevice:
			return c.appendSockoptStr(d, b, n, ptr)
		}
	}
	if n == 4 && len(b) >= 4 {
		d = append(d, '[')
		d = strconv.AppendInt(d, int64(int32(le.Uint32(b))), 10)
		return append(d, ']')
	}
	if !set {
		return c.appendSockoptStr(d, b, n, ptr) // TCP_CONGESTION: "bbr\0..."
	}
	return appendPtr(d, ptr)
}

// appendSockoptStr renders n bytes as a string cut at --strsize.
func (c *call) appendSockoptStr(d, b []byte, n uint32, ptr uint64) []byte {
	show := min(int(n), c.s.opts.strsize())
	if len(b) < show {
		return appendPtr(d, ptr)
	}
	d = appendQuoted(d, b[:show], false)
	if int(n) > show {
		d = append(d, "..."...)
	}
	return d
}

var ssFlags = []bitName{{1, "SS_ONSTACK"}, {2, "SS_DISABLE"}, {0x80000000, "SS_AUTODISARM"}}

// appendStackT renders sigaltstack's stack_t: {ss_sp=0x7f..., ss_flags=0,
// ss_size=65536}.
func appendStackT(c *call, d, b []byte) []byte {
	if len(b) < 24 {
		return d
	}
	d = append(d, "{ss_sp="...)
	d = appendPtr(d, le.Uint64(b))
	d = append(d, ", ss_flags="...)
	d = appendBitNames(d, le.Uint32(b[8:]), ssFlags)
	d = append(d, ", ss_size="...)
	d = strconv.AppendUint(d, le.Uint64(b[16:]), 10)
	return append(d, '}')
}

// appendUcred renders a struct ucred (SO_PEERCRED, SCM_CREDENTIALS): b holds
// at least its 12 bytes.
func appendUcred(d, b []byte) []byte {
	d = append(d, "{pid="...)
	d = strconv.AppendInt(d, int64(int32(le.Uint32(b))), 10)
	d = append(d, ", uid="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b[4:])), 10)
	d = append(d, ", gid="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b[8:])), 10)
	return append(d, '}')
}
