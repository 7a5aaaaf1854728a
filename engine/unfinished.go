package engine

import (
	"encoding/binary"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/bpf"
	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// States of a pending slot (enum pending_state in bpf/tracer.bpf.c).
const (
	pendingActive   = 1 << 0
	pendingHasRec   = 1 << 1
	pendingExecOnly = 1 << 2
)

// unfinished returns the calls still blocked when tracing stopped, in the
// order they were entered, as Unfinished events: they were entered but
// their exit will never be seen. Call it after detaching, before Close.
func (s *Session) unfinished(d *decoder) []*event.Event {
	var (
		tid  uint32
		p    bpf.TracerPending
		evs  []*event.Event
		raw  = make([]byte, s.objs.Recs.ValueSize())
		le   = binary.LittleEndian
		iter = s.objs.Pendings.Iterate()
	)
	for iter.Next(&tid, &p) {
		if p.State&pendingActive == 0 || p.State&pendingExecOnly != 0 {
			continue
		}
		// The record header as sys_exit would have written it, with the
		// items captured at enter when there are some.
		for i := range raw[:hdrSize] {
			raw[i] = 0
		}
		if p.State&pendingHasRec == 0 || s.objs.Recs.Lookup(tid, raw) != nil {
			raw[offNItems] = 0
		}
		le.PutUint64(raw, p.Ts)
		le.PutUint64(raw[offDuration:], 0)
		for i, a := range p.Args {
			le.PutUint64(raw[offArgs+8*i:], a)
		}
		le.PutUint64(raw[offRet:], 0)
		tgid, comm := taskInfo(tid)
		le.PutUint32(raw[offPID:], uint32(tgid))
		le.PutUint32(raw[offTID:], tid)
		le.PutUint32(raw[offNr:], uint32(p.Nr))
		le.PutUint16(raw[offFlags:], 0)
		copy(raw[offComm:offComm+16], make([]byte, 16))
		copy(raw[offComm:offComm+15], comm)
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
