package format

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// TestStraceQuotaOut checks the structs quotactl's get commands write, as
// strace's decode_cmd_data prints them at exit (the edge-case test, on a
// machine without quotas, sees only failed gets: their address).
func TestStraceQuotaOut(t *testing.T) {
	u64s := func(n int, vs ...uint64) []byte {
		b := make([]byte, n)
		for i, v := range vs {
			le.PutUint64(b[8*i:], v)
		}
		return b
	}
	dqblk := u64s(72, 100, 50, 4096, 10, 5, 2, 1000, 2000)
	le.PutUint32(dqblk[64:], 0x3f|0x80)
	next := append([]byte(nil), dqblk...)
	le.PutUint32(next[68:], 1001)
	info := u64s(24, 604800, 86400)
	le.PutUint32(info[16:], 1<<16)
	le.PutUint32(info[20:], 7)
	stat := make([]byte, 80)
	stat[0] = 1
	le.PutUint16(stat[2:], 0x5)
	copy(stat[8:], u64s(24, 131, 2))
	le.PutUint32(stat[8+16:], 1)
	le.PutUint32(stat[56:], 3)
	le.PutUint32(stat[60:], 604800)
	le.PutUint16(stat[72:], 5)
	statv := make([]byte, 160)
	statv[0] = 2
	le.PutUint16(statv[2:], 0x40)
	copy(statv[56:], u64s(24, 7, 8))
	le.PutUint32(statv[80+8:], 0xffffffff)
	fdq := make([]byte, 112)
	fdq[0], fdq[1] = 1, 4
	le.PutUint32(fdq[4:], 42)
	copy(fdq[8:], u64s(48, 8, 4, 3, 2, 1, 1))
	const q = 0x80000700 // QCMD(Q_GETQUOTA, USRQUOTA)
	for _, tc := range []struct {
		name    string
		args    [6]uint64
		ret     int64
		data    []event.Data
		verbose bool
		want    string
	}{
		{"quotactl", [6]uint64{q, 0x1000, 1000, 0x2000}, 0, []event.Data{{Arg: 1, Kind: event.Str, Bytes: []byte("/dev/sda1")}, {Arg: 3, Kind: event.BufOut, Bytes: dqblk}}, false,
			`quotactl(QCMD(Q_GETQUOTA, USRQUOTA), "/dev/sda1", 1000, {dqb_bhardlimit=100, dqb_bsoftlimit=50, dqb_curspace=4096, dqb_ihardlimit=10, dqb_isoftlimit=5, dqb_curinodes=2, ...}) = 0`},
		{"quotactl", [6]uint64{q, 0x1000, 1000, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: dqblk}}, true,
			`quotactl(QCMD(Q_GETQUOTA, USRQUOTA), 0x1000, 1000, {dqb_bhardlimit=100, dqb_bsoftlimit=50, dqb_curspace=4096, dqb_ihardlimit=10, dqb_isoftlimit=5, dqb_curinodes=2, dqb_btime=1000, dqb_itime=2000, dqb_valid=QIF_BLIMITS|QIF_SPACE|QIF_ILIMITS|QIF_INODES|QIF_BTIME|QIF_ITIME|0x80}) = 0`},
		{"quotactl", [6]uint64{q, 0x1000, 1000, 0x2000}, -2, nil, false,
			`quotactl(QCMD(Q_GETQUOTA, USRQUOTA), 0x1000, 1000, 0x2000) = -1 ENOENT (No such file or directory)`},
		{"quotactl_fd", [6]uint64{3, 0x80000901, 0, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: next}}, false,
			`quotactl_fd(3, QCMD(Q_GETNEXTQUOTA, GRPQUOTA), 0, {dqb_bhardlimit=100, dqb_bsoftlimit=50, dqb_curspace=4096, dqb_ihardlimit=10, dqb_isoftlimit=5, dqb_curinodes=2, dqb_id=1001, ...}) = 0`},
		{"quotactl_fd", [6]uint64{3, 0x80000901, 0, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: next}}, true,
			`quotactl_fd(3, QCMD(Q_GETNEXTQUOTA, GRPQUOTA), 0, {dqb_bhardlimit=100, dqb_bsoftlimit=50, dqb_curspace=4096, dqb_ihardlimit=10, dqb_isoftlimit=5, dqb_curinodes=2, dqb_btime=1000, dqb_itime=2000, dqb_valid=QIF_BLIMITS|QIF_SPACE|QIF_ILIMITS|QIF_INODES|QIF_BTIME|QIF_ITIME|0x80, dqb_id=1001}) = 0`},
		{"quotactl_fd", [6]uint64{3, 0x80000500, 0, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: info}}, false,
			`quotactl_fd(3, QCMD(Q_GETINFO, USRQUOTA), {dqi_bgrace=604800, dqi_igrace=86400, dqi_flags=DQF_SYS_FILE, dqi_valid=IIF_BGRACE|IIF_IGRACE|IIF_FLAGS}) = 0`},
		{"quotactl_fd", [6]uint64{3, 0x80000400, 0, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: []byte{2, 0, 0, 0}}}, false,
			`quotactl_fd(3, QCMD(Q_GETFMT, USRQUOTA), [QFMT_VFS_V0]) = 0`},
		{"quotactl_fd", [6]uint64{3, 0x80000400, 0, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: []byte{9, 0, 0, 0}}}, false,
			`quotactl_fd(3, QCMD(Q_GETFMT, USRQUOTA), [0x9 /* QFMT_VFS_??? */]) = 0`},
		{"quotactl_fd", [6]uint64{3, 0x580500, 0, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: stat}}, false,
			`quotactl_fd(3, QCMD(Q_XGETQSTAT, USRQUOTA), {qs_version=1, ...}) = 0`},
		{"quotactl_fd", [6]uint64{3, 0x580500, 0, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: stat}}, true,
			`quotactl_fd(3, QCMD(Q_XGETQSTAT, USRQUOTA), {qs_version=1, qs_flags=FS_QUOTA_UDQ_ACCT|FS_QUOTA_GDQ_ACCT, qs_uquota={qfs_ino=131, qfs_nblks=2, qfs_nextents=1}, qs_gquota={qfs_ino=0, qfs_nblks=0, qfs_nextents=0}, qs_incoredqs=3, qs_btimelimit=604800, qs_itimelimit=0, qs_rtbtimelimit=0, qs_bwarnlimit=5, qs_iwarnlimit=0}) = 0`},
		{"quotactl_fd", [6]uint64{3, 0x580800, 0, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: statv}}, true,
			`quotactl_fd(3, QCMD(Q_XGETQSTATV, USRQUOTA), {qs_version=2, qs_flags=0x40 /* FS_QUOTA_??? */, qs_incoredqs=0, qs_uquota={qfs_ino=0, qfs_nblks=0, qfs_nextents=0}, qs_gquota={qfs_ino=0, qfs_nblks=0, qfs_nextents=0}, qs_pquota={qfs_ino=7, qfs_nblks=8, qfs_nextents=0}, qs_btimelimit=0, qs_itimelimit=0, qs_rtbtimelimit=-1, qs_bwarnlimit=0, qs_iwarnlimit=0}) = 0`},
		{"quotactl_fd", [6]uint64{3, 0x580302, 42, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: fdq}}, false,
			`quotactl_fd(3, QCMD(Q_XGETQUOTA, PRJQUOTA), 42, {d_version=1, d_flags=FS_GROUP_QUOTA, d_fieldmask=0, d_id=42, d_blk_hardlimit=8, d_blk_softlimit=4, d_ino_hardlimit=3, d_ino_softlimit=2, d_bcount=1, d_icount=1, ...}) = 0`},
		// A capture shorter than the struct: the address.
		{"quotactl_fd", [6]uint64{3, 0x580302, 42, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.BufOut, Bytes: fdq[:50]}}, false,
			`quotactl_fd(3, QCMD(Q_XGETQUOTA, PRJQUOTA), 42, 0x2000) = 0`},
		{"quotactl", [6]uint64{0x80000200, 0x1000, 2, 0x2000}, 0, []event.Data{{Arg: 3, Kind: event.Str, Bytes: []byte("/aquota.user")}}, false,
			`quotactl(QCMD(Q_QUOTAON, USRQUOTA), 0x1000, QFMT_VFS_V0, "/aquota.user") = 0`},
	} {
		tab := fuzzTables[0]
		ev := &event.Event{Kind: event.Syscall, PID: 1, TID: 1, Nr: int32(tab.ByName(tc.name).Nr), Args: tc.args, Ret: tc.ret, Data: tc.data}
		if d := cmp.Diff(tc.want, string(AppendStrace(nil, ev, tab, StraceOptions{Column: 1, Verbose: tc.verbose}))); d != "" {
			t.Errorf("%s %#x (-want +got):\n%s", tc.name, tc.args[:4], d)
		}
	}
}
