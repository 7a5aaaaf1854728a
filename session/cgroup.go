package session

// Tracing by cgroup: --cgroup, --container and --unit name the cgroups
// whose processes, present and future, the kernel traces (engine/cgroup.go);
// they take the place of a command or -p.

import (
	"errors"
	"fmt"

	"github.com/strace-ebpf/strace.ebpf/engine"
	"github.com/strace-ebpf/strace.ebpf/format"
	"github.com/strace-ebpf/strace.ebpf/record"
)

// Targets are the cgroups to trace, as given.
type Targets struct {
	Cgroups    []string // --cgroup PATH: a cgroup directory or a path from a hierarchy's root
	Containers []string // --container NAME|ID (container.go)
	Units      []string // --unit NAME: a systemd unit's cgroup
	// DecodePids is --decode-pids: "container" names each line's
	// container in the strace format's process prefix.
	DecodePids string
	// PidNS (--pidns) shows pids as each process's pid namespace numbers
	// them: a container's own view.
	PidNS bool
}

// Any says a target is given.
func (t *Targets) Any() bool {
	return len(t.Cgroups)+len(t.Containers)+len(t.Units) > 0
}

// several says more than one target is given: -c and -C split their
// tables by target, which the kernel's counts cannot.
func (t *Targets) several() bool {
	return len(t.Cgroups)+len(t.Containers)+len(t.Units) > 1
}

// flag names the first target given, as its option: "--container web".
func (t *Targets) flag() string {
	switch {
	case len(t.Containers) > 0:
		return "--container " + t.Containers[0]
	case len(t.Units) > 0:
		return "--unit " + t.Units[0]
	case len(t.Cgroups) > 0:
		return "--cgroup " + t.Cgroups[0]
	}
	return ""
}

// checkTargets refuses what tracing by cgroup does not go with.
func (p *Plan) checkTargets(f *format.Format) error {
	t := &p.Targets
	if t.DecodePids != "" {
		switch {
		case t.DecodePids != "container":
			return usagef("parsing --decode-pids %s: comm (the command name, as strace -Y) or container", t.DecodePids)
		case f.Name != "strace":
			return usagef("parsing options: --decode-pids=container names containers in -l strace's process prefix, not in -l %s (json carries \"container\" by itself, scripts read ev.container)", f.Name)
		case p.Input == "" && !t.Any():
			return usage("parsing options: --decode-pids=container names the containers of a trace by --container, --unit or --cgroup (or of its recording's replay)")
		}
	}
	if t.PidNS && p.Input != "" {
		return usage("parsing options: --pidns translates the pids of a live trace; a replay (-i) shows the pids recorded")
	}
	if !t.Any() {
		return nil
	}
	flag := t.flag()
	switch {
	case p.Input != "":
		return usagef("parsing options: %s chooses what a live trace traces; a replay (-i) traces nothing", flag)
	case len(p.Command) > 0:
		return usagef("parsing options: %s and a command (%s) are exclusive: the cgroup's processes are traced, not a command started by the tracer", flag, p.Command[0])
	case len(p.PIDs) > 0:
		return usagef("parsing options: %s and -p are exclusive", flag)
	case len(p.Filter.Inject) > 0:
		return usagef("-e %s: not with %s: a fault is injected through a seccomp filter that the tracer installs in a command it starts, and it starts none of the cgroup's processes", p.Filter.Inject[0].Expr, flag)
	case len(t.Cgroups)+len(t.Containers)+len(t.Units) > engine.MaxCgroups:
		return usagef("parsing options: %d cgroups, containers and units: at most %d", len(t.Cgroups)+len(t.Containers)+len(t.Units), engine.MaxCgroups)
	}
	return nil
}

// resolveTargets finds the target cgroups: each --cgroup, --unit and
// --container, in that order. A unit or a container must be running.
func (p *Plan) resolveTargets() ([]engine.Cgroup, error) {
	t := &p.Targets
	var cgs []engine.Cgroup
	for _, path := range t.Cgroups {
		c, err := engine.ResolveCgroup(path)
		if err != nil {
			return nil, err
		}
		cgs = append(cgs, c)
	}
	for _, u := range t.Units {
		c, err := resolveUnit(u)
		if err != nil {
			return nil, err
		}
		cgs = append(cgs, c)
	}
	for _, name := range t.Containers {
		c, err := resolveContainer(name)
		if err != nil {
			return nil, err
		}
		cgs = append(cgs, c)
	}
	// Ids are per hierarchy (each one's root is 1).
	type key struct {
		hierarchy string
		id        uint64
	}
	seen := map[key]string{}
	for _, c := range cgs {
		k := key{c.Hierarchy, c.ID}
		if prev, ok := seen[k]; ok {
			return nil, usagef("parsing options: %s and %s are the same cgroup", prev, c.Dir)
		}
		seen[k] = c.Dir
	}
	return cgs, nil
}

// errNotRunning is wrapped by the refusal of a unit or a container that
// is not running.
var errNotRunning = errors.New("not running")

// resolveUnit finds a systemd unit's cgroup: system.slice/NAME (a name
// without a suffix is a service's), in whichever hierarchy has it.
func resolveUnit(name string) (engine.Cgroup, error) {
	unit := name
	if !hasUnitSuffix(unit) {
		unit += ".service"
	}
	c, err := engine.ResolveCgroup("/system.slice/" + unit)
	if err != nil {
		return engine.Cgroup{}, fmt.Errorf("finding unit %s: no cgroup /system.slice/%s in any mounted hierarchy: %w", name, unit, errNotRunning)
	}
	if !c.Populated() {
		return engine.Cgroup{}, fmt.Errorf("finding unit %s: its cgroup %s holds no process: %w", name, c.Dir, errNotRunning)
	}
	c.Name, c.Running = unit, true
	return c, nil
}

func hasUnitSuffix(s string) bool {
	for _, suf := range []string{".service", ".scope", ".slice", ".socket", ".mount", ".timer", ".swap"} {
		if len(s) > len(suf) && s[len(s)-len(suf):] == suf {
			return true
		}
	}
	return false
}

// recordCgroups are the target cgroups a recording's header names: the
// live trace's, or those of the recording replayed.
func (b *built) recordCgroups() []record.Cgroup {
	if rs, ok := b.src.(*recordingSource); ok {
		return rs.hdr.Cgroups()
	}
	var out []record.Cgroup
	for _, c := range b.plan.cgroups {
		out = append(out, record.Cgroup{ID: c.ID, Name: c.Name, Path: c.Path})
	}
	return out
}
