package engine

import (
	"fmt"

	"github.com/strace-ebpf/strace.ebpf/bpf"
)

// CountMode is how the kernel counts calls per syscall (-c, -C).
type CountMode uint8

const (
	NoCount   = CountMode(bpf.TracerCountModeCOUNT_OFF)
	CountAlso = CountMode(bpf.TracerCountModeCOUNT_ALSO) // count, and send every record too (-C)
	CountOnly = CountMode(bpf.TracerCountModeCOUNT_ONLY) // count, and send no record per call (-c)
)

// SyscallStat is what the kernel counted for one syscall: finished calls
// (a call that never returns, or is still blocked at the end, is not one),
// the failed ones, and their time from enter to exit.
type SyscallStat struct {
	Nr     int
	Calls  uint64
	Errors uint64
	NS     uint64
}

// SyscallStats are the kernel's counts (Config.Count), one per syscall
// called, by number. After the session ended they are its final counts.
func (s *Session) SyscallStats() ([]SyscallStat, error) {
	if s.cfg.Count == NoCount {
		return nil, nil
	}
	if s.finalStats != nil || s.closed {
		return s.finalStats, nil
	}
	return s.readStats()
}

func (s *Session) readStats() ([]SyscallStat, error) {
	var out []SyscallStat
	var per []bpf.TracerScStat
	it := s.objs.ScStats.Iterate()
	var nr uint32
	for it.Next(&nr, &per) {
		st := SyscallStat{Nr: int(nr)}
		for _, c := range per {
			st.Calls += c.Calls
			st.Errors += c.Errors
			st.NS += c.Ns
		}
		if st.Calls > 0 {
			out = append(out, st)
		}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("reading syscall counts: %w", err)
	}
	return out, nil
}

// keepStats reads the final counts before the kernel objects go.
func (s *Session) keepStats() {
	if s.cfg.Count == NoCount || s.finalStats != nil {
		return
	}
	st, err := s.readStats()
	if err != nil {
		s.debugf("%v", err)
		return
	}
	if st == nil {
		st = []SyscallStat{}
	}
	s.finalStats = st
}
