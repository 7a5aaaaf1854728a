package engine

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// placer tells which target cgroup an event's process is in (Event.Cgroup
// and Container). The kernel traces only the targets' processes: with one
// target, every event is its; with several, a process's is found once in
// /proc/PID/cgroup and kept until it exits.
type placer struct {
	targets []Cgroup
	byTgid  map[uint32]int // index in targets; -1: not found
	kernel  *ebpf.Map      // the kernel's cgroup_of: tgid -> 1 + index
	// nsPids (Config.PidNS): each thread's id in its own pid namespace.
	nsPids map[uint32]uint32
}

func newPlacer(targets []Cgroup, pidNS bool, kernel *ebpf.Map) *placer {
	if len(targets) == 0 && !pidNS {
		return nil
	}
	p := &placer{targets: targets, byTgid: map[uint32]int{}, kernel: kernel}
	if pidNS {
		p.nsPids = map[uint32]uint32{}
	}
	return p
}

// place sets ev's cgroup and container, and with PidNS its ids as its pid
// namespace numbers them.
func (p *placer) place(ev *event.Event) {
	if ev.Kind == event.Lost {
		return
	}
	if p.nsPids != nil {
		defer p.translate(ev)
	}
	if len(p.targets) == 0 {
		return
	}
	i := 0
	if len(p.targets) > 1 {
		var ok bool
		if i, ok = p.byTgid[ev.PID]; !ok {
			i = p.find(ev.PID)
			p.byTgid[ev.PID] = i
		}
	}
	if ev.Kind == event.Exit && ev.PID == ev.TID && !ev.Superseded() {
		delete(p.byTgid, ev.PID)
		if p.kernel != nil && len(p.targets) > 1 {
			p.kernel.Delete(ev.PID)
		}
	}
	if i < 0 {
		return
	}
	ev.Cgroup, ev.Container = p.targets[i].ID, p.targets[i].Name
}

// find is the index of the target process tgid's cgroup is in or below:
// as the kernel's filter found it (cgroup_of), else by its cgroup path in
// each target's hierarchy; -1 when neither knows.
func (p *placer) find(tgid uint32) int {
	if p.kernel != nil {
		var n uint32
		if p.kernel.Lookup(tgid, &n) == nil && n >= 1 && int(n) <= len(p.targets) {
			return int(n) - 1
		}
	}
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(int(tgid)), "cgroup"))
	if err != nil {
		return -1
	}
	paths := map[string]string{} // hierarchy ("" unified, or a controller) -> path
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		if f[0] == "0" && f[1] == "" {
			paths[""] = f[2]
			continue
		}
		for _, c := range strings.Split(f[1], ",") {
			paths[c] = f[2]
		}
	}
	// The deepest target first: a target may hold another.
	best, depth := -1, -1
	for i, t := range p.targets {
		path, ok := paths[t.Hierarchy]
		if !ok {
			continue
		}
		if path == t.Path || t.Path == "/" || strings.HasPrefix(path, t.Path+"/") {
			if int(t.Level) > depth {
				best, depth = i, int(t.Level)
			}
		}
	}
	return best
}

// translate replaces ev's pid and tid by the ids their pid namespace gives
// them (the last of /proc/PID/status's NSpid), read once per thread and
// forgotten at its exit; a thread gone before its first event is read
// keeps its id in the tracer's namespace.
func (p *placer) translate(ev *event.Event) {
	pid, tid := p.nsPid(ev.PID), p.nsPid(ev.TID)
	if ev.Kind == event.Exit {
		delete(p.nsPids, ev.TID)
		if ev.PID == ev.TID {
			delete(p.nsPids, ev.PID)
		}
	}
	ev.PID, ev.TID = pid, tid
}

func (p *placer) nsPid(id uint32) uint32 {
	if v, ok := p.nsPids[id]; ok {
		return v
	}
	v := id
	if b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(int(id)), "status")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
				if f := strings.Fields(rest); len(f) > 0 {
					if n, err := strconv.ParseUint(f[len(f)-1], 10, 32); err == nil {
						v = uint32(n)
					}
				}
			}
		}
	}
	p.nsPids[id] = v
	return v
}
