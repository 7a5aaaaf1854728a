package format

// strace's presentation options: -a (the result column), -x and -xx (hex
// strings), -e read= and -e write= (data dumps), -qq (no exit lines).

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// column is where " = " starts, counted from the line's start (-a; 40).
func (s *Strace) column() int {
	if s.opts.Column > 0 {
		return s.opts.Column
	}
	return 40
}

// quote appends a string or buffer quoted as strace does, in hex under
// -xx, or under -x when it holds a byte that is neither printable nor
// white space.
func (c *call) quote(d, b []byte) []byte {
	switch {
	case c.s.opts.HexStrings >= 2:
		return appendQuoted(d, b, true)
	case c.s.opts.HexStrings == 1:
		for _, ch := range b {
			if ch > 0x7e || ch < ' ' && (ch < '\t' || ch > '\r') {
				return appendQuoted(d, b, true)
			}
		}
	}
	return appendQuoted(d, b, false)
}

// Calls whose data -e read= and -e write= dump: the descriptor argument,
// the buffer argument and its capture kind.
var dumpCalls = map[string]struct {
	write bool
	buf   int
}{
	"read": {false, 1}, "pread64": {false, 1}, "recvfrom": {false, 1}, "recv": {false, 1},
	"write": {true, 1}, "pwrite64": {true, 1}, "sendto": {true, 1}, "send": {true, 1},
}

// appendDump appends strace's hex and ASCII dump of the data a call read
// or wrote on a descriptor of -e read= or -e write=, one line of 16 bytes
// each: " | 00000  61 62 ...  ab |". It dumps what was captured (up to the
// capture limit, which read= and write= raise).
func (c *call) appendDump(dst []byte) []byte {
	if c.sc == nil || c.ev.Failed() || c.ev.Flags&(event.NoReturn|event.Unfinished) != 0 || c.ev.Ret <= 0 {
		return dst
	}
	dc, ok := dumpCalls[c.sc.Name]
	if !ok {
		return c.appendIovDump(dst)
	}
	set := c.s.opts.ReadDump
	kind := event.BufOut
	if dc.write {
		set, kind = c.s.opts.WriteDump, event.BufIn
	}
	on, named := set[int(int32(c.ev.Args[0]))]
	if !named {
		on = set[-1] // every other descriptor
	}
	if !on {
		return dst
	}
	b, ok := c.data(dc.buf, kind)
	if !ok {
		return dst
	}
	if n := int(c.ev.Ret); len(b) > n {
		b = b[:n]
	}
	return appendHexDump(dst, b)
}

// Vector calls whose buffers -e read= and -e write= dump, each after
// " * N bytes in buffer I" (the iovec array is argument 1, its length 2).
var dumpIovCalls = map[string]bool{
	"readv": false, "preadv": false, "preadv2": false,
	"writev": true, "pwritev": true, "pwritev2": true,
}

// appendIovDump is appendDump for readv and writev: the buffers of the
// iovec item (the array, then each buffer's captured start) up to the
// bytes the call moved.
func (c *call) appendIovDump(dst []byte) []byte {
	write, ok := dumpIovCalls[c.sc.Name]
	if !ok {
		return dst
	}
	set, kind := c.s.opts.ReadDump, event.BufOut
	if write {
		set, kind = c.s.opts.WriteDump, event.BufIn
	}
	on, named := set[int(int32(c.ev.Args[0]))]
	if !named {
		on = set[-1]
	}
	b, ok := c.data(1, kind)
	if !on || !ok {
		return dst
	}
	n := min(c.ev.Args[2], arrayMax)
	if uint64(len(b)) < 16*n {
		return dst
	}
	data, left := b[16*n:], uint64(c.ev.Ret)
	for i := uint64(0); i < n && left > 0; i++ {
		base, l := le.Uint64(b[16*i:]), le.Uint64(b[16*i+8:])
		eff := min(l, left)
		left -= eff
		if base&iovCaptured == 0 || base&^iovCaptured > uint64(len(data)) {
			break
		}
		got := base &^ iovCaptured
		dst = append(dst, "\n * "...)
		dst = strconv.AppendUint(dst, eff, 10)
		dst = append(dst, " bytes in buffer "...)
		dst = strconv.AppendUint(dst, i, 10)
		dst = appendHexDump(dst, data[:min(got, eff)])
		data = data[got:]
	}
	return dst
}

// appendHexDump is strace's dumpstr layout.
func appendHexDump(dst, b []byte) []byte {
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		dst = append(dst, "\n | "...)
		for sh := 16; sh >= 0; sh -= 4 {
			dst = append(dst, hexLower[(off>>sh)&15])
		}
		dst = append(dst, ' ', ' ')
		for i := 0; i < 16; i++ {
			if i < len(line) {
				dst = append(dst, hexLower[line[i]>>4], hexLower[line[i]&15], ' ')
			} else {
				dst = append(dst, ' ', ' ', ' ')
			}
			if i == 7 {
				dst = append(dst, ' ')
			}
		}
		dst = append(dst, ' ')
		for i := 0; i < 16; i++ {
			switch {
			case i >= len(line):
				dst = append(dst, ' ')
			case line[i] >= ' ' && line[i] <= 0x7e:
				dst = append(dst, line[i])
			default:
				dst = append(dst, '.')
			}
		}
		dst = append(dst, " |"...)
	}
	return dst
}

// appendStatVerbose is -v's struct stat: every field, as strace -v.
func appendStatVerbose(c *call, d, b []byte) []byte {
	if len(b) < 120 {
		return appendHexNum(d, 0)
	}
	u64 := func(o int) uint64 { return le.Uint64(b[o:]) }
	u32 := func(o int) uint64 { return uint64(le.Uint32(b[o:])) }
	var nlink, mode, uid, gid, rdev, blksize uint64
	if c.s.tab.Arch() == "arm64" {
		mode, nlink, uid, gid, rdev, blksize = u32(16), u32(20), u32(24), u32(28), u64(32), u32(56)
	} else {
		nlink, mode, uid, gid, rdev, blksize = u64(16), u32(24), u32(28), u32(32), u64(40), u64(56)
	}
	d = append(d, "{st_dev="...)
	d = appendMakedev(d, u64(0))
	d = append(d, ", st_ino="...)
	d = strconv.AppendUint(d, u64(8), 10)
	d = append(d, ", st_mode="...)
	d = appendMode(d, uint32(mode))
	d = append(d, ", st_nlink="...)
	d = strconv.AppendUint(d, nlink, 10)
	d = append(d, ", st_uid="...)
	d = strconv.AppendUint(d, uid, 10)
	d = append(d, ", st_gid="...)
	d = strconv.AppendUint(d, gid, 10)
	d = append(d, ", st_blksize="...)
	d = strconv.AppendUint(d, blksize, 10)
	d = append(d, ", st_blocks="...)
	d = strconv.AppendUint(d, u64(64), 10)
	if t := mode & 0o170000; t == 0o020000 || t == 0o060000 {
		d = append(d, ", st_rdev="...)
		d = appendMakedev(d, rdev)
	} else {
		d = append(d, ", st_size="...)
		d = strconv.AppendInt(d, int64(u64(48)), 10)
	}
	for i, name := range []string{"st_atime", "st_mtime", "st_ctime"} {
		sec, nsec := int64(u64(72+16*i)), int64(u64(80+16*i))
		d = append(d, ", "...)
		d = append(d, name...)
		d = append(d, '=')
		d = strconv.AppendInt(d, sec, 10)
		digits := 9 // strace leaves out a zero fraction
		if nsec == 0 {
			digits = 0
		}
		d = appendDate(d, sec, nsec, digits)
		d = append(d, ", "...)
		d = append(d, name...)
		d = append(d, "_nsec="...)
		d = strconv.AppendInt(d, nsec, 10)
	}
	return append(d, '}')
}

// detachAtExec is -b execve: a successful execve after the trace's first
// call is the process's last line, ending " <detached ...>" as strace's.
func (s *Strace) detachAtExec(dst []byte, ev *event.Event) []byte {
	name := s.tab.Name(int(ev.Nr))
	if s.started && (name == "execve" || name == "execveat") && !ev.Failed() && ev.Flags&event.Unfinished == 0 {
		if s.detached == nil {
			s.detached = map[uint32]bool{}
		}
		s.detached[ev.PID] = true
		last := *ev
		last.Flags |= event.Unfinished
		dst = s.appendSyscall(dst, &last)
		delete(s.live, ev.TID)
		return dst
	}
	s.started = true
	return s.appendSyscall(dst, ev)
}

// appendStrArray prints strings captured back to back with their NULs (an
// execve's argv, and its envp under -v) as strace: each cut at --strsize,
// ", ..." when the kernel captured only the first ones.
func (c *call) appendStrArray(d, b []byte, arg int) []byte {
	d = append(d, '[')
	for n := 0; len(b) > 0; n++ {
		end := 0
		for end < len(b) && b[end] != 0 {
			end++
		}
		if n > 0 {
			d = append(d, ", "...)
		}
		d = c.appendStrLimited(d, b[:end], false)
		if end < len(b) {
			end++
		}
		b = b[end:]
	}
	if _, more := c.data(arg, event.StrTrunc); more {
		d = append(d, ", ..."...)
	}
	return append(d, ']')
}
