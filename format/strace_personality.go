package format

import (
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// appendPersonality appends strace's "[ Process PID=N runs in 32 bit
// mode. ]" line when thread ev.TID's call is made in another mode than its
// previous one (64-bit first, as strace assumes of a new thread).
func (s *Strace) appendPersonality(dst []byte, ev *event.Event) []byte {
	compat := ev.Flags&event.Compat != 0
	if s.oneLine || s.opts.QuietPersonality || s.compat[ev.TID] == compat {
		return dst
	}
	if compat {
		if s.compat == nil {
			s.compat = map[uint32]bool{}
		}
		s.compat[ev.TID] = true
	} else {
		delete(s.compat, ev.TID)
	}
	dst = s.prefix(dst, ev.TID, ev.TS)
	dst = append(dst, "[ Process PID="...)
	dst = strconv.AppendUint(dst, uint64(ev.TID), 10)
	dst = append(dst, " runs in "...)
	dst = append(dst, ev.Personality()...)
	return append(dst, " bit mode. ]\n"...)
}
