package engine

import (
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/strace-ebpf/strace.ebpf/bpf"
)

// seedBlocked records, for each thread of pid that is inside a system call
// when tracing starts, that call as entered: its number and arguments from
// /proc/PID/task/TID/syscall, the attach time as its entry. Its return is
// then traced like any call's, and a call still blocked when tracing stops
// prints as strace's "read(0, <detached ...>": the "why is it hung?" case.
// A thread that entered a new call meanwhile keeps that one.
func (s *Session) seedBlocked(pid int) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	now := s.stampEntry()
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		nr, args, pc, ok := blockedSyscall(dir + "/" + e.Name() + "/syscall")
		if !ok {
			continue
		}
		p := bpf.TracerPending{Ts: now, Args: args, Nr: int32(nr),
			State: bpf.TracerPendingStateP_ACTIVE | bpf.TracerPendingStateP_TRACED | bpf.TracerPendingStateP_SEEDED}
		if compatCall(dir+"/"+e.Name()+"/mem", pc) {
			p.State |= bpf.TracerPendingStateP_COMPAT // i386's number and arguments
		}
		if err := s.objs.Pendings.Update(uint32(tid), &p, ebpf.UpdateNoExist); err == nil {
			s.debugf("pid %d: thread %d is blocked in syscall %d", pid, tid, nr)
		}
	}
}

// blockedSyscall reads /proc/PID/task/TID/syscall: "NR ARG1 ... ARG6 SP PC"
// for a thread inside a call, "-1 SP PC" or "running" otherwise.
func blockedSyscall(path string) (nr int, args [6]uint64, pc uint64, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, args, 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 7 {
		return 0, args, 0, false
	}
	nr, err = strconv.Atoi(f[0])
	if err != nil || nr < 0 {
		return 0, args, 0, false
	}
	for i := range args {
		v, err := strconv.ParseUint(strings.TrimPrefix(f[1+i], "0x"), 16, 64)
		if err != nil {
			return 0, args, 0, false
		}
		args[i] = v
	}
	if len(f) >= 9 {
		pc, _ = strconv.ParseUint(strings.TrimPrefix(f[8], "0x"), 16, 64)
	}
	return nr, args, pc, true
}
