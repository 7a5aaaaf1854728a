package engine

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// placer tells which target cgroup an event's process is in (Event.Cgroup
// and Container). The kernel traces only the targets' processes: with one
// target, every event is its; with several, a process's is found once in
// /proc/PID/cgroup and kept until it exits.
type placer struct {
	targets []Cgroup
	byTgid  map[uint32]int // index in targets; -1: not found
}

func newPlacer(targets []Cgroup) *placer {
	if len(targets) == 0 {
		return nil
	}
	return &placer{targets: targets, byTgid: map[uint32]int{}}
}

// place sets ev's cgroup and container.
func (p *placer) place(ev *event.Event) {
	if ev.Kind == event.Lost {
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
	}
	if i < 0 {
		return
	}
	ev.Cgroup, ev.Container = p.targets[i].ID, p.targets[i].Name
}

// find is the index of the target process tgid's cgroup is in or below,
// by its cgroup path in each target's hierarchy; -1 when the process is
// gone.
func (p *placer) find(tgid uint32) int {
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
