package session

import (
	"strings"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/script"
)

// countsInKernel says -c's or -C's table can be counted in the kernel:
// a live trace whose every call the summary stage would see is one the
// kernel sees too. Scripts in front of the summary may drop calls, and
// the user-space parts of the selection (Keep) are not the kernel's
// (filter.Filter.KernelDecides).
func (p *Plan) countsInKernel(sel *Selection) bool {
	// Injected calls never reach the kernel side's counts: counted from
	// their events.
	return p.Summary != NoSummary && p.Input == "" && len(p.Scripts) == 0 && !p.Split && len(p.Filter.Inject) == 0 &&
		sel.KernelDecides() && !p.summaryNeedsCalls() && !p.Targets.several()
}

// summaryNeedsCalls says the summary shows or sorts by the shortest or
// longest call, which only each call's duration tells (the kernel counts
// sums).
func (p *Plan) summaryNeedsCalls() bool {
	s := p.SummaryArgs["summary_sort"] + "," + p.SummaryArgs["summary_columns"]
	return strings.Contains(s, "min-time") || strings.Contains(s, "max-time")
}

// engineCount is the engine's counting mode under needs n.
func engineCount(n Needs) engine.CountMode {
	switch {
	case n.Counts && n.NoRecords:
		return engine.CountOnly
	case n.Counts:
		return engine.CountAlso
	}
	return engine.NoCount
}

// kernelCounts reads the engine's counts for kernel_counts(),
// kernel_hist() and kernel_procs().
func kernelCounts(s *engine.Session) func() (script.KernelCounts, error) {
	return func() (script.KernelCounts, error) {
		k := script.KernelCounts{Untimed: !s.Timed()}
		st, err := s.SyscallStats()
		if err != nil {
			return k, err
		}
		aggs, err := s.KernelAggs()
		if err != nil {
			return k, err
		}
		hists, procs := aggs.Hists, aggs.Procs
		byNr := make(map[int]*engine.SyscallHist, len(hists))
		for i := range hists {
			byNr[hists[i].Nr] = &hists[i]
		}
		k.Syscalls = make([]script.SyscallCount, len(st))
		for i, c := range st {
			k.Syscalls[i] = script.SyscallCount{Nr: c.Nr, Calls: c.Calls, Errors: c.Errors, Time: c.NS}
			if h := byNr[c.Nr]; h != nil {
				k.Syscalls[i].Hist = h.Slots
			}
		}
		k.Procs = make([]script.ProcCount, len(procs))
		for i, c := range procs {
			k.Procs[i] = script.ProcCount{PID: c.PID, Comm: c.Comm, Calls: c.Calls, Errors: c.Errors, Time: c.NS}
		}
		for _, e := range aggs.Errors {
			k.Errors = append(k.Errors, script.ErrCount{Nr: e.Nr, Errno: e.Errno, Calls: e.Calls})
		}
		for _, f := range aggs.Fds {
			k.Fds = append(k.Fds, script.FdCount{PID: f.PID, FD: f.FD, Calls: f.Calls, Errors: f.Errors, Time: f.NS})
		}
		return k, nil
	}
}

// reusesEvents says the source may hand every event in the same Event:
// nothing keeps one past its handling (the format streams; no user script,
// which could keep ev; the summary keeps none).
func (p *Plan) reusesEvents(f *format.Format) bool {
	return f.Streams && len(p.Scripts) == 0 && !p.Split
}

// ringSize is the ring buffer's size: the one given, else one that fits
// the run. With no record per call crossing it (only process events may)
// 256 KiB. A lossless run pauses the command long before its ring fills,
// so 16 MiB absorbs what it does until the pause holds (its marks are a
// quarter and an eighth); a lossy one keeps the engine's 64 MiB, its only
// defence against loss. The kernel allocates and zeroes the whole ring at
// start-up: 64 MiB cost 10-20 ms of a `true`'s start on the 2026-12-07
// machine.
func ringSize(given int, n Needs, lossless bool) int {
	switch {
	case given != 0:
		return given
	case n.NoRecords:
		return 256 << 10
	case lossless:
		return losslessRing
	}
	return 0
}

// losslessRing is the ring's size when lossless and none is given.
const losslessRing = 16 << 20
