package engine

// Tracing by cgroup (--cgroup, --container, --unit): the kernel side traces
// the tasks whose cgroup is a target cgroup or one of its descendants
// (bpf/cgroup.bpf.h), in the unified (v2) hierarchy or in a v1 controller's
// hierarchy. A target is named by its directory (/sys/fs/cgroup/...) or by
// its path from the hierarchy's root (/system.slice/x.service), resolved
// here against the cgroup file systems this process sees.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/strace-ebpf/strace.ebpf/bpf"
)

// MaxCgroups is how many target cgroups a session takes (CGROUP_MAX in
// bpf/tracer.h).
const MaxCgroups = len(bpf.TracerConfig{}.Cgroup)

// Cgroup is a target cgroup, resolved.
type Cgroup struct {
	Dir   string // its directory, where a cgroup file system is mounted
	Path  string // its path from its hierarchy's root ("/system.slice/x.service")
	ID    uint64 // the kernel's cgroup id: its directory's inode number
	Level uint32 // its depth below the hierarchy's root (the root: 0)
	// Hierarchy is "" for the unified (v2) one, else the v1 controller
	// the kernel follows the task's cgroup by ("memory", "pids", ...).
	Hierarchy string
	ssid      int32 // Hierarchy's subsystem id; -1: unified
	// Name is the container's name (its id when it has none) or the
	// unit's, "" for a plain --cgroup; ContainerID the container's id.
	Name        string
	ContainerID string
	// Running: it held a process when it was resolved (a unit's, a
	// container's), so that found empty once tracing starts it has
	// already ended; a plain --cgroup empty at the start is waited for.
	Running bool
}

// V1 says the cgroup is in a v1 hierarchy.
func (c *Cgroup) V1() bool { return c.Hierarchy != "" }

// cgroupMount is one mounted cgroup hierarchy.
type cgroupMount struct {
	dir   string   // where it is mounted
	root  string   // the hierarchy's path mounted there ("/" mostly)
	v2    bool     // cgroup2
	ctrls []string // v1: its controllers ("cpu", "cpuacct"); a named one ("name=systemd") has none
}

// cgroupMounts lists the cgroup file systems in /proc/self/mountinfo:
// the unified one first, then the v1 ones in their order there.
func cgroupMounts() ([]cgroupMount, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	subs, _ := subsystems()
	var v2, v1 []cgroupMount
	for _, line := range strings.Split(string(b), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, pf := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(pf) < 3 {
			continue
		}
		m := cgroupMount{dir: unescapeMount(f[4]), root: unescapeMount(f[3])}
		switch pf[0] {
		case "cgroup2":
			m.v2 = true
			v2 = append(v2, m)
		case "cgroup":
			for _, o := range strings.Split(pf[2], ",") {
				if slices.Contains(subs, o) {
					m.ctrls = append(m.ctrls, o)
				}
			}
			v1 = append(v1, m)
		}
	}
	return append(v2, v1...), nil
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v byte
			ok := true
			for _, c := range []byte(s[i+1 : i+4]) {
				if c < '0' || c > '7' {
					ok = false
					break
				}
				v = v*8 + c - '0'
			}
			if ok {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// subsystems are the kernel's cgroup subsystems in the order of their ids,
// as /proc/cgroups lists them.
func subsystems() ([]string, error) {
	b, err := os.ReadFile("/proc/cgroups")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		names = append(names, strings.Fields(line)[0])
	}
	return names, nil
}

// ResolveCgroup finds the target cgroup that path names: a directory of a
// mounted cgroup file system, or a path from a hierarchy's root, looked up
// in the unified hierarchy first, then in the v1 controllers' ones.
func ResolveCgroup(path string) (Cgroup, error) {
	fail := func(err error) (Cgroup, error) {
		return Cgroup{}, fmt.Errorf("resolving cgroup %s: %w", path, err)
	}
	if path == "" {
		return fail(errors.New("an empty path"))
	}
	mounts, err := cgroupMounts()
	if err != nil {
		return fail(err)
	}
	if len(mounts) == 0 {
		return fail(errors.New("no cgroup file system is mounted"))
	}
	clean := filepath.Clean("/" + path)
	// A directory of a mounted hierarchy.
	var named []string
	for _, m := range mounts {
		rel, ok := strings.CutPrefix(clean, m.dir)
		if !ok || (rel != "" && rel[0] != '/') {
			continue
		}
		if !m.v2 && len(m.ctrls) == 0 {
			named = append(named, m.dir)
			continue
		}
		return cgroupAt(m, rel, path)
	}
	if len(named) > 0 {
		return fail(fmt.Errorf("%s is a named v1 hierarchy, with no controller the kernel can follow a task's cgroup by; name the cgroup in a controller's hierarchy (such as /sys/fs/cgroup/pids) or the unified one", named[0]))
	}
	// A path from a hierarchy's root: where it exists.
	for _, m := range mounts {
		if !m.v2 && len(m.ctrls) == 0 {
			continue
		}
		rel, ok := strings.CutPrefix(clean, strings.TrimSuffix(m.root, "/"))
		if !ok || (rel != "" && rel[0] != '/') {
			continue
		}
		if fi, err := os.Stat(filepath.Join(m.dir, rel)); err == nil && fi.IsDir() {
			return cgroupAt(m, rel, path)
		}
	}
	return fail(errors.New("no such cgroup in any mounted hierarchy"))
}

// CgroupOfPID is the cgroup of process pid: in the unified hierarchy when
// the process is below its root there, else in the first v1 controller's
// hierarchy where it is (a hybrid system's containers are in v1 ones).
func CgroupOfPID(pid int) (Cgroup, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cgroup"))
	if err != nil {
		return Cgroup{}, err
	}
	mounts, err := cgroupMounts()
	if err != nil {
		return Cgroup{}, err
	}
	var v2 string
	v1 := map[string]string{} // controller -> path
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		if f[0] == "0" && f[1] == "" {
			v2 = f[2]
			continue
		}
		for _, ctrl := range strings.Split(f[1], ",") {
			v1[ctrl] = f[2]
		}
	}
	in := func(m cgroupMount, hpath string) (Cgroup, bool) {
		rel, ok := strings.CutPrefix(hpath, strings.TrimSuffix(m.root, "/"))
		if !ok || (rel != "" && rel[0] != '/') {
			return Cgroup{}, false
		}
		c, err := cgroupAt(m, rel, hpath)
		return c, err == nil
	}
	for _, m := range mounts {
		if m.v2 && v2 != "" && v2 != "/" {
			if c, ok := in(m, v2); ok {
				return c, nil
			}
		}
	}
	for _, m := range mounts {
		if m.v2 || len(m.ctrls) == 0 {
			continue
		}
		if p := v1[m.ctrls[0]]; p != "" && p != "/" {
			if c, ok := in(m, p); ok {
				return c, nil
			}
		}
	}
	return Cgroup{}, errors.New("it is in no cgroup of its own (the root of every mounted hierarchy)")
}

// cgroupAt is the cgroup at rel below mount m.
func cgroupAt(m cgroupMount, rel, asked string) (Cgroup, error) {
	dir := filepath.Join(m.dir, rel)
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return Cgroup{}, fmt.Errorf("resolving cgroup %s: %w", asked, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return Cgroup{}, fmt.Errorf("resolving cgroup %s: not a directory", asked)
	}
	hpath := filepath.Join(m.root, rel)
	c := Cgroup{Dir: dir, Path: hpath, ID: st.Ino, ssid: -1}
	if hpath != "/" {
		c.Level = uint32(strings.Count(hpath, "/"))
	}
	if !m.v2 {
		subs, err := subsystems()
		if err != nil {
			return Cgroup{}, fmt.Errorf("resolving cgroup %s: listing cgroup subsystems: %w", asked, err)
		}
		c.Hierarchy = m.ctrls[0]
		for i, s := range subs {
			if s == c.Hierarchy {
				c.ssid = int32(i)
			}
		}
		if c.ssid < 0 {
			return Cgroup{}, fmt.Errorf("resolving cgroup %s: controller %s is not in /proc/cgroups", asked, c.Hierarchy)
		}
	}
	return c, nil
}

// cgroupConst is config.cgroups and config.cgroup.
func cgroupConst(cgs []Cgroup, kc *bpf.TracerConfig) {
	kc.Cgroups = uint32(len(cgs))
	for i, c := range cgs {
		if i >= len(kc.Cgroup) {
			break
		}
		kc.Cgroup[i] = bpf.TracerCgroupTarget{Id: c.ID, Level: c.Level, Ssid: c.ssid}
	}
}

// checkCgroups refuses what a trace by cgroup cannot be combined with.
func checkCgroups(cfg *Config) error {
	if len(cfg.Cgroups) == 0 {
		return nil
	}
	if len(cfg.Cgroups) > MaxCgroups {
		return fmt.Errorf("choosing what to trace: %d cgroups, at most %d", len(cfg.Cgroups), MaxCgroups)
	}
	if len(cfg.Command) > 0 {
		return errors.New("choosing what to trace: a cgroup and a command are exclusive")
	}
	if len(cfg.PIDs) > 0 {
		return errors.New("choosing what to trace: a cgroup and -p are exclusive")
	}
	if cfg.Lossless {
		// Only the target is paused, never the host or the tracer: one
		// cgroup, with cgroup v2's freezer.
		if len(cfg.Cgroups) > 1 {
			return fmt.Errorf("%w: pauses one cgroup, not %d: trace them one at a time, or lossy", ErrLossless, len(cfg.Cgroups))
		}
		if c := cfg.Cgroups[0]; c.V1() {
			return fmt.Errorf("%w: cgroup %s is in a v1 hierarchy (%s): pausing it needs cgroup v2's cgroup.freeze", ErrLossless, c.Dir, c.Hierarchy)
		}
	}
	return nil
}

// newTargetFreezer pauses the target cgroup itself (lossless tracing by
// cgroup): its keeper freezes and thaws it, and at the end only thaws it.
func newTargetFreezer(cgs []Cgroup, high, low uint64, debugf, notef func(string, ...any)) (*freezer, error) {
	dir := cgs[0].Dir
	// Never the tracer: a target that holds it (an ancestor of its own
	// cgroup) would freeze the reader it waits for.
	if own, err := tracerCgroup(); err == nil && (own == dir || strings.HasPrefix(own, strings.TrimSuffix(dir, "/")+"/")) {
		return nil, fmt.Errorf("%w: the tracer itself is in cgroup %s (in %s): pausing it would pause the tracer", ErrLossless, dir, own)
	}
	if _, err := os.Stat(filepath.Join(dir, "cgroup.freeze")); err != nil {
		return nil, fmt.Errorf("%w: cgroup %s has no freezer (cgroup.freeze: Linux 5.2): %w", ErrLossless, dir, err)
	}
	f := &freezer{dir: dir, high: high, low: low, debugf: debugf, notef: notef, origins: map[int]string{}, keep: true}
	if err := f.startKeeper(); err != nil {
		return nil, fmt.Errorf("%w: starting the cgroup keeper: %w", ErrLossless, err)
	}
	return f, nil
}

// Populated says whether the cgroup or one of its descendants holds a
// process; false when it was removed.
func (c *Cgroup) Populated() bool {
	if !c.V1() {
		b, err := os.ReadFile(filepath.Join(c.Dir, "cgroup.events"))
		if err != nil {
			return false
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "populated "); ok {
				return v == "1"
			}
		}
		return false
	}
	// v1 has no populated flag: any process in the tree.
	found := false
	filepath.WalkDir(c.Dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipDir
		}
		if d.IsDir() {
			if b, err := os.ReadFile(filepath.Join(p, "cgroup.procs")); err == nil && len(strings.TrimSpace(string(b))) > 0 {
				found = true
				return filepath.SkipAll
			}
		}
		return nil
	})
	return found
}

// readPopulated reads cgroup.events through fd: its "populated" line.
func readPopulated(fd int) bool {
	var b [256]byte
	n, err := unix.Pread(fd, b[:], 0)
	if err != nil || n <= 0 {
		return false
	}
	return strings.Contains(string(b[:n]), "populated 1")
}

// waitCgroups closes ended when every target cgroup has ended: removed, or
// empty after it held a process (a cgroup empty from the start is waited
// for until a process joins it, unless it was Running when resolved). A v2 cgroup's cgroup.events notifies each
// change, so that a process that comes and goes between two looks counts;
// a v1 cgroup is looked at every 50 ms. It returns early when stop is
// closed.
func waitCgroups(cgs []Cgroup, ended, stop chan struct{}) {
	defer close(ended)
	type watch struct {
		seen, done bool
		fd         int // cgroup.events, -1 for v1
	}
	ws := make([]watch, len(cgs))
	for i := range cgs {
		// A unit or a container that stopped while the tracer started
		// has ended: there is nothing to wait for.
		ws[i].seen = cgs[i].Running
		ws[i].fd = -1
		if !cgs[i].V1() {
			if fd, err := unix.Open(filepath.Join(cgs[i].Dir, "cgroup.events"), unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
				ws[i].fd = fd
				defer unix.Close(fd)
			}
		}
	}
	left := len(cgs)
	for left > 0 {
		var pfds []unix.PollFd
		for i := range cgs {
			w := &ws[i]
			if w.done {
				continue
			}
			if _, err := os.Stat(cgs[i].Dir); err != nil {
				w.done = true
				left--
				continue
			}
			populated := false
			if w.fd >= 0 {
				// Reading the watched file acknowledges its change.
				populated = readPopulated(w.fd)
			} else {
				populated = cgs[i].Populated()
			}
			if populated {
				w.seen = true
			} else if w.seen {
				w.done = true
				left--
				continue
			}
			if w.fd >= 0 {
				pfds = append(pfds, unix.PollFd{Fd: int32(w.fd), Events: unix.POLLPRI})
			}
		}
		select {
		case <-stop:
			return
		default:
		}
		if left == 0 {
			return
		}
		if len(pfds) == 0 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		n, _ := unix.Poll(pfds, 50)
		if n <= 0 {
			continue
		}
		// A change: the cgroup held a process at some point since the
		// last look, even if it is empty again.
		for _, pfd := range pfds {
			if pfd.Revents == 0 {
				continue
			}
			for i := range ws {
				if ws[i].fd == int(pfd.Fd) {
					ws[i].seen = true
				}
			}
		}
	}
}

// sizeCgroupMap shrinks the kernel's cgroup_of map to one entry when
// nothing writes it: the kernel notes a process's target only among
// several.
func sizeCgroupMap(spec *ebpf.CollectionSpec, cfg Config) {
	if m := spec.Maps[bpf.TracerMapCgroupOf]; m != nil && len(cfg.Cgroups) < 2 {
		m.MaxEntries = 1
	}
}
