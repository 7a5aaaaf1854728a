package format

import (
	"net"
	"net/netip"
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// Netlink messages, decoded as strace 6.1's netlink.c, rtnl_link.c and
// rtnl_addr.c do: an array of messages, each its nlmsghdr then its
// payload; NETLINK_ROUTE's link and address messages with their
// ifinfomsg or ifaddrmsg and attributes. The kernel side captures a
// netlink socket's buffers whole (up to 4095 bytes) and says which
// protocol the socket speaks (event.Event.NetlinkProto).

const (
	nlmsgHdrLen  = 16
	nlaHdrLen    = 4
	nlmsgMinType = 0x10
	nlmsgError   = 2
	nlmsgDone    = 3
	netlinkRoute = 0
	nlaFNested   = 0x8000
	nlaFNetOrder = 0x4000
	nlmFCapped   = 0x100
	rtmBase      = 16
	rtmDelAction = 49
)

func nlAlign(n uint32) uint32 { return (n + 3) &^ 3 }

// appendNetlink renders the netlink messages in b, as strace's
// decode_netlink.
func (c *call) appendNetlink(d, b []byte) []byte {
	proto := c.ev.NetlinkProto()
	max := c.s.opts.strsize()
	isArray := false
	for elt := 0; ; elt++ {
		if len(b) < nlmsgHdrLen {
			d = c.appendNlHex(d, b)
			break
		}
		if elt == max {
			d = append(d, "..."...)
			break
		}
		n := le.Uint32(b)
		next := 0
		if n >= nlmsgHdrLen && uint64(len(b)) > uint64(nlAlign(n)) {
			next = int(nlAlign(n))
		}
		if !isArray && next > 0 {
			d = append(d, '[')
			isArray = true
		}
		d = c.appendNlmsg(d, b, proto)
		if next == 0 {
			break
		}
		d = append(d, ", "...)
		b = b[next:]
	}
	if isArray {
		d = append(d, ']')
	}
	return d
}

// appendNlHex renders bytes as strace's printstr with QUOTE_FORCE_HEX.
func (c *call) appendNlHex(d, b []byte) []byte {
	max := c.s.opts.strsize()
	if len(b) > max {
		d = appendQuoted(d, b[:max], true)
		return append(d, "..."...)
	}
	return appendQuoted(d, b, true)
}

// appendNlmsg renders one message (its header at b[0:16]) and its payload.
func (c *call) appendNlmsg(d, b []byte, proto int) []byte {
	if len(b) < nlmsgHdrLen {
		return c.appendNlHex(d, b)
	}
	n := min(le.Uint32(b), uint32(len(b)))
	if n > nlmsgHdrLen {
		d = append(d, '[')
	}
	typ, flags := le.Uint16(b[4:]), le.Uint16(b[6:])
	d = append(d, "{nlmsg_len="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b)), 10)
	d = append(d, ", nlmsg_type="...)
	d = appendNlmsgType(d, typ, proto)
	d = append(d, ", nlmsg_flags="...)
	d = append(d, nlmsgFlags(flags, typ, proto)...)
	d = append(d, ", nlmsg_seq="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b[8:])), 10)
	d = append(d, ", nlmsg_pid="...)
	d = strconv.AppendInt(d, int64(int32(le.Uint32(b[12:]))), 10)
	d = append(d, '}')
	if n > nlmsgHdrLen {
		d = append(d, ", "...)
		d = c.appendNlPayload(d, typ, flags, b[nlmsgHdrLen:n], proto)
		d = append(d, ']')
	}
	return d
}

// appendXval renders v by table as strace's printxval: unknown values as
// "0x43 /* IFLA_??? */" (0 as "0").
func appendXval(d []byte, table string, v uint64, dflt string) []byte {
	t := syscalls.LookupFlags(table)
	if t != nil {
		for _, e := range t.Entries {
			if uint64(e.Value) == v {
				return append(d, e.Name...)
			}
		}
	}
	if v == 0 {
		d = append(d, '0')
	} else {
		d = append(d, "0x"...)
		d = strconv.AppendUint(d, v, 16)
	}
	if dflt == "" {
		return d
	}
	return append(d, " /* "+dflt+" */"...)
}

// appendNlFlags renders v by the flag table as strace's printflags; 0 as "0".
func appendNlFlags(d []byte, table string, v uint64) []byte {
	if t := syscalls.LookupFlags(table); t != nil {
		return append(d, t.Format(v)...)
	}
	return strconv.AppendUint(d, v, 10)
}

func appendNlmsgType(d []byte, typ uint16, proto int) []byte {
	if typ >= nlmsgMinType && proto == netlinkRoute {
		return appendXval(d, "nl_route_types", uint64(typ), "RTM_???")
	}
	return appendXval(d, "netlink_types", uint64(typ), "NLMSG_???")
}

// nlmsgFlags renders a message's flags as strace's decode_nlmsg_flags:
// the common flags, then those of the message's kind (get, new, delete,
// acknowledgement).
func nlmsgFlags(flags, typ uint16, proto int) string {
	var second string
	switch {
	case typ < nlmsgMinType:
		if typ == nlmsgError {
			second = "netlink_ack_flags"
		}
	case proto == netlinkRoute && typ == rtmDelAction:
		second = "netlink_get_flags"
	case proto == netlinkRoute:
		switch typ & 3 {
		case 0:
			second = "netlink_new_flags"
		case 1:
			second = "netlink_delete_flags"
		case 2:
			second = "netlink_get_flags"
		}
	}
	if flags == 0 {
		return "0"
	}
	var out []byte
	rest := uint64(flags)
	for _, table := range []string{"netlink_flags", second} {
		t := syscalls.LookupFlags(table)
		if t == nil {
			continue
		}
		for _, e := range t.Entries {
			ev := uint64(e.Value)
			if ev != 0 && rest&ev == ev {
				if len(out) > 0 {
					out = append(out, '|')
				}
				out = append(out, e.Name...)
				rest &^= ev
			}
		}
	}
	if rest != 0 {
		if len(out) > 0 {
			out = append(out, '|')
		}
		out = append(out, "0x"...)
		out = strconv.AppendUint(out, rest, 16)
	}
	return string(out)
}

// appendNlPayload renders a message's payload (b, not empty) as strace's
// decode_payload.
func (c *call) appendNlPayload(d []byte, typ, flags uint16, b []byte, proto int) []byte {
	switch {
	case typ == nlmsgError:
		return c.appendNlmsgerr(d, flags, b, proto)
	case typ == nlmsgDone && len(b) == 4:
		return strconv.AppendInt(d, int64(int32(le.Uint32(b))), 10)
	case proto == netlinkRoute && typ != nlmsgDone:
		return c.appendRtnl(d, typ, b)
	}
	return c.appendNlHex(d, b)
}

// appendNlmsgerr renders an NLMSG_ERROR's payload as strace 6.1's
// decode_nlmsgerr: shorter than struct nlmsgerr (20 bytes) as bytes, else
// the error and the request it answers (its header only when the kernel
// capped it, at least its header when its nlmsg_len is invalid), then the
// extended-ack attributes.
func (c *call) appendNlmsgerr(d []byte, flags uint16, b []byte, proto int) []byte {
	const nlmsgerrLen = 4 + nlmsgHdrLen
	if len(b) < nlmsgerrLen {
		return c.appendNlHex(d, b)
	}
	e := int32(le.Uint32(b))
	b = b[4:]
	payload := max(uint32(nlmsgHdrLen), le.Uint32(b))
	if flags&nlmFCapped != 0 {
		payload = nlmsgHdrLen
	}
	payload = min(payload, uint32(len(b)))
	more := uint32(len(b)) > payload
	if more {
		d = append(d, '[')
	}
	d = append(d, "{error="...)
	if name := syscalls.ErrnoName(int(-e)); e < 0 && name != "" {
		d = append(d, "-"+name...)
	} else {
		d = strconv.AppendInt(d, int64(e), 10)
	}
	d = append(d, ", msg="...)
	d = c.appendNlmsg(d, b[:payload], proto)
	d = append(d, '}')
	if more {
		d = append(d, ", "...)
		d = c.appendNlattrs(d, b[payload:], "nlmsgerr_attrs", "NLMSGERR_ATTR_???", c.nlmsgerrValue)
		d = append(d, ']')
	}
	return d
}

// nlmsgerrValue decodes the extended-ack attributes strace 6.1 decodes:
// NLMSGERR_ATTR_MSG as a string, NLMSGERR_ATTR_OFFS as a number.
func (c *call) nlmsgerrValue(d []byte, typ uint16, v []byte) ([]byte, bool) {
	switch typ {
	case 1:
		return c.nlaValueOf(d, nlaStr, v, 0)
	case 2:
		return c.nlaValueOf(d, nlaU32, v, 0)
	}
	return d, false
}

// appendRtnl renders a NETLINK_ROUTE payload: links and addresses
// decoded, other messages as their family and bytes.
func (c *call) appendRtnl(d []byte, typ uint16, b []byte) []byte {
	switch (typ - rtmBase) / 4 {
	case 0: // RTM_NEWLINK ... RTM_SETLINK
		return c.appendIfinfomsg(d, b)
	case 1: // RTM_NEWADDR ... RTM_GETADDR
		return c.appendIfaddrmsg(d, b)
	}
	d = append(d, "{family="...)
	d = appendXval(d, "address_family", uint64(b[0]), "AF_???")
	if len(b) > 1 {
		d = append(d, ", "...)
		d = c.appendNlHex(d, b[1:])
	}
	return append(d, '}')
}

// appendIfindex renders an interface index as strace's print_ifindex:
// if_nametoindex("lo"), from the names the link messages seen so far
// carried, else, when tracing live, from this machine's interfaces.
func (c *call) appendIfindex(d []byte, idx uint32) []byte {
	if idx != 0 {
		name, ok := c.s.ifnames[idx]
		if !ok && c.s.opts.Live {
			if ifi, err := net.InterfaceByIndex(int(idx)); err == nil {
				name, ok = ifi.Name, true
			}
		}
		if ok {
			return append(d, "if_nametoindex(\""+name+"\")"...)
		}
	}
	return strconv.AppendUint(d, uint64(idx), 10)
}

const (
	iflaIfname = 3
	ifaLabel   = 3
)

func (c *call) appendIfinfomsg(d, b []byte) []byte {
	d = append(d, "{ifi_family="...)
	d = appendXval(d, "address_family", uint64(b[0]), "AF_???")
	d = append(d, ", "...)
	if len(b) < 16 {
		return append(d, "...}"...)
	}
	idx := le.Uint32(b[4:])
	// The link's own name, for its index.
	forEachNla(b[16:], func(typ uint16, v []byte) {
		if typ == iflaIfname && idx != 0 {
			if c.s.ifnames == nil {
				c.s.ifnames = map[uint32]string{}
			}
			c.s.ifnames[idx] = string(cstr(v))
		}
	})
	d = append(d, "ifi_type="...)
	d = appendXval(d, "arp_hardware_types", uint64(le.Uint16(b[2:])), "ARPHRD_???")
	d = append(d, ", ifi_index="...)
	d = c.appendIfindex(d, idx)
	d = append(d, ", ifi_flags="...)
	d = appendNlFlags(d, "iff_flags", uint64(le.Uint32(b[8:])))
	d = append(d, ", ifi_change="...)
	d = appendHexNum(d, uint64(le.Uint32(b[12:])))
	d = append(d, '}')
	if len(b) > 16 {
		d = append(d, ", "...)
		d = c.appendNlattrs(d, b[16:], "rtnl_link_attrs", "IFLA_???", c.iflaValue)
	}
	return d
}

func (c *call) appendIfaddrmsg(d, b []byte) []byte {
	d = append(d, "{ifa_family="...)
	family := b[0]
	d = appendXval(d, "address_family", uint64(family), "AF_???")
	d = append(d, ", "...)
	if len(b) < 8 {
		return append(d, "...}"...)
	}
	d = append(d, "ifa_prefixlen="...)
	d = strconv.AppendUint(d, uint64(b[1]), 10)
	d = append(d, ", ifa_flags="...)
	d = appendNlFlags(d, "ifaddr_flags", uint64(b[2]))
	d = append(d, ", ifa_scope="...)
	d = appendXval(d, "routing_scopes", uint64(b[3]), "")
	d = append(d, ", ifa_index="...)
	d = c.appendIfindex(d, le.Uint32(b[4:]))
	d = append(d, '}')
	if len(b) > 8 {
		d = append(d, ", "...)
		d = c.appendNlattrs(d, b[8:], "rtnl_addr_attrs", "IFA_???", func(d []byte, typ uint16, v []byte) ([]byte, bool) {
			return c.ifaValue(d, typ, v, family)
		})
	}
	return d
}

// forEachNla calls fn with each attribute's type and value in b.
func forEachNla(b []byte, fn func(typ uint16, v []byte)) {
	for len(b) >= nlaHdrLen {
		n := le.Uint16(b)
		if n < nlaHdrLen || int(n) > len(b) {
			return
		}
		fn(le.Uint16(b[2:])&0x3fff, b[nlaHdrLen:n])
		next := int(nlAlign(uint32(n)))
		if next >= len(b) {
			return
		}
		b = b[next:]
	}
}

func cstr(b []byte) []byte {
	for i, ch := range b {
		if ch == 0 {
			return b[:i]
		}
	}
	return b
}

// nlaValue renders an attribute's value; false: strace prints its bytes.
type nlaValue func(d []byte, typ uint16, v []byte) ([]byte, bool)

// appendNlattrs renders attributes as strace's decode_nlattr: an array
// (when more than one), each [{nla_len, nla_type}, value].
func (c *call) appendNlattrs(d, b []byte, table, dflt string, value nlaValue) []byte {
	max := c.s.opts.strsize()
	isArray := false
	for elt := 0; ; elt++ {
		if len(b) < nlaHdrLen {
			d = c.appendNlHex(d, b)
			break
		}
		if elt == max {
			d = append(d, "..."...)
			break
		}
		n := le.Uint16(b)
		next := 0
		if n >= nlaHdrLen && len(b) > int(nlAlign(uint32(n))) {
			next = int(nlAlign(uint32(n)))
		}
		if !isArray && next > 0 {
			d = append(d, '[')
			isArray = true
		}
		l := min(int(n), len(b))
		if l > nlaHdrLen {
			d = append(d, '[')
		}
		typ := le.Uint16(b[2:])
		d = append(d, "{nla_len="...)
		d = strconv.AppendUint(d, uint64(n), 10)
		d = append(d, ", nla_type="...)
		if typ&nlaFNested != 0 {
			d = append(d, "NLA_F_NESTED|"...)
		}
		if typ&nlaFNetOrder != 0 {
			d = append(d, "NLA_F_NET_BYTEORDER|"...)
		}
		d = appendXval(d, table, uint64(typ&0x3fff), dflt)
		d = append(d, '}')
		if l > nlaHdrLen {
			d = append(d, ", "...)
			v := b[nlaHdrLen:l]
			out, ok := value(d, typ&0x3fff, v)
			if ok {
				d = out
			} else {
				d = c.appendNlHex(d, v)
			}
			d = append(d, ']')
		}
		if next == 0 {
			break
		}
		d = append(d, ", "...)
		b = b[next:]
	}
	if isArray {
		d = append(d, ']')
	}
	return d
}

// nlaKind is how strace decodes an attribute's value.
type nlaKind uint8

const (
	nlaNone nlaKind = iota
	nlaU8
	nlaU32
	nlaS32
	nlaStr
	nlaHwaddr
	nlaStats
	nlaStats64
	nlaRtextFilter
	nlaIfindex
	nlaInetAddr
	nlaCacheinfo
	nlaIfaFlags
)

// iflaKinds are strace 6.1's ifinfomsg_nla_decoders (the nested ones,
// IFLA_LINKINFO, IFLA_AF_SPEC, IFLA_XDP ..., print as bytes).
var iflaKinds = map[uint16]nlaKind{
	1: nlaHwaddr, 2: nlaHwaddr, 3: nlaStr, 4: nlaU32, 5: nlaU32, 6: nlaStr, 7: nlaStats,
	10: nlaU32, 13: nlaU32, 15: nlaU32, 16: nlaU8, 17: nlaU8, 19: nlaU32, 20: nlaStr,
	21: nlaU32, 23: nlaStats64, 27: nlaU32, 29: nlaRtextFilter, 30: nlaU32, 31: nlaU32,
	32: nlaU32, 33: nlaU8, 35: nlaU32, 37: nlaS32, 38: nlaStr, 39: nlaU8, 40: nlaU32,
	41: nlaU32, 45: nlaS32, 46: nlaS32, 47: nlaU32, 48: nlaU32, 49: nlaIfindex,
	50: nlaU32, 51: nlaU32, 53: nlaStr, 54: nlaHwaddr, 56: nlaStr, 57: nlaStr,
	58: nlaU32, 59: nlaU32, 60: nlaU32, 61: nlaU32,
}

// ifaKinds are strace 6.1's ifaddrmsg_nla_decoders.
var ifaKinds = map[uint16]nlaKind{
	1: nlaInetAddr, 2: nlaInetAddr, 3: nlaStr, 4: nlaInetAddr, 5: nlaInetAddr,
	6: nlaCacheinfo, 7: nlaInetAddr, 8: nlaIfaFlags, 9: nlaU32, 10: nlaS32,
}

func (c *call) iflaValue(d []byte, typ uint16, v []byte) ([]byte, bool) {
	return c.nlaValueOf(d, iflaKinds[typ], v, 0)
}

func (c *call) ifaValue(d []byte, typ uint16, v []byte, family byte) ([]byte, bool) {
	return c.nlaValueOf(d, ifaKinds[typ], v, family)
}

// Field names of struct rtnl_link_stats and rtnl_link_stats64 (the same,
// in u32 or u64): the first 23 always there, then those of newer kernels.
var linkStatsFields = []string{"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors",
	"tx_errors", "rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors",
	"rx_over_errors", "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors", "rx_missed_errors",
	"tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors", "tx_heartbeat_errors",
	"tx_window_errors", "rx_compressed", "tx_compressed", "rx_nohandler", "rx_otherhost_dropped"}

const (
	linkStatsMin  = 23 // fields every kernel has
	linkStatsU32  = 24 // struct rtnl_link_stats: up to rx_nohandler
	linkStatsU64  = 25 // struct rtnl_link_stats64: up to rx_otherhost_dropped
	inetAFInet    = 2
	inetAFInet6   = 10
	cacheinfoSize = 16
)

func (c *call) nlaValueOf(d []byte, k nlaKind, v []byte, family byte) ([]byte, bool) {
	switch k {
	case nlaU8:
		if len(v) < 1 {
			return d, false
		}
		return strconv.AppendUint(d, uint64(v[0]), 10), true
	case nlaU32, nlaS32, nlaIfindex, nlaRtextFilter, nlaIfaFlags:
		if len(v) < 4 {
			return d, false
		}
		x := le.Uint32(v)
		switch k {
		case nlaS32:
			return strconv.AppendInt(d, int64(int32(x)), 10), true
		case nlaIfindex:
			return c.appendIfindex(d, x), true
		case nlaRtextFilter:
			return appendNlFlags(d, "rtext_filter", uint64(x)), true
		case nlaIfaFlags:
			return appendNlFlags(d, "ifaddr_flags", uint64(x)), true
		}
		return strconv.AppendUint(d, uint64(x), 10), true
	case nlaStr:
		s := cstr(v)
		max := c.s.opts.strsize()
		if len(s) > max {
			d = appendQuoted(d, s[:max], false)
			return append(d, "..."...), true
		}
		return appendQuoted(d, s, false), true
	case nlaHwaddr:
		for i, ch := range v {
			if i > 0 {
				d = append(d, ':')
			}
			d = append(d, "0123456789abcdef"[ch>>4], "0123456789abcdef"[ch&15])
		}
		return d, true
	case nlaStats, nlaStats64:
		size := 4
		full := linkStatsU32
		if k == nlaStats64 {
			size, full = 8, linkStatsU64
		}
		n := 0
		switch {
		case len(v) >= full*size:
			n = full
		case len(v) == linkStatsMin*size:
			n = linkStatsMin
		default:
			return d, false
		}
		d = append(d, '{')
		for i := 0; i < n; i++ {
			if i > 0 {
				d = append(d, ", "...)
			}
			d = append(d, linkStatsFields[i]...)
			d = append(d, '=')
			if size == 8 {
				d = strconv.AppendUint(d, le.Uint64(v[8*i:]), 10)
			} else {
				d = strconv.AppendUint(d, uint64(le.Uint32(v[4*i:])), 10)
			}
		}
		return append(d, '}'), true
	case nlaInetAddr:
		switch {
		case family == inetAFInet && len(v) >= 4:
			a := netip.AddrFrom4([4]byte(v[:4]))
			return append(d, "inet_addr(\""+a.String()+"\")"...), true
		case family == inetAFInet6 && len(v) >= 16:
			a := netip.AddrFrom16([16]byte(v[:16]))
			return append(d, "inet_pton(AF_INET6, \""+a.String()+"\")"...), true
		}
		return d, false
	case nlaCacheinfo:
		if len(v) < cacheinfoSize {
			return d, false
		}
		d = append(d, "{ifa_prefered="...)
		d = strconv.AppendUint(d, uint64(le.Uint32(v)), 10)
		d = append(d, ", ifa_valid="...)
		d = strconv.AppendUint(d, uint64(le.Uint32(v[4:])), 10)
		d = append(d, ", cstamp="...)
		d = strconv.AppendUint(d, uint64(le.Uint32(v[8:])), 10)
		d = append(d, ", tstamp="...)
		d = strconv.AppendUint(d, uint64(le.Uint32(v[12:])), 10)
		return append(d, '}'), true
	}
	return d, false
}
