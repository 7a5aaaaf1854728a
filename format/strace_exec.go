package format

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// appendSuperseded prints the end of a group leader killed because another
// thread of its process called execve, as strace does: "+++ superseded by
// execve in pid N +++". The kernel gave that thread the leader's id, so its
// execve returns under the leader's: its call continues there.
func (s *Strace) appendSuperseded(dst []byte, ev *event.Event) []byte {
	by := uint32(ev.Nr)
	// strace has dropped the exec'ing thread by now: no [pid N] when the
	// leader is the one left.
	delete(s.live, by)
	dst = s.prefix(dst, ev.TID, ev.TS)
	dst = append(dst, "+++ superseded by execve in pid "...)
	dst = strconv.AppendUint(dst, uint64(by), 10)
	dst = append(dst, " +++"...)
	if e := s.entered[by]; e != nil {
		delete(s.entered, by)
		if old := s.entered[ev.TID]; old != nil && !old.shown {
			s.hidden--
		}
		s.entered[ev.TID] = e
	}
	if s.compat[by] {
		delete(s.compat, by)
		s.compat[ev.TID] = true
	} else {
		delete(s.compat, ev.TID)
	}
	s.lastTID, s.lastEnd = ev.TID, ev.TS
	return dst
}
