package engine

import (
	"encoding/binary"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// unfinished returns the calls still blocked when tracing stopped, in the
// order they were entered, as Unfinished events: they were entered but
// their exit will never be seen. Call it after detaching, before Close.
func (s *Session) unfinished(d *decoder) []*event.Event {
	var (
		tid  uint32
		p    bpf.TracerPending
		rec  = new(bpf.TracerRecord)
		raw  []byte
		evs  []*event.Event
		iter = s.objs.Pendings.Iterate()
	)
	for iter.Next(&tid, &p) {
		if p.State&bpf.TracerPendingStateP_ACTIVE == 0 || p.State&bpf.TracerPendingStateP_EXEC_ONLY != 0 {
			continue
		}
		// The record as sys_exit would have written it, with the items
		// captured at enter when there are some.
		if p.State&bpf.TracerPendingStateP_HAS_REC == 0 || s.objs.Recs.Lookup(tid, rec) != nil {
			*rec = bpf.TracerRecord{}
		}
		tgid, comm := taskInfo(tid)
		h := &rec.Hdr
		h.Ts, h.Duration, h.Args, h.Ret = p.Ts, 0, p.Args, 0
		h.Pid, h.Tid, h.Nr, h.Flags = uint32(tgid), tid, p.Nr, 0
		if p.State&bpf.TracerPendingStateP_COMPAT != 0 {
			h.Flags = bpf.TracerEvFlagsEV_COMPAT // a 32-bit call: i386's number
		}
		h.Comm = [len(h.Comm)]int8{}
		for i := 0; i < len(comm) && i < len(h.Comm)-1; i++ {
			h.Comm[i] = int8(comm[i])
		}
		var err error
		if raw, err = appendRecord(raw[:0], rec); err != nil {
			continue
		}
		ev := new(event.Event)
		if d.decode(raw, ev) != nil {
			continue
		}
		ev.Flags |= event.Unfinished
		evs = append(evs, ev)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].TS < evs[j].TS })
	return evs
}

// appendRecord appends rec as the ring buffer carries it: the header, then
// the captured data its items describe.
func appendRecord(b []byte, rec *bpf.TracerRecord) ([]byte, error) {
	b, err := binary.Append(b, binary.LittleEndian, &rec.Hdr)
	if err != nil {
		return b, fmt.Errorf("encoding record: %w", err)
	}
	n := 0
	for _, it := range rec.Hdr.Items[:min(int(rec.Hdr.Nitems), len(rec.Hdr.Items))] {
		n += int(it.Len)
	}
	return append(b, rec.Data[:min(n, len(rec.Data))]...), nil
}

// taskInfo is a live thread's process id and name, from /proc; the thread
// id and "" when it is gone.
func taskInfo(tid uint32) (int, string) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(int(tid)) + "/status")
	if err != nil {
		return int(tid), ""
	}
	tgid, comm := int(tid), ""
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Name:"); ok {
			comm = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				tgid = n
			}
		}
	}
	return tgid, comm
}
