package format

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// quotactl and quotactl_fd as strace's quota.c: the command as QCMD(cmd,
// type), then the id and the data by command, the structs the command
// reads (at enter) or writes (at exit, on success), captured with the
// kernel's op_caps (engine/opcaps.go).

// Quota commands (QCMD's command: linux/quota.h, linux/dqblk_xfs.h).
const (
	qSync          = 0x800001
	qQuotaOn       = 0x800002
	qQuotaOff      = 0x800003
	qGetFmt        = 0x800004
	qGetInfo       = 0x800005
	qSetInfo       = 0x800006
	qGetQuota      = 0x800007
	qSetQuota      = 0x800008
	qGetNextQuota  = 0x800009
	qXQuotaOn      = 0x5801
	qXQuotaOff     = 0x5802
	qXGetQuota     = 0x5803
	qXSetQLim      = 0x5804
	qXGetQStat     = 0x5805
	qXQuotaRm      = 0x5806
	qXQuotaSync    = 0x5807
	qXGetQStatV    = 0x5808
	qXGetNextQuota = 0x5809
)

// The quota structs' flag tables, as strace's xlat/if_dqblk_valid.in,
// if_dqinfo_flags.in, if_dqinfo_valid.in, quota_formats.in,
// xfs_dqblk_flags.in and xfs_quota_flags.in.
var (
	dqblkValid = &syscalls.FlagTable{Name: "if_dqblk_valid", Default: "QIF_???", Entries: []syscalls.FlagEntry{
		{Name: "QIF_BLIMITS", Value: 1}, {Name: "QIF_SPACE", Value: 2}, {Name: "QIF_ILIMITS", Value: 4},
		{Name: "QIF_INODES", Value: 8}, {Name: "QIF_BTIME", Value: 16}, {Name: "QIF_ITIME", Value: 32}}}
	dqinfoFlags = &syscalls.FlagTable{Name: "if_dqinfo_flags", Default: "DQF_???", Entries: []syscalls.FlagEntry{
		{Name: "DQF_ROOT_SQUASH", Value: 1}, {Name: "DQF_SYS_FILE", Value: 1 << 16}}}
	dqinfoValid = &syscalls.FlagTable{Name: "if_dqinfo_valid", Default: "IIF_???", Entries: []syscalls.FlagEntry{
		{Name: "IIF_BGRACE", Value: 1}, {Name: "IIF_IGRACE", Value: 2}, {Name: "IIF_FLAGS", Value: 4}}}
	quotaFormats = &syscalls.FlagTable{Name: "quota_formats", Style: syscalls.StyleEnum, Default: "QFMT_VFS_???", Entries: []syscalls.FlagEntry{
		{Name: "QFMT_VFS_OLD", Value: 1}, {Name: "QFMT_VFS_V0", Value: 2}, {Name: "QFMT_OCFS2", Value: 3}, {Name: "QFMT_VFS_V1", Value: 4}}}
	xfsDqblkFlags = &syscalls.FlagTable{Name: "xfs_dqblk_flags", Default: "FS_???_QUOTA", Entries: []syscalls.FlagEntry{
		{Name: "FS_USER_QUOTA", Value: 1}, {Name: "FS_PROJ_QUOTA", Value: 2}, {Name: "FS_GROUP_QUOTA", Value: 4}}}
	xfsQuotaFlags = &syscalls.FlagTable{Name: "xfs_quota_flags", Default: "FS_QUOTA_???", Entries: []syscalls.FlagEntry{
		{Name: "FS_QUOTA_UDQ_ACCT", Value: 1}, {Name: "FS_QUOTA_UDQ_ENFD", Value: 2}, {Name: "FS_QUOTA_GDQ_ACCT", Value: 4},
		{Name: "FS_QUOTA_GDQ_ENFD", Value: 8}, {Name: "FS_QUOTA_PDQ_ACCT", Value: 16}, {Name: "FS_QUOTA_PDQ_ENFD", Value: 32}}}
)

// quotactl prints quotactl(cmd, special, id, addr) and quotactl_fd(fd,
// cmd, id, addr).
func (c *call) quotactl() {
	ci := 0
	if c.sc.Name == "quotactl_fd" {
		ci = 1
		c.generic(0)
	}
	q := uint32(c.ev.Args[ci])
	c.cur = ci
	c.addf(false, func(d []byte) []byte {
		d = append(d, "QCMD("...)
		d = c.appendFlags(d, "quotacmds", uint64(q>>8))
		d = append(d, ", "...)
		d = c.appendFlags(d, "quotatypes", uint64(q&0xff))
		return append(d, ')')
	})
	if ci == 0 {
		c.generic(1)
	}
	id := uint32(c.ev.Args[2])
	addr := c.ev.Args[3]
	c.cur = 3
	uid := func() { c.addf(false, func(d []byte) []byte { return appendUid(d, id) }) }
	// in prints the data the command reads, at enter; out what it
	// writes, at exit.
	in := func(fn func(d, b []byte) []byte, size int) {
		c.addf(false, func(d []byte) []byte { return c.appendQuotaData(d, event.BufIn, addr, size, fn) })
	}
	out := func(fn func(d, b []byte) []byte, size int) {
		c.addf(true, func(d []byte) []byte {
			if c.failed() {
				return appendPtr(d, addr)
			}
			return c.appendQuotaData(d, event.BufOut, addr, size, fn)
		})
	}
	switch q >> 8 {
	case qQuotaOff, qSync, qXQuotaSync:
	case qQuotaOn:
		c.addf(false, func(d []byte) []byte { return append(d, quotaFormats.Format(uint64(id))...) })
		c.addf(false, func(d []byte) []byte { // the quota file's path
			if b, trunc, ok := c.str(3); ok && addr != 0 {
				d = c.quote(d, b)
				if trunc {
					d = append(d, "..."...)
				}
				return d
			}
			return appendPtr(d, addr)
		})
	case qGetQuota:
		uid()
		out(c.appendDqblk, 72)
	case qSetQuota:
		uid()
		in(c.appendDqblk, 72)
	case qGetNextQuota:
		uid()
		out(c.appendNextDqblk, 72)
	case qXGetQuota, qXGetNextQuota:
		uid()
		out(c.appendFsDiskQuota, 112)
	case qXSetQLim:
		uid()
		in(c.appendFsDiskQuota, 112)
	case qGetFmt:
		out(func(d, b []byte) []byte {
			d = append(d, '[')
			d = append(d, quotaFormats.Format(uint64(le.Uint32(b)))...)
			return append(d, ']')
		}, 4)
	case qGetInfo:
		out(appendDqinfo, 24)
	case qSetInfo:
		in(appendDqinfo, 24)
	case qXGetQStat:
		out(c.appendQuotaStat, 80)
	case qXGetQStatV:
		out(c.appendQuotaStatV, 160)
	case qXQuotaOn, qXQuotaOff:
		in(func(d, b []byte) []byte { return appendFlagsIndirect(d, xfsQuotaFlags, le.Uint32(b)) }, 4)
	case qXQuotaRm:
		in(func(d, b []byte) []byte { return appendFlagsIndirect(d, xfsDqblkFlags, le.Uint32(b)) }, 4)
	default:
		uid()
		c.addf(false, func(d []byte) []byte { return appendPtr(d, addr) })
	}
}

func appendFlagsIndirect(d []byte, t *syscalls.FlagTable, v uint32) []byte {
	d = append(d, '[')
	d = append(d, t.Format(uint64(v))...)
	return append(d, ']')
}

// appendQuotaData appends the struct captured as kind for the address
// argument with fn, or the address when it was not read.
func (c *call) appendQuotaData(d []byte, kind event.DataKind, addr uint64, size int, fn func(d, b []byte) []byte) []byte {
	b, ok := c.data(3, kind)
	if addr == 0 || !ok || len(b) < size {
		return appendPtr(d, addr)
	}
	return fn(d, b)
}

// appendU64Fields appends "name=value" for the little-endian u64s of b
// at 8-byte steps from off, each field preceded by ", " but the first when
// first is set.
func appendU64Fields(d, b []byte, off int, first bool, names ...string) []byte {
	for i, n := range names {
		if i > 0 || !first {
			d = append(d, ", "...)
		}
		d = append(d, n...)
		d = append(d, '=')
		d = strconv.AppendUint(d, le.Uint64(b[off+8*i:]), 10)
	}
	return d
}

// appendDqblk appends struct if_dqblk; without -v its times and valid
// mask are "...".
func (c *call) appendDqblk(d, b []byte) []byte {
	d = append(d, '{')
	d = appendU64Fields(d, b, 0, true, "dqb_bhardlimit", "dqb_bsoftlimit", "dqb_curspace", "dqb_ihardlimit", "dqb_isoftlimit", "dqb_curinodes")
	if !c.s.opts.Verbose {
		return append(d, ", ...}"...)
	}
	d = appendU64Fields(d, b, 48, false, "dqb_btime", "dqb_itime")
	d = append(d, ", dqb_valid="...)
	d = append(d, dqblkValid.Format(uint64(le.Uint32(b[64:])))...)
	return append(d, '}')
}

// appendNextDqblk appends struct if_nextdqblk: if_dqblk and the id.
func (c *call) appendNextDqblk(d, b []byte) []byte {
	d = append(d, '{')
	d = appendU64Fields(d, b, 0, true, "dqb_bhardlimit", "dqb_bsoftlimit", "dqb_curspace", "dqb_ihardlimit", "dqb_isoftlimit", "dqb_curinodes")
	if c.s.opts.Verbose {
		d = appendU64Fields(d, b, 48, false, "dqb_btime", "dqb_itime")
		d = append(d, ", dqb_valid="...)
		d = append(d, dqblkValid.Format(uint64(le.Uint32(b[64:])))...)
	}
	d = append(d, ", dqb_id="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b[68:])), 10)
	if !c.s.opts.Verbose {
		d = append(d, ", ..."...)
	}
	return append(d, '}')
}

// appendDqinfo appends struct if_dqinfo.
func appendDqinfo(d, b []byte) []byte {
	d = append(d, '{')
	d = appendU64Fields(d, b, 0, true, "dqi_bgrace", "dqi_igrace")
	d = append(d, ", dqi_flags="...)
	d = append(d, dqinfoFlags.Format(uint64(le.Uint32(b[16:])))...)
	d = append(d, ", dqi_valid="...)
	d = append(d, dqinfoValid.Format(uint64(le.Uint32(b[20:])))...)
	return append(d, '}')
}

// appendFsDiskQuota appends struct fs_disk_quota (linux/dqblk_xfs.h);
// without -v from d_itimer on "...".
func (c *call) appendFsDiskQuota(d, b []byte) []byte {
	d = append(d, "{d_version="...)
	d = strconv.AppendInt(d, int64(int8(b[0])), 10)
	d = append(d, ", d_flags="...)
	d = append(d, xfsDqblkFlags.Format(uint64(b[1]))...)
	d = append(d, ", d_fieldmask="...)
	d = appendHexNum(d, uint64(le.Uint16(b[2:])))
	d = append(d, ", d_id="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b[4:])), 10)
	d = appendU64Fields(d, b, 8, false, "d_blk_hardlimit", "d_blk_softlimit", "d_ino_hardlimit", "d_ino_softlimit", "d_bcount", "d_icount")
	if !c.s.opts.Verbose {
		return append(d, ", ...}"...)
	}
	d = append(d, ", d_itimer="...)
	d = strconv.AppendInt(d, int64(int32(le.Uint32(b[56:]))), 10)
	d = append(d, ", d_btimer="...)
	d = strconv.AppendInt(d, int64(int32(le.Uint32(b[60:]))), 10)
	d = append(d, ", d_iwarns="...)
	d = strconv.AppendUint(d, uint64(le.Uint16(b[64:])), 10)
	d = append(d, ", d_bwarns="...)
	d = strconv.AppendUint(d, uint64(le.Uint16(b[66:])), 10)
	d = appendU64Fields(d, b, 72, false, "d_rtb_hardlimit", "d_rtb_softlimit", "d_rtbcount")
	d = append(d, ", d_rtbtimer="...)
	d = strconv.AppendInt(d, int64(int32(le.Uint32(b[96:]))), 10)
	d = append(d, ", d_rtbwarns="...)
	d = strconv.AppendUint(d, uint64(le.Uint16(b[100:])), 10)
	return append(d, '}')
}

// appendQfilestat appends struct fs_qfilestat (or fs_qfilestatv: the
// same fields, a 32-bit nextents) at b.
func appendQfilestat(d, b []byte) []byte {
	d = append(d, "{qfs_ino="...)
	d = strconv.AppendUint(d, le.Uint64(b), 10)
	d = append(d, ", qfs_nblks="...)
	d = strconv.AppendUint(d, le.Uint64(b[8:]), 10)
	d = append(d, ", qfs_nextents="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b[16:])), 10)
	return append(d, '}')
}

// appendQuotaStat appends struct fs_quota_stat (Q_XGETQSTAT).
func (c *call) appendQuotaStat(d, b []byte) []byte {
	d, whole := c.appendQuotaStatHead(d, b)
	if !whole {
		return d
	}
	d = append(d, ", qs_uquota="...)
	d = appendQfilestat(d, b[8:])
	d = append(d, ", qs_gquota="...)
	d = appendQfilestat(d, b[32:])
	d = append(d, ", qs_incoredqs="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b[56:])), 10)
	return appendQuotaLimits(d, b, 60)
}

// appendQuotaStatV appends struct fs_quota_statv (Q_XGETQSTATV).
func (c *call) appendQuotaStatV(d, b []byte) []byte {
	d, whole := c.appendQuotaStatHead(d, b)
	if !whole {
		return d
	}
	d = append(d, ", qs_incoredqs="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b[4:])), 10)
	d = append(d, ", qs_uquota="...)
	d = appendQfilestat(d, b[8:])
	d = append(d, ", qs_gquota="...)
	d = appendQfilestat(d, b[32:])
	d = append(d, ", qs_pquota="...)
	d = appendQfilestat(d, b[56:])
	return appendQuotaLimits(d, b, 80)
}

// appendQuotaStatHead appends what fs_quota_stat and fs_quota_statv
// begin with, and says whether the rest is to be shown (-v).
func (c *call) appendQuotaStatHead(d, b []byte) ([]byte, bool) {
	d = append(d, "{qs_version="...)
	d = strconv.AppendInt(d, int64(int8(b[0])), 10)
	if !c.s.opts.Verbose {
		return append(d, ", ...}"...), false
	}
	d = append(d, ", qs_flags="...)
	d = append(d, xfsQuotaFlags.Format(uint64(le.Uint16(b[2:])))...)
	return d, true
}

// appendQuotaLimits appends what fs_quota_stat and fs_quota_statv end
// with, from off: the three time limits and the two warning limits.
func appendQuotaLimits(d, b []byte, off int) []byte {
	d = appendI32Fields(d, b, off, "qs_btimelimit", "qs_itimelimit", "qs_rtbtimelimit")
	d = append(d, ", qs_bwarnlimit="...)
	d = strconv.AppendUint(d, uint64(le.Uint16(b[off+12:])), 10)
	d = append(d, ", qs_iwarnlimit="...)
	d = strconv.AppendUint(d, uint64(le.Uint16(b[off+14:])), 10)
	return append(d, '}')
}

// appendI32Fields appends ", name=value" for the signed 32-bit fields of
// b at 4-byte steps from off.
func appendI32Fields(d, b []byte, off int, names ...string) []byte {
	for i, n := range names {
		d = append(d, ", "...)
		d = append(d, n...)
		d = append(d, '=')
		d = strconv.AppendInt(d, int64(int32(le.Uint32(b[off+4*i:]))), 10)
	}
	return d
}
