package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// Layout of struct event_hdr in bpf/tracer.bpf.c, taken from the type bpf2go
// generates from it.
const (
	hdrSize     = int(unsafe.Sizeof(bpf.TracerEventHdr{}))
	offDuration = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Duration))
	offArgs     = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Args))
	offRet      = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Ret))
	offPID      = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Pid))
	offTID      = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Tid))
	offNr       = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Nr))
	offFlags    = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Flags))
	offNItems   = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Nitems))
	offPad      = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Pad))
	offItems    = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Items))
	offComm     = int(unsafe.Offsetof(bpf.TracerEventHdr{}.Comm))
	maxItems    = len(bpf.TracerEventHdr{}.Items)
	commLen     = len(bpf.TracerEventHdr{}.Comm)

	itemSize    = int(unsafe.Sizeof(bpf.TracerItem{}))
	offItemArg  = int(unsafe.Offsetof(bpf.TracerItem{}.Arg))
	offItemKind = int(unsafe.Offsetof(bpf.TracerItem{}.Kind))
	offItemLen  = int(unsafe.Offsetof(bpf.TracerItem{}.Len))

	// itemStack is ITEM_STACK: the user stack (-k), decoded by package stack.
	itemStack = uint8(bpf.TracerItemKindITEM_STACK)
)

var errShortRecord = errors.New("short record")

// decoder turns ring-buffer records into Events. It is used by one goroutine.
type decoder struct {
	startNS uint64 // monotonic time the trace started; event times are relative to it
	// unentered counts the calls whose entry the kernel side never saw,
	// sent from their exit.
	unentered uint64
	// lastUnentered is the monotonic time of the last such call decoded
	// (0 when the last record was another).
	lastUnentered uint64
	comms         map[string]string // interned process names
	stack         []byte            // the last record's stack item, aliasing the record; nil without one
	// reuse: the captured bytes go to buf, reused by the next record
	// (Config.ReuseEvents), not to a new allocation each.
	reuse bool
	buf   []byte
}

// decode fills ev from one record. Captured bytes are copied, so the
// record's buffer may be reused.
func (d *decoder) decode(raw []byte, ev *event.Event) error {
	startNS := d.startNS
	if len(raw) < hdrSize {
		return fmt.Errorf("decoding record of %d bytes: %w", len(raw), errShortRecord)
	}
	le := binary.LittleEndian
	ev.Kind = event.Syscall
	ts := le.Uint64(raw)
	if ts >= startNS {
		ev.TS = ts - startNS
	} else {
		ev.TS = 0
	}
	ev.Duration = le.Uint64(raw[offDuration:])
	for i := range ev.Args {
		ev.Args[i] = le.Uint64(raw[offArgs+8*i:])
	}
	ev.Ret = int64(le.Uint64(raw[offRet:]))
	ev.PID = le.Uint32(raw[offPID:])
	ev.TID = le.Uint32(raw[offTID:])
	ev.Nr = int32(le.Uint32(raw[offNr:]))
	ev.Flags = 0
	d.lastUnentered = 0
	fl := bpf.TracerEvFlags(le.Uint16(raw[offFlags:]))
	switch {
	case fl&bpf.TracerEvFlagsEV_NORETURN != 0:
		ev.Flags |= event.NoReturn
		ev.Duration = 0
	case fl&bpf.TracerEvFlagsEV_EXIT != 0:
		ev.Kind = event.Exit
		ev.Duration = 0
	case fl&bpf.TracerEvFlagsEV_SIGNAL != 0:
		ev.Kind = event.Signal
		ev.Duration = 0
	case fl&bpf.TracerEvFlagsEV_ENTERED != 0:
		ev.Flags |= event.Entered
		ev.Duration = 0
	case fl&bpf.TracerEvFlagsEV_UNENTERED != 0:
		// Sent from its exit (bpf/event.bpf.h, send_unentered): no start
		// time, no enter captures.
		d.unentered++
		d.lastUnentered = ts
		ev.Duration = 0
	}
	if fl&bpf.TracerEvFlagsEV_NETLINK != 0 {
		ev.Flags |= event.Netlink | event.Flags(raw[offPad])<<event.NetlinkProtoShift
	}
	if fl&bpf.TracerEvFlagsEV_COMPAT != 0 {
		ev.Flags |= event.Compat
	}
	comm := raw[offComm : offComm+commLen]
	n := 0
	for n < len(comm) && comm[n] != 0 {
		n++
	}
	ev.Comm = d.intern(comm[:n])

	nitems := int(raw[offNItems])
	if nitems > maxItems {
		return fmt.Errorf("decoding record: %d items, at most %d", nitems, maxItems)
	}
	ev.Data = ev.Data[:0]
	d.stack = d.stack[:0:0]
	if nitems == 0 {
		return nil
	}
	data := raw[hdrSize:]
	total, kept := 0, 0
	for i := 0; i < nitems; i++ {
		l := int(le.Uint16(raw[offItems+itemSize*i+offItemLen:]))
		total += l
		if raw[offItems+itemSize*i+offItemKind] != itemStack {
			kept += l
		}
	}
	if total > len(data) {
		return fmt.Errorf("decoding record: items need %d bytes, record has %d", total, len(data))
	}
	// The captures are copied; a stack item is not: it is symbolized
	// before the record's buffer is reused, and dropped.
	var buf []byte
	if d.reuse {
		if cap(d.buf) < kept {
			d.buf = make([]byte, 0, max(kept, 2*cap(d.buf)))
		}
		buf = d.buf[:0]
	} else {
		buf = make([]byte, 0, kept)
	}
	if cap(ev.Data) < nitems {
		ev.Data = make([]event.Data, 0, nitems)
	}
	off := 0
	for i := 0; i < nitems; i++ {
		it := raw[offItems+itemSize*i:]
		l := int(le.Uint16(it[offItemLen:]))
		if it[offItemKind] == itemStack {
			d.stack = data[off : off+l : off+l]
		} else {
			// The kernel's item kinds are event.DataKind's values (checked
			// by TestItemKinds).
			start := len(buf)
			buf = append(buf, data[off:off+l]...)
			ev.Data = append(ev.Data, event.Data{Arg: it[offItemArg], Kind: event.DataKind(it[offItemKind]), Bytes: buf[start : start+l : start+l]})
		}
		off += l
	}
	return nil
}

// intern avoids allocating the same process names over and over.
func (d *decoder) intern(b []byte) string {
	if s, ok := d.comms[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.comms == nil {
		d.comms = make(map[string]string)
	}
	if len(d.comms) < 4096 {
		d.comms[s] = s
	}
	return s
}
