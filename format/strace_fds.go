package format

// -y and -yy: what a descriptor referred to at the call, from the kernel's
// description (event.Fd data), as strace prints it.

import (
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// File system magic numbers of the pseudo files strace names by kind.
const (
	pipefsMagic    = 0x50495045
	sockfsMagic    = 0x534F434B
	anonInodeMagic = 0x09041934
)

// appendFdDesc appends "<...>" for f: the path, or the pseudo file's or
// socket's name; -yy (detail) adds a socket's addresses and a device's
// numbers.
func appendFdDesc(dst []byte, f *event.FdInfo, detail bool) []byte {
	dst = append(dst, '<')
	switch {
	case f.Mode&sIFMT == sIFSOCK || f.Magic == sockfsMagic:
		if detail {
			if d, ok := appendSocketDetail(dst, f); ok {
				return append(d, '>')
			}
		}
		dst = append(dst, "socket:["...)
		dst = strconv.AppendUint(dst, f.Ino, 10)
		dst = append(dst, ']')
	case f.Magic == pipefsMagic:
		dst = append(dst, "pipe:["...)
		dst = strconv.AppendUint(dst, f.Ino, 10)
		dst = append(dst, ']')
	case f.Magic == anonInodeMagic:
		dst = append(dst, "anon_inode:"...)
		dst = appendEscapedPath(dst, f.Path())
	case f.Magic == pidfsMagic:
		// A pidfs file's dentry has no path; the kernel's readlink names
		// it as the anon inode it used to be.
		dst = append(dst, "anon_inode:[pidfd]"...)
	default:
		g := *f
		g.Flags &^= event.FdDeleted
		dst = appendEscapedPath(dst, g.Path())
		if detail && (f.Mode&sIFMT == sIFCHR || f.Mode&sIFMT == sIFBLK) {
			if f.Mode&sIFMT == sIFCHR {
				dst = append(dst, "<char "...)
			} else {
				dst = append(dst, "<block "...)
			}
			dst = strconv.AppendUint(dst, uint64(f.Rdev>>20), 10)
			dst = append(dst, ':')
			dst = strconv.AppendUint(dst, uint64(f.Rdev&0xfffff), 10)
			dst = append(dst, '>')
		}
		dst = append(dst, '>')
		if f.Flags&event.FdDeleted != 0 {
			dst = append(dst, "(deleted)"...)
		}
		return dst
	}
	return append(dst, '>')
}

// netlinkProtocols are strace's names of the netlink protocols.
var netlinkProtocols = map[uint16]string{
	0: "ROUTE", 1: "UNUSED", 2: "USERSOCK", 3: "FIREWALL", 4: "SOCK_DIAG", 5: "NFLOG", 6: "XFRM",
	7: "SELINUX", 8: "ISCSI", 9: "AUDIT", 10: "FIB_LOOKUP", 11: "CONNECTOR", 12: "NETFILTER",
	13: "IP6_FW", 14: "DNRTMSG", 15: "KOBJECT_UEVENT", 16: "GENERIC", 18: "SCSITRANSPORT",
	19: "ECRYPTFS", 20: "RDMA", 21: "CRYPTO", 22: "SMC",
}

// appendSocketDetail appends strace -yy's "TCP:[127.0.0.1:5000->127.0.0.1:41234]".
func appendSocketDetail(dst []byte, f *event.FdInfo) ([]byte, bool) {
	const (
		afUnix, afInet, afInet6, afNetlink   = 1, 2, 10, 16
		sockStream, sockDgram, sockSeqpacket = 1, 2, 5
	)
	switch f.Family {
	case afInet, afInet6:
		var proto string
		switch f.Protocol {
		case 6:
			proto = "TCP"
		case 17:
			proto = "UDP"
		case 136:
			proto = "UDPLITE"
		case 33:
			proto = "DCCP"
		case 132:
			proto = "SCTP"
		default:
			return dst, false
		}
		if f.Family == afInet6 {
			proto += "v6"
		}
		dst = append(dst, proto...)
		dst = append(dst, ":["...)
		if f.Sport == 0 {
			// Neither bound nor connected: strace shows the inode.
			dst = strconv.AppendUint(dst, f.Ino, 10)
			return append(dst, ']'), true
		}
		addr := func(d []byte, b [16]byte, port uint16) []byte {
			if f.Family == afInet {
				d = netip.AddrFrom4([4]byte(b[:4])).AppendTo(d)
			} else {
				d = append(d, '[')
				d = netip.AddrFrom16(b).AppendTo(d)
				d = append(d, ']')
			}
			d = append(d, ':')
			return strconv.AppendUint(d, uint64(port), 10)
		}
		dst = addr(dst, f.Saddr, f.Sport)
		if f.Dport != 0 {
			dst = append(dst, "->"...)
			dst = addr(dst, f.Daddr, f.Dport)
		}
		return append(dst, ']'), true
	case afUnix:
		switch f.Type {
		case sockStream:
			dst = append(dst, "UNIX-STREAM:["...)
		case sockSeqpacket:
			dst = append(dst, "UNIX-SEQPACKET:["...)
		default:
			dst = append(dst, "UNIX:["...)
		}
		dst = strconv.AppendUint(dst, f.Ino, 10)
		if f.Flags&event.FdPeer != 0 {
			dst = append(dst, "->"...)
			var peer uint64
			for i := 7; i >= 0; i-- {
				peer = peer<<8 | uint64(f.Daddr[i])
			}
			dst = strconv.AppendUint(dst, peer, 10)
		}
		if len(f.Tail) > 0 {
			dst = append(dst, ',')
			path := f.Tail
			if path[0] == 0 {
				dst = append(dst, '@')
				path = path[1:]
			} else if i := indexByte(path, 0); i >= 0 {
				path = path[:i]
			}
			dst = appendQuotedPath(dst, path)
		}
		return append(dst, ']'), true
	case afNetlink:
		dst = append(dst, "NETLINK:["...)
		port := uint32(f.Saddr[0]) | uint32(f.Saddr[1])<<8 | uint32(f.Saddr[2])<<16 | uint32(f.Saddr[3])<<24
		name, ok := netlinkProtocols[f.Protocol]
		if port == 0 || !ok {
			dst = strconv.AppendUint(dst, f.Ino, 10)
		} else {
			dst = append(dst, name...)
			dst = append(dst, ':')
			dst = strconv.AppendUint(dst, uint64(port), 10)
		}
		return append(dst, ']'), true
	}
	return dst, false
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// appendQuotedPath appends a unix socket path as strace quotes it.
func appendQuotedPath(dst, p []byte) []byte {
	dst = append(dst, '"')
	for _, ch := range p {
		switch {
		case ch == '"' || ch == '\\':
			dst = append(dst, '\\', ch)
		case ch < 0x20 || ch >= 0x7f:
			dst = append(dst, '\\', 'x', hexLower[ch>>4], hexLower[ch&15])
		default:
			dst = append(dst, ch)
		}
	}
	return append(dst, '"')
}

// appendFdAt appends an fd with what it referred to under -y: the
// kernel's description at the call (the return value's at exit); for a
// descriptor the kernel did not describe (one inside a struct), the
// process's /proc while it lives.
func (c *call) appendFdAt(dst []byte, fd int64, atExit bool) []byte {
	dst = strconv.AppendInt(dst, fd, 10)
	k := c.s.opts.fdKinds()
	if k == 0 || fd < 0 {
		return dst
	}
	if f, ok := c.ev.FdData(fd, atExit); ok {
		return c.appendFdKinds(dst, fd, &f, k, atExit)
	}
	if k&FdPath == 0 || !c.s.opts.ProcFds || c.kernelDescribed(fd, atExit) {
		return dst
	}
	p, err := os.Readlink("/proc/" + strconv.Itoa(int(c.ev.PID)) + "/fd/" + strconv.FormatInt(fd, 10))
	if err != nil {
		return dst
	}
	dst = append(dst, '<')
	dst = appendEscapedPath(dst, p)
	return append(dst, '>')
}

// kernelDescribed says the kernel was asked to describe fd in this call
// (an fd argument, or the returned one): no description then means it was
// not open.
func (c *call) kernelDescribed(fd int64, atExit bool) bool {
	if c.sc == nil || !c.s.opts.KernelFds {
		return false
	}
	if atExit {
		return true // the returned descriptor, or pipe's and socketpair's pair
	}
	for i, a := range c.sc.Args {
		if i < 6 && int64(int32(c.ev.Args[i])) == fd && (a.Kind == syscalls.Fd || a.Kind == syscalls.Dirfd) {
			return true
		}
	}
	return false
}

// FdText is what strace -y shows between < and > for f ("/etc/passwd",
// "pipe:[123]", "socket:[456]"; a deleted file's path ends in
// " (deleted)"), and with detail (-yy) a socket's protocol and addresses
// and a device's numbers.
func FdText(f *event.FdInfo, detail bool) string {
	b := appendFdDesc(nil, f, detail)
	s := string(b[1:])
	if t, ok := strings.CutSuffix(s, ">(deleted)"); ok {
		return t + " (deleted)"
	}
	return strings.TrimSuffix(s, ">")
}

// appendJSONFd appends an Fd item's fields: "fd", "at" ("enter" for an
// argument, "exit" for the return value), "value" (-y's text) and, when
// -yy says more, "detail".
func appendJSONFd(dst, b []byte) []byte {
	f, ok := event.ParseFd(b)
	if !ok {
		return dst
	}
	dst = append(dst, `,"fd":`...)
	dst = strconv.AppendUint(dst, uint64(f.Fd), 10)
	if f.Flags&event.FdAtExit != 0 {
		dst = append(dst, `,"at":"exit"`...)
	} else {
		dst = append(dst, `,"at":"enter"`...)
	}
	v, d := FdText(&f, false), FdText(&f, true)
	dst = append(dst, `,"value":`...)
	dst = appendJSONStr(dst, v)
	if d != v {
		dst = append(dst, `,"detail":`...)
		dst = appendJSONStr(dst, d)
	}
	return dst
}
