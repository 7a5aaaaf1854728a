package engine

import "github.com/cilium/ebpf"

// programMisses are the times the kernel skipped each program because an
// instance of it already ran on that CPU (the program's recursion
// misses, counted by kernels from 5.12). Where syscall tracepoints run
// with preemption enabled, an instance preempted in the middle holds its
// CPU's slot: every call made on that CPU meanwhile, by any task, is
// skipped.
func (s *Session) programMisses() map[string]uint64 {
	out := map[string]uint64{}
	for name, p := range map[string]*ebpf.Program{
		"sys_enter": s.objs.SysEnter, "sys_exit": s.objs.SysExit,
		"sched_process_exit": s.objs.SchedProcessExit, "sched_process_exec": s.objs.SchedProcessExec,
		"sched_switch": s.objs.SchedSwitch, "signal_deliver": s.objs.SignalDeliver,
		"signal_generate": s.objs.SignalGenerate, "sched_process_fork": s.objs.SchedProcessFork,
	} {
		if p == nil {
			continue
		}
		st, err := p.Stats()
		if err != nil || st.RecursionMisses == 0 {
			continue
		}
		out[name] = st.RecursionMisses
	}
	return out
}
