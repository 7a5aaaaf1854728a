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

// HistSlots is the number of slots of a duration histogram: slot i counts
// the calls of [2^(i-1), 2^i) µs (slot 0: under 1 µs); the last one holds
// every longer call.
const HistSlots = len(bpf.TracerScHist{}.Slots)

// SyscallHist is the kernel's histogram of one syscall's durations
// (Config.Count), counted for the same calls as its SyscallStat.
type SyscallHist struct {
	Nr    int
	Slots [HistSlots]uint64
}

// ProcStat is what the kernel counted for one process (thread group):
// finished calls, the failed ones and their time; Comm is its name at its
// first counted call, or after its last counted successful exec (or, when
// it changed otherwise, at its first counted call on some CPU since).
type ProcStat struct {
	PID    int
	Comm   string
	Calls  uint64
	Errors uint64
	NS     uint64
}

// KernelAggs are the kernel's histograms and per-process counts
// (Config.Count and CountAggs). After the session ended they are the
// final ones.
func (s *Session) KernelAggs() (*Aggs, error) {
	if s.cfg.Count == NoCount || !s.cfg.CountAggs {
		return &Aggs{}, nil
	}
	if s.finalAggs != nil || s.closed {
		if s.finalAggs == nil {
			return &Aggs{}, nil
		}
		return s.finalAggs, nil
	}
	return s.readAggs()
}

// ErrStat is how many calls of a syscall failed with an errno.
type ErrStat struct {
	Nr, Errno int
	Calls     uint64
}

// FdStat is what the kernel counted for the calls of a process on one
// descriptor (the calls whose first argument is one).
type FdStat struct {
	PID, FD       int
	Calls, Errors uint64
	NS            uint64
}

// Aggs are the kernel's aggregations besides the per-syscall counts:
// durations' histograms, per process, per errno, per descriptor.
type Aggs struct {
	Hists  []SyscallHist
	Procs  []ProcStat
	Errors []ErrStat
	Fds    []FdStat
}

func (s *Session) readAggs() (*Aggs, error) {
	hists, procs, err := s.readHistsProcs()
	if err != nil {
		return nil, err
	}
	a := &Aggs{Hists: hists, Procs: procs}
	var key uint32
	var per []uint64
	it := s.objs.ErrStats.Iterate()
	for it.Next(&key, &per) {
		e := ErrStat{Nr: int(key >> 12), Errno: int(key & 0xfff)}
		for _, n := range per {
			e.Calls += n
		}
		if e.Calls > 0 {
			a.Errors = append(a.Errors, e)
		}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("reading counts per errno: %w", err)
	}
	var fk bpf.TracerFdKey
	var fper []bpf.TracerFdStat
	fit := s.objs.FdStats.Iterate()
	for fit.Next(&fk, &fper) {
		f := FdStat{PID: int(fk.Tgid), FD: int(fk.Fd)}
		for _, c := range fper {
			f.Calls += c.Calls
			f.Errors += c.Errors
			f.NS += c.Ns
		}
		if f.Calls > 0 {
			a.Fds = append(a.Fds, f)
		}
	}
	if err := fit.Err(); err != nil {
		return nil, fmt.Errorf("reading counts per descriptor: %w", err)
	}
	return a, nil
}

func (s *Session) readHistsProcs() ([]SyscallHist, []ProcStat, error) {
	var hists []SyscallHist
	var per []bpf.TracerScHist
	it := s.objs.ScHists.Iterate()
	var nr uint32
	for it.Next(&nr, &per) {
		h := SyscallHist{Nr: int(nr)}
		var any uint64
		for _, c := range per {
			for i, n := range c.Slots {
				h.Slots[i] += n
				any += n
			}
		}
		if any > 0 {
			hists = append(hists, h)
		}
	}
	if err := it.Err(); err != nil {
		return nil, nil, fmt.Errorf("reading syscall histograms: %w", err)
	}
	var procs []ProcStat
	var pper []bpf.TracerProcStat
	pit := s.objs.ProcStats.Iterate()
	var tgid uint32
	for pit.Next(&tgid, &pper) {
		p := ProcStat{PID: int(tgid)}
		var read uint64
		for _, c := range pper {
			p.Calls += c.Calls
			p.Errors += c.Errors
			p.NS += c.Ns
			if c.Calls > 0 && c.CommNs >= read {
				read = c.CommNs
				p.Comm = commString(c.Comm[:])
			}
		}
		if p.Calls > 0 {
			procs = append(procs, p)
		}
	}
	if err := pit.Err(); err != nil {
		return nil, nil, fmt.Errorf("reading per-process counts: %w", err)
	}
	return hists, procs, nil
}

func commString(c []int8) string {
	b := make([]byte, 0, len(c))
	for _, x := range c {
		if x == 0 {
			break
		}
		b = append(b, byte(x))
	}
	return string(b)
}

// keepAggs reads the final histograms and per-process counts before the
// kernel objects go.
func (s *Session) keepAggs() {
	if s.cfg.Count == NoCount || !s.cfg.CountAggs || s.finalAggs != nil {
		return
	}
	a, err := s.readAggs()
	if err != nil {
		s.debugf("%v", err)
		return
	}
	s.finalAggs = a
}

// Timed says the kernel times the calls: without (Config.NoClock), the
// counts' times are 0.
func (s *Session) Timed() bool { return !s.cfg.NoClock }

// CountLean says the kernel side counts with kc as count_lean() in
// bpf/count.bpf.h: calls and errors per syscall at sys_exit alone, no
// clock read, no per-thread slot (-c whose columns show no time, a counting
// script that reads none).
func CountLean(kc bpf.TracerConfig) bool {
	return kc.Count == uint32(CountOnly) && kc.NoClock != 0 && kc.CountAggs == 0 && kc.ProcEvents == 0
}
