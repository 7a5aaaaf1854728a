package engine

import (
	"fmt"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// An argument whose struct depends on an operation in another argument
// (quotactl's command, io_uring_register's opcode) is read with capture
// kind CAP_OP_ARG: the kernel looks the operation up in the op_caps map,
// whose key is the table's id << 24 | the operation (the argument shifted
// right by the table's shift), for the size and the moment.

// opTable is one syscall family's operation table.
type opTable struct {
	id    uint16 // the key's high byte
	shift uint16 // the operation is the argument >> shift (quotactl: QCMD's command)
	op    string // the name of the argument that holds the operation
	caps  []opCap
}

// opCap is what the kernel reads for one operation: size + elem *
// args[count] bytes (cut at OP_MAX), at enter or at exit on success, or a
// string at enter; and an array the struct points to.
type opCap struct {
	op         uint32
	size, elem uint16
	count      uint8
	flags      bpf.TracerOpCapFlags
	// ptrOff, when not 0, is the offset in the struct of a pointer to
	// args[count] elements of ptrElem bytes, read too at enter; ptr2Off
	// and ptr2Elem a second such array. countAt, when not 0, counts
	// their elements by the struct's u32 at countAt-1 instead.
	ptrOff, ptrElem, ptr2Off, ptr2Elem, countAt uint8
}

// nrArgs is io_uring_register's nr_args, its fourth argument on every
// architecture.
const nrArgs = 3

const (
	opEnter = bpf.TracerOpCapFlagsOP_AT_ENTER
	opExit  = bpf.TracerOpCapFlagsOP_AT_EXIT
	opStr   = bpf.TracerOpCapFlagsOP_STR
)

// opTables are the operation tables by the argument's Capture: the
// structs strace's quota.c and io_uring.c print, with their sizes (the
// same on amd64 and arm64).
var opTables = map[syscalls.Capture]opTable{
	syscalls.CaptureQuota: {id: 1, shift: 8, op: "cmd", caps: []opCap{
		{op: 0x800002, flags: opStr | opEnter},  // Q_QUOTAON: the quota file's path
		{op: 0x800004, size: 4, flags: opExit},  // Q_GETFMT: the format
		{op: 0x800005, size: 24, flags: opExit}, // Q_GETINFO: struct if_dqinfo
		{op: 0x800006, size: 24, flags: opEnter},
		{op: 0x800007, size: 72, flags: opExit}, // Q_GETQUOTA: struct if_dqblk
		{op: 0x800008, size: 72, flags: opEnter},
		{op: 0x800009, size: 72, flags: opExit}, // Q_GETNEXTQUOTA: struct if_nextdqblk
		{op: 0x5801, size: 4, flags: opEnter},   // Q_XQUOTAON: flags
		{op: 0x5802, size: 4, flags: opEnter},   // Q_XQUOTAOFF
		{op: 0x5803, size: 112, flags: opExit},  // Q_XGETQUOTA: struct fs_disk_quota
		{op: 0x5804, size: 112, flags: opEnter}, // Q_XSETQLIM
		{op: 0x5805, size: 80, flags: opExit},   // Q_XGETQSTAT: struct fs_quota_stat
		{op: 0x5806, size: 4, flags: opEnter},   // Q_XQUOTARM: flags
		{op: 0x5808, size: 160, flags: opExit},  // Q_XGETQSTATV: struct fs_quota_statv
		{op: 0x5809, size: 112, flags: opExit},  // Q_XGETNEXTQUOTA
	}},
	syscalls.CaptureIoUringRegister: {id: 2, op: "opcode", caps: []opCap{
		{op: 0, elem: 16, count: nrArgs, flags: opEnter},                        // IORING_REGISTER_BUFFERS: iovecs
		{op: 2, elem: 4, count: nrArgs, flags: opEnter},                         // IORING_REGISTER_FILES: descriptors
		{op: 4, elem: 4, count: nrArgs, flags: opEnter},                         // IORING_REGISTER_EVENTFD
		{op: 6, size: 16, count: nrArgs, flags: opEnter, ptrOff: 8, ptrElem: 4}, // IORING_REGISTER_FILES_UPDATE: struct io_uring_files_update and its fds
		{op: 7, elem: 4, count: nrArgs, flags: opEnter},                         // IORING_REGISTER_EVENTFD_ASYNC
		// IORING_REGISTER_FILES2, _BUFFERS2: struct io_uring_rsrc_register
		// (nr at 0), its data (descriptors or iovecs) and tags.
		{op: 13, size: 32, flags: opEnter, ptrOff: 16, ptrElem: 4, ptr2Off: 24, ptr2Elem: 8, countAt: 1},
		{op: 15, size: 32, flags: opEnter, ptrOff: 16, ptrElem: 16, ptr2Off: 24, ptr2Elem: 8, countAt: 1},
		// IORING_REGISTER_FILES_UPDATE2, _BUFFERS_UPDATE: struct
		// io_uring_rsrc_update2 (nr at 24), its data and tags.
		{op: 14, size: 32, flags: opEnter, ptrOff: 8, ptrElem: 4, ptr2Off: 16, ptr2Elem: 8, countAt: 25},
		{op: 16, size: 32, flags: opEnter, ptrOff: 8, ptrElem: 16, ptr2Off: 16, ptr2Elem: 8, countAt: 25},
		{op: 8, size: 16, elem: 8, count: nrArgs, flags: opEnter | opExit}, // IORING_REGISTER_PROBE: struct io_uring_probe
		{op: 11, elem: 16, count: nrArgs, flags: opEnter},                  // IORING_REGISTER_RESTRICTIONS
		{op: 17, elem: 1, count: nrArgs, flags: opEnter},                   // IORING_REGISTER_IOWQ_AFF: a CPU mask
		{op: 19, elem: 4, count: nrArgs, flags: opEnter | opExit},          // IORING_REGISTER_IOWQ_MAX_WORKERS: two counts
		{op: 20, elem: 16, count: nrArgs, flags: opEnter},                  // IORING_REGISTER_RING_FDS: struct io_uring_rsrc_update
		{op: 21, elem: 16, count: nrArgs, flags: opEnter},                  // IORING_UNREGISTER_RING_FDS
		{op: 22, size: 40, flags: opEnter},                                 // IORING_REGISTER_PBUF_RING: struct io_uring_buf_reg
		{op: 23, size: 40, flags: opEnter},                                 // IORING_UNREGISTER_PBUF_RING
	}},
}

// argIndex is the index of sc's argument called name, -1 for none.
func argIndex(sc *syscalls.Syscall, name string) int {
	for i, a := range sc.Args {
		if a.Name == name {
			return i
		}
	}
	return -1
}

// describeOp is the capture of argument a of sc by its operation table:
// the kind, the operation's argument and the table (id | shift << 8); ok
// is false when a has none.
func describeOp(sc *syscalls.Syscall, a syscalls.Arg) (kind bpf.TracerCapKind, sizeArg uint8, size uint16, ok bool) {
	t, ok := opTables[a.Capture]
	if !ok || a.Width != 8 {
		// The tables' sizes are the 64-bit layouts: a 32-bit
		// process's structs (iovecs, fs_quota_stat) differ, and are
		// shown as addresses.
		return 0, 0, 0, false
	}
	i := argIndex(sc, t.op)
	if i < 0 {
		return 0, 0, 0, false
	}
	return capOp, uint8(i), t.id | t.shift<<8, true
}

// writeOpCaps writes opTables into the kernel's op_caps map.
func (s *Session) writeOpCaps() error {
	for _, t := range opTables {
		for _, c := range t.caps {
			v := bpf.TracerOpCap{Size: c.size, Elem: c.elem, Flags: c.flags, CountArg: c.count,
				PtrOff: c.ptrOff, PtrElem: c.ptrElem, Ptr2Off: c.ptr2Off, Ptr2Elem: c.ptr2Elem, CountAt: c.countAt}
			if err := s.objs.OpCaps.Put(uint32(t.id)<<24|c.op&0xffffff, v); err != nil {
				return fmt.Errorf("writing the operations' capture table: %w", err)
			}
		}
	}
	return nil
}
